/**
 * ZIP reading for audits and unpacking: `readZipDirectory` finds and parses the central directory with ranged
 * reads from the end of the object; `walkZip` then streams the whole object once, front to back, checking each
 * local header and data descriptor against the directory and the CRC-32 of each entry's data.
 *
 * Only the store method (0) is read. The layout must be the plain one our writer and Info-ZIP produce: entries
 * back to back from offset 0, the central directory right after the last one, then the end records, and nothing
 * after the end of central directory record but its comment.
 */
import { crc32 } from 'node:zlib';
import { ValidationError } from '../errors.js';
import {
  ByteReader,
  CENTRAL_HEADER_SIZE,
  decodeEntryName,
  EOCD_SIZE,
  EXTRA_TIMESTAMP,
  EXTRA_ZIP64,
  FLAG_DATA_DESCRIPTOR,
  FLAG_ENCRYPTED,
  fromDosDateTime,
  LOCAL_HEADER_SIZE,
  METHOD_STORED,
  parseExtraFields,
  readUInt64LE,
  SIG_CENTRAL,
  SIG_DESCRIPTOR,
  SIG_EOCD,
  SIG_LOCAL,
  SIG_ZIP64_EOCD,
  SIG_ZIP64_LOCATOR,
  U16_MAX,
  U32_MAX,
  type Where,
  ZIP64_EOCD_SIZE,
  ZIP64_LOCATOR_SIZE,
} from './format.js';

/** One central directory entry. Folder entries (written by some tools, not by ours) have names ending in "/". */
export interface ZipCentralEntry {
  /** Path inside the archive, decoded (UTF-8, or CP437 for old archives without the UTF-8 flag). */
  name: string;
  /** Offset of the entry's local header from the start of the archive. */
  localHeaderOffset: number;
  /** Bytes of (stored or compressed) data. Equals `size` for the store method. */
  compressedSize: number;
  /** Bytes of the entry once extracted. */
  size: number;
  /** CRC-32 of the extracted data, unsigned, as recorded in the central directory. */
  crc32: number;
  /** Compression method: 0 stored, 8 deflate. */
  method: number;
  /** General purpose bit flags. */
  flags: number;
  /** The UTC extended timestamp (0x5455) when present, otherwise the DOS date/time read as local time. */
  mtime: Date;
}

export interface ZipDirectory {
  /** Entries in central directory order. */
  entries: ZipCentralEntry[];
  /** Offset of the central directory, which is also where the last entry must end. */
  centralDirectoryOffset: number;
  /** Size in bytes of the whole archive. */
  archiveSize: number;
}

/** Reads the inclusive byte range [start, endInclusive] of the archive. */
export type ZipRangeReader = (start: number, endInclusive: number) => Promise<Buffer>;

/** Tail read: EOCD with the longest comment, the ZIP64 locator and the ZIP64 record before it. */
const TAIL_SIZE = EOCD_SIZE + U16_MAX + ZIP64_LOCATOR_SIZE + ZIP64_EOCD_SIZE;

function fail(rule: string, message: string, file?: string): never {
  throw new ValidationError(rule, `[zip] ${message}`, file === undefined ? {} : { file });
}

