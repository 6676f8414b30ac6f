/**
 * Reading the files of one stored copy of a package, each verified against its catalogued SHA-256 and size as it
 * streams. A copy's ZIP directory is read once with a few ranged reads; each file is then read with one ranged
 * request for its data alone (packages are stored uncompressed, so an entry's data is its bytes), never the whole
 * object. Shared by `bevara get`-like exports and the console's downloads.
 */
import type { CopyRecord, FileRecord } from '../model/package.js';
import { FixityError, NotFoundError, ValidationError } from '../errors.js';
import { createDigester } from '../fixity/digest.js';
import type { Location } from '../storage/index.js';
import { readRange } from '../storage/read-range.js';
import { type ZipCentralEntry, readZipDirectory } from '../zip/reader.js';

/** Local file header: fixed part, then the name and the extra field, whose lengths are at offsets 26 and 28. */
const LOCAL_HEADER_SIZE = 30;
const SIG_LOCAL = 0x04034b50;
const METHOD_STORED = 0;

const READ_ORDER: Record<CopyRecord['status'], number> = { verified: 0, stored: 1, failed: 2, missing: 3 };

/**
 * The copies worth reading, best first: verified, then stored, then (as a last resort, every byte being verified
 * anyway) failed ones; missing copies and copies in locations this configuration does not reach are left out.
 */
export function readableCopies(copies: CopyRecord[], locations: ReadonlyMap<string, Location>): CopyRecord[] {
  return copies
    .filter((c) => c.status !== 'missing' && locations.has(c.location))
    .sort((a, b) => READ_ORDER[a.status] - READ_ORDER[b.status]);
}

/** One copy opened for reading: its location and its ZIP entries by name. */
export interface OpenedCopy {
  copy: CopyRecord;
  location: Location;
  entries: ReadonlyMap<string, ZipCentralEntry>;
}

export async function openCopy(location: Location, copy: CopyRecord): Promise<OpenedCopy> {
  const size = (await location.driver.head(copy.key))?.size;
  if (size === undefined) throw new NotFoundError(`[access] copy ${copy.location}:${copy.key} is missing`);
  const directory = await readZipDirectory((s, e) => readRange(location.driver, copy.key, s, e), size);
  return { copy, location, entries: new Map(directory.entries.map((e) => [e.name, e])) };
}

/** The name of a catalogued file's entry in the package ZIP. */
export const entryNameOf = (file: FileRecord): string => `${file.packageId}/${file.entryPath}`;

/**
 * The bytes of one catalogued file from an opened copy, verified: the stream fails with a `FixityError` naming the
 * file and copy if its SHA-256 or size differs from the catalogue, after the last byte and before it ends.
 */
export async function* verifiedFileBytes(opened: OpenedCopy, file: FileRecord): AsyncGenerator<Buffer> {
  const where = `file "${file.path}" of package ${file.packageId} in copy ${opened.copy.location}:${opened.copy.key}`;
  const entry = opened.entries.get(entryNameOf(file));
  if (!entry) throw new NotFoundError(`[access] ${where}: the copy has no entry "${entryNameOf(file)}"`);
  if (entry.method !== METHOD_STORED || entry.size !== file.size)
    throw new ValidationError(
      'access-entry',
      `[access] ${where}: entry is compressed or its size differs from the catalogue`,
      { package: file.packageId, file: file.path },
    );
  const { driver } = opened.location;
  const key = opened.copy.key;
  const header = await readRange(
    driver,
    key,
    entry.localHeaderOffset,
    entry.localHeaderOffset + LOCAL_HEADER_SIZE - 1,
  );
  if (header.length < LOCAL_HEADER_SIZE || header.readUInt32LE(0) !== SIG_LOCAL)
    throw new ValidationError('access-entry', `[access] ${where}: no local header`, {
      package: file.packageId,
      file: file.path,
    });
  const start =
    entry.localHeaderOffset + LOCAL_HEADER_SIZE + header.readUInt16LE(26) + header.readUInt16LE(28);
  const digester = createDigester('SHA-256');
  let size = 0;
  if (file.size > 0) {
    for await (const chunk of await driver.get(key, { range: { start, end: start + file.size - 1 } })) {
      const piece = chunk as Buffer;
      digester.update(piece);
      size += piece.length;
      yield piece;
    }
  }
  const actual = digester.hex();
  if (actual !== file.sha256 || size !== file.size)
    throw new FixityError(`[access] ${where} does not match its digest`, 'SHA-256', file.sha256, actual, {
      package: file.packageId,
      file: file.path,
      key: `${opened.copy.location}:${key}`,
    });
}

/** A small catalogued file (the producer's record.json, an ERMS export) read whole, verified. */
export async function verifiedFileBuffer(opened: OpenedCopy, file: FileRecord): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of verifiedFileBytes(opened, file)) chunks.push(chunk);
  return Buffer.concat(chunks);
}
