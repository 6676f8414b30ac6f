import { describe, expect, it } from 'vitest';
import { readSipMets } from '../../../src/sources/eark-sip/sip-metadata.js';
import { fgs1Evidence } from '../../../src/validation/fgs1.js';
import { memoryPackage } from '../../../src/validation/memory-package.js';
import { validateOpened } from '../../../src/validation/validate-package.js';
import { parseXml, type XmlNode } from '../../../src/validation/xml-tree.js';

const PROFILE = 'http://xml.ra.se/e-arkiv/METS/CommonSpecificationSwedenPackageProfile.xml';

/** An FGS 1.x METS with one listed file; `hdr` and `root` replace parts for the variants. */
function fgs1Mets(options: { root?: string; hdr?: string; status?: string } = {}): string {
  const root =
    options.root ??
    `OBJID="KS-2017-0042" LABEL="Detaljplan Norra Ängen" TYPE="ERMS" PROFILE="${PROFILE}" ext:CONTENTTYPESPECIFICATION="Ärendehantering" ext:ACCESSRESTRICT="OSL 21 kap. 7 §"`;
  const hdr =
    options.hdr ??
    `<agent ROLE="ARCHIVIST" TYPE="ORGANIZATION"><name>Kommunstyrelsen i Exempelby</name><note>212000-0001</note></agent>
    <agent ROLE="CREATOR" TYPE="ORGANIZATION"><name>Kommunledningskontoret</name></agent>
    <altRecordID TYPE="SUBMISSIONAGREEMENT">LÖ 2017:1</altRecordID>
    <altRecordID TYPE="REFERENCECODE">SE/EXK/KS</altRecordID>
    <altRecordID TYPE="STARTDATE">2015-02-01</altRecordID>
    <altRecordID TYPE="ENDDATE">2017-11-30</altRecordID>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<mets xmlns="http://www.loc.gov/METS/" xmlns:ext="ExtensionMETS" xmlns:xlink="http://www.w3.org/1999/xlink" ${root}>
  <metsHdr CREATEDATE="2017-12-01T10:00:00" ext:OAISSTATUS="${options.status ?? 'SIP'}">
    ${hdr}
  </metsHdr>
  <fileSec><fileGrp>
    <file ID="ID1" MIMETYPE="text/plain" SIZE="5" CREATED="2017-12-01T10:00:00" CHECKSUM="${'0'.repeat(64)}" CHECKSUMTYPE="SHA-256">
      <FLocat LOCTYPE="URL" xlink:type="simple" xlink:href="file:content/plan.txt"/>
    </file>
  </fileGrp></fileSec>
  <structMap><div LABEL="Package"><fptr FILEID="ID1"/></div></structMap>
</mets>`;
}

const root = (xml: string): XmlNode => {
  const parsed = parseXml(xml);
  if (!('root' in parsed)) throw new Error(parsed.error);
  return parsed.root;
};

async function validate(xml: string, files = [{ path: 'content/plan.txt', size: 5 }], name = 'sip.xml') {
  const pkg = memoryPackage(
    'KS-2017-0042',
    [{ path: name, size: xml.length }, ...files],
    new Map([[name, xml]]),
  );
  return validateOpened(pkg, { verifyChecksums: false });
}

describe('FGS Paketstruktur 1.x detection', () => {
  it('takes a METS for 1.x by its profile URL, its CSPackageMETS.xsd schema or the ext:OAISSTATUS header', () => {
    expect(fgs1Evidence(root(fgs1Mets()))).toMatch(/PROFILE is the FGS 1.x profile/);
    const bySchema = fgs1Mets({
      root: 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.loc.gov/METS/ http://xml.ra.se/e-arkiv/METS/CSPackageMETS.xsd" OBJID="x" TYPE="ERMS"',
    });
    expect(fgs1Evidence(root(bySchema))).toMatch(/CSPackageMETS\.xsd/);
    expect(fgs1Evidence(root(fgs1Mets({ root: 'OBJID="x" TYPE="ERMS"' })))).toMatch(/OAISSTATUS/);
  });

  it('does not take an E-ARK SIP for 1.x', () => {
    const eark = `<mets xmlns="http://www.loc.gov/METS/" xmlns:csip="https://DILCIS.eu/XML/METS/CSIPExtensionMETS" OBJID="x" PROFILE="https://earksip.dilcis.eu/profile/E-ARK-SIP.xml"><metsHdr csip:OAISPACKAGETYPE="SIP"/></mets>`;
    expect(fgs1Evidence(root(eark))).toBeUndefined();
  });
});

