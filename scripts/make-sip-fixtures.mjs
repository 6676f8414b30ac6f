#!/usr/bin/env node
/**
 * Writes fixtures/sips/ (one valid E-ARK SIP 2.1 as a ZIP: a fictional building permit case of Exempelby
 * kommun, with a PDF and an XML taken from fixtures/records as the representation's data) and
 * fixtures/sips-broken/ (the same SIP broken in one way per ZIP, named after the problem; see its README.md).
 * Every byte is computed here: entries are stored (no deflate, so no zlib version can change the output), with a
 * fixed UTC modification time, so two runs give identical files.
 *
 *   node scripts/make-sip-fixtures.mjs          rewrite fixtures/sips/ and fixtures/sips-broken/
 *   node scripts/make-sip-fixtures.mjs <dir>    write <dir>/sips and <dir>/sips-broken (<dir> must be empty)
 *
 * People, addresses, organisation numbers and case numbers are invented.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32 } from 'node:zlib';

/** The SIP's OBJID, also its root folder name (CSIPSTR2) and the ZIP's name. */
export const SIP_ID = 'BN-2024-0113';
const MTIME = new Date('2024-03-05T14:20:00Z');
const CREATED = '2024-03-05T14:20:00Z';
const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const RECORD = here('../fixtures/records/2024-0113 Bygglov Östra Gränd 3/');
const CSIP = 'https://DILCIS.eu/XML/METS/CSIPExtensionMETS';
const SIP = 'https://DILCIS.eu/XML/METS/SIPExtensionMETS';
const PROFILE = 'https://earksip.dilcis.eu/profile/E-ARK-SIP.xml';

const sha256 = (data) => createHash('sha256').update(data).digest('hex');
const fileAttrs = (data, mime) =>
  `MIMETYPE="${mime}" SIZE="${data.length}" CREATED="${CREATED}" CHECKSUM="${sha256(data)}" CHECKSUMTYPE="SHA-256"`;
const metsHead = (objid, extra) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<mets xmlns="http://www.loc.gov/METS/" xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:csip="${CSIP}" xmlns:sip="${SIP}" OBJID="${objid}" ${extra} TYPE="Text" csip:CONTENTINFORMATIONTYPE="MIXED" PROFILE="${PROFILE}">`;
const SOFTWARE_AGENT =
  '<agent ROLE="CREATOR" TYPE="OTHER" OTHERTYPE="SOFTWARE"><name>Exempelby e-arkivexport</name><note csip:NOTETYPE="SOFTWARE VERSION">3.2.1</note></agent>';

function dublinCore() {
  return `<?xml version="1.0" encoding="UTF-8"?>
<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <dc:title>Ansökan om bygglov, Östra Gränd 3</dc:title>
  <dc:identifier>BN 2024/0113</dc:identifier>
  <dc:creator>Byggnadsnämnden, Exempelby kommun</dc:creator>
  <dc:subject>bygglov</dc:subject>
  <dc:description>Bygglov för nybyggnad av komplementbyggnad på fastigheten Gränden 4:12.</dc:description>
  <dc:date>2024-01-15</dc:date>
  <dc:type>ärende</dc:type>
  <dc:language>sv</dc:language>
</oai_dc:dc>
`;
}

function premis() {
  return `<?xml version="1.0" encoding="UTF-8"?>
<premis:premis xmlns:premis="http://www.loc.gov/premis/v3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" version="3.0">
  <premis:object xsi:type="premis:representation">
    <premis:objectIdentifier><premis:objectIdentifierType>local</premis:objectIdentifierType><premis:objectIdentifierValue>${SIP_ID}/rep1</premis:objectIdentifierValue></premis:objectIdentifier>
  </premis:object>
  <premis:event>
    <premis:eventIdentifier><premis:eventIdentifierType>local</premis:eventIdentifierType><premis:eventIdentifierValue>export-1</premis:eventIdentifierValue></premis:eventIdentifier>
    <premis:eventType>creation</premis:eventType>
    <premis:eventDateTime>${CREATED}</premis:eventDateTime>
    <premis:eventDetailInformation><premis:eventDetail>Exporterat ur ärendehanteringssystemet</premis:eventDetail></premis:eventDetailInformation>
  </premis:event>
