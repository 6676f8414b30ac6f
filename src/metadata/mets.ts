/**
 * METS documents of an E-ARK package (CSIP 2.1 structure, AIP profile 2.2):
 *
 *   METS.xml                              root: metsHdr, dmdSec -> metadata/descriptive/*, amdSec/digiprovMD ->
 *                                         metadata/preservation/*, fileSec with one "Representations/<rep>"
 *                                         group, structMap "CSIP" with divs Metadata and Representations/<rep>
 *   representations/<rep>/METS.xml        representation: fileSec group "Data" listing every content file
 *                                         (hrefs relative to the representation folder), structMap div Data
 *
 * Every file and metadata reference carries SIZE, CREATED, MIMETYPE, CHECKSUM and CHECKSUMTYPE="SHA-256".
 * IDs are deterministic ("ID-..."), so the same description always gives the same bytes.
 */
import { ValidationError } from '../errors.js';
import { registeredMediaType } from '../formats/media-types.js';
import { PREMIS_VERSION } from './premis.js';
import type { MetadataFileRef, PackageDescription, RootMetsReferences } from './types.js';
import {
  buildXml,
  buildXmlParts,
  element,
  hrefFor,
  NS,
  representationPath,
  textElement,
  type XmlAttributes,
  type XmlContent,
  type XmlElement,
  type XmlParts,
  xmlDateTime,
  xmlId,
  xmlSlot,
} from './xml.js';

/** PROFILE of a CSIP package that is neither an AIP nor a SIP. */
export const CSIP_PROFILE_URL = 'https://earkcsip.dilcis.eu/profile/E-ARK-CSIP.xml';
/** PROFILE the E-ARK AIP profile 2.2 requires (AIPM2; the "earkdip" host is as the profile states it). */
export const AIP_PROFILE_URL = 'https://earkdip.dilcis.eu/profile/E-ARK-AIP-v2-2-0.xml';
/** PROFILE of an E-ARK DIP 2.1 (CSIP-based dissemination package). */
export const DIP_PROFILE_URL = 'https://earkdip.dilcis.eu/profile/E-ARK-DIP.xml';
/** PROFILE of an E-ARK SIP 2.1. */
export const SIP_PROFILE_URL = 'https://earksip.dilcis.eu/profile/E-ARK-SIP.xml';
/** mets/@TYPE, from the CSIP content category vocabulary: a record may hold any kind of document. */
export const CONTENT_CATEGORY = 'Mixed';
/** The algorithm behind every CHECKSUM attribute. */
export const CHECKSUM_TYPE = 'SHA-256';

const SCHEMA_LOCATION = [
  `${NS.mets} http://www.loc.gov/standards/mets/mets.xsd`,
  `${NS.xlink} http://www.loc.gov/standards/xlink/xlink.xsd`,
  `${NS.csip} https://earkcsip.dilcis.eu/schema/DILCISExtensionMETS.xsd`,
].join(' ');

/** The METS PROFILE URL for a package type ("AIP", "SIP", "DIP", anything else: plain CSIP). */
export function profileFor(packageType: string): string {
  if (packageType === 'AIP') return AIP_PROFILE_URL;
  if (packageType === 'SIP') return SIP_PROFILE_URL;
  if (packageType === 'DIP') return DIP_PROFILE_URL;
  return CSIP_PROFILE_URL;
}

function metsRoot(desc: PackageDescription, objid: string, children: Record<string, XmlContent>): string {
  return buildXml('mets', metsRootElement(desc, objid, children));
}