/** Locates and parses the central directory with a few ranged reads from the end (EOCD, ZIP64 locator/record). */
export async function readZipDirectory(
  readRange: ZipRangeReader,
  archiveSize: number,
): Promise<ZipDirectory> {
  if (!Number.isSafeInteger(archiveSize) || archiveSize < EOCD_SIZE) {
    fail(
      'zip-eocd-missing',
      `archive of ${archiveSize} bytes is too small to hold an end of central directory`,
    );
  }
  const tailStart = Math.max(0, archiveSize - TAIL_SIZE);
  const tail = await readExact(readRange, tailStart, archiveSize - tailStart);
  const slice = (start: number, length: number): Promise<Buffer> =>
    start >= tailStart && start + length <= archiveSize
      ? Promise.resolve(tail.subarray(start - tailStart, start - tailStart + length))
      : readExact(readRange, start, length);

  const eocdAt = tailStart + findEocd(tail);
  const eocd = tail.subarray(eocdAt - tailStart);
  let count = eocd.readUInt16LE(10);
  let cdSize = eocd.readUInt32LE(12);
  let cdOffset = eocd.readUInt32LE(16);
  let cdEnd = eocdAt;
  const locatorAt = eocdAt - ZIP64_LOCATOR_SIZE;
  const locator = locatorAt >= 0 ? await slice(locatorAt, ZIP64_LOCATOR_SIZE) : undefined;
  if (locator && locator.readUInt32LE(0) === SIG_ZIP64_LOCATOR) {
    if (locator.readUInt32LE(4) !== 0) fail('zip-multi-disk', 'multi-disk archives are not supported');
    const recordAt = readUInt64LE(locator, 8, 'ZIP64 locator');
    if (recordAt + ZIP64_EOCD_SIZE > locatorAt)
      fail('zip-zip64-eocd', `ZIP64 end record offset ${recordAt} invalid`);
    const record = await slice(recordAt, ZIP64_EOCD_SIZE);
    if (record.readUInt32LE(0) !== SIG_ZIP64_EOCD)
      fail('zip-zip64-eocd', `no ZIP64 end record at ${recordAt}`);
    if (recordAt + 12 + readUInt64LE(record, 4, 'ZIP64 end record') !== locatorAt) {
      fail('zip-zip64-eocd', `ZIP64 end record at ${recordAt} does not end at the locator (${locatorAt})`);
    }
    if (record.readUInt32LE(16) !== 0 || record.readUInt32LE(20) !== 0) {
      fail('zip-multi-disk', 'multi-disk archives are not supported');
    }
    count = readUInt64LE(record, 32, 'ZIP64 end record');
    cdSize = readUInt64LE(record, 40, 'ZIP64 end record');
    cdOffset = readUInt64LE(record, 48, 'ZIP64 end record');
    cdEnd = recordAt;
  } else if (eocd.readUInt16LE(4) !== 0 || eocd.readUInt16LE(6) !== 0) {
    fail('zip-multi-disk', 'multi-disk archives are not supported');
  }
  if (cdOffset + cdSize !== cdEnd) {
    fail(
      'zip-central-directory',
      `central directory (${cdSize} bytes at offset ${cdOffset}) does not end where the end records start (${cdEnd})`,
    );
  }
  const cd = cdSize === 0 ? Buffer.alloc(0) : await slice(cdOffset, cdSize);
  const entries = parseCentralDirectory(cd, cdOffset, count);
  checkLayout(entries, cdOffset);
  return { entries, centralDirectoryOffset: cdOffset, archiveSize };
}

/**
 * Every entry's bytes (local header, name, data) lie before the central directory and apart from every other
 * entry's. Central-directory entries that share or overlap their data are how a small archive claims to hold
 * gigabytes (each entry reading the same compressed bytes again): such an archive is refused before any data is
 * read. Extra fields are not counted and a name counts one byte a character (its length in CP437, at most its UTF-8
 * length), so this is the least each entry takes: a well-formed archive always passes.
 */
function checkLayout(entries: readonly ZipCentralEntry[], cdOffset: number): void {
  const spans = entries
    .map((e) => ({
      name: e.name,
      start: e.localHeaderOffset,
      end: e.localHeaderOffset + LOCAL_HEADER_SIZE + e.name.length + e.compressedSize,
    }))
    .sort((a, b) => a.start - b.start);
  for (let i = 0; i < spans.length; i++) {
    const span = spans[i] as (typeof spans)[number];
    const next = spans[i + 1];
    if (next && next.start < span.end)
      fail(
        'zip-overlapping-entries',
        `entries "${span.name}" and "${next.name}" share bytes (one archive region read as two entries)`,
      );
    if (span.end > cdOffset)
      fail('zip-entry-bounds', `entry "${span.name}" runs past the start of the central directory`);
  }
}