</premis:premis>
`;
}

const README = `Leveranspaket (E-ARK SIP 2.1) från Byggnadsnämnden, Exempelby kommun.
Ärende BN 2024/0113: Ansökan om bygglov, Östra Gränd 3.
representations/rep1/data/ innehåller ansökan (PDF) och e-tjänstens export (XML).
`;

function representationMets(files) {
  const entries = files
    .map(
      (f, i) =>
        `      <file ID="ID-rep1-f${i + 1}" ${fileAttrs(f.data, f.mime)}>\n        <FLocat LOCTYPE="URL" xlink:type="simple" xlink:href="${f.href}"/>\n      </file>`,
    )
    .join('\n');
  return `${metsHead('rep1', 'LABEL="Ärendets handlingar"')}
  <metsHdr CREATEDATE="${CREATED}" csip:OAISPACKAGETYPE="SIP">
    ${SOFTWARE_AGENT}
  </metsHdr>
  <fileSec ID="ID-rep1-fs">
    <fileGrp ID="ID-rep1-data" USE="Data">
${entries}
    </fileGrp>
  </fileSec>
  <structMap ID="ID-rep1-sm" TYPE="PHYSICAL" LABEL="CSIP">
    <div ID="ID-rep1-div" LABEL="rep1"><div ID="ID-rep1-div-data" LABEL="Data"><fptr FILEID="ID-rep1-data"/></div></div>
  </structMap>
</mets>
`;
}

function rootMets(p) {
  const ref = (name) => `${fileAttrs(p.get(name), name.endsWith('.txt') ? 'text/plain' : 'text/xml')}`;
  return `${metsHead(SIP_ID, 'LABEL="Ansökan om bygglov, Östra Gränd 3"')}
  <metsHdr CREATEDATE="${CREATED}" LASTMODDATE="${CREATED}" RECORDSTATUS="NEW" csip:OAISPACKAGETYPE="SIP">
    ${SOFTWARE_AGENT}
    <agent ROLE="ARCHIVIST" TYPE="ORGANIZATION"><name>Byggnadsnämnden, Exempelby kommun</name><note csip:NOTETYPE="IDENTIFICATIONCODE">212000-9999</note></agent>
    <agent ROLE="CREATOR" TYPE="ORGANIZATION"><name>Exempelby kommun</name><note csip:NOTETYPE="IDENTIFICATIONCODE">212000-9999</note></agent>
    <agent ROLE="CREATOR" TYPE="INDIVIDUAL"><name>Karin Lindqvist</name><note>registrator@exempelby.se, 0123-45 67 00</note></agent>
    <agent ROLE="PRESERVATION" TYPE="ORGANIZATION"><name>Kommunarkivet, Exempelby kommun</name><note csip:NOTETYPE="IDENTIFICATIONCODE">212000-9999</note></agent>
    <altRecordID TYPE="SUBMISSIONAGREEMENT">LÖ 2024:3 Byggnadsnämnden</altRecordID>
  </metsHdr>
  <dmdSec ID="ID-dmd-dc" CREATED="${CREATED}" STATUS="CURRENT">
    <mdRef LOCTYPE="URL" xlink:type="simple" xlink:href="metadata/descriptive/dc.xml" MDTYPE="DC" ${ref('metadata/descriptive/dc.xml')}/>
  </dmdSec>
  <amdSec ID="ID-amd">
    <digiprovMD ID="ID-premis" STATUS="CURRENT">
      <mdRef LOCTYPE="URL" xlink:type="simple" xlink:href="metadata/preservation/premis.xml" MDTYPE="PREMIS" ${ref('metadata/preservation/premis.xml')}/>
    </digiprovMD>
  </amdSec>
  <fileSec ID="ID-fs">
    <fileGrp ID="ID-grp-doc" USE="Documentation">
      <file ID="ID-doc" ${ref('documentation/läsmig.txt')}><FLocat LOCTYPE="URL" xlink:type="simple" xlink:href="documentation/l%C3%A4smig.txt"/></file>
    </fileGrp>
    <fileGrp ID="ID-grp-schemas" USE="Schemas">
      <file ID="ID-xsd-oai-dc" ${ref('schemas/oai-dc.xsd')}><FLocat LOCTYPE="URL" xlink:type="simple" xlink:href="schemas/oai-dc.xsd"/></file>
      <file ID="ID-xsd-simple-dc" ${ref('schemas/simple-dc.xsd')}><FLocat LOCTYPE="URL" xlink:type="simple" xlink:href="schemas/simple-dc.xsd"/></file>
    </fileGrp>
    <fileGrp ID="ID-grp-rep1" USE="Representations/rep1" csip:CONTENTINFORMATIONTYPE="MIXED">
      <file ID="ID-rep1-mets" ${ref('representations/rep1/METS.xml')}><FLocat LOCTYPE="URL" xlink:type="simple" xlink:href="representations/rep1/METS.xml"/></file>
    </fileGrp>
  </fileSec>
  <structMap ID="ID-sm" TYPE="PHYSICAL" LABEL="CSIP">
    <div ID="ID-div" LABEL="${SIP_ID}">
      <div ID="ID-div-md" LABEL="Metadata" DMDID="ID-dmd-dc" ADMID="ID-premis"/>
      <div ID="ID-div-doc" LABEL="Documentation"><fptr FILEID="ID-grp-doc"/></div>
      <div ID="ID-div-xsd" LABEL="Schemas"><fptr FILEID="ID-grp-schemas"/></div>
      <div ID="ID-div-rep1" LABEL="Representations/rep1">
        <mptr LOCTYPE="URL" xlink:type="simple" xlink:href="representations/rep1/METS.xml" xlink:title="ID-grp-rep1"/>
      </div>
    </div>
  </structMap>