function metsRootElement(
  desc: PackageDescription,
  objid: string,
  children: Record<string, XmlContent>,
): XmlElement {
  const attributes = {
    xmlns: NS.mets,
    'xmlns:xlink': NS.xlink,
    'xmlns:csip': NS.csip,
    'xmlns:xsi': NS.xsi,
    'xsi:schemaLocation': SCHEMA_LOCATION,
    OBJID: objid,
    LABEL: desc.label,
    TYPE: CONTENT_CATEGORY,
    'csip:CONTENTINFORMATIONTYPE': desc.contentInformationType,
    PROFILE: profileFor(desc.packageType),
  };
  const created = xmlDateTime(desc.createdAt);
  const metsHdr = element(
    {
      CREATEDATE: created,
      LASTMODDATE: created,
      RECORDSTATUS: 'NEW',
      'csip:OAISPACKAGETYPE': desc.packageType,
    },
    {
      agent: [
        ...organisationAgent('ARCHIVIST', archiveCreatorOf(desc)),
        ...organisationAgent('CREATOR', desc.header?.submittingAgent),
        element(
          { ROLE: 'CREATOR', TYPE: 'OTHER', OTHERTYPE: 'SOFTWARE' },
          {
            name: desc.agent.name,
            note: textElement(desc.agent.version, { 'csip:NOTETYPE': 'SOFTWARE VERSION' }),
          },
        ),
      ],
      altRecordID: altRecordIds(desc),
    },
  );
  return element(attributes, { metsHdr, ...children });
}

/** The archive creator of the package: the record's (see package/archival-description.ts), else the profile's. */
function archiveCreatorOf(desc: PackageDescription): ArchiveCreatorAgent | undefined {
  const fromRecord = desc.descriptive.archiveCreator;
  return fromRecord ?? desc.header?.archivalCreator;
}

/**
 * The header's alternative record ids: the submission agreement, and the archival reference code of the content
 * (E-ARK SIP vocabulary REFERENCECODE): the archive's NAD reference code, followed by the classification node
 * when the record has one ("SE/EXK/BN/3.1.2"), as Swedish reference codes go from archive to series.
 */
function altRecordIds(desc: PackageDescription): XmlElement[] {
  const ids: XmlElement[] = [];
  if (desc.header?.submissionAgreement)
    ids.push(textElement(desc.header.submissionAgreement, { TYPE: 'SUBMISSIONAGREEMENT' }));
  const reference = archiveCreatorOf(desc)?.referenceCode;
  const classification = desc.descriptive.classification?.trim();
  if (reference) {
    const code = classification ? `${reference}/${classification}` : reference;
    ids.push(textElement(code, { TYPE: 'REFERENCECODE' }));
  }
  return ids;
}

interface ArchiveCreatorAgent {
  name: string;
  identificationCode?: string;
  referenceCode?: string;
}

/**
 * An organisation in the METS header: the archival creator (ROLE ARCHIVIST) or the submitting agent (ROLE CREATOR),
 * with its identification code as a note of type IDENTIFICATIONCODE (E-ARK SIP, FGS Paketstruktur 2.0).
 */
function organisationAgent(
  role: 'ARCHIVIST' | 'CREATOR',
  org: ArchiveCreatorAgent | undefined,
): XmlElement[] {
  if (!org) return [];
  const codes = [org.identificationCode, role === 'ARCHIVIST' ? org.referenceCode : undefined].filter(
    (code): code is string => code !== undefined,
  );
  const notes = codes.map((code) => textElement(code, { 'csip:NOTETYPE': 'IDENTIFICATIONCODE' }));
  return [
    element(
      { ROLE: role, TYPE: 'ORGANIZATION' },
      { name: org.name, ...(notes.length > 0 ? { note: notes } : {}) },
    ),
  ];
}

/**
 * Attributes common to file and mdRef: MIMETYPE (an IANA media type without parameters; a type the registry does
 * not list, such as PRONOM's audio/x-wav, is recorded as application/octet-stream), SIZE, CREATED, CHECKSUM,
 * CHECKSUMTYPE.
 */
function fileCore(f: { mimeType: string; size: number; sha256: string }, created: Date): XmlAttributes {
  return {
    MIMETYPE: registeredMediaType(f.mimeType),
    SIZE: String(f.size),
    CREATED: xmlDateTime(created),
    CHECKSUM: f.sha256,
    CHECKSUMTYPE: CHECKSUM_TYPE,
  };
}