async function readExact(readRange: ZipRangeReader, start: number, length: number): Promise<Buffer> {
  const buf = await readRange(start, start + length - 1);
  if (buf.length !== length) {
    fail('zip-truncated', `read of ${length} bytes at offset ${start} returned ${buf.length} bytes`);
  }
  return buf;
}

/** Position in `tail` of the EOCD whose comment ends exactly at the end of the archive. */
function findEocd(tail: Buffer): number {
  let trailing = false;
  for (let pos = tail.length - EOCD_SIZE; pos >= 0; pos--) {
    if (tail.readUInt32LE(pos) !== SIG_EOCD) continue;
    const end = pos + EOCD_SIZE + tail.readUInt16LE(pos + 20);
    if (end === tail.length) return pos;
    if (end < tail.length) trailing = true;
  }
  if (trailing) fail('zip-trailing-data', 'bytes follow the end of central directory record');
  return fail('zip-eocd-missing', 'no end of central directory record (not a ZIP, or truncated)');
}

function parseCentralDirectory(cd: Buffer, cdOffset: number, count: number): ZipCentralEntry[] {
  const entries: ZipCentralEntry[] = [];
  let pos = 0;
  while (pos < cd.length) {
    if (pos + CENTRAL_HEADER_SIZE > cd.length || cd.readUInt32LE(pos) !== SIG_CENTRAL) {
      fail('zip-central-directory', `no central directory header at offset ${cdOffset + pos}`);
    }
    const flags = cd.readUInt16LE(pos + 8);
    const nameLength = cd.readUInt16LE(pos + 28);
    const extraLength = cd.readUInt16LE(pos + 30);
    const next = pos + CENTRAL_HEADER_SIZE + nameLength + extraLength + cd.readUInt16LE(pos + 32);
    if (next > cd.length)
      fail('zip-central-directory', `header at offset ${cdOffset + pos} overruns the directory`);
    const nameStart = pos + CENTRAL_HEADER_SIZE;
    const extras = parseExtraFields(
      cd.subarray(nameStart + nameLength, nameStart + nameLength + extraLength),
    );
    const name = decodeEntryName(cd.subarray(nameStart, nameStart + nameLength), flags, extras);
    // Values whose 32-bit field is 0xFFFFFFFF are in the ZIP64 extra field, in this order.
    const wide = [cd.readUInt32LE(pos + 24), cd.readUInt32LE(pos + 20), cd.readUInt32LE(pos + 42)];
    const zip64 = extras.get(EXTRA_ZIP64);
    let at = 0;
    for (let i = 0; i < wide.length; i++) {
      if (wide[i] !== U32_MAX) continue;
      if (!zip64 || at + 8 > zip64.length)
        fail('zip-central-directory', `entry "${name}": ZIP64 field missing`, name);
      wide[i] = readUInt64LE(zip64, at, `entry "${name}"`);
      at += 8;
    }
    const [size = 0, compressedSize = 0, localHeaderOffset = 0] = wide;
    if (cd.readUInt16LE(pos + 34) !== 0 && cd.readUInt16LE(pos + 34) !== U16_MAX) {
      fail('zip-multi-disk', `entry "${name}" starts on another disk`, name);
    }
    // A Unix symbolic link stored as an entry (host 3, S_IFLNK in the external attributes) would be unpacked as a
    // regular file holding its target's path, or as a link elsewhere: neither belongs in a package.
    const unixMode = cd.readUInt8(pos + 5) === 3 ? cd.readUInt32LE(pos + 38) >>> 16 : 0;
    if ((unixMode & 0o170000) === 0o120000)
      fail('zip-symlink-entry', `entry "${name}" is a symbolic link`, name);
    if (localHeaderOffset + LOCAL_HEADER_SIZE > cdOffset) {
      fail(
        'zip-central-directory',
        `entry "${name}": local header offset ${localHeaderOffset} out of range`,
        name,
      );
    }
    entries.push({
      name,
      localHeaderOffset,
      compressedSize,
      size,
      crc32: cd.readUInt32LE(pos + 16),
      method: cd.readUInt16LE(pos + 10),
      flags,
      mtime: entryMtime(extras.get(EXTRA_TIMESTAMP), cd.readUInt16LE(pos + 14), cd.readUInt16LE(pos + 12)),
    });
    pos = next;
  }
  if (entries.length !== count) {
    fail(
      'zip-central-directory',
      `central directory holds ${entries.length} entries, end record says ${count}`,
    );
  }
  return entries;
}

