/**
 * Reads back what bevara wrote into PREMIS documents: the events of a package's premis.xml, of an event log
 * stored beside a package (`packages/<id>/events-<time>.premis.xml`) or of a run's log (`reports/<run>.premis.xml`),
 * and the file objects of a package's premis.xml. The inverse of metadata/premis.ts and reports/premis-log.ts.
 */
import type { EventRecord, FileFormat } from '../model/package.js';
import { kid, kids, parseXml, type XmlNode } from '../validation/xml-tree.js';
import { RebuildError } from './errors.js';

export const PREMIS_NS = 'http://www.loc.gov/premis/v3';

const p = (node: XmlNode | undefined, local: string) => (node ? kid(node, local, PREMIS_NS) : undefined);
const ps = (node: XmlNode | undefined, local: string) => (node ? kids(node, local, PREMIS_NS) : []);
const text = (node: XmlNode | undefined) => node?.text.trim();

/** The root `premis:premis` element of a document, or a RebuildError naming `where`. */
export function premisRoot(xml: string, where: string): XmlNode {
  const parsed = parseXml(xml);
  if (!('root' in parsed)) {
    throw new RebuildError(
      'premis-unreadable',
      `${where}: not well-formed (${parsed.error}, line ${parsed.line})`,
    );
  }
  if (parsed.root.local !== 'premis' || parsed.root.ns !== PREMIS_NS) {
    throw new RebuildError('premis-unreadable', `${where}: the root element is not premis:premis`);
  }
  return parsed.root;
}

const RUN_DETAIL = /^bevara run (\S+)$/;

/**
 * Every event of a PREMIS document. `packageId` is taken from the event's first linking object when `fallback`
 * is not given (run and event logs name the package there); a package's own premis.xml passes its id.
 */
export function readPremisEvents(root: XmlNode, where: string, packageId?: string): EventRecord[] {
  return ps(root, 'event').map((node, i) => {
    const at = new Date(text(p(node, 'eventDateTime')) ?? '');
    const id = text(p(p(node, 'eventIdentifier'), 'eventIdentifierValue'));
    const type = text(p(node, 'eventType'));
    const outcome = text(p(p(node, 'eventOutcomeInformation'), 'eventOutcome'));
    const agent = text(p(p(node, 'linkingAgentIdentifier'), 'linkingAgentIdentifierValue'));
    const links = ps(node, 'linkingObjectIdentifier').map(
      (l) => text(p(l, 'linkingObjectIdentifierValue')) ?? '',
    );
    if (
      !id ||
      !type ||
      !agent ||
      Number.isNaN(at.getTime()) ||
      (outcome !== 'success' && outcome !== 'failure')
    ) {
      throw new RebuildError(
        'premis-event',
        `${where}: event ${i + 1} lacks an identifier, type, date, outcome or agent`,
      );
    }
    const details = ps(p(node, 'eventDetailInformation') ? node : undefined, 'eventDetailInformation').map(
      (d) => text(p(d, 'eventDetail')) ?? '',
    );
    const run = packageId === undefined ? RUN_DETAIL.exec(details.at(-1) ?? '') : null;
    if (run) details.pop();
    const event: EventRecord = {
      id,
      packageId: packageId ?? links[0] ?? '',
      type,
      at,
      outcome,
      detail: details.join('\n'),
      agent,
    };
    const object = packageId === undefined ? links[1] : undefined;
    if (object !== undefined) event.object = object;
    if (run?.[1]) event.runId = run[1];
    return event;
  });
}

/** A content file as the package's PREMIS describes it. */
export interface PremisFile {
  /** Path inside the package root folder (the object identifier after "<id>/"). */
  entryPath: string;
  /** premis:originalName: the path inside the record. */
  path: string;
  size: number;
  sha256: string;
  mimeType: string;
  format?: FileFormat;
}

const NOTE = '; identified by content: ';

/** The file objects of a package's premis.xml. */
export function readPremisFiles(root: XmlNode, packageId: string, where: string): PremisFile[] {
  const out: PremisFile[] = [];
  for (const object of ps(root, 'object')) {
    const chars = p(object, 'objectCharacteristics');
    if (!chars) continue;
    const value = text(p(p(object, 'objectIdentifier'), 'objectIdentifierValue')) ?? '';
    const path = text(p(object, 'originalName'));
    const sha256 = text(p(p(chars, 'fixity'), 'messageDigest'));
    const size = Number(text(p(chars, 'size')));
    const format = p(chars, 'format');
    const note = text(p(format, 'formatNote')) ?? '';
    const cut = note.indexOf(NOTE);
    if (!value.startsWith(`${packageId}/`) || !path || !sha256 || !Number.isSafeInteger(size) || cut < 0) {
      throw new RebuildError('premis-file', `${where}: file object "${value}" is incomplete`);
    }
    const file: PremisFile = {
      entryPath: value.slice(packageId.length + 1),
      path,
      size,
      sha256,
      mimeType: note.slice(0, cut),
    };
    const basis = note.slice(cut + NOTE.length);
    if (basis !== 'not identified') file.format = readFormat(format, file.mimeType, basis);
    out.push(file);
  }
  return out;
}

function readFormat(format: XmlNode | undefined, mimeType: string, basis: string): FileFormat {
  const designation = p(format, 'formatDesignation');
  const name = text(p(designation, 'formatName'));
  const version = text(p(designation, 'formatVersion'));
  const puid = text(p(p(format, 'formatRegistry'), 'formatRegistryKey'));
  return {
    ...(puid ? { puid } : {}),
    ...(name && name !== mimeType ? { name } : {}),
    ...(version ? { version } : {}),
    basis,
  };
}
