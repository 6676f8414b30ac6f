import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { PackageSummary } from '../../src/catalog/types.js';
import { createXmlValidator } from '../../src/metadata/xml-validator.js';
import { bevara, json, tempDir } from './helpers.js';

// Every AIP names its archive creator (arkivbildare) with the NAD reference code of its archive and its node of
// the classification structure: from record.json, else the config's organisation.archivalCreator. The METS header
// says so (ARCHIVIST agent, altRecordID REFERENCECODE), the METS stays schema-valid and `bevara validate` finds
// nothing, and `bevara ls` finds the packages by archive creator and classification.
describe('archival description on every AIP', () => {
  const work = tempDir('archdesc');
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));
  const records = path.join(work, 'records');
  const data = path.join(work, 'data');
  const config = path.join(work, 'bevara.config.yaml');
  const record = (name: string, meta?: object) => {
    fs.mkdirSync(path.join(records, name), { recursive: true });
    fs.writeFileSync(path.join(records, name, 'beslut.txt'), `Beslut i ${name}\n`);
    if (meta) fs.writeFileSync(path.join(records, name, 'record.json'), JSON.stringify(meta));
  };
  record('bygglov', {
    title: 'Bygglov Storgatan 12',
    classification: '3.1.2',
    archiveCreator: { name: 'Byggnadsnämnden i Exempelby', referenceCode: 'SE/EXK/BN' },
  });
  record('protokoll', { title: 'Protokoll KS', classification: '1.2' });
  fs.writeFileSync(
    config,
    [
      'organisation:',
      '  name: Exempelby kommun',
      '  archivalCreator: { name: Kommunstyrelsen i Exempelby, referenceCode: SE/EXK/KS }',
      '',
    ].join('\n'),
  );
  const run = (args: string[]) => bevara(data, ['--config', config, ...args]);

  it('writes it into the METS, keeps the package valid, and lets ls find it', async () => {
    const result = run(['--json', 'ingest', records]);
    expect(result.code, result.stderr).toBe(0);
    const all = json<PackageSummary[]>(run(['--json', 'ls']));
    expect(all).toHaveLength(2);
    const byLabel = new Map(all.map((p) => [p.label, p.id]));
    const bygglov = byLabel.get('Bygglov Storgatan 12') as string;
    const zip = path.join(data, 'store', 'local', 'packages', bygglov, `${bygglov}.zip`);
    const mets = execFileSync('unzip', ['-p', zip, `${bygglov}/METS.xml`]).toString('utf8');
    expect(mets).toMatch(
      /<agent ROLE="ARCHIVIST" TYPE="ORGANIZATION">\s*<name>Byggnadsnämnden i Exempelby<\/name>\s*<note csip:NOTETYPE="IDENTIFICATIONCODE">SE\/EXK\/BN<\/note>/,
    );
    expect(mets).toContain('<altRecordID TYPE="REFERENCECODE">SE/EXK/BN/3.1.2</altRecordID>');
    expect(await createXmlValidator().validate(mets, 'mets-csip', 'METS.xml')).toEqual({
      valid: true,
      problems: [],
    });
    const validated = json<{ valid: boolean; findings: unknown[] }>(run(['--json', 'validate', zip]));
    expect(validated).toEqual(expect.objectContaining({ valid: true, findings: [] }));

    const ls = (args: string[]) => json<PackageSummary[]>(run(['--json', 'ls', ...args])).map((p) => p.label);
    expect(ls(['--archive-creator', 'byggnadsnämnden'])).toEqual(['Bygglov Storgatan 12']);
    expect(ls(['--archive-creator', 'SE/EXK/KS'])).toEqual(['Protokoll KS']);
    expect(ls(['--classification', '3.1'])).toEqual(['Bygglov Storgatan 12']);
    expect(ls(['--classification', '3.1.2', '--archive-creator', 'SE/EXK/KS'])).toEqual([]);
    const shown = json<{ package: { metadata: object } }>(
      run(['--json', 'show', byLabel.get('Protokoll KS') as string]),
    );
    expect(shown.package.metadata).toMatchObject({
      archiveCreator: { name: 'Kommunstyrelsen i Exempelby', referenceCode: 'SE/EXK/KS' },
    });
  });

  it('is safe to run twice: the same records are unchanged', () => {
    const again = json<{ archived: number; unchanged: number }>(run(['--json', 'ingest', records]));
    expect(again).toMatchObject({ archived: 0, unchanged: 2 });
  });

  it('refuses a reference code that is not NAD style, naming the record, file and path', () => {
    const bad = path.join(work, 'bad');
    fs.mkdirSync(path.join(bad, 'fel'), { recursive: true });
    fs.writeFileSync(path.join(bad, 'fel', 'a.txt'), 'a\n');
    fs.writeFileSync(
      path.join(bad, 'fel', 'record.json'),
      JSON.stringify({ archiveCreator: { name: 'X', referenceCode: 'BN-arkivet' } }),
    );
    const result = run(['--json', 'ingest', bad]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('archiveCreator.referenceCode: expected a NAD-style reference code');
  });
});
