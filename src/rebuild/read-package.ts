/**
 * One stored package read back into catalog rows, from its metadata entries only: the central directory with
 * ranged reads from the end, then the root METS, the PREMIS, the representation METS, dc.xml and the producer's
 * metadata files (and for a SIP its own METS), each with two small ranged reads. The record's content is never
 * read; the audit reads it.
 *
 *   <id>/METS.xml                              label, creation date, producer metadata files (dmdSec mdRef)
 *   <id>/metadata/preservation/premis.xml      content files (path, digest, size, format) and the first events
 *   <id>/representations/<rep>/METS.xml        each content file's modification time (CREATED)
 *   <id>/bagit.txt                             a bagged package: the same under <id>/data/<id>/
 */
import { contentDigestOf } from '../package/build.js';
import type { DescriptiveMetadata, EventRecord, FileRecord } from '../model/package.js';
import { readRange } from '../storage/read-range.js';
import type { StorageDriver } from '../storage/types.js';
import { attr, kid, kids, NS, parseXml, type XmlNode } from '../validation/xml-tree.js';
import { readStoredEntry } from '../zip/stored-entry.js';
import { readZipDirectory, type ZipCentralEntry } from '../zip/reader.js';
import { RebuildError } from './errors.js';
import { premisRoot, readPremisEvents, readPremisFiles } from './premis-read.js';
import { deriveMetadata, matchesDublinCore } from './record-metadata.js';

/** A package as read from storage: everything of its catalog rows that the package itself holds. */
export interface PackageFromStorage {
  id: string;
  label: string;
  profile: string;
  sourceKind: string;
  sourceKey: string;
  contentDigest: string;
  fileCount: number;
  createdAt: Date;
  metadata: DescriptiveMetadata;
  files: FileRecord[];
  events: EventRecord[];
  /** Whether the derived metadata gives the package's dc.xml byte for byte. */
  dublinCoreMatches: boolean;
}

/** At most this many bytes of one metadata entry are read (a METS or PREMIS of 100,000 files is about 60 MB). */
export const MAX_METADATA_ENTRY_BYTES = 128 << 20;

const INGESTION = /record "(.*)" from (\S+) source(?:, kept unchanged and)? packaged as (\S+)$/s;
const SIP_METS = /^E-ARK SIP ".*?" \((.+?) SHA-256 [0-9a-f]{64}\)/s;

export async function readPackageFromStorage(
  driver: StorageDriver,
  key: string,
  size: number,
  id: string,
): Promise<PackageFromStorage> {
  const where = `${driver.name} "${key}"`;
  const direct = (start: number, end: number) => readRange(driver, key, start, end);
  const directory = await readZipDirectory(direct, size);
  const byName = new Map(directory.entries.map((e) => [e.name, e]));
  const bagged = byName.has(`${id}/bagit.txt`);
  const zipPrefix = bagged ? `data/${id}/` : '';
  const root = `${id}/${zipPrefix}`;
  const range = await metadataRegion(direct, directory.entries, root, directory.centralDirectoryOffset);
  const read = async (path: string): Promise<Buffer | undefined> => {
    const entry = byName.get(root + path);
    return entry && readStoredEntry(range, entry, MAX_METADATA_ENTRY_BYTES);
  };
  const need = async (path: string) => {
    const bytes = await read(path);
    if (!bytes) throw new RebuildError('package-entry-missing', `${where}: no entry "${root}${path}"`);
    return bytes.toString('utf8');
  };
  const mets = metsRoot(await need('METS.xml'), `${where} METS.xml`);
  if (attr(mets, 'OBJID') !== id) {
    throw new RebuildError('package-id', `${where}: METS OBJID "${attr(mets, 'OBJID')}" is not ${id}`);
  }
  const premis = premisRoot(await need('metadata/preservation/premis.xml'), `${where} premis.xml`);
  const events = readPremisEvents(premis, `${where} premis.xml`, id);
  const ingestion = events.find((e) => e.type === 'ingestion');
  const source = ingestion && INGESTION.exec(ingestion.detail);
  if (!source) throw new RebuildError('ingestion-event', `${where}: no ingestion event naming the record`);
  const [, sourceKey = '', sourceKind = '', profile = ''] = source;
  const modified = await modificationTimes(byName, root, range, where);
  const files: FileRecord[] = readPremisFiles(premis, id, `${where} premis.xml`).map((f) => ({
    packageId: id,
    path: f.path,
    entryPath: zipPrefix + f.entryPath,
    size: f.size,
    sha256: f.sha256,
    mimeType: f.mimeType,
    ...(f.format ? { format: f.format } : {}),
    modifiedAt: modified.get(f.entryPath) ?? missingTime(where, f.entryPath),
  }));
  const producer = new Map<string, Buffer>();
  for (const ref of producerFiles(mets, where)) {
    files.push({ ...ref, packageId: id, entryPath: zipPrefix + ref.entryPath });
    if (['record.json', 'erms.xml', 'bag-info.txt'].includes(ref.path)) {
      producer.set(ref.path, (await read(ref.entryPath)) as Buffer);
    }
  }
  const sipPath = SIP_METS.exec(ingestion?.detail ?? '')?.[1];
  const sipMets = sipPath ? await read(sipPath) : undefined;
  const metadata = withHeaderArchiveCreator(
    deriveMetadata({ kind: sourceKind, key: sourceKey, producer, ...(sipMets ? { sipMets } : {}) }, where),
    mets,
  );
  const createdAt = new Date(attr(kid(mets, 'metsHdr') as XmlNode, 'CREATEDATE') ?? '');
  return {
    id,
    label: attr(mets, 'LABEL') ?? metadata.title,
    profile,
    sourceKind,
    sourceKey,
    contentDigest: contentDigestOf(files),
    fileCount: files.length,
    createdAt,
    metadata,
    files,
    events,
    dublinCoreMatches: matchesDublinCore(metadata, sourceKey, await need('metadata/descriptive/dc.xml')),
  };
}

