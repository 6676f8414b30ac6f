import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFolderSource } from '../../../src/sources/folder.js';
import type { RejectedRecord, SourceRecord } from '../../../src/sources/types.js';

const FIXTURES = path.resolve('fixtures/erms');

async function scan(root: string) {
  const ok: SourceRecord[] = [];
  const rejected: RejectedRecord[] = [];
  for await (const scanned of createFolderSource({ root }).scan()) {
    if (scanned.ok) ok.push(scanned.record);
    else rejected.push(scanned.rejected);
  }
  return { ok, rejected };
}

describe('case-management exports (CITS ERMS)', () => {
  it('validates the ERMS export and takes the label, identifier and dates from the case', async () => {
    const { ok, rejected } = await scan(path.join(FIXTURES, 'records'));
    expect(rejected).toEqual([]);
    const [record] = ok;
    expect(record?.metadata).toMatchObject({
      title: 'Ansökan om bygglov för tillbyggnad, Storgatan 12',
      identifier: 'BN 2024/0342',
      dates: { created: '2024-03-11', end: '2024-05-02' },
    });
    expect(record?.metadataFiles.map((f) => `${f.name} ${f.mimeType}`)).toEqual(['erms.xml text/xml']);
    expect(record?.files.map((f) => f.path)).toEqual([
      'handlingar/Ansökan om bygglov.pdf',
      'handlingar/Beslut.pdf',
    ]);
  });

  it('rejects a broken export naming the record, the file, the rule and the line', async () => {
    const { ok, rejected } = await scan(path.join(FIXTURES, 'broken'));
    expect(ok).toEqual([]);
    const byKey = new Map(rejected.map((r) => [r.key, r.errors]));
    for (const [key, errors] of byKey) {
      expect(errors.length).toBeGreaterThan(0);
      const rule = key === 'schematronfel' ? 'erms-schematron' : 'erms-invalid';
      for (const e of errors) expect(e).toMatchObject({ rule, subject: { file: 'erms.xml' } });
    }
    // Schema-valid, but aggregationType own_aggregation_definition without otherAggregationType (erms.sch).
    expect(byKey.get('schematronfel')?.[0]?.message).toMatch(
      /erms\.xml.*line 23: Schematron rule co-occurrence-constraints: .*\(erms\.sch\) failed: .*otherAggregationType/,
    );
    expect(byKey.get('ej-välformad')?.[0]?.message).toMatch(/erms\.xml:\d+: .*(end tag|mismatch)/i);
    expect(byKey.get('schemafel')?.[0]?.message).toMatch(/erms\.xml:\d+: .*systemIdentifier/);
    expect(byKey.get('fel-namnrymd')?.[0]?.message).toMatch(
      /https:\/\/dilcis\.eu\/XML\/ERMS.*case-sensitive/,
    );
  });
});