function entryMtime(timestamp: Buffer | undefined, dosDate: number, dosTime: number): Date {
  if (timestamp && timestamp.length >= 5 && (timestamp[0] ?? 0) & 1)
    return new Date(timestamp.readInt32LE(1) * 1000);
  return fromDosDateTime(dosDate, dosTime);
}

/** Receives one entry's bytes during `walkZip`; a returned promise is awaited (backpressure). */
export interface ZipEntrySink {
  /** Receives the next piece of data: a view of the stream's chunk, valid as long as the source keeps it. */
  write(chunk: Uint8Array): void | Promise<void>;
  /** Called after the entry's last byte, before its CRC-32 is compared. */
  end(): void | Promise<void>;
  /** The sink checks a stronger digest of the same bytes (SHA-256): skip CRC-32 for this entry. */
  readonly skipCrc?: boolean;
}

/** CRC-32 computed over an entry's data while walking, and whether it matches the central directory. */
export interface ZipEntryCheck {
  entry: ZipCentralEntry;
  /** CRC-32 of the bytes actually read; undefined when the entry's sink asked to skip it. */
  crc32?: number;
  /** Whether `crc32` equals `entry.crc32`; undefined when not computed. */
  crcOk?: boolean;
}

export interface ZipWalkHandlers {
  /** Returns where the entry's bytes go, or undefined to skip them (they are still checked). */
  onEntry?: (entry: ZipCentralEntry) => ZipEntrySink | undefined;
  /** Receives every byte of the archive in order, as read from the stream (for the whole-object digest). */
  onBytes?: (chunk: Uint8Array) => void;
}

/**
 * Walks the whole archive once, in order, from a stream of all its bytes: checks each local header against the
 * central directory, hands each entry's bytes to the sink that onEntry returns (or skips the entry when it
 * returns undefined), verifies CRC-32 per entry, and hands every byte of the archive to onBytes (for the
 * whole-object digest). Per-entry CRC mismatches are reported in the result, not thrown, so that one bad file
 * does not hide the others; structural damage (bad signature, truncation, local/central mismatch) throws.
 * Results are in archive order. A sink has received the data before its CRC is known: check the result.
 */
export async function walkZip(
  stream: AsyncIterable<Uint8Array>,
  directory: ZipDirectory,
  handlers: ZipWalkHandlers = {},
): Promise<ZipEntryCheck[]> {
  const ordered = [...directory.entries].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
  const iterator = stream[Symbol.asyncIterator]();
  const reader = new ByteReader(iterator, handlers.onBytes);
  let finished = false;
  try {
    const results: ZipEntryCheck[] = [];
    for (let i = 0; i < ordered.length; i++) {
      const entry = ordered[i] as ZipCentralEntry;
      const next = ordered[i + 1]?.localHeaderOffset ?? directory.centralDirectoryOffset;
      results.push(await walkEntry(reader, entry, next, handlers.onEntry));
    }
    if (reader.offset !== directory.centralDirectoryOffset) {
      fail(
        'zip-layout',
        `${directory.centralDirectoryOffset - reader.offset} unaccounted bytes before the central directory`,
      );
    }
    const total = await reader.drain();
    finished = true;
    if (total < directory.archiveSize)
      fail('zip-truncated', `stream ended at ${total} of ${directory.archiveSize} bytes`);
    if (total > directory.archiveSize)
      fail('zip-trailing-data', `stream holds ${total} bytes, archive is ${directory.archiveSize}`);
    return results;
  } finally {
    if (!finished) await iterator.return?.();
  }
}

