#!/usr/bin/env node
/**
 * Writes fixtures/sips-fgs1/ (two valid FGS Paketstruktur 1.x SIPs as ZIPs: a 1.1-style delivery with METS.xml,
 * content/ and metadata/, and a 1.2-style one with sip.xml, Content/ and System/, as municipal e-archive exports
 * lay them out) and fixtures/sips-fgs1-broken/ (the 1.2 SIP broken in one way per ZIP; see its README.md).
 *
 * Written from Riksarkivet's FGS Paketstruktur 1.x METS profile (CommonSpecificationSwedenPackageProfile) as the
 * standards notes describe it: PROFILE URL, schema CSPackageMETS.xsd, the `ExtensionMETS` attributes (ext:), the
 * header agents (ARCHIVIST organisation and software, CREATOR, OTHER/SUBMITTER, OTHER/PRODUCER, PRESERVATION) and
 * altRecordIDs (SUBMISSIONAGREEMENT, REFERENCECODE, STARTDATE, ENDDATE), files with ext:ORIGINALFILENAME.
 * Riksarkivet's schema files are not available offline, so these are not checked against CSPackageMETS.xsd.
 * Entries are stored with a fixed time (see make-sip-fixtures.mjs), so two runs give identical files.
 *
 *   node scripts/make-fgs1-sip-fixtures.mjs          rewrite fixtures/sips-fgs1/ and fixtures/sips-fgs1-broken/
 *   node scripts/make-fgs1-sip-fixtures.mjs <dir>    write <dir>/sips-fgs1 and <dir>/sips-fgs1-broken
 *
 * Organisations, numbers and case numbers are invented.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { zipBytes } from './make-sip-fixtures.mjs';

const MTIME = new Date('2019-06-12T09:30:00Z');
const CREATED = '2019-06-12T09:30:00+02:00';
const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const RECORD = here('../fixtures/records/2024-0113 Bygglov Östra Gränd 3/');
const PROFILE = 'http://xml.ra.se/e-arkiv/METS/CommonSpecificationSwedenPackageProfile.xml';
const SCHEMAS =
  'http://www.loc.gov/METS/ http://xml.ra.se/e-arkiv/METS/CSPackageMETS.xsd ExtensionMETS http://xml.ra.se/e-arkiv/METS/CSPackageExtensionMETS.xsd';

const sha256 = (data) => createHash('sha256').update(data).digest('hex');

/** The two valid SIPs: layout and header details that differ between the 1.1 and 1.2 style deliveries. */
export const FGS1_SIPS = {
  'SOC-2016-0042': {
    version: '1.1',
    mets: 'METS.xml',
    content: 'content',
    metadata: 'metadata',
    label: 'Ärende om färdtjänst, FGS 1.1',
  },
  'BN-2019-0310': {
    version: '1.2',
    mets: 'sip.xml',
    content: 'Content',
    metadata: 'System',
    label: 'Bygglov Västra Gatan 7, FGS 1.2',
  },
};

function files(sip) {
  const p = new Map();
  p.set(`${sip.content}/ansökan.pdf`, readFileSync(join(RECORD, 'ansökan.pdf')));
  p.set(`${sip.content}/beslut/beslut.txt`, Buffer.from('Beslut: bygglov beviljas.\nDatum: 2019-05-20\n'));
  p.set(`${sip.metadata}/export.xml`, Buffer.from(exportXml(sip)));
  return p;
}

function exportXml(sip) {
  return `<?xml version="1.0" encoding="UTF-8"?>
<export system="Exempelby ärendesystem" version="${sip.version}">
  <arende nummer="${sip.label}"/>
</export>
`;
}

function mimeOf(path) {
  if (path.endsWith('.pdf')) return 'application/pdf';
  if (path.endsWith('.xml')) return 'application/xml';
  return 'text/plain';
}

function fileElement(path, data, i) {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return `      <file ID="ID${i}" USE="Datafil" MIMETYPE="${mimeOf(path)}" SIZE="${data.length}" CREATED="${CREATED}" CHECKSUM="${sha256(data)}" CHECKSUMTYPE="SHA-256" ext:ORIGINALFILENAME="${name}">
        <FLocat LOCTYPE="URL" xlink:type="simple" xlink:href="file:${encodeURI(path)}"/>
      </file>`;
}