function locator(path: string): XmlAttributes {
  return { LOCTYPE: 'URL', 'xlink:type': 'simple', 'xlink:href': hrefFor(path) };
}

/**
 * MDTYPE (and OTHERMDTYPE / MDTYPEVERSION) of a metadata file, from its name: dc.xml is DC, premis*.xml PREMIS
 * 3.0, ead*.xml EAD, erms*.xml OTHER/ERMS; anything else (e.g. the producer's record.json) is OTHER with the
 * file name as OTHERMDTYPE.
 */
function mdType(path: string): XmlAttributes {
  const fileName = path.slice(path.lastIndexOf('/') + 1);
  const name = fileName.toLowerCase();
  if (name === 'dc.xml') return { MDTYPE: 'DC' };
  if (name.endsWith('.xml')) {
    if (name.startsWith('premis')) return { MDTYPE: 'PREMIS', MDTYPEVERSION: PREMIS_VERSION };
    if (name.startsWith('ead')) return { MDTYPE: 'EAD' };
    if (name.startsWith('erms')) return { MDTYPE: 'OTHER', OTHERMDTYPE: 'ERMS' };
  }
  return { MDTYPE: 'OTHER', OTHERMDTYPE: fileName };
}

function mdSec(ref: MetadataFileRef, id: string): XmlElement {
  return element(
    { ID: id, CREATED: xmlDateTime(ref.createdAt), STATUS: 'CURRENT' },
    {
      mdRef: element({ ...locator(ref.path), ...mdType(ref.path), ...fileCore(ref, ref.createdAt) }),
    },
  );
}

function structMap(idPrefix: string[], label: string, divs: XmlElement[]): XmlElement {
  return element(
    { ID: xmlId(...idPrefix, 'structmap'), TYPE: 'PHYSICAL', LABEL: 'CSIP' },
    {
      div: element({ ID: xmlId(...idPrefix, 'div'), LABEL: label }, { div: divs }),
    },
  );
}

/**
 * Builds the package (root) METS.xml. `refs` are the metadata files and the representation METS as written
 * into the package, measured after building (size, digest, creation time).
 */
export function buildRootMets(desc: PackageDescription, refs: RootMetsReferences): string {
  const repUse = `Representations/${desc.representationId}`;
  const dmdIds = refs.descriptive.map((_, i) => xmlId('dmd', i + 1));
  const digiprovIds = refs.preservation.map((_, i) => xmlId('digiprov', i + 1));
  const fileGrpId = xmlId('filegrp', desc.representationId);
  const repMets = refs.representationMets;

  const amdSec =
    refs.preservation.length === 0
      ? undefined
      : element(
          { ID: xmlId('amd') },
          {
            digiprovMD: refs.preservation.map((ref, i) => mdSec(ref, digiprovIds[i] as string)),
          },
        );
  const documentationGrp = fileGroup('Documentation', refs.documentation);
  const schemasGrp = fileGroup('Schemas', refs.schemas);
  const fileSec = element(
    { ID: xmlId('filesec') },
    {
      fileGrp: [
        documentationGrp.fileGrp,
        schemasGrp.fileGrp,
        element(
          { ID: fileGrpId, USE: repUse, 'csip:CONTENTINFORMATIONTYPE': desc.contentInformationType },
          {
            file: element(
              { ID: xmlId('file', desc.representationId, 'mets'), ...fileCore(repMets, repMets.createdAt) },
              {
                FLocat: element(locator(repMets.path)),
              },
            ),
          },
        ),
      ],
    },
  );
  const metadataDiv = element({
    ID: xmlId('div', 'metadata'),
    LABEL: 'Metadata',
    DMDID: dmdIds.join(' ') || undefined,
    ADMID: digiprovIds.join(' ') || undefined,
  });
  const representationDiv = element(
    { ID: xmlId('div', desc.representationId), LABEL: repUse },
    {
      mptr: element({ ...locator(repMets.path), 'xlink:title': fileGrpId }),
    },
  );

  return metsRoot(desc, desc.id, {
    dmdSec: refs.descriptive.map((ref, i) => mdSec(ref, dmdIds[i] as string)),
    amdSec,
    fileSec,
    structMap: structMap([], desc.id, [metadataDiv, documentationGrp.div, schemasGrp.div, representationDiv]),
  });
}

