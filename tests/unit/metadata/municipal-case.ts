/**
 * A realistic package description for the metadata tests: a building permit case of a Swedish municipality,
 * with file names holding spaces, Swedish letters and URL-special characters, and a title with `&` and `<`.
 * Sizes and digests are computed from generated contents, never written down.
 */
import { sha256Hex } from '../../../src/fixity/digest.js';
import { buildDublinCore } from '../../../src/metadata/dublin-core.js';
import { buildRepresentationMets } from '../../../src/metadata/mets.js';
import { buildPremis } from '../../../src/metadata/premis.js';
import type {
  MetadataFileRef,
  PackageDescription,
  PackagedFile,
  RootMetsReferences,
} from '../../../src/metadata/types.js';

export const CASE_TITLE = 'Ansökan om bygglov, Östra Gränd 3 & <tillbyggnad> "altan" \'2024\'';

const SOURCES: { path: string; mimeType: string; content: string }[] = [
  { path: 'Ansökan om bygglov.pdf', mimeType: 'application/pdf', content: '%PDF-1.7\nAnsökan\n%%EOF\n' },
  {
    path: 'ritningar/Fasad mot gatan – Östra Gränd 3.pdf',
    mimeType: 'application/pdf',
    content: '%PDF-1.7\nFasadritning skala 1:100\n%%EOF\n',
  },
  {
    path: 'bilagor/situationsplan å ä ö.png',
    mimeType: 'image/png',
    content: '\x89PNG\r\n\x1a\nsituationsplan',
  },
  {
    path: 'beslut/Beslut 2024#1 (100% klart) & delgivning.txt',
    mimeType: 'text/plain',
    content: 'Beslut: bygglov beviljas.\n',
  },
  {
    path: 'korrespondens/e-post från sökande.eml',
    mimeType: 'message/rfc822',
    content: 'Subject: Komplettering\n\nHej!\n',
  },
  { path: 'tom fil.txt', mimeType: 'text/plain', content: '' },
];

export const PACKAGE_ID = '3f1c2b9e-8d4a-4c51-9a7e-0b6d2f4e8a17';
export const AGENT = { name: 'bevara', version: '0.1.0' };
const CREATED_AT = new Date('2024-06-03T08:15:30.000Z');

/** The package description of the case; pass overrides to vary one field. */
export function municipalCase(overrides: Partial<PackageDescription> = {}): PackageDescription {
  const files: PackagedFile[] = SOURCES.map((s, i) => {
    const bytes = Buffer.from(s.content, 'latin1');
    return {
      path: s.path,
      entryPath: `representations/rep1/data/${s.path}`,
      size: bytes.length,
      sha256: sha256Hex(bytes),
      mimeType: s.mimeType,
      modifiedAt: new Date(Date.UTC(2024, 1, 12 + i, 10, 0, 0)),
    };
  });
  const agent = `${AGENT.name}/${AGENT.version}`;
  return {
    id: PACKAGE_ID,
    label: CASE_TITLE,
    createdAt: CREATED_AT,
    packageType: 'AIP',
    contentInformationType: 'MIXED',
    profileName: 'kommun-standard',
    agent: AGENT,
    source: { kind: 'folder', key: 'BN 2024-0113 Östra Gränd 3' },
    descriptive: {
      title: CASE_TITLE,
      identifier: 'BN 2024/0113',
      creator: 'Bygg- och miljönämnden, Exempelby kommun',
      dates: { created: '2024-02-12', start: '2024-02-12', end: '2024-05-30' },
      description: 'Ärende om bygglov för tillbyggnad av enbostadshus; beslut & delgivning.',
      accessRestriction: 'OSL 21 kap. 7 § (personuppgifter)',
      classification: '3.2.1',
      language: ['sv'],
      subject: ['Bygglov', 'Tillbyggnad'],
    },
    representationId: 'rep1',
    files,
    events: [
      {
        id: 'ev-0001',
        packageId: PACKAGE_ID,
        type: 'ingestion',
        at: CREATED_AT,
        outcome: 'success',
        detail: 'Record read from folder "BN 2024-0113 Östra Gränd 3" & packaged',
        agent,
      },
      ...files.map((f, i) => ({
        id: `ev-${String(i + 2).padStart(4, '0')}`,
        packageId: PACKAGE_ID,
        type: 'message digest calculation',
        at: CREATED_AT,
        outcome: 'success' as const,
        detail: `SHA-256 ${f.sha256}`,
        agent,
        object: f.path,
      })),
    ],
    ...overrides,
  };
}

/** Measures a built document the way the package writer does. */
export function measure(path: string, xml: string, createdAt: Date): MetadataFileRef {
  const bytes = Buffer.from(xml, 'utf8');
  return { path, size: bytes.length, sha256: sha256Hex(bytes), mimeType: 'application/xml', createdAt };
}

/** Builds dc.xml, premis.xml and the representation METS, and the references the root METS needs. */
export function buildParts(desc: PackageDescription) {
  const dc = buildDublinCore(desc);
  const premis = buildPremis(desc);
  const repMets = buildRepresentationMets(desc);
  const refs: RootMetsReferences = {
    descriptive: [measure('metadata/descriptive/dc.xml', dc, desc.createdAt)],
    preservation: [measure('metadata/preservation/premis.xml', premis, desc.createdAt)],
    representationMets: measure('representations/rep1/METS.xml', repMets, desc.createdAt),
    schemas: [measure('schemas/mets.xsd', '<xs:schema/>', desc.createdAt)],
    documentation: [measure('documentation/README.txt', 'guide', desc.createdAt)],
  };
  return { dc, premis, repMets, refs };
}