async function walkEntry(
  reader: ByteReader,
  entry: ZipCentralEntry,
  nextOffset: number,
  onEntry: ZipWalkHandlers['onEntry'],
): Promise<ZipEntryCheck> {
  const at = `entry "${entry.name}" at offset ${entry.localHeaderOffset}`;
  const where: Where = { at, file: entry.name };
  const broken = (rule: string, why: string): never => fail(rule, `${at}: ${why}`, entry.name);
  if (reader.offset !== entry.localHeaderOffset)
    broken('zip-layout', `archive is at offset ${reader.offset} instead`);
  const header = await reader.read(LOCAL_HEADER_SIZE, where);
  if (header.readUInt32LE(0) !== SIG_LOCAL) broken('zip-local-header', 'no local header signature');
  const flags = header.readUInt16LE(6);
  const method = header.readUInt16LE(8);
  const nameLength = header.readUInt16LE(26);
  const variable = await reader.read(nameLength + header.readUInt16LE(28), where);
  const extras = parseExtraFields(variable.subarray(nameLength));
  const name = decodeEntryName(variable.subarray(0, nameLength), flags, extras);
  if (name !== entry.name) broken('zip-local-header', `local header names it ${JSON.stringify(name)}`);
  if (method !== entry.method)
    broken('zip-local-header', `method ${method} differs from central ${entry.method}`);
  if ((flags ^ entry.flags) & (FLAG_DATA_DESCRIPTOR | FLAG_ENCRYPTED))
    broken('zip-local-header', 'flags differ');
  if (flags & FLAG_ENCRYPTED) broken('zip-unsupported-method', 'encrypted entries are not supported');
  if (method !== METHOD_STORED)
    broken('zip-unsupported-method', `compression method ${method} is not supported`);
  if (entry.compressedSize !== entry.size)
    broken('zip-central-directory', 'stored entry with two different sizes');
  if (!(flags & FLAG_DATA_DESCRIPTOR)) {
    const sizes = [header.readUInt32LE(22), header.readUInt32LE(18)];
    const zip64 = extras.get(EXTRA_ZIP64);
    if (sizes.includes(U32_MAX) && zip64 && zip64.length >= 16) {
      sizes.splice(0, 2, readUInt64LE(zip64, 0, at), readUInt64LE(zip64, 8, at));
    }
    if (
      header.readUInt32LE(14) !== entry.crc32 ||
      sizes[0] !== entry.size ||
      sizes[1] !== entry.compressedSize
    ) {
      broken('zip-local-header', 'CRC-32 or sizes differ from the central directory');
    }
  }
  const sink = onEntry?.(entry);
  const withCrc = !sink?.skipCrc;
  let crc = 0;
  await reader.forward(entry.compressedSize, where, (part) => {
    if (withCrc) crc = crc32(part, crc);
    return sink?.write(part);
  });
  await sink?.end();
  if (flags & FLAG_DATA_DESCRIPTOR) {
    const length = nextOffset - reader.offset;
    if (![12, 16, 20, 24].includes(length))
      broken('zip-data-descriptor', `no data descriptor (${length} bytes)`);
    const buf = await reader.read(length, where);
    const base = length % 8 === 0 ? 4 : 0; // 16 and 24 bytes carry the optional signature
    if (base === 4 && buf.readUInt32LE(0) !== SIG_DESCRIPTOR) broken('zip-data-descriptor', 'bad signature');
    const wide = length - base === 20;
    const compressed = wide ? readUInt64LE(buf, base + 4, at) : buf.readUInt32LE(base + 4);
    const size = wide ? readUInt64LE(buf, base + 12, at) : buf.readUInt32LE(base + 8);
    if (
      buf.readUInt32LE(base) !== entry.crc32 ||
      compressed !== entry.compressedSize ||
      size !== entry.size
    ) {
      broken('zip-data-descriptor', 'CRC-32 or sizes differ from the central directory');
    }
  }
  return withCrc ? { entry, crc32: crc, crcOk: crc === entry.crc32 } : { entry };
}
