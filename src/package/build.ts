/**
 * Builds one package as a single streamed ZIP, in one pass over the record:
 *
 *   source file ──read once──► file SHA-256 ─► ZIP entry (CRC-32) ─► package SHA-256 ─► storage put(s)
 *
 * Content files go first (representations/<rep>/data/...), then the metadata made from what was measured on the
 * way: dc.xml, the producer's record.json, premis.xml, the representation METS, and the root METS last.
 * Memory stays bounded: chunks flow through; only the small metadata documents are held whole.
 */

import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { EventRecord, FileFormat, FileRecord } from '../model/package.js';
import { ValidationError } from '../errors.js';
import { createDigester, sha256Hex } from '../fixity/digest.js';
import { createFormatIdentifier } from '../formats/identify.js';
import type { FormatIdentification } from '../formats/types.js';
import { buildDublinCore } from '../metadata/dublin-core.js';
import { buildRootMets, representationMetsParts } from '../metadata/mets.js';
import { buildRepresentationPremis, premisParts } from '../metadata/premis.js';
import type { MetadataFileRef, PackageDescription, PackagedFile, SoftwareAgent } from '../metadata/types.js';
import type { XmlParts } from '../metadata/xml.js';
import { ERMS_FILE_NAME } from '../sources/erms-file.js';
import type { SourceRecord } from '../sources/types.js';
import { memoryPackage } from '../validation/memory-package.js';
import { validateOpened } from '../validation/validate-package.js';
import { bagEntries } from './bag-layout.js';
import type { Profile } from './profile.js';
import { packageGuide, schemaFiles } from './self-description.js';
import { createZipStream, type ZipEntrySource } from '../zip/writer.js';
import { createEvent, type EventType, softwareAgentId } from '../metadata/events.js';

export interface BuildPackageInput {
  record: SourceRecord;
  profile: Profile;
  packageId: string;
  agent: SoftwareAgent;
  now: () => Date;
  /** Identifier of the run, linked from the events. */
  runId?: string;
  /** Fed every chunk of every content file as it is read (progress reporting). */
  onSourceBytes?: (bytes: number) => void;
  /**
   * The package's PREMIS events in place of the ingest events (message digest calculation, ingestion): a DIP
   * carries the dissemination that made it.
   */
  events?: EventRecord[];
}

export interface BuiltPackage {
  description: PackageDescription;
  /**
   * Every file from the source record: content files and the producer's metadata file. Empty when the list was
   * spilled to `filesSpill` (by a packaging thread, see `spillFiles`).
   */
  files: FileRecord[];
  /** How many files the package holds (`files.length` unless spilled). */
  fileCount: number;
  /** NDJSON file holding `files` (see `readSpilledFiles`); the receiver removes it. */
  filesSpill?: string;
  /** Size of the whole ZIP in bytes. */
  size: number;
  /** Hex SHA-256 of the whole ZIP. */
  sha256: string;
  /** SHA-256 over the sorted (path, sha256) list of `files`: the identity of the record's content. */
  contentDigest: string;
}

export interface PackageBuild {
  /** The ZIP bytes. Consume it exactly once (e.g. pass it to a storage put). */
  stream: Readable;
  /** Resolves when the stream has been fully consumed; rejects with the first error of the build. */
  done: Promise<BuiltPackage>;
  /** Hex SHA-256 of the whole ZIP; available once the stream has ended. */
  sha256(): string;
}

