/**
 * Test helpers for the E-ARK validator: a small SIP that meets every CSIP 2.1 / SIP 2.1 MUST (sizes and
 * checksums computed from the bytes written), and a minimal ZIP writer (stored or deflated, any entry name, so
 * that tests can also write archives no well-behaved tool would, e.g. with "../" in a name).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { makeZip } from './zip-bytes.js';

const CSIP_NS = 'https://DILCIS.eu/XML/METS/CSIPExtensionMETS';
const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

interface Part {
  rel: string;
  data: Buffer;
}

function fileAttrs(part: Part, mime: string): string {
  return `MIMETYPE="${mime}" SIZE="${part.data.length}" CREATED="2024-05-02T10:00:00Z" CHECKSUM="${sha256(part.data)}" CHECKSUMTYPE="SHA-256"`;
}

const HEAD = (csipNs: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<mets xmlns="http://www.loc.gov/METS/" xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:csip="${csipNs}"`;

/**
 * Writes a conformant E-ARK SIP into `dir/root` and returns the package folder. `csipNs` replaces the CSIP
 * namespace URI (to test a misspelt one).
 */
export function writeSamplePackage(dir: string, root = 'sample-sip', csipNs = CSIP_NS): string {
  const pkg = path.join(dir, root);
  const put = (rel: string, data: string | Buffer): Part => {
    const full = path.join(pkg, rel);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    const buf = Buffer.from(data);
    fs.writeFileSync(full, buf);
    return { rel, data: buf };
  };
  const letter = put('representations/rep1/data/brev 1.txt', 'Ansökan om bygglov, Östra Gränd 3.\n');
  const repMets = put(
    'representations/rep1/METS.xml',
    `${HEAD(csipNs)} OBJID="rep1" TYPE="Text" csip:CONTENTINFORMATIONTYPE="MIXED" PROFILE="https://earksip.dilcis.eu/profile/E-ARK-SIP.xml">
  <metsHdr CREATEDATE="2024-05-02T10:00:00Z" csip:OAISPACKAGETYPE="SIP">
    <agent ROLE="CREATOR" TYPE="OTHER" OTHERTYPE="SOFTWARE"><name>test</name><note csip:NOTETYPE="SOFTWARE VERSION">1</note></agent>
  </metsHdr>
  <fileSec ID="ID-rep1-fs">
    <fileGrp ID="ID-rep1-data" USE="Data">
      <file ID="ID-rep1-f1" ${fileAttrs(letter, 'text/plain')}>
        <FLocat LOCTYPE="URL" xlink:type="simple" xlink:href="data/brev%201.txt"/>
      </file>
    </fileGrp>
  </fileSec>
  <structMap ID="ID-rep1-sm" TYPE="PHYSICAL" LABEL="CSIP">
    <div ID="ID-rep1-div" LABEL="rep1"><div ID="ID-rep1-div-data" LABEL="Data"><fptr FILEID="ID-rep1-data"/></div></div>
  </structMap>
</mets>
`,
  );
  const dc = put(
    'metadata/descriptive/dc.xml',
    '<?xml version="1.0"?>\n<dc xmlns="http://purl.org/dc/elements/1.1/"><title>Bygglov</title></dc>\n',
  );
  const premis = put(
    'metadata/preservation/premis.xml',
    '<?xml version="1.0"?>\n<premis xmlns="http://www.loc.gov/premis/v3" version="3.0"/>\n',
  );
  const doc = put('documentation/readme.txt', 'About this package.\n');
  const schema = put(
    'schemas/dc.xsd',
    '<?xml version="1.0"?>\n<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"/>\n',
  );
  put(
    'METS.xml',
    `${HEAD(csipNs)} OBJID="${root}" LABEL="Bygglov" TYPE="Text" csip:CONTENTINFORMATIONTYPE="MIXED" PROFILE="https://earksip.dilcis.eu/profile/E-ARK-SIP.xml">
  <metsHdr CREATEDATE="2024-05-02T10:00:00Z" LASTMODDATE="2024-05-02T10:00:00Z" csip:OAISPACKAGETYPE="SIP">
    <agent ROLE="CREATOR" TYPE="OTHER" OTHERTYPE="SOFTWARE"><name>test</name><note csip:NOTETYPE="SOFTWARE VERSION">1</note></agent>
    <agent ROLE="ARCHIVIST" TYPE="ORGANIZATION"><name>Byggnadsnämnden</name><note csip:NOTETYPE="IDENTIFICATIONCODE">212000-0001</note></agent>
    <agent ROLE="CREATOR" TYPE="ORGANIZATION"><name>Stadsbyggnadskontoret</name><note csip:NOTETYPE="IDENTIFICATIONCODE">212000-0001</note></agent>
    <agent ROLE="CREATOR" TYPE="INDIVIDUAL"><name>Anna Andersson</name><note>anna@example.org</note></agent>
    <agent ROLE="PRESERVATION" TYPE="ORGANIZATION"><name>Kommunarkivet</name></agent>
  </metsHdr>
  <dmdSec ID="ID-dmd" CREATED="2024-05-02T10:00:00Z" STATUS="CURRENT">
    <mdRef LOCTYPE="URL" xlink:type="simple" xlink:href="metadata/descriptive/dc.xml" MDTYPE="DC" ${fileAttrs(dc, 'text/xml')}/>
  </dmdSec>
  <amdSec ID="ID-amd">
    <digiprovMD ID="ID-premis" STATUS="CURRENT">
      <mdRef LOCTYPE="URL" xlink:type="simple" xlink:href="metadata/preservation/premis.xml" MDTYPE="PREMIS" ${fileAttrs(premis, 'text/xml')}/>
    </digiprovMD>
  </amdSec>
  <fileSec ID="ID-fs">
    <fileGrp ID="ID-grp-doc" USE="Documentation">
      <file ID="ID-doc" ${fileAttrs(doc, 'text/plain')}><FLocat LOCTYPE="URL" xlink:type="simple" xlink:href="documentation/readme.txt"/></file>
    </fileGrp>
    <fileGrp ID="ID-grp-schemas" USE="Schemas">
      <file ID="ID-xsd" ${fileAttrs(schema, 'application/xml')}><FLocat LOCTYPE="URL" xlink:type="simple" xlink:href="schemas/dc.xsd"/></file>
    </fileGrp>
    <fileGrp ID="ID-grp-rep1" USE="Representations/rep1" csip:CONTENTINFORMATIONTYPE="MIXED">
      <file ID="ID-rep1-mets" ${fileAttrs(repMets, 'text/xml')}><FLocat LOCTYPE="URL" xlink:type="simple" xlink:href="representations/rep1/METS.xml"/></file>
    </fileGrp>
  </fileSec>
  <structMap ID="ID-sm" TYPE="PHYSICAL" LABEL="CSIP">
    <div ID="ID-div" LABEL="${root}">
      <div ID="ID-div-md" LABEL="Metadata" DMDID="ID-dmd" ADMID="ID-premis"/>
      <div ID="ID-div-doc" LABEL="Documentation"><fptr FILEID="ID-grp-doc"/></div>
      <div ID="ID-div-xsd" LABEL="Schemas"><fptr FILEID="ID-grp-schemas"/></div>
      <div ID="ID-div-rep1" LABEL="Representations/rep1">
        <mptr LOCTYPE="URL" xlink:type="simple" xlink:href="representations/rep1/METS.xml" xlink:title="ID-grp-rep1"/>
      </div>
    </div>
  </structMap>
</mets>
`,
  );
  fs.mkdirSync(path.join(pkg, 'representations/rep1/metadata'), { recursive: true });
  return pkg;
}

