import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { PackageSummary } from '../../src/catalog/types.js';
import { createXmlValidator } from '../../src/metadata/xml-validator.js';
import { bevara, json, snapshot, tempDir } from './helpers.js';

// A case exported by a case-management system (CITS ERMS) becomes a package whose label and identifier come from
// the case, with the export kept verbatim as descriptive metadata (MDTYPE OTHER, OTHERMDTYPE ERMS).
describe('ingest of a case-management export', () => {
  const work = tempDir('erms');
  const data = path.join(work, 'data');
  const source = path.join(work, 'records');
  fs.cpSync(path.resolve('fixtures/erms/records'), source, { recursive: true, preserveTimestamps: true });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it('archives it with the ERMS export in metadata/descriptive and a dmdSec of type ERMS', async () => {
    const before = snapshot(source);
    const result = bevara(data, ['--json', 'ingest', source]);
    expect(result.code, result.stderr).toBe(0);
    expect(snapshot(source)).toEqual(before);
    const [pkg] = json<PackageSummary[]>(bevara(data, ['--json', 'ls']));
    expect(pkg?.label).toBe('Ansökan om bygglov för tillbyggnad, Storgatan 12');
    const zip = path.join(data, 'store', 'local', 'packages', pkg?.id ?? '', `${pkg?.id}.zip`);
    const unzip = (entry: string) => execFileSync('unzip', ['-p', zip, `${pkg?.id}/${entry}`]);
    const erms = unzip('metadata/descriptive/erms.xml');
    expect(
      erms.equals(fs.readFileSync(path.join(source, 'BN 2024-0342 Bygglov Storgatan 12', 'erms.xml'))),
    ).toBe(true);
    const mets = unzip('METS.xml').toString('utf8');
    expect(mets).toMatch(
      /<(mets:)?mdRef[^>]*xlink:href="metadata\/descriptive\/erms.xml"[^>]*OTHERMDTYPE="ERMS"/,
    );
    expect(mets).toContain('LABEL="Ansökan om bygglov för tillbyggnad, Storgatan 12"');
    const dc = unzip('metadata/descriptive/dc.xml').toString('utf8');
    expect(dc).toContain('<dc:identifier>BN 2024/0342</dc:identifier>');
    const validator = createXmlValidator();
    expect((await validator.validate(mets, 'mets-csip', 'METS.xml')).problems).toEqual([]);
  });
});