/** A file group of the root METS (Documentation, Schemas) and its structMap division pointing at it. */
function fileGroup(
  use: 'Documentation' | 'Schemas',
  refs: MetadataFileRef[],
): { fileGrp: XmlElement; div: XmlElement } {
  const id = xmlId('filegrp', use.toLowerCase());
  const fileGrp = element(
    { ID: id, USE: use },
    {
      file: refs.map((ref, i) =>
        element(
          { ID: xmlId('file', use.toLowerCase(), i + 1), ...fileCore(ref, ref.createdAt) },
          { FLocat: element(locator(ref.path)) },
        ),
      ),
    },
  );
  const div = element({ ID: xmlId('div', use.toLowerCase()), LABEL: use }, { fptr: element({ FILEID: id }) });
  return { fileGrp, div };
}

/** Builds representations/<rep>/METS.xml, listing every content file relative to the representation folder. */
export function buildRepresentationMets(desc: PackageDescription, preservation?: MetadataFileRef): string {
  return [...representationMetsParts(desc, preservation)()].join('');
}

/**
 * representations/<rep>/METS.xml in parts (see `buildXmlParts`): one `file` element per content file, built as the
 * parts are taken, so a record of 100,000 files never has its METS in memory whole.
 */
export function representationMetsParts(desc: PackageDescription, preservation?: MetadataFileRef): XmlParts {
  const rep = desc.representationId;
  const prefix = `${representationPath(rep)}/`;
  const fileGrpId = xmlId(rep, 'filegrp', 'data');
  function* files(): Generator<XmlElement> {
    let i = 0;
    for (const f of desc.files) {
      i += 1;
      if (!f.entryPath.startsWith(prefix)) {
        throw new ValidationError(
          'metadata.entry-path',
          `[metadata:mets] package "${desc.id}": file "${f.path}" has entry path "${f.entryPath}" outside "${prefix}"`,
          { package: desc.id, file: f.path },
        );
      }
      yield element(
        { ID: xmlId(rep, 'file', i), ...fileCore(f, f.modifiedAt) },
        {
          FLocat: element(locator(f.entryPath.slice(prefix.length))),
        },
      );
    }
  }
  const fileSec = element(
    { ID: xmlId(rep, 'filesec') },
    {
      fileGrp: element({ ID: fileGrpId, USE: 'Data' }, { [xmlSlot('files')]: '' }),
    },
  );
  const dataDiv = element(
    { ID: xmlId(rep, 'div', 'data'), LABEL: 'Data' },
    { fptr: element({ FILEID: fileGrpId }) },
  );
  // Its preservation metadata (see buildRepresentationPremis), referenced relative to the representation folder.
  const digiprovId = xmlId(rep, 'digiprov', 1);
  const amdSec = preservation && {
    ID: xmlId(rep, 'amd'),
    digiprovMD: mdSec({ ...preservation, path: preservation.path.slice(prefix.length) }, digiprovId),
  };
  const metadataDiv =
    preservation && element({ ID: xmlId(rep, 'div', 'metadata'), LABEL: 'Metadata', ADMID: digiprovId });
  // CSIP1: the representation METS's OBJID is the name of the representation folder.
  const root = metsRootElement(desc, rep, {
    amdSec: amdSec && element({ ID: amdSec.ID }, { digiprovMD: amdSec.digiprovMD }),
    fileSec,
    structMap: structMap([rep], rep, metadataDiv ? [metadataDiv, dataDiv] : [dataDiv]),
  });
  return buildXmlParts('mets', root, [{ slot: 'files', name: 'file', items: files }]);
}