/** Replaces text in a file of a package folder (throws when `from` is not there, so a test cannot pass vacuously). */
export function editFile(file: string, from: string, to: string): void {
  const text = fs.readFileSync(file, 'utf8');
  if (!text.includes(from)) throw new Error(`editFile: "${from}" not in ${file}`);
  fs.writeFileSync(file, text.replace(from, to));
}

export interface ZipInput {
  name: string;
  data?: Buffer;
}

/** Writes a ZIP with the given entry names as they are (names ending in "/" are folders). */
export function writeZip(file: string, entries: ZipInput[], deflate = true): void {
  fs.writeFileSync(
    file,
    makeZip(
      entries.map((e) => {
        const data = e.data ?? Buffer.alloc(0);
        return { name: e.name, data, deflate: deflate && data.length > 0 };
      }),
    ),
  );
}

/** Every file and folder under `folder` as ZIP entries named `prefix` + relative path. */
export function folderEntries(folder: string, prefix: string): ZipInput[] {
  const out: ZipInput[] = [];
  const walk = (dir: string, rel: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const name = `${rel}${entry.name}`;
      if (entry.isDirectory()) {
        out.push({ name: `${prefix}${name}/` });
        walk(path.join(dir, entry.name), `${name}/`);
      } else out.push({ name: `${prefix}${name}`, data: fs.readFileSync(path.join(dir, entry.name)) });
    }
  };
  walk(folder, '');
  return out;
}