/** Bytes read in one request for the metadata entries, when they lie within this span. */
const METADATA_REGION_BYTES = 8 << 20;

/**
 * A range reader that serves the package's metadata entries from one read: bevara writes them after the record's
 * files, between the first of them and the central directory (with the schemas and the README). One request
 * instead of two per entry (on S3 that is most of the cost); other ranges, or a region too large, read directly.
 */
async function metadataRegion(
  direct: (start: number, end: number) => Promise<Buffer>,
  entries: ZipCentralEntry[],
  root: string,
  end: number,
): Promise<(start: number, end: number) => Promise<Buffer>> {
  const offsets = entries
    .filter((e) =>
      /^(METS\.xml|metadata\/|representations\/[^/]+\/METS\.xml$)/.test(e.name.slice(root.length)),
    )
    .map((e) => e.localHeaderOffset);
  const start = Math.min(...offsets);
  if (offsets.length === 0 || end - start > METADATA_REGION_BYTES) return direct;
  const region = await direct(start, end - 1);
  return (from, to) =>
    from >= start && to < end
      ? Promise.resolve(region.subarray(from - start, to - start + 1))
      : direct(from, to);
}

function metsRoot(xml: string, where: string): XmlNode {
  const parsed = parseXml(xml);
  if (!('root' in parsed))
    throw new RebuildError('mets-unreadable', `${where}: ${parsed.error} (line ${parsed.line})`);
  if (parsed.root.local !== 'mets' || !kid(parsed.root, 'metsHdr')) {
    throw new RebuildError('mets-unreadable', `${where}: not a METS document with a header`);
  }
  return parsed.root;
}

function missingTime(where: string, entryPath: string): never {
  throw new RebuildError('mets-file', `${where}: "${entryPath}" is not in the representation METS`);
}

/** Each content file's CREATED (its modification time at ingest) from the representation METS, by entry path. */
async function modificationTimes(
  byName: Map<string, ZipCentralEntry>,
  root: string,
  range: (start: number, end: number) => Promise<Buffer>,
  where: string,
): Promise<Map<string, Date>> {
  const out = new Map<string, Date>();
  for (const [name, entry] of byName) {
    const rep = /^representations\/([^/]+)\/METS\.xml$/.exec(name.slice(root.length));
    if (!name.startsWith(root) || !rep) continue;
    const text = (await readStoredEntry(range, entry, MAX_METADATA_ENTRY_BYTES)).toString('utf8');
    const mets = metsRoot(text, `${where} ${name}`);
    for (const file of walkFiles(mets)) {
      const href = attr(kid(file, 'FLocat') as XmlNode, 'href', NS.xlink) ?? '';
      out.set(`representations/${rep[1]}/${decodeURIComponent(href)}`, new Date(attr(file, 'CREATED') ?? ''));
    }
  }
  return out;
}

function* walkFiles(mets: XmlNode): Generator<XmlNode> {
  const groups = [...kids(kid(mets, 'fileSec') ?? mets, 'fileGrp')];
  while (groups.length > 0) {
    const group = groups.shift() as XmlNode;
    groups.push(...kids(group, 'fileGrp'));
    for (const file of kids(group, 'file')) if (kid(file, 'FLocat')) yield file;
  }
}

/** The producer's metadata files the root METS references from its dmdSecs (all but dc.xml). */
function producerFiles(mets: XmlNode, where: string): Omit<FileRecord, 'packageId'>[] {
  const out: Omit<FileRecord, 'packageId'>[] = [];
  for (const dmd of kids(mets, 'dmdSec')) {
    const ref = kid(dmd, 'mdRef');
    const href = ref && decodeURIComponent(attr(ref, 'href', NS.xlink) ?? '');
    if (!ref || !href?.startsWith('metadata/descriptive/') || href === 'metadata/descriptive/dc.xml')
      continue;
    const size = Number(attr(ref, 'SIZE'));
    const sha256 = attr(ref, 'CHECKSUM');
    if (!Number.isSafeInteger(size) || !sha256)
      throw new RebuildError('mets-mdref', `${where}: mdRef "${href}" is incomplete`);
    out.push({
      path: href.slice('metadata/descriptive/'.length),
      entryPath: href,
      size,
      sha256,
      mimeType: attr(ref, 'MIMETYPE') ?? '',
      modifiedAt: new Date(attr(ref, 'CREATED') ?? ''),
    });
  }
  return out;
}

/**
 * A record that names no archive creator was given the configured one at ingest (package/archival-description.ts);
 * the METS header's ARCHIVIST agent says which: its name, and its IDENTIFICATIONCODE notes, where the NAD-style
 * reference code is the one with a slash (`SE/<institution>/<id>`) and the organisation number the other.
 */
function withHeaderArchiveCreator(metadata: DescriptiveMetadata, mets: XmlNode): DescriptiveMetadata {
  if (metadata.archiveCreator) return metadata;
  const header = kid(mets, 'metsHdr');
  const agent = header && kids(header, 'agent').find((a) => attr(a, 'ROLE') === 'ARCHIVIST');
  const name = agent && kid(agent, 'name')?.text.trim();
  if (!agent || !name) return metadata;
  const codes = kids(agent, 'note').map((note) => note.text.trim());
  const referenceCode = codes.find((code) => code.includes('/'));
  const identificationCode = codes.find((code) => !code.includes('/'));
  return {
    ...metadata,
    archiveCreator: {
      name,
      ...(referenceCode ? { referenceCode } : {}),
      ...(identificationCode ? { identificationCode } : {}),
    },
  };
}
