import { describe, expect, it } from 'vitest';
import type { RetentionRule } from '../../../src/config/retention-schema.js';
import { configSchema } from '../../../src/config/schema.js';
import {
  addPeriod,
  appraise,
  classificationCovers,
  queryCovers,
  ruleFor,
} from '../../../src/disposal/rules.js';

const rule = (over: Partial<RetentionRule>): RetentionRule => ({
  id: 'r',
  from: 'end',
  retain: '10y',
  action: 'dispose',
  keepFileList: false,
  ...over,
});
const now = new Date('2026-12-04T09:00:00Z');

describe('retention rules', () => {
  it('covers a classification code and the codes below it, not its siblings', () => {
    expect(classificationCovers('3.1', '3.1')).toBe(true);
    expect(classificationCovers('3.1', '3.1.2')).toBe(true);
    expect(classificationCovers('3.1', '3.10')).toBe(false);
    expect(classificationCovers('3.1', undefined)).toBe(false);
  });

  it('adds years, months and days in UTC, a leap day to the next 28 February + 1', () => {
    expect(addPeriod(new Date('2014-05-01'), '10y').toISOString()).toBe('2024-05-01T00:00:00.000Z');
    expect(addPeriod(new Date('2024-01-31'), '18m').toISOString()).toBe('2025-07-31T00:00:00.000Z');
    expect(addPeriod(new Date('2024-02-29'), '1y').toISOString()).toBe('2025-03-01T00:00:00.000Z');
    expect(addPeriod(new Date('2024-12-31'), '1d').toISOString()).toBe('2025-01-01T00:00:00.000Z');
  });

  it('picks the rule the record names first, else the first whose every selector matches', () => {
    const rules = [
      rule({ id: 'bygg', classification: '3.1', recordType: 'bygglov' }),
      rule({ id: 'class', classification: '3' }),
      rule({ id: 'job', jobs: ['nattlig'] }),
      rule({ id: 'named' }),
    ];
    expect(
      ruleFor(rules, { title: 't', classification: '3.1.2', recordType: 'bygglov' }, undefined)?.id,
    ).toBe('bygg');
    expect(ruleFor(rules, { title: 't', classification: '3.1.2' }, undefined)?.id).toBe('class');
    expect(ruleFor(rules, { title: 't' }, 'nattlig')?.id).toBe('job');
    expect(ruleFor(rules, { title: 't', classification: '3.1', retentionRule: 'named' }, undefined)?.id).toBe(
      'named',
    );
    // A rule without selectors only applies when named.
    expect(ruleFor(rules, { title: 't' }, undefined)).toBeUndefined();
    expect(ruleFor(rules, { title: 't', retentionRule: 'unknown' }, undefined)).toBeUndefined();
  });

  it('appraises: due with the reason, not yet, and undecidable without the date it counts from', () => {
    const rules = [rule({ id: 'bygg', classification: '3.1', retain: '1y', from: 'end' })];
    const due = appraise(
      rules,
      { title: 't', classification: '3.1.2', dates: { end: '2024-03-04' } },
      undefined,
      now,
    );
    expect(due).toMatchObject({ kind: 'due', dueAt: new Date('2025-03-04T00:00:00Z') });
    expect(due.kind === 'due' && due.reason).toBe(
      'rule "bygg": dispose 1y after dates.end 2024-03-04, due 2025-03-04',
    );
    expect(
      appraise(rules, { title: 't', classification: '3.1', dates: { end: '2026-03-04' } }, undefined, now)
        .kind,
    ).toBe('not-yet');
    const missing = appraise(
      rules,
      { title: 't', classification: '3.1', dates: { created: '2001-01-01' } },
      undefined,
      now,
    );
    expect(missing).toMatchObject({
      kind: 'undecidable',
      reason: 'rule "bygg" counts from dates.end, which is absent',
    });
    expect(appraise(rules, { title: 't', classification: '9' }, undefined, now).kind).toBe('none');
  });

  it('matches holds by query on every field given', () => {
    expect(queryCovers({ classification: '7.2' }, { title: 't', classification: '7.2.1' })).toBe(true);
    expect(
      queryCovers({ classification: '7.2', identifier: 'SN 1' }, { title: 't', classification: '7.2.1' }),
    ).toBe(false);
    expect(queryCovers({}, { title: 't' })).toBe(false);
  });

  it('refuses a rule id used twice and a period without a unit, each with its path', () => {
    const result = configSchema.safeParse({
      retention: { rules: [rule({ id: 'a', classification: '1' }), { ...rule({ id: 'a' }), retain: '10' }] },
    });
    expect(result.success).toBe(false);
    const paths = result.error?.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['retention.rules.1.retain']));
    const twice = configSchema.safeParse({ retention: { rules: [rule({ id: 'a' }), rule({ id: 'a' })] } });
    expect(twice.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['retention.rules.1.id', 'rule id "a" is used twice'],
    ]);
  });
});
