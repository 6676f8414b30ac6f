/**
 * PREMIS 3.0 preservation metadata for one package (metadata/preservation/premis.xml): one representation
 * object, one file object per content file (fixity, size, format, original name), the events recorded so far,
 * and the agents that carried them out (bevara itself first).
 *
 * Controlled values carry the Library of Congress vocabulary attributes (authority, authorityURI, valueURI)
 * where the term is known. Besides the identifiers, links inside the document use the xmlID / LinkAgentXmlID /
 * LinkObjectXmlID attributes (xs:ID / xs:IDREF; note that libxml2's schema validation does not check that an
 * IDREF resolves).
 */
import { premisAgentElement, premisEventElement, softwareAgentId } from './events.js';
import { locAuthority as authority, premisIdentifier, premisRootAttributes } from './premis-vocabulary.js';
import type { PackageDescription, PackagedFile } from './types.js';
import {
  buildXmlParts,
  element,
  representationObjectId,
  textElement,
  type XmlElement,
  type XmlParts,
  xmlId,
  xmlSlot,
} from './xml.js';

export { PREMIS_VERSION } from './premis-vocabulary.js';

interface ObjectRef {
  xmlId: string;
  value: string;
}

function fileObject(desc: PackageDescription, file: PackagedFile, ref: ObjectRef): XmlElement {
  return element(
    { 'xsi:type': 'premis:file', xmlID: ref.xmlId },
    {
      'premis:objectIdentifier': premisIdentifier('objectIdentifier', ref.value),
      'premis:objectCharacteristics': element(
        {},
        {
          'premis:compositionLevel': '0',
          'premis:fixity': element(
            {},
            {
              'premis:messageDigestAlgorithm': textElement(
                'SHA-256',
                authority('cryptographicHashFunctions', 'sha256'),
              ),
              'premis:messageDigest': file.sha256,
              'premis:messageDigestOriginator': desc.agent.name,
            },
          ),
          'premis:size': String(file.size),
          'premis:format': formatElement(file),
        },
      ),
      'premis:originalName': file.path,
    },
  );
}

/**
 * The file's format: its PRONOM name, version and PUID when identified from the content, otherwise its MIME type
 * (`application/octet-stream` for unknown); the note says what the identification rests on.
 */
function formatElement(file: PackagedFile): XmlElement {
  const format = file.format;
  return element(
    {},
    {
      'premis:formatDesignation': element(
        {},
        {
          'premis:formatName': format?.name ?? file.mimeType,
          ...(format?.version ? { 'premis:formatVersion': format.version } : {}),
        },
      ),
      ...(format?.puid
        ? {
            'premis:formatRegistry': element(
              {},
              {
                'premis:formatRegistryName': 'PRONOM',
                'premis:formatRegistryKey': format.puid,
                'premis:formatRegistryRole': textElement('specification', authority('formatRegistryRole')),
              },
            ),
          }
        : {}),
      'premis:formatNote': `${file.mimeType}; identified by content: ${format?.basis ?? 'not identified'}`,
    },
  );
}

/**
 * The SIP a package was made from (E-ARK AIP 2.1: the AIP keeps the SIP and references it). The representation
 * names it in a derivation relationship, linked to the ingestion event that says which METS it was.
 */
export interface SubmissionSource {
  /** mets/@OBJID of the SIP. */
  objid: string;
}

/** Options of {@link buildPremis}. */
export interface PremisOptions {
  /** The SIP the package was made from, when it was made from one. */
  submission?: SubmissionSource;
}

function representationObject(
  desc: PackageDescription,
  ref: ObjectRef,
  submission?: SubmissionSource,
  ingestion?: { value: string; xmlId: string },
): XmlElement {
  const relationship =
    desc.files.length === 0
      ? undefined
      : element(
          {},
          {
            'premis:relationshipType': 'structural',
            'premis:relationshipSubType': 'includes',
            [xmlSlot('related')]: '',
          },
        );
  const source =
    submission &&
    element(
      {},
      {
        'premis:relationshipType': 'derivation',
        'premis:relationshipSubType': 'has source',
        'premis:relatedObjectIdentifier': premisIdentifier(
          'relatedObjectIdentifier',
          submission.objid,
          {},
          'OBJID',
        ),
        'premis:relatedEventIdentifier': ingestion
          ? premisIdentifier('relatedEventIdentifier', ingestion.value, { RelEventXmlID: ingestion.xmlId })
          : undefined,
      },
    );
  const relationships = [relationship, source].filter((r): r is XmlElement => r !== undefined);
  return element(
    { 'xsi:type': 'premis:representation', xmlID: ref.xmlId },
    {
      'premis:objectIdentifier': premisIdentifier('objectIdentifier', ref.value),
      'premis:relationship': relationships.length > 1 ? relationships : relationships[0],
    },
  );
}