export function buildPackage(input: BuildPackageInput): PackageBuild {
  const { record, profile, packageId } = input;
  const createdAt = input.now();
  // The E-ARK package's folder inside the ZIP: the root folder, or the payload of a bag named like it.
  const bagged = profile.layout === 'bagit';
  const zipPrefix = bagged ? `data/${packageId}/` : '';
  // Entries are named as in an unbagged package; bagEntries moves them under `<id>/data/`.
  const root = bagged ? `${packageId}/${packageId}/` : `${packageId}/`;
  const dataPrefix = `representations/${profile.representation}/data/`;
  const files: PackagedFile[] = [];
  // What the E-ARK rules are checked against once the ZIP is written: every entry's path and size, and the METS.
  const entryList: { path: string; size: number }[] = [];
  const metsTexts = new Map<string, string | Buffer[]>();
  const extraFiles: FileRecord[] = [];
  let description: PackageDescription | undefined;

  async function* entries(): AsyncGenerator<ZipEntrySource> {
    yield* dataEntries(input, root, dataPrefix, files);
    const digestedAt = input.now();
    description = describe(input, createdAt, files, digestedAt);
    yield* metadataEntries(input, root, description, digestedAt, { extraFiles, metsTexts });
  }

  const packageDigester = createDigester('SHA-256');
  let size = 0;
  const stream = new Transform({
    highWaterMark: 256 << 10,
    transform(chunk: Buffer, _encoding, callback) {
      packageDigester.update(chunk);
      size += chunk.length;
      callback(null, chunk);
    },
  });
  async function* listed(): AsyncGenerator<ZipEntrySource> {
    for await (const entry of entries()) {
      entryList.push({ path: entry.name.slice(root.length), size: entry.size ?? 0 });
      yield entry;
    }
  }
  const zipEntries = bagged
    ? bagEntries(listed(), `${packageId}/`, {
        labels: bagInfoLabels(record, profile, packageId),
        baggedAt: createdAt,
      })
    : listed();
  const done = pipeline(createZipStream(zipEntries), stream).then(async (): Promise<BuiltPackage> => {
    if (!description) throw new Error(`[package] ${packageId}: ZIP ended before its metadata was written`);
    await checkWrittenPackage(packageId, profile, record.key, entryList, metsTexts);
    entryList.length = 0;
    // The catalog's entry paths are relative to the ZIP's root folder, so audit and restore find them in bags too.
    // Completed in place (the metadata that needed them as they were is written): one object per file, not three.
    for (const f of files as FileRecord[]) {
      f.packageId = packageId;
      f.entryPath = zipPrefix + f.entryPath;
    }
    for (const f of extraFiles) f.entryPath = zipPrefix + f.entryPath;
    const all = (files as FileRecord[]).concat(extraFiles);
    return {
      description,
      files: all,
      size,
      sha256: packageDigester.hex(),
      contentDigest: contentDigestOf(all),
      fileCount: all.length,
    };
  });
  return { stream, done, sha256: () => packageDigester.hex() };
}

/**
 * The record's files under `<root><dataPrefix>`, each digested and identified from the bytes as they are zipped;
 * each is pushed to `files` once the ZIP writer has consumed it.
 */
async function* dataEntries(
  input: BuildPackageInput,
  root: string,
  dataPrefix: string,
  files: PackagedFile[],
): AsyncGenerator<ZipEntrySource> {
  for (const file of input.record.files) {
    const digester = createDigester('SHA-256');
    // Identified from the same chunks as the digest: still one read of each byte.
    const identifier = createFormatIdentifier();
    const entryPath = dataPrefix + file.path;
    yield {
      name: root + entryPath,
      mtime: file.modifiedAt,
      size: file.size,
      data: tap(
        file.open(),
        (chunk) => {
          digester.update(chunk);
          identifier.update(chunk);
        },
        input.onSourceBytes,
      ),
    };
    const identified = identifier.result();
    // The ZIP writer pulls the next entry only after this one's data is consumed: the digest is complete.
    files.push({
      path: file.path,
      entryPath,
      size: file.size,
      sha256: digester.hex(),
      mimeType: identified.mimeType,
      format: fileFormat(identified),
      modifiedAt: file.modifiedAt,
    });
  }
}

/**
 * The metadata written after the files: Dublin Core, the producer's own metadata files (added to `extraFiles`
 * for the catalog), PREMIS, the representation METS, the guide, the schemas and last the root METS (both METS
 * texts kept in `metsTexts` for the check after writing).
 */
async function* metadataEntries(
  input: BuildPackageInput,
  root: string,
  description: PackageDescription,
  digestedAt: Date,
  out: { extraFiles: FileRecord[]; metsTexts: Map<string, string | Buffer[]> },
): AsyncGenerator<ZipEntrySource> {
  const { record, profile, packageId } = input;
  const descriptive: MetadataFileRef[] = [];
  const dc = metadataFile(
    'metadata/descriptive/dc.xml',
    buildDublinCore(description),
    'text/xml',
    digestedAt,
  );
  descriptive.push(dc.ref);
  yield dc.entry(root);
  for (const producerFile of record.metadataFiles) {
    const original = metadataFile(
      `metadata/descriptive/${producerFile.name}`,
      producerFile.bytes,
      producerFile.mimeType,
      producerFile.modifiedAt,
    );
    descriptive.push(original.ref);
    out.extraFiles.push({
      packageId,
      path: producerFile.name,
      entryPath: original.ref.path,
      size: original.ref.size,
      sha256: original.ref.sha256,
      mimeType: producerFile.mimeType,
      modifiedAt: producerFile.modifiedAt,
    });
    yield original.entry(root);
  }
  const premis = partsFile(
    'metadata/preservation/premis.xml',
    premisParts(description, record.submission ? { submission: record.submission } : {}),
    'text/xml',
    digestedAt,
  );
  yield premis.entry(root);
  const repPremis = metadataFile(
    `representations/${profile.representation}/metadata/preservation/premis.xml`,
    buildRepresentationPremis(description),
    'text/xml',
    digestedAt,
  );
  yield repPremis.entry(root);
  // The check after writing reads the representation METS as the write pass made it: generated twice, not three times.
  const written: Buffer[] = [];
  const repMets = partsFile(
    `representations/${profile.representation}/METS.xml`,
    representationMetsParts(description, repPremis.ref),
    'text/xml',
    digestedAt,
  );
  // Kept for the check only up to CHECKED_REP_METS_BYTES: a larger one is parsed whole at about 30 bytes a byte.
  const checked = repMets.ref.size <= CHECKED_REP_METS_BYTES;
  yield repMets.entry(root, checked ? (chunk) => written.push(chunk) : undefined);
  if (checked) out.metsTexts.set(repMets.ref.path, written);
  const guide = metadataFile('documentation/README.txt', packageGuide(description), 'text/plain', digestedAt);
  yield guide.entry(root);
  const schemas: MetadataFileRef[] = [];
  const erms = record.metadataFiles.some((f) => f.name === ERMS_FILE_NAME);
  for (const [name, bytes] of schemaFiles({ erms })) {
    const schema = metadataFile(`schemas/${name}`, bytes, 'application/xml', digestedAt);
    schemas.push(schema.ref);
    yield schema.entry(root);
  }
  const rootMets = buildRootMets(description, {
    descriptive,
    preservation: [premis.ref],
    representationMets: repMets.ref,
    schemas,
    documentation: [guide.ref],
  });
  yield metadataFile('METS.xml', rootMets, 'text/xml', digestedAt).entry(root);
  out.metsTexts.set('METS.xml', rootMets);
}

