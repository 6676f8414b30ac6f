import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { PackageDescription } from '../metadata/types.js';

/**
 * What makes a package understandable without bevara or its catalog: the XML schemas its metadata follows
 * (`schemas/`, CSIP113) and a short guide to the package (`documentation/`, CSIP60).
 */

/** The schemas every package's metadata uses; ERMS.xsd joins them when the record carries a case export. */
const BASE_SCHEMAS = [
  'mets.xsd',
  'xlink.xsd',
  'DILCISExtensionMETS.xsd',
  'premis-v3-0.xsd',
  'oai-dc.xsd',
  'simple-dc.xsd',
  'xml.xsd',
];

const schemaDir = fileURLToPath(new URL('../../profiles/schemas/', import.meta.url));
const cache = new Map<string, Buffer>();

/** The schema files for a package, as [file name, bytes]; read from `profiles/schemas/` once per process. */
export function schemaFiles(options: { erms: boolean }): [string, Buffer][] {
  const names = options.erms ? [...BASE_SCHEMAS, 'ERMS.xsd'] : BASE_SCHEMAS;
  return names.map((name) => {
    let bytes = cache.get(name);
    if (!bytes) {
      bytes = readFileSync(`${schemaDir}${name}`);
      cache.set(name, bytes);
    }
    return [name, bytes];
  });
}

/** `documentation/README.txt`: how this package is laid out and how to check it, in Swedish and English. */
export function packageGuide(desc: PackageDescription): string {
  const rep = `representations/${desc.representationId}`;
  return `${desc.label}
${'='.repeat(Math.min(desc.label.length, 78))}

Paket / package: ${desc.id}
Skapat / created: ${desc.createdAt.toISOString()} av / by ${desc.agent.name} ${desc.agent.version}
Paketprofil / profile: ${desc.profileName} (E-ARK CSIP/AIP 2.1)

SVENSKA
Detta är ett arkivpaket (E-ARK AIP). Det kan förstås utan programmet som skapade det:
  METS.xml                         paketets innehållsförteckning: varje fil med storlek och SHA-256-kontrollsumma
  metadata/descriptive/            beskrivning av handlingarna (Dublin Core, och producentens egen metadata)
  metadata/preservation/premis.xml bevarandemetadata (PREMIS 3): filformat (PRONOM), kontrollsummor, händelser
  ${rep}/METS.xml     förteckning över handlingarna i representationen
  ${rep}/data/        handlingarna själva, oförändrade
  schemas/                         XML-scheman som metadatafilerna följer
Kontrollera en fil: räkna dess SHA-256 (t.ex. "sha256sum fil") och jämför med CHECKSUM i METS.xml.

ENGLISH
This is an archival information package (E-ARK AIP). It can be understood without the software that made it:
  METS.xml                         the package's table of contents: every file with its size and SHA-256
  metadata/descriptive/            description of the records (Dublin Core, and the producer's own metadata)
  metadata/preservation/premis.xml preservation metadata (PREMIS 3): file formats (PRONOM), digests, events
  ${rep}/METS.xml     the files of the representation
  ${rep}/data/        the records themselves, unchanged
  schemas/                         the XML schemas the metadata files follow
To check a file: compute its SHA-256 (e.g. "sha256sum file") and compare it with CHECKSUM in METS.xml.
`;
}
