/**
 * The E-ARK package validator against the official CSIP/SIP examples, a conformant SIP written by the test (as a
 * folder and as a ZIP) and broken variants of it. An AIP written by bevara itself: tests/e2e/own-aip-validation.test.ts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createXmlValidator } from '../../src/metadata/xml-validator.js';
import type { ValidationReport } from '../../src/validation/types.js';
import { validatePackage } from '../../src/validation/validate-package.js';
import { editFile, folderEntries, writeSamplePackage, writeZip } from '../helpers/eark-package.js';

const STANDARDS = '/work/shared/standards';
const CSIP_EXAMPLES = path.join(STANDARDS, 'eark-csip/examples');
const SIP_EXAMPLES = path.join(STANDARDS, 'eark-sip/examples');
const xmlValidator = createXmlValidator();

const validate = (p: string, profile?: 'csip' | 'sip') => validatePackage(p, { xmlValidator, profile });
const ids = (r: ValidationReport, level = 'MUST') =>
  new Set(r.findings.filter((f) => f.level === level).map((f) => f.id));

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bevara-eark-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe.concurrent('official E-ARK CSIP examples', () => {
  let baseline: ValidationReport;
  beforeAll(async () => {
    baseline = await validate(path.join(CSIP_EXAMPLES, 'minimal_IP_with_schemas.zip'), 'csip');
  });

  it('minimal_IP_with_schemas: schema-valid, readable, and only the defects the 2019 example really has', ({
    expect,
  }) => {
    expect(baseline.root).toBe('minimal_IP_with_schemas');
    expect(baseline.findings.filter((f) => f.id === 'METS-XSD')).toEqual([]);
    // The example predates CSIP 2.1: structMap LABEL "CSIP StructMap" (CSIP82 wants "CSIP"), no Documentation
    // or Representations file group (CSIP60, CSIP114), and schemas/xlink.xsd is 8052 bytes, not the 8322 with
    // another MD5 that its METS records (CSIP69, CSIP71).
    expect([...ids(baseline)].sort()).toEqual(['CSIP114', 'CSIP60', 'CSIP69', 'CSIP71', 'CSIP82']);
    const xlink = baseline.findings.find((f) => f.id === 'CSIP71');
    expect(xlink?.message).toContain('schemas/xlink.xsd');
    expect(xlink?.location).toMatchObject({ file: 'METS.xml', line: 68 });
    expect(baseline.verified.files).toBe(4);
  });

  it.for<[string, string, string]>([
    ['minimal_IP_nocrtdt.zip', 'CSIP7', 'mets:metsHdr'],
    ['minimal_IP_nomtshdr.zip', 'CSIP117', 'mets:mets'],
    ['minimal_IP_nopcktyp.zip', 'CSIP9', 'mets:metsHdr'],
    ['minimal_IP_noflscid.zip', 'CSIP59', 'mets:fileSec'],
  ])('%s fails with %s (not in the valid example)', async ([zip, id, element], { expect }) => {
    const report = await validate(path.join(CSIP_EXAMPLES, zip), 'csip');
    expect(report.valid).toBe(false);
    expect(baseline.findings.some((f) => f.id === id)).toBe(false);
    const finding = report.findings.find((f) => f.id === id);
    expect(finding).toMatchObject({ level: 'MUST', location: { file: 'METS.xml' } });
    expect(finding?.location.xpath?.endsWith(element)).toBe(true);
    expect(finding?.location.line).toBeGreaterThan(1);
  });

  it('minimal_IP_invmets: a schema error with its line', async ({ expect }) => {
    const report = await validate(path.join(CSIP_EXAMPLES, 'minimal_IP_invmets.zip'), 'csip');
    const xsd = report.findings.filter((f) => f.id === 'METS-XSD');
    expect(xsd).toHaveLength(1);
    expect(xsd[0]?.message).toMatch(/namez/);
    expect(xsd[0]?.location).toEqual({ file: 'METS.xml', line: 27 });
  });

  it('picks the SIP profile from csip:OAISPACKAGETYPE="SIP" and then checks the SIP requirements', async ({
    expect,
  }) => {
    const report = await validate(path.join(CSIP_EXAMPLES, 'minimal_IP_with_schemas.zip'));
    expect(report.profile).toBe('sip');
    expect(ids(report).has('SIP2')).toBe(true); // PROFILE is the CSIP URL
    expect(ids(report).has('SIP15')).toBe(true); // no submitting agent
  });
});

describe.concurrent('official E-ARK SIP examples', () => {
  it('commons-ip SIP with the lower-case https://dilcis.eu namespace: CSIP-NS, and why CSIP9 fails', async ({
    expect,
  }) => {
    const report = await validate(path.join(SIP_EXAMPLES, 'Simple-EARK-SIP.commons-ip.zip'));
    expect(report.profile).toBe('sip');
    const ns = report.findings.filter((f) => f.id === 'CSIP-NS');
    expect(ns.map((f) => f.location.file)).toEqual(['METS.xml', 'representations/representation 1/METS.xml']);
    expect(ns[0]?.message).toContain('https://DILCIS.eu/XML/METS/CSIPExtensionMETS');
    expect(report.findings.find((f) => f.id === 'CSIP9')?.message).toMatch(/wrong|not "https:\/\/DILCIS/);
    // Its hrefs are URL-encoded ("metadata%2Fdescriptive%2F...", "representation+1"): all were found and verified.
    expect(report.findings.filter((f) => ['CSIP24', 'CSIP38', 'CSIP79', 'CSIP110'].includes(f.id))).toEqual(
      [],
    );
    expect(report.verified.files).toBeGreaterThanOrEqual(10);
  });

  it('the 2017 pre-2.0 SIP fails many CSIP 2.1 MUSTs, including wrong mdRef sizes', async ({ expect }) => {
    const report = await validate(path.join(SIP_EXAMPLES, 'a46ab3d0-c710-4d73-b58d-e93e30b53a82.zip'), 'sip');
    for (const id of ['CSIP2', 'CSIP9', 'CSIP27', 'CSIP82', 'SIP2', 'SIP4', 'SIP14'])
      expect(ids(report)).toContain(id);
  });
});

describe.concurrent('a conformant SIP written by the test', () => {
  it('passes as a folder and as a (deflated) ZIP, with every file verified', async ({ expect }) => {
    const pkg = writeSamplePackage(path.join(tmp, 'good'));
    const folder = await validate(pkg);
    expect(folder.findings).toEqual([]);
    expect(folder).toMatchObject({ valid: true, profile: 'sip', kind: 'folder', root: 'sample-sip' });
    expect(folder.verified.files).toBe(6);
    const zip = path.join(tmp, 'good.zip');
    writeZip(zip, folderEntries(pkg, 'sample-sip/'));
    const zipped = await validate(zip);
    expect(zipped.findings).toEqual([]);
    expect(zipped).toMatchObject({ valid: true, kind: 'zip', verified: folder.verified });
    // The folder holding the package folder is read as that package.
    expect((await validate(path.dirname(pkg))).valid).toBe(true);
  });

  const variant = async (name: string, change: (pkg: string) => void, profile?: 'csip' | 'sip') => {
    const pkg = writeSamplePackage(path.join(tmp, name));
    change(pkg);
    return validate(pkg, profile);
  };

  it('a changed byte → CHECKSUM rule (CSIP71), nothing else', async ({ expect }) => {
    const report = await variant('checksum', (pkg) =>
      editFile(path.join(pkg, 'documentation/readme.txt'), 'About', 'Abaut'),
    );
    expect(report.findings.map((f) => `${f.level} ${f.id}`)).toEqual(['MUST CSIP71']);
    expect(report.findings[0]?.location.xpath).toBe('/mets:mets/mets:fileSec/mets:fileGrp[1]/mets:file');
  });

  it('a changed data byte in a representation → CSIP71 at the representation METS', async ({ expect }) => {
    const broken = await variant('rep-checksum2', (pkg) =>
      editFile(path.join(pkg, 'representations/rep1/data/brev 1.txt'), 'bygglov', 'BYGGLOV'),
    );
    expect(broken.findings.map((f) => [f.id, f.location.file])).toEqual([
      ['CSIP71', 'representations/rep1/METS.xml'],
    ]);
  });

  it('a missing referenced file → CSIP79 (file) / CSIP38 (digiprovMD) / CSIP110 (mptr), no size or checksum noise', async ({
    expect,
  }) => {
    const report = await variant('missing', (pkg) => {
      fs.rmSync(path.join(pkg, 'schemas/dc.xsd'));
      fs.rmSync(path.join(pkg, 'metadata/preservation/premis.xml'));
      fs.rmSync(path.join(pkg, 'representations/rep1/METS.xml'));
    });
    expect([...ids(report)].sort()).toEqual(['CSIP110', 'CSIP38', 'CSIP79']);
    expect(report.findings.filter((f) => f.id === 'CSIP79')).toHaveLength(2); // dc.xsd and the rep METS
  });

  it('a wrong SIZE → CSIP69; a missing CREATEDATE → CSIP7; a bad TYPE → CSIP2', async ({ expect }) => {
    const report = await variant('attrs', (pkg) => {
      const mets = path.join(pkg, 'METS.xml');
      editFile(mets, 'CREATEDATE="2024-05-02T10:00:00Z" LASTMOD', 'LASTMOD');
      editFile(mets, 'TYPE="Text" csip', 'TYPE="Texts" csip');
      editFile(mets, 'MIMETYPE="text/plain" SIZE="20"', 'MIMETYPE="text/plain" SIZE="21"');
    });
    expect([...ids(report)].sort()).toEqual(['CSIP2', 'CSIP69', 'CSIP7']);
  });

  it('a MIMETYPE not in the IANA registry → CSIP68; parameters (RFC 2045) are allowed on a registered type', async ({
    expect,
  }) => {
    const wrong = await variant('mimetype', (pkg) => {
      editFile(
        path.join(pkg, 'METS.xml'),
        'MIMETYPE="text/plain" SIZE="20"',
        'MIMETYPE="application/wrongmimetype" SIZE="20"',
      );
    });
    expect([...ids(wrong)]).toEqual(['CSIP68']);
    expect(wrong.findings.find((f) => f.id === 'CSIP68')?.message).toMatch(
      /application\/wrongmimetype.*IANA/,
    );
    const charset = await variant('charset', (pkg) => {
      editFile(
        path.join(pkg, 'METS.xml'),
        'MIMETYPE="text/plain" SIZE="20"',
        'MIMETYPE="Text/Plain; charset=UTF-8" SIZE="20"',
      );
    });
    expect([...ids(charset)]).toEqual([]);
    const broken = await variant('badparam', (pkg) => {
      editFile(
        path.join(pkg, 'METS.xml'),
        'MIMETYPE="text/plain" SIZE="20"',
        'MIMETYPE="text/plain; charset" SIZE="20"',
      );
    });
    expect([...ids(broken)]).toEqual(['CSIP68']);
  });

  it('SHOULDs: metadata outside preservation/ and descriptive/ (CSIPSTR6, 7), no representation metadata folder (CSIPSTR13), a representation OBJID that is not its folder name (CSIP1)', async ({
    expect,
  }) => {
    const clean = await variant('shoulds-clean', () => {});
    expect(clean.findings).toEqual([]);
    const report = await variant('shoulds', (pkg) => {
      const mets = path.join(pkg, 'METS.xml');
      fs.renameSync(
        path.join(pkg, 'metadata/preservation/premis.xml'),
        path.join(pkg, 'metadata/premis.xml'),
      );
      fs.renameSync(path.join(pkg, 'metadata/descriptive/dc.xml'), path.join(pkg, 'metadata/dc.xml'));
      editFile(mets, 'xlink:href="metadata/preservation/premis.xml"', 'xlink:href="metadata/premis.xml"');
      editFile(mets, 'xlink:href="metadata/descriptive/dc.xml"', 'xlink:href="metadata/dc.xml"');
      fs.rmdirSync(path.join(pkg, 'representations/rep1/metadata'));
      editFile(
        path.join(pkg, 'representations/rep1/METS.xml'),
        'OBJID="rep1"',
        'OBJID="shoulds/representations/rep1"',
      );
    });
    // The representation METS changed after its size and checksum were recorded.
    expect([...ids(report)].sort()).toEqual(['CSIP69', 'CSIP71']);
    expect([...ids(report, 'SHOULD')].sort()).toEqual(['CSIP1', 'CSIPSTR13', 'CSIPSTR6', 'CSIPSTR7']);
    const str6 = report.findings.find((f) => f.id === 'CSIPSTR6');
    expect(str6?.message).toContain('metadata/premis.xml');
    expect(report.findings.find((f) => f.id === 'CSIP1')?.location.file).toBe(
      'representations/rep1/METS.xml',
    );
  });

  it('no submitting agent → SIP15 under the SIP profile only', async ({ expect }) => {
    const drop = (pkg: string) =>
      editFile(
        path.join(pkg, 'METS.xml'),
        '<agent ROLE="CREATOR" TYPE="ORGANIZATION"><name>Stadsbyggnadskontoret</name><note csip:NOTETYPE="IDENTIFICATIONCODE">212000-0001</note></agent>',
        '',
      );
    const sip = await variant('nosubmit', drop);
    expect([...ids(sip)]).toEqual([]); // the contact person (CREATOR, INDIVIDUAL) is a submitting agent too
    const noPerson = await variant('nosubmit2', (pkg) => {
      drop(pkg);
      editFile(
        path.join(pkg, 'METS.xml'),
        '<agent ROLE="CREATOR" TYPE="INDIVIDUAL"><name>Anna Andersson</name><note>anna@example.org</note></agent>',
        '',
      );
    });
    expect([...ids(noPerson)]).toEqual(['SIP15']);
    expect([
      ...ids(
        await variant(
          'nosubmit3',
          (pkg) => {
            drop(pkg);
            editFile(
              path.join(pkg, 'METS.xml'),
              '<agent ROLE="CREATOR" TYPE="INDIVIDUAL"><name>Anna Andersson</name><note>anna@example.org</note></agent>',
              '',
            );
          },
          'csip',
        ),
      ),
    ]).toEqual([]);
  });

  it('the lower-case dilcis namespace is reported as CSIP-NS, with the csip: rules it breaks', async ({
    expect,
  }) => {
    const report = await validatePackage(
      writeSamplePackage(
        path.join(tmp, 'lower'),
        'sample-sip',
        'https://dilcis.eu/XML/METS/CSIPExtensionMETS',
      ),
      { xmlValidator, profile: 'sip' },
    );
    expect(ids(report)).toContain('CSIP-NS');
    expect(ids(report)).toContain('CSIP9');
    expect(ids(report)).toContain('CSIP16');
    expect(ids(report)).toContain('SIP4');
  });

  it('a metsHdr-less METS gives CSIP117 and no follow-up header findings', async ({ expect }) => {
    const report = await variant(
      'nohdr',
      (pkg) => {
        const mets = path.join(pkg, 'METS.xml');
        const text = fs.readFileSync(mets, 'utf8');
        fs.writeFileSync(mets, text.replace(/<metsHdr[\s\S]*?<\/metsHdr>/, ''));
      },
      'csip',
    );
    expect([...ids(report)]).toEqual(['CSIP117']);
  });
});

describe.concurrent('package reading', () => {
  it('refuses a ZIP with a "../" entry before reading anything', async ({ expect }) => {
    const zip = path.join(tmp, 'evil.zip');
    writeZip(zip, [
      { name: 'pkg/METS.xml', data: Buffer.from('<mets/>') },
      { name: '../evil.txt', data: Buffer.from('x') },
    ]);
    const report = await validate(zip);
    expect(report.valid).toBe(false);
    expect(report.findings.map((f) => f.id)).toEqual(['zip-unsafe-path']);
    expect(report.findings[0]?.message).toContain('../evil.txt');
  });

  it('a ZIP that does not unpack to one root folder → CSIPSTR1; one without METS.xml → CSIPSTR4', async ({
    expect,
  }) => {
    const pkg = writeSamplePackage(path.join(tmp, 'flat'));
    const flat = path.join(tmp, 'flat.zip');
    writeZip(flat, folderEntries(pkg, ''), false);
    const report = await validate(flat);
    expect(ids(report)).toEqual(new Set(['CSIPSTR1']));
    const nomets = path.join(tmp, 'nomets.zip');
    writeZip(
      nomets,
      folderEntries(pkg, 'p/').filter((e) => e.name !== 'p/METS.xml'),
    );
    expect((await validate(nomets)).findings.map((f) => f.id)).toEqual(['CSIPSTR4']);
  });

  it('a stored ZIP entry whose bytes do not match its CRC-32 is reported, not trusted', async ({
    expect,
  }) => {
    const pkg = writeSamplePackage(path.join(tmp, 'crc'));
    const zip = path.join(tmp, 'crc.zip');
    writeZip(zip, folderEntries(pkg, 'sample-sip/'), false);
    const bytes = fs.readFileSync(zip);
    const at = bytes.indexOf('About this package.');
    bytes[at] = 'a'.charCodeAt(0);
    fs.writeFileSync(zip, bytes);
    const report = await validate(zip);
    const finding = report.findings.find((f) => f.message.includes('CRC-32'));
    expect(finding).toMatchObject({ id: 'CSIP79', level: 'MUST' });
  });
});