describe('FGS Paketstruktur 1.x validation (real METS 1.12 schema with the ExtensionMETS attributes)', () => {
  it('accepts a complete 1.x METS named sip.xml and names the profile and why', async () => {
    const report = await validate(fgs1Mets());
    expect(report.findings).toEqual([]);
    expect(report.profile).toBe('fgs1');
    expect(report.profileReason).toContain(PROFILE);
  });

  it('refuses a missing submission agreement and archive creator, each with its rule, file and line', async () => {
    const report = await validate(
      fgs1Mets({ hdr: '<agent ROLE="CREATOR" TYPE="ORGANIZATION"><name>X</name></agent>' }),
    );
    const ids = report.findings.map((f) => f.id).sort();
    expect(ids).toEqual(['FGS1-ARCHIVIST', 'FGS1-SUBMISSIONAGREEMENT']);
    expect(report.findings[0]?.location).toMatchObject({
      file: 'sip.xml',
      line: 3,
      xpath: '/mets:mets/mets:metsHdr',
    });
  });

  it('reports a file the METS lists but the package lacks, and a file it does not list', async () => {
    const report = await validate(fgs1Mets(), [{ path: 'content/other.txt', size: 3 }]);
    expect(report.findings.map((f) => [f.id, f.level])).toEqual([
      ['FGS1-FILE-MISSING', 'MUST'],
      ['FGS1-UNLISTED', 'SHOULD'],
    ]);
  });

  it('checks ext: attribute values against the schema: OAISSTATUS outside the list is METS-XSD with its line', async () => {
    const report = await validate(fgs1Mets({ status: 'PACKAGE' }));
    const xsd = report.findings.filter((f) => f.id === 'METS-XSD');
    expect(xsd.length).toBeGreaterThan(0);
    expect(xsd[0]?.location).toMatchObject({ file: 'sip.xml', line: 3 });
    expect(xsd[0]?.message).toMatch(/OAISSTATUS/);
  });

  it("says that an FGS Personal package's own schema is missing, without failing it", async () => {
    const personal = fgs1Mets().replace('TYPE="ERMS"', 'TYPE="Personnel"');
    const report = await validate(personal);
    expect(report.findings).toEqual([]);
    expect(report.notes.join(' ')).toMatch(/FGS Personal schema, which is not available offline/);
    expect((await validate(fgs1Mets())).notes).toEqual([]);
  });

  it('still refuses sip.xml as the METS of an E-ARK package (CSIPSTR4)', async () => {
    const eark = `<mets xmlns="http://www.loc.gov/METS/" OBJID="x"/>`;
    const report = await validate(eark);
    expect(report.findings.map((f) => f.id)).toEqual(['CSIPSTR4']);
  });
});

describe('FGS Paketstruktur 1.x metadata mapping', () => {
  it('maps label, identifier, creator, archive creator with reference code, dates and access restriction', () => {
    const sip = readSipMets(fgs1Mets(), 'fallback');
    expect(sip).toMatchObject({ objid: 'KS-2017-0042', label: 'Detaljplan Norra Ängen' });
    expect(sip.metadata).toEqual({
      title: 'Detaljplan Norra Ängen',
      identifier: 'KS-2017-0042',
      creator: 'Kommunledningskontoret',
      dates: { created: '2017-12-01T10:00:00', start: '2015-02-01', end: '2017-11-30' },
      accessRestriction: 'OSL 21 kap. 7 §',
      subject: ['FGS content type: ERMS: Ärendehantering'],
      archiveCreator: {
        name: 'Kommunstyrelsen i Exempelby',
        referenceCode: 'SE/EXK/KS',
        identificationCode: '212000-0001',
      },
    });
  });
});
