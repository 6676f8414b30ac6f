import { describe, expect, it } from 'vitest';
import { isIsoDateOrDateTime, parseRecordJson } from '../../../src/sources/record-json.js';

const parse = (value: unknown) =>
  parseRecordJson(Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)));

describe('record.json', () => {
  it('accepts every documented key and returns it unchanged', () => {
    const full = {
      title: 'Ansökan om ekonomiskt bistånd',
      identifier: 'SN 2024/0257',
      creator: 'Socialnämnden, Exempelby kommun',
      dates: {
        created: '2024-02-20T10:05:00+01:00',
        modified: '2024-03-12',
        start: '2024-02-20',
        end: '2024-03-12',
      },
      description: 'Ansökan med utredning.',
      accessRestriction: 'OSL 26 kap. 1 §',
      classification: '7.2.1',
      language: ['sv', 'fi', 'smj', 'en-GB'],
      subject: ['försörjningsstöd'],
    };
    expect(parse(full)).toEqual({ ok: true, metadata: full });
    expect(parse({})).toEqual({ ok: true, metadata: {} });
  });

  it('accepts a UTF-8 byte order mark', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"title":"Å"}')]);
    expect(parseRecordJson(bytes)).toEqual({ ok: true, metadata: { title: 'Å' } });
  });

  it('rejects unknown keys, also inside dates, so typos are caught', () => {
    expect(parse({ titel: 'x', dates: { skapad: '2024-01-01' } })).toEqual({
      ok: false,
      problems: ['dates: Unrecognized key: "skapad"', '(root): Unrecognized key: "titel"'],
    });
  });

  it('reports each issue with its path', () => {
    const result = parse({
      title: '',
      language: ['sv', 'svenska', 3],
      subject: 'bygglov',
      dates: { end: '2024-13-01' },
    });
    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.problems;
    expect(problems.map((p) => p.slice(0, p.indexOf(':')))).toEqual([
      'title',
      'dates.end',
      'language[1]',
      'language[2]',
      'subject',
    ]);
    expect(problems[0]).toBe('title: must not be empty');
    expect(problems[2]).toBe('language[1]: expected an ISO 639 language code such as "sv" or "fi"');
  });

  it('rejects invalid UTF-8, invalid JSON and a top level that is not an object', () => {
    expect(parseRecordJson(Buffer.from([0x7b, 0x22, 0xe5, 0x22, 0x7d]))).toEqual({
      ok: false,
      problems: ['not valid UTF-8'],
    });
    const bad = parse('{"title": "x"');
    expect(bad.ok ? '' : bad.problems[0]).toMatch(/^not valid JSON \(/);
    const array = parse('[]');
    expect(array.ok ? [] : array.problems).toHaveLength(1);
    expect(array.ok ? '' : array.problems[0]).toMatch(/^\(root\): /);
  });

  it.each([
    ['2024-01-15', true],
    ['2024-02-29', true],
    ['2023-02-29', false],
    ['2024-04-31', false],
    ['2024-1-15', false],
    ['15/01/2024', false],
    ['2024-01-15T09:12', true],
    ['2024-01-15T09:12:44Z', true],
    ['2024-01-15T09:12:44.123+01:00', true],
    ['2024-01-15T24:00:00Z', false],
    ['2024-01-15T09:60:00Z', false],
    ['2024-01-15T09:12:44+25:00', false],
    ['2024-01-15 09:12:44', false],
    ['0099-12-31', true],
  ])('date %s valid: %s', (value, valid) => {
    expect(isIsoDateOrDateTime(value)).toBe(valid);
  });
});
