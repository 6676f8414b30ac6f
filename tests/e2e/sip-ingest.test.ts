import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { PackageSummary } from '../../src/catalog/types.js';
import { createXmlValidator } from '../../src/metadata/xml-validator.js';
import { validatePackage } from '../../src/validation/validate-package.js';
import { bevara, json, snapshot, tempDir } from './helpers.js';

interface IngestJson {
  archived: number;
  rejected: number;
  items: {
    subject: string;
    status: string;
    packageId?: string;
    details?: { problems?: { rule: string; file?: string; message: string }[] };
  }[];
}

const SIP = path.resolve('fixtures/sips/BN-2024-0113.zip');
const unzip = (args: string[]) => execFileSync('unzip', args, { maxBuffer: 64 << 20 });
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

// `bevara ingest --source eark-sip`: a valid SIP becomes an AIP holding it unchanged and referencing it; a
// broken one is refused with its rule, copied with its report to <dataDir>/quarantine/, its original untouched.
describe('ingest of E-ARK SIPs', () => {
  const work = tempDir('sip');
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it('archives a valid SIP: the AIP holds it byte for byte, validates as CSIP and references it in PREMIS', async () => {
    const inbox = path.join(work, 'inbox');
    fs.mkdirSync(inbox);
    fs.cpSync(SIP, path.join(inbox, path.basename(SIP)), { preserveTimestamps: true });
    const data = path.join(work, 'data-ok');
    const before = snapshot(inbox);
    const result = bevara(data, ['--json', 'ingest', '--source', 'eark-sip', inbox]);
    expect(result.code, result.stderr).toBe(0);
    const summary = json<IngestJson>(result);
    expect(summary).toMatchObject({ archived: 1, rejected: 0 });
    expect(snapshot(inbox)).toEqual(before);

    const id = summary.items[0]?.packageId as string;
    const aip = path.join(data, 'store', 'local', 'packages', id, `${id}.zip`);
    const sipEntries = unzip(['-Z1', SIP])
      .toString('utf8')
      .split('\n')
      .filter((n) => n !== '' && !n.endsWith('/'));
    expect(sipEntries.length).toBeGreaterThan(5);
    for (const name of sipEntries) {
      const inAip = unzip(['-p', aip, `${id}/representations/rep1/data/${name}`]);
      expect([name, sha256(inAip)]).toEqual([name, sha256(unzip(['-p', SIP, name]))]);
    }

    const report = await validatePackage(aip, { profile: 'csip' });
    expect(report.findings).toEqual([]);
    expect(report.valid).toBe(true);

    const premis = unzip(['-p', aip, `${id}/metadata/preservation/premis.xml`]).toString('utf8');
    expect(await createXmlValidator().validate(premis, 'premis', 'premis.xml')).toEqual({
      valid: true,
      problems: [],
    });
    expect(premis).toMatch(
      /<premis:relationshipType>derivation<\/premis:relationshipType>\s*<premis:relationshipSubType>has source<\/premis:relationshipSubType>\s*<premis:relatedObjectIdentifier>\s*<premis:relatedObjectIdentifierType>OBJID<\/premis:relatedObjectIdentifierType>\s*<premis:relatedObjectIdentifierValue>BN-2024-0113</,
    );
    const metsDigest = sha256(unzip(['-p', SIP, 'BN-2024-0113/METS.xml']));
    expect(premis).toMatch(
      new RegExp(`<premis:eventDetail>E-ARK SIP &quot;BN-2024-0113&quot;[^<]*${metsDigest}`),
    );

    const shown = json<{ package: { label: string; metadata: { creator?: string; identifier?: string } } }>(
      bevara(data, ['--json', 'show', id]),
    );
    expect(shown.package.label).toBe('Ansökan om bygglov, Östra Gränd 3');
    expect(shown.package.metadata).toMatchObject({ creator: 'Exempelby kommun', identifier: 'BN-2024-0113' });
  });

  it('refuses each broken SIP with its rule, quarantines a copy with its reports, leaves the inbox untouched', () => {
    const inbox = path.join(work, 'broken');
    fs.cpSync(path.resolve('fixtures/sips-broken'), inbox, { recursive: true, preserveTimestamps: true });
    const data = path.join(work, 'data-broken');
    const before = snapshot(inbox);
    const result = bevara(data, ['--json', 'ingest', '--source', 'eark-sip', inbox]);
    expect(result.code).toBe(1);
    const summary = json<IngestJson>(result);
    expect(summary).toMatchObject({ archived: 0, rejected: 4 });
    const expected: Record<string, string> = {
      'checksum-mismatch': 'CSIP71',
      'file-missing': 'CSIP79',
      'path-escape': 'zip-unsafe-path',
      'mets-not-well-formed': 'METS-XML',
    };
    for (const [key, rule] of Object.entries(expected)) {
      const item = summary.items.find((i) => i.subject === key);
      expect([key, item?.status, item?.details?.problems?.map((p) => p.rule)]).toEqual([
        key,
        'rejected',
        [rule],
      ]);
      const dir = path.join(data, 'quarantine', key);
      expect(sha256(fs.readFileSync(path.join(dir, `${key}.zip`)))).toBe(
        sha256(fs.readFileSync(path.join(inbox, `${key}.zip`))),
      );
      const report = JSON.parse(fs.readFileSync(path.join(dir, 'validation-report.json'), 'utf8'));
      expect(report.findings.map((f: { id: string }) => f.id)).toContain(rule);
      expect(fs.readFileSync(path.join(dir, 'validation-report.txt'), 'utf8')).toContain(rule);
    }
    expect(snapshot(inbox)).toEqual(before);
    expect(json<PackageSummary[]>(bevara(data, ['--json', 'ls']))).toEqual([]);
  });
});