</mets>
`;
}

/** The valid SIP: path inside the root folder -> bytes, in ZIP order. */
export function sipFiles() {
  const data = [
    { path: 'ansökan.pdf', mime: 'application/pdf', data: readFileSync(join(RECORD, 'ansökan.pdf')) },
    { path: 'ansökan.xml', mime: 'text/xml', data: readFileSync(join(RECORD, 'e-tjänst', 'ansökan.xml')) },
  ].map((f) => ({ ...f, href: `data/${encodeURIComponent(f.path)}` }));
  const p = new Map();
  for (const f of data) p.set(`representations/rep1/data/${f.path}`, f.data);
  p.set('representations/rep1/METS.xml', Buffer.from(representationMets(data)));
  p.set('metadata/descriptive/dc.xml', Buffer.from(dublinCore()));
  p.set('metadata/preservation/premis.xml', Buffer.from(premis()));
  p.set('schemas/oai-dc.xsd', readFileSync(here('../profiles/schemas/oai-dc.xsd')));
  p.set('schemas/simple-dc.xsd', readFileSync(here('../profiles/schemas/simple-dc.xsd')));
  p.set('documentation/läsmig.txt', Buffer.from(README));
  p.set('METS.xml', Buffer.from(rootMets(p)));
  return p;
}

/** ZIP entries (folders first along the way) for `files` under `root`; names are used as given. */
function entriesOf(files, root = SIP_ID) {
  const out = [{ name: `${root}/` }];
  const folders = new Set();
  for (const [path, data] of files) {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const folder = parts.slice(0, i).join('/');
      if (!folders.has(folder)) out.push({ name: `${root}/${folder}/` });
      folders.add(folder);
    }
    out.push({ name: `${root}/${path}`, data });
  }
  return out;
}

/** A stored-only ZIP with UTF-8 names and a UTC extended timestamp on every entry. */
export function zipBytes(entries) {
  const seconds = Math.floor(MTIME.getTime() / 1000);
  const dosTime = (MTIME.getUTCHours() << 11) | (MTIME.getUTCMinutes() << 5) | (MTIME.getUTCSeconds() >> 1);
  const dosDate =
    ((MTIME.getUTCFullYear() - 1980) << 9) | ((MTIME.getUTCMonth() + 1) << 5) | MTIME.getUTCDate();
  const extra = Buffer.alloc(9);
  extra.writeUInt16LE(0x5455, 0);
  extra.writeUInt16LE(5, 2);
  extra.writeUInt8(1, 4);
  extra.writeInt32LE(seconds, 5);
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name);
    const data = entry.data ?? Buffer.alloc(0);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(10, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(dosTime, 10);
    local.writeUInt16LE(dosDate, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(extra.length, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4);
    central.writeUInt16LE(10, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(dosTime, 12);
    central.writeUInt16LE(dosDate, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt16LE(extra.length, 30);
    const isDir = entry.name.endsWith('/');
    central.writeUInt32LE(((isDir ? 0o40755 : 0o100644) * 0x10000 + (isDir ? 0x10 : 0)) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, extra, data);
    centrals.push(central, name, extra);
    offset += 30 + name.length + extra.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(entries.length, 8);
  eocd.writeUInt16LE(entries.length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, eocd]);
}

/** Each broken SIP: file name -> ZIP entries. The problem each one has is in fixtures/sips-broken/README.md. */
function brokenSips() {
  const valid = sipFiles();
  const edit = (fn) => {
    const copy = new Map(valid);
    fn(copy);
    return entriesOf(copy);
  };
  const pdf = 'representations/rep1/data/ansökan.pdf';
  return {
    // One byte of the PDF differs; its size and its CHECKSUM in the representation METS do not.
    'checksum-mismatch.zip': edit((p) => {
      const bytes = Buffer.from(p.get(pdf));
      bytes[bytes.length - 2] ^= 0x20;
      p.set(pdf, bytes);
    }),
    // The XML the representation METS lists is not in the package.
    'file-missing.zip': edit((p) => p.delete('representations/rep1/data/ansökan.xml')),
    // An entry whose name climbs out of the package root.
    'path-escape.zip': [...entriesOf(valid), { name: `${SIP_ID}/../utanför.txt`, data: Buffer.from('x\n') }],
    // The root METS.xml is cut off in the middle of an element.
    'mets-not-well-formed.zip': edit((p) => {
      const text = p.get('METS.xml').toString('utf8');
      p.set('METS.xml', Buffer.from(text.slice(0, text.indexOf('<fileSec'))));
    }),
  };
}

const BROKEN_README = `# Broken E-ARK SIPs