/**
 * Largest representation METS the check after writing parses (about 13,000 files): it is parsed whole, at about
 * 30 bytes of memory a byte, so a 100,000-file record's 32 MB METS cost most of a gigabyte. A larger one is written
 * by the same code as the smaller ones the check covers, and its rules are left to `bevara validate` (which reads it
 * when `ingest.maxMetsMiB` allows); the root METS and every entry's path and size are still checked.
 */
export const CHECKED_REP_METS_BYTES = 4 << 20;

/**
 * Checks the package just written against the E-ARK CSIP (and SIP) rules, from its file list and METS held in
 * memory: every reference, size, structure and header rule, in milliseconds. The XML schemas are checked by the
 * tests for every profile, and the checksums were computed from the bytes themselves. A MUST failure is a bug in
 * bevara: the package is refused (and its copies removed) rather than archived.
 */
async function checkWrittenPackage(
  packageId: string,
  profile: Profile,
  record: string,
  entryList: { path: string; size: number }[],
  metsTexts: ReadonlyMap<string, string | Buffer[]>,
): Promise<void> {
  const texts = new Map(
    [...metsTexts].map(([path, text]) => [path, typeof text === 'string' ? text : Buffer.concat(text)]),
  );
  const result = await validateOpened(memoryPackage(packageId, entryList, texts), {
    profile: profile.packageType === 'SIP' ? 'sip' : 'csip',
    schema: false,
    verifyChecksums: false,
    // Our own METS, already in memory: the input limit on METS files does not apply to what we wrote, except
    // that a representation METS over CHECKED_REP_METS_BYTES was not kept (see below).
    maxMetsBytes: Number.POSITIVE_INFINITY,
    skipMets: (path) => !metsTexts.has(path),
  });
  const must = result.findings.filter((f) => f.level === 'MUST');
  if (must.length > 0) {
    throw new ValidationError(
      'aip-invalid',
      `[package] ${packageId} breaks E-ARK requirements: ${must
        .slice(0, 5)
        .map((f) => `${f.id} (${f.location.file}): ${f.message}`)
        .join('; ')}`,
      { record, package: packageId },
    );
  }
}

/** bag-info.txt of a bagged package: the E-ARK BagIt profile's required labels, from the record and profile. */
function bagInfoLabels(record: SourceRecord, profile: Profile, packageId: string): [string, string][] {
  const org = profile.header?.submittingAgent?.name ?? record.metadata.creator ?? 'unknown';
  return [
    ['Source-Organization', org],
    ['Organization-Address', profile.header?.submittingAgent?.address ?? 'not given'],
    ['External-Identifier', packageId],
    ['External-Description', record.metadata.title],
    ['E-ARK-Package-Type', profile.packageType],
    ['E-ARK-Specification-Version', '2.1.0'],
  ];
}

/** Passes chunks through while feeding them to a digest (and a progress counter). */
async function* tap(
  source: Readable,
  update: (chunk: Uint8Array) => void,
  onBytes?: (n: number) => void,
): AsyncIterable<Uint8Array> {
  for await (const chunk of source) {
    update(chunk as Buffer);
    onBytes?.((chunk as Buffer).length);
    yield chunk as Buffer;
  }
}

function fileFormat(identified: FormatIdentification): FileFormat {
  return {
    basis: identified.basis,
    ...(identified.puid ? { puid: identified.puid } : {}),
    ...(identified.formatName ? { name: identified.formatName } : {}),
    ...(identified.formatVersion ? { version: identified.formatVersion } : {}),
  };
}

