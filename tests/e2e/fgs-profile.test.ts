import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { PackageSummary } from '../../src/catalog/types.js';
import { validatePackage } from '../../src/validation/validate-package.js';
import { bevara, copyFixtures, json, tempDir } from './helpers.js';

// The fgs profile: FGS Paketstruktur 2.0 = E-ARK CSIP 2.1 + SIP 2.1, with the archival creator, the submitting
// agent and the submission agreement in the METS header, from the config's `organisation`.
describe('profile fgs (FGS Paketstruktur 2.0)', () => {
  const work = tempDir('fgs');
  const source = copyFixtures(path.join(work, 'records'));
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it('refuses to run without the organisations the profile requires, naming each', () => {
    const result = bevara(path.join(work, 'no-org'), ['-p', 'fgs', 'ingest', source]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('organisation.name: the profile requires an archival creator');
    expect(result.stderr).toContain('organisation.submissionAgreement');
  });

  it('writes packages that pass E-ARK SIP 2.1 validation with the Swedish header agents', async () => {
    const config = path.join(work, 'bevara.config.yaml');
    fs.writeFileSync(
      config,
      [
        'organisation:',
        '  name: Exempelby kommun',
        '  identificationCode: "212000-0000"',
        '  archivalCreator: { name: Byggnadsnämnden i Exempelby, identificationCode: "212000-0000" }',
        '  submissionAgreement: "LÖ 2024:3"',
      ].join('\n'),
    );
    const data = path.join(work, 'data');
    const result = bevara(data, ['-c', config, '-p', 'fgs', 'ingest', source]);
    expect(result.code, result.stderr).toBe(0);
    for (const pkg of json<PackageSummary[]>(bevara(data, ['--json', 'ls']))) {
      const zip = path.join(data, 'store', 'local', 'packages', pkg.id, `${pkg.id}.zip`);
      const report = await validatePackage(zip, { profile: 'sip' });
      expect(report.findings).toEqual([]);
      const mets = execFileSync('unzip', ['-p', zip, `${pkg.id}/METS.xml`], { encoding: 'utf8' });
      expect(mets).toContain('csip:OAISPACKAGETYPE="SIP"');
      expect(mets).toMatch(
        /<agent ROLE="ARCHIVIST" TYPE="ORGANIZATION">\s*<name>Byggnadsnämnden i Exempelby<\/name>\s*<note csip:NOTETYPE="IDENTIFICATIONCODE">212000-0000<\/note>/,
      );
      expect(mets).toMatch(/<agent ROLE="CREATOR" TYPE="ORGANIZATION">\s*<name>Exempelby kommun<\/name>/);
      expect(mets).toContain('<altRecordID TYPE="SUBMISSIONAGREEMENT">LÖ 2024:3</altRecordID>');
    }
  });
});
