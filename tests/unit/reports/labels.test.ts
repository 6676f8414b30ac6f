import { describe, expect, it } from 'vitest';
import { labelsFor } from '../../../src/reports/labels.js';

/** Every leaf of a label table as [path, value]; counted phrases are called with 1 and 2. */
function leaves(value: unknown, at = ''): [string, string][] {
  if (typeof value === 'string') return [[at, value]];
  if (typeof value === 'function') {
    const phrase = value as (n: string, count: number) => string;
    return [
      [`${at}(1)`, phrase('1', 1)],
      [`${at}(2)`, phrase('2', 2)],
    ];
  }
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) =>
    leaves(v, at ? `${at}.${k}` : k),
  );
}

describe('report labels', () => {
  const sv = new Map(leaves(labelsFor('sv')));
  const en = new Map(leaves(labelsFor('en')));

  it('has the same labels in Swedish and English, none empty', () => {
    expect([...sv.keys()].sort()).toEqual([...en.keys()].sort());
    for (const [key, value] of [...sv, ...en]) expect(value.trim(), key).not.toBe('');
  });

  it('translates the words staff read first', () => {
    for (const key of [
      'kind.audit',
      'verdict.intact',
      'sections.coverage',
      'columns.expected',
      'itemStatus.orphan',
    ])
      expect(sv.get(key), key).not.toBe(en.get(key));
    expect(sv.get('counted.repaired(1)')).toBe('1 reparerad');
    expect(sv.get('counted.repaired(2)')).toBe('2 reparerade');
    expect(sv.get('counted.orphans(2)')).toBe('2 okända objekt');
  });

  it('falls back to English for a language it does not know', () => {
    expect(labelsFor(undefined)).toBe(labelsFor('en'));
  });
});