/** The package METS; `drop` leaves header parts out (for the broken variants). */
function mets(objid, sip, content, drop = {}) {
  const list = [...content].map(([path, data], i) => fileElement(path, data, i + 1));
  const fptrs = [...content].map((_, i) => `        <fptr FILEID="ID${i + 1}"/>`);
  const agreement = drop.submissionAgreement
    ? ''
    : '\n    <altRecordID TYPE="SUBMISSIONAGREEMENT">RA-EXK 2016:4</altRecordID>';
  return `<?xml version="1.0" encoding="UTF-8"?>
<mets xmlns="http://www.loc.gov/METS/" xmlns:ext="ExtensionMETS" xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="${SCHEMAS}"
  OBJID="${objid}" LABEL="${sip.label}" TYPE="ERMS" PROFILE="${PROFILE}"
  ext:CONTENTTYPESPECIFICATION="Ärendehantering" ext:SYSTEMTYPE="Ärendehanteringssystem" ext:ACCESSRESTRICT="OSL 26 kap. 1 §" ext:APPRAISAL="Bevaras" ext:PACKAGENUMBER="1">
  <metsHdr CREATEDATE="${CREATED}" RECORDSTATUS="NEW" ext:OAISSTATUS="SIP">
    <agent ROLE="ARCHIVIST" TYPE="ORGANIZATION">
      <name>Byggnadsnämnden i Exempelby</name>
      <note>212000-0000</note>
    </agent>
    <agent ROLE="ARCHIVIST" TYPE="OTHER" OTHERTYPE="SOFTWARE">
      <name>Exempelby ärendesystem</name>
      <note>${sip.version}.0</note>
    </agent>
    <agent ROLE="CREATOR" TYPE="ORGANIZATION">
      <name>Byggnadsnämnden, Exempelby kommun</name>
      <note>212000-0000</note>
    </agent>
    <agent ROLE="OTHER" OTHERROLE="SUBMITTER" TYPE="ORGANIZATION">
      <name>Exempelby kommun, kommunarkivet</name>
    </agent>
    <agent ROLE="OTHER" OTHERROLE="PRODUCER" TYPE="ORGANIZATION">
      <name>Exempelby kommun, IT-avdelningen</name>
    </agent>
    <agent ROLE="PRESERVATION" TYPE="ORGANIZATION">
      <name>Exempelby kommunarkiv</name>
    </agent>${agreement}
    <altRecordID TYPE="REFERENCECODE">SE/EXK/BN</altRecordID>
    <altRecordID TYPE="STARTDATE">2016-01-01</altRecordID>
    <altRecordID TYPE="ENDDATE">2019-05-20</altRecordID>
    <metsDocumentID>${sip.mets}</metsDocumentID>
  </metsHdr>
  <fileSec>
    <fileGrp>
${list.join('\n')}
    </fileGrp>
  </fileSec>
  <structMap>
    <div LABEL="Package">
      <div LABEL="Content">
${fptrs.join('\n')}
      </div>
    </div>
  </structMap>
</mets>
`;
}

/** ZIP entries of one SIP under its root folder `objid`. */
function entries(objid, sip, content, metsText) {
  const out = [{ name: `${objid}/` }];
  const folders = new Set();
  for (const path of content.keys()) {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const folder = parts.slice(0, i).join('/');
      if (!folders.has(folder)) out.push({ name: `${objid}/${folder}/` });
      folders.add(folder);
    }
  }
  out.push({ name: `${objid}/${sip.mets}`, data: Buffer.from(metsText) });
  for (const [path, data] of content) out.push({ name: `${objid}/${path}`, data });
  return out;
}

function brokenSips() {
  const objid = 'BN-2019-0310';
  const sip = FGS1_SIPS[objid];
  const content = files(sip);
  const pdf = `${sip.content}/ansökan.pdf`;
  const changed = new Map(content);
  const bytes = Buffer.from(content.get(pdf));
  bytes[bytes.length - 2] ^= 0x20;
  changed.set(pdf, bytes);
  const missing = new Map(content);
  missing.delete(`${sip.content}/beslut/beslut.txt`);
  return {
    'missing-submission-agreement.zip': entries(
      objid,
      sip,
      content,
      mets(objid, sip, content, { submissionAgreement: true }),
    ),
    'checksum-mismatch.zip': entries(objid, sip, changed, mets(objid, sip, content)),
    'file-missing.zip': entries(objid, sip, missing, mets(objid, sip, content)),
  };
}

const BROKEN_README = `# Broken FGS Paketstruktur 1.x SIPs

Made by \`scripts/make-fgs1-sip-fixtures.mjs\` from the 1.2-style SIP in \`../sips-fgs1/\`, each broken in one way.
\`bevara validate\` and \`bevara ingest --source eark-sip\` refuse each one with the rule named:

| SIP | problem | rule |
|---|---|---|
| missing-submission-agreement.zip | no altRecordID TYPE="SUBMISSIONAGREEMENT" in the METS header | FGS1-SUBMISSIONAGREEMENT |
| checksum-mismatch.zip | one byte of the PDF changed; the METS CHECKSUM did not | FGS1-FILE-CHECKSUM |
| file-missing.zip | a file the METS lists is not in the package | FGS1-FILE-MISSING |
`;

/** Writes `<out>/sips-fgs1` and `<out>/sips-fgs1-broken`. */
export function writeFgs1Fixtures(out) {
  const write = (file, bytes) => {
    writeFileSync(file, bytes);
    utimesSync(file, MTIME, MTIME);
  };
  mkdirSync(join(out, 'sips-fgs1'), { recursive: true });
  for (const [objid, sip] of Object.entries(FGS1_SIPS)) {
    const content = files(sip);
    write(
      join(out, 'sips-fgs1', `${objid}.zip`),
      zipBytes(entries(objid, sip, content, mets(objid, sip, content))),
    );
  }
  mkdirSync(join(out, 'sips-fgs1-broken'), { recursive: true });
  for (const [name, zipEntries] of Object.entries(brokenSips()))
    write(join(out, 'sips-fgs1-broken', name), zipBytes(zipEntries));
  write(join(out, 'sips-fgs1-broken', 'README.md'), BROKEN_README);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = resolve(process.argv[2] ?? here('../fixtures/'));
  if (process.argv[2] === undefined) {
    rmSync(join(out, 'sips-fgs1'), { recursive: true, force: true });
    rmSync(join(out, 'sips-fgs1-broken'), { recursive: true, force: true });
  } else if (existsSync(out) && readdirSync(out).length > 0) {
    throw new Error(`${out} is not empty`);
  }
  mkdirSync(out, { recursive: true });
  writeFgs1Fixtures(out);
}