Made by \`scripts/make-sip-fixtures.mjs\` from the valid SIP in \`../sips/\`, each broken in one way.
\`bevara ingest --source eark-sip\` refuses each one, copies it to the quarantine area with its report and
names the requirement it fails:

| SIP | problem | rule |
|---|---|---|
| checksum-mismatch.zip | one byte of the PDF changed; the METS CHECKSUM did not | CSIP71 |
| file-missing.zip | a file the representation METS lists is missing | CSIP79 |
| path-escape.zip | an entry named \`${SIP_ID}/../utanför.txt\` | zip-unsafe-path |
| mets-not-well-formed.zip | METS.xml cut off in the middle | METS-XML |
`;

/** Writes `<out>/sips` and `<out>/sips-broken`. */
export function writeSipFixtures(out) {
  const write = (file, bytes) => {
    writeFileSync(file, bytes);
    utimesSync(file, MTIME, MTIME);
  };
  mkdirSync(join(out, 'sips'), { recursive: true });
  write(join(out, 'sips', `${SIP_ID}.zip`), zipBytes(entriesOf(sipFiles())));
  mkdirSync(join(out, 'sips-broken'), { recursive: true });
  for (const [name, entries] of Object.entries(brokenSips()))
    write(join(out, 'sips-broken', name), zipBytes(entries));
  write(join(out, 'sips-broken', 'README.md'), BROKEN_README);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = resolve(process.argv[2] ?? here('../fixtures/'));
  if (process.argv[2] === undefined) {
    rmSync(join(out, 'sips'), { recursive: true, force: true });
    rmSync(join(out, 'sips-broken'), { recursive: true, force: true });
  } else if (existsSync(out) && readdirSync(out).length > 0) {
    throw new Error(`${out} is not empty`);
  }
  mkdirSync(out, { recursive: true });
  writeSipFixtures(out);
}