/**
 * Builds premis.xml. Events link to their agent by identifier ("bevara/0.1.0") and to the file whose record
 * path or package path equals `event.object`; events without an object link to the representation, and an
 * object that is not a file of this package (e.g. a stored copy) is named without an in-document link.
 * With `options.submission` the representation also names the SIP it derives from (see {@link SubmissionSource}).
 */
export function buildPremis(desc: PackageDescription, options: PremisOptions = {}): string {
  return [...premisParts(desc, options)()].join('');
}

/**
 * premis.xml in parts (see `buildXmlParts`): the file objects, one per content file, are built as the parts are
 * taken, so a record of 100,000 files never has its PREMIS document in memory whole.
 */
export function premisParts(desc: PackageDescription, options: PremisOptions = {}): XmlParts {
  const rep: ObjectRef = {
    xmlId: xmlId('premis-representation', desc.representationId),
    value: representationObjectId(desc.id, desc.representationId),
  };
  const fileRef = (f: PackagedFile, i: number): ObjectRef => ({
    xmlId: xmlId('premis-file', i + 1),
    value: `${desc.id}/${f.entryPath}`,
  });
  // Events name few objects: look up only those, not a map of every file.
  const named = new Set(desc.events.map((e) => e.object).filter((o) => o !== undefined));
  const byPath = new Map<string, ObjectRef>();
  desc.files.forEach((f, i) => {
    if (named.has(f.entryPath)) byPath.set(f.entryPath, fileRef(f, i));
    if (named.has(f.path)) byPath.set(f.path, fileRef(f, i));
  });
  const objectFor = (object: string | undefined) =>
    object === undefined ? rep : (byPath.get(object) ?? { value: object });

  // bevara itself first, then any other agent in order of its first event.
  const agents = new Map<string, string>([[softwareAgentId(desc.agent), xmlId('premis-agent', 1)]]);
  for (const { agent } of desc.events) {
    if (!agents.has(agent)) agents.set(agent, xmlId('premis-agent', agents.size + 1));
  }

  const root = element(premisRootAttributes(), {
    'premis:object': representationObject(desc, rep, options.submission, ingestionEvent(desc)),
    [xmlSlot('objects')]: '',
    'premis:event': desc.events.map((e, i) =>
      premisEventElement(e, {
        xmlId: xmlId('premis-event', i + 1),
        agentXmlId: agents.get(e.agent),
        objects: [objectFor(e.object)],
      }),
    ),
    'premis:agent': [...agents].map(([id, ref]) => premisAgentElement(id, ref)),
  });
  function* related(): Generator<XmlElement> {
    for (const [i, file] of desc.files.entries()) {
      const f = fileRef(file, i);
      yield premisIdentifier('relatedObjectIdentifier', f.value, { RelObjectXmlID: f.xmlId });
    }
  }
  function* fileObjects(): Generator<XmlElement> {
    for (const [i, file] of desc.files.entries()) yield fileObject(desc, file, fileRef(file, i));
  }
  return buildXmlParts('premis:premis', root, [
    // A representation without files has no relationship to them, so no slot for them either.
    ...(desc.files.length > 0
      ? [{ slot: 'related', name: 'premis:relatedObjectIdentifier', items: related }]
      : []),
    { slot: 'objects', name: 'premis:object', items: fileObjects },
  ]);
}

/**
 * representations/<rep>/metadata/preservation/premis.xml: the representation as a PREMIS object, under the same
 * identifier as in the package's premis.xml, which holds its files, their fixity and formats, and the events.
 * It gives the representation its own metadata folder (CSIPSTR13) without writing the file list twice.
 */
export function buildRepresentationPremis(desc: PackageDescription): string {
  const value = representationObjectId(desc.id, desc.representationId);
  const root = element(premisRootAttributes(), {
    'premis:object': element(
      { 'xsi:type': 'premis:representation', xmlID: xmlId('premis-representation', desc.representationId) },
      { 'premis:objectIdentifier': premisIdentifier('objectIdentifier', value) },
    ),
  });
  return [...buildXmlParts('premis:premis', root, [])()].join('');
}

/** The package's ingestion event, as the relationship to its source links to it. */
function ingestionEvent(desc: PackageDescription): { value: string; xmlId: string } | undefined {
  const index = desc.events.findIndex((e) => e.type === 'ingestion');
  const event = desc.events[index];
  return event && { value: event.id, xmlId: xmlId('premis-event', index + 1) };
}
