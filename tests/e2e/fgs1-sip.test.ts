import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { DescriptiveMetadata } from '../../src/model/package.js';
import { createXmlValidator } from '../../src/metadata/xml-validator.js';
import { bevara, json, snapshot, tempDir } from './helpers.js';

interface IngestJson {
  archived: number;
  rejected: number;
  items: {
    subject: string;
    status: string;
    packageId?: string;
    details?: { problems?: { rule: string }[] };
  }[];
}

interface ValidateJson {
  valid: boolean;
  profile: string;
  profileReason: string;
  findings: { id: string; level: string; location: { file: string; line?: number } }[];
  verified: { files: number };
}

const VALID = path.resolve('fixtures/sips-fgs1');
const BROKEN = path.resolve('fixtures/sips-fgs1-broken');
const unzip = (args: string[]) => execFileSync('unzip', args, { maxBuffer: 64 << 20 });
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

// FGS Paketstruktur 1.x SIPs (Riksarkivet's METS profile before FGS 2.0): `bevara validate` recognises them from
// the METS and names the profile; `ingest --source eark-sip` archives them beside E-ARK SIPs, keeping the SIP
// verbatim and mapping its header to the package; broken ones are refused with their FGS1-… rule.
describe('FGS Paketstruktur 1.x SIPs', () => {
  const work = tempDir('fgs1');
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it('validate: both valid fixtures (1.1 with METS.xml, 1.2 with sip.xml) pass as FGS 1.x with every file verified', () => {
    for (const name of ['SOC-2016-0042.zip', 'BN-2019-0310.zip']) {
      const result = bevara(path.join(work, 'unused'), ['--json', 'validate', path.join(VALID, name)]);
      expect(result.code, result.stdout).toBe(0);
      const report = json<ValidateJson>(result);
      expect(report).toMatchObject({ valid: true, profile: 'fgs1', findings: [], verified: { files: 3 } });
      expect(report.profileReason).toMatch(/CommonSpecificationSwedenPackageProfile/);
    }
  });

  it('validate: each broken fixture fails with its rule, file and line', () => {
    const expected: Record<string, string> = {
      'missing-submission-agreement.zip': 'FGS1-SUBMISSIONAGREEMENT',
      'checksum-mismatch.zip': 'FGS1-FILE-CHECKSUM',
      'file-missing.zip': 'FGS1-FILE-MISSING',
    };
    for (const [name, rule] of Object.entries(expected)) {
      const result = bevara(path.join(work, 'unused'), ['--json', 'validate', path.join(BROKEN, name)]);
      expect(result.code).toBe(1);
      const report = json<ValidateJson>(result);
      expect([name, report.findings.map((f) => f.id)]).toEqual([name, [rule]]);
      expect(report.findings[0]?.location.file).toBe('sip.xml');
      expect(report.findings[0]?.location.line).toBeGreaterThan(1);
    }
  });

  it('ingest: archives both, the SIP kept byte for byte, its header mapped, the AIP valid with an XSD-valid METS', async () => {
    const inbox = path.join(work, 'inbox');
    fs.cpSync(VALID, inbox, { recursive: true, preserveTimestamps: true });
    const data = path.join(work, 'data');
    const before = snapshot(inbox);
    const result = bevara(data, ['--json', 'ingest', '--source', 'eark-sip', inbox]);
    expect(result.code, result.stderr).toBe(0);
    const summary = json<IngestJson>(result);
    expect(summary).toMatchObject({ archived: 2, rejected: 0 });
    expect(snapshot(inbox)).toEqual(before);

    const item = summary.items.find((i) => i.subject === 'BN-2019-0310');
    const id = item?.packageId as string;
    const aip = path.join(data, 'store', 'local', 'packages', id, `${id}.zip`);
    const sip = path.join(VALID, 'BN-2019-0310.zip');
    const sipEntries = unzip(['-Z1', sip])
      .toString('utf8')
      .split('\n')
      .filter((n) => n !== '' && !n.endsWith('/'));
    expect(sipEntries).toContain('BN-2019-0310/sip.xml');
    for (const name of sipEntries) {
      const inAip = unzip(['-p', aip, `${id}/representations/rep1/data/${name}`]);
      expect([name, sha256(inAip)]).toEqual([name, sha256(unzip(['-p', sip, name]))]);
    }

    const validated = json<ValidateJson>(bevara(data, ['--json', 'validate', aip]));
    expect(validated).toMatchObject({ valid: true, findings: [] });
    const mets = unzip(['-p', aip, `${id}/METS.xml`]).toString('utf8');
    expect(await createXmlValidator().validate(mets, 'mets-csip', 'METS.xml')).toEqual({
      valid: true,
      problems: [],
    });

    const shown = json<{ package: { label: string; metadata: DescriptiveMetadata } }>(
      bevara(data, ['--json', 'show', id]),
    );
    expect(shown.package.label).toBe('Bygglov Västra Gatan 7, FGS 1.2');
    expect(shown.package.metadata).toMatchObject({
      identifier: 'BN-2019-0310',
      creator: 'Byggnadsnämnden, Exempelby kommun',
      dates: { start: '2016-01-01', end: '2019-05-20' },
      archiveCreator: { name: 'Byggnadsnämnden i Exempelby', referenceCode: 'SE/EXK/BN' },
    });
  });

  it('ingest: refuses each broken SIP with its rule and quarantines it, the inbox untouched', () => {
    const inbox = path.join(work, 'broken');
    fs.cpSync(BROKEN, inbox, { recursive: true, preserveTimestamps: true });
    const data = path.join(work, 'data-broken');
    const before = snapshot(inbox);
    const result = bevara(data, ['--json', 'ingest', '--source', 'eark-sip', inbox]);
    expect(result.code).toBe(1);
    const summary = json<IngestJson>(result);
    expect(summary).toMatchObject({ archived: 0, rejected: 3 });
    const rules = Object.fromEntries(
      summary.items.map((i) => [i.subject, i.details?.problems?.map((p) => p.rule)]),
    );
    expect(rules).toEqual({
      'missing-submission-agreement': ['FGS1-SUBMISSIONAGREEMENT'],
      'checksum-mismatch': ['FGS1-FILE-CHECKSUM'],
      'file-missing': ['FGS1-FILE-MISSING'],
    });
    expect(fs.existsSync(path.join(data, 'quarantine', 'file-missing', 'validation-report.txt'))).toBe(true);
    expect(snapshot(inbox)).toEqual(before);
  });
});