async function* once(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}

/** Parts of a generated document are written in chunks of about this size (fewer, larger ZIP writes). */
const PART_CHUNK = 64 << 10;

/** A generated document up to this size is kept from the pass that measures it and written from memory. */
const KEEP_GENERATED_BYTES = 1 << 20;

/**
 * A generated document written from its parts (see `buildXmlParts`) without being held whole when large: one
 * pass measures its size and SHA-256 for the METS that references it, and keeps its chunks while they come to
 * at most KEEP_GENERATED_BYTES (most records: a few KB per file), which are then written as they are; a larger
 * document is generated a second time to be written (and its chunks handed to `keep`, when the caller keeps
 * them), so memory stays flat whatever the number of files.
 */
function partsFile(path: string, parts: XmlParts, mimeType: string, createdAt: Date) {
  const digester = createDigester('SHA-256');
  let size = 0;
  let kept: Buffer[] | undefined = [];
  for (const chunk of chunked(parts)) {
    digester.update(chunk);
    size += chunk.length;
    if (kept && size <= KEEP_GENERATED_BYTES) kept.push(chunk);
    else kept = undefined;
  }
  const ref: MetadataFileRef = { path, size, sha256: digester.hex(), mimeType, createdAt };
  return {
    ref,
    entry: (root: string, keep?: (chunk: Buffer) => void): ZipEntrySource => ({
      name: root + path,
      mtime: createdAt,
      size,
      data: toAsync(kept ?? chunked(parts), keep),
    }),
  };
}

/** The parts' UTF-8 bytes, in buffers of about PART_CHUNK bytes. */
function* chunked(parts: XmlParts): Generator<Buffer> {
  let pending: string[] = [];
  let length = 0;
  for (const part of parts()) {
    pending.push(part);
    length += part.length;
    if (length >= PART_CHUNK) {
      yield Buffer.from(pending.join(''), 'utf8');
      pending = [];
      length = 0;
    }
  }
  if (pending.length > 0) yield Buffer.from(pending.join(''), 'utf8');
}

async function* toAsync(chunks: Iterable<Buffer>, keep?: (chunk: Buffer) => void): AsyncIterable<Uint8Array> {
  for (const chunk of chunks) {
    keep?.(chunk);
    yield chunk;
  }
}

function metadataFile(path: string, content: string | Buffer, mimeType: string, createdAt: Date) {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  const ref: MetadataFileRef = { path, size: bytes.length, sha256: sha256Hex(bytes), mimeType, createdAt };
  return {
    ref,
    entry: (root: string): ZipEntrySource => ({
      name: root + path,
      mtime: createdAt,
      size: bytes.length,
      data: once(bytes),
    }),
  };
}

function describe(
  input: BuildPackageInput,
  createdAt: Date,
  files: PackagedFile[],
  digestedAt: Date,
): PackageDescription {
  const { record, profile, packageId, agent } = input;
  const event = (type: EventType, detail: string): EventRecord =>
    createEvent({
      type,
      packageId,
      at: digestedAt,
      detail,
      agent: softwareAgentId(agent),
      runId: input.runId,
    });
  return {
    id: packageId,
    label: record.metadata.title,
    createdAt,
    packageType: profile.packageType,
    contentInformationType: profile.contentInformationType,
    profileName: profile.name,
    ...(profile.header ? { header: profile.header } : {}),
    agent,
    source: { kind: record.kind, key: record.key },
    descriptive: record.metadata,
    representationId: profile.representation,
    files,
    events: input.events ?? [
      event('message digest calculation', `SHA-256 of ${files.length} file(s) computed while packaging`),
      event('ingestion', ingestionDetail(input, files)),
    ],
  };
}

/**
 * What the ingestion event says: the record and source, and for a SIP its OBJID and the SHA-256 of its METS as
 * packaged (the SIP itself is among the content files, unchanged).
 */
function ingestionDetail({ record, profile }: BuildPackageInput, files: PackagedFile[]): string {
  const packaged = `packaged as ${profile.name}`;
  const sip = record.submission;
  if (!sip) return `record "${record.key}" from ${record.kind} source ${packaged}`;
  const mets = files.find((f) => f.path === sip.metsPath);
  const metsDigest = mets ? ` (${mets.entryPath} SHA-256 ${mets.sha256})` : '';
  return `E-ARK SIP "${sip.objid}"${metsDigest}, record "${record.key}" from ${record.kind} source, kept unchanged and ${packaged}`;
}

export function contentDigestOf(files: Pick<FileRecord, 'path' | 'sha256'>[]): string {
  const lines = files.map((f) => `${f.path}\u0000${f.sha256}\n`).sort();
  return sha256Hex(lines.join(''));
}
