/**
 * Streaming ZIP writer (store method only) for archival packages.
 *
 * Every entry is written as: local header (flag bit 3 "sizes follow in a data descriptor", bit 11 UTF-8 name,
 * extended timestamp, ZIP64 extra field with zero sizes when the entry is ZIP64), the data chunks exactly as the
 * source yields them (not copied), and a signed data descriptor (8-byte sizes when ZIP64). The central
 * directory, the ZIP64 end records when needed and the end of central directory record follow the last entry.
 *
 * An entry is ZIP64 when `forceZip64` is set, its size is unknown in advance, its size is >= 0xFFFFFFFF, or its
 * local header starts at or beyond offset 0xFFFFFFFF. The ZIP64 end records are written when `forceZip64` is set,
 * there are 65535 or more entries, or the central directory's size or offset needs 64 bits.
 */
import { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import { ValidationError } from '../errors.js';
import {
  CENTRAL_HEADER_SIZE,
  EOCD_SIZE,
  EXTRA_TIMESTAMP,
  EXTRA_ZIP64,
  FLAG_DATA_DESCRIPTOR,
  FLAG_UTF8,
  LOCAL_HEADER_SIZE,
  METHOD_STORED,
  SIG_CENTRAL,
  SIG_DESCRIPTOR,
  SIG_EOCD,
  SIG_LOCAL,
  SIG_ZIP64_EOCD,
  SIG_ZIP64_LOCATOR,
  toDosDateTime,
  U16_MAX,
  U32_MAX,
  UNIX_FILE_ATTRIBUTES,
  VERSION_MADE_BY,
  VERSION_NEEDED_DEFAULT,
  VERSION_NEEDED_ZIP64,
  validateEntryName,
  writeUInt64LE,
  ZIP64_EOCD_SIZE,
  ZIP64_LOCATOR_SIZE,
} from './format.js';

export interface ZipEntrySource {
  /** Path inside the archive, POSIX, UTF-8 (general purpose flag bit 11 set). Directories are implied, not written. */
  name: string;
  /** Modification time (DOS time in the header, plus the UTC "extended timestamp" extra field 0x5455). */
  mtime: Date;
  /** Size in bytes if known in advance. If given and the data yields a different number of bytes, fail. */
  size?: number;
  /** The entry's bytes. Chunks are passed on without copying, so the source must not reuse a chunk's memory. */
  data: AsyncIterable<Uint8Array>;
}

/** What was written for one entry; `offset` is where its local header starts in the archive. */
export interface ZipEntryWritten {
  /** The entry name as given. */
  name: string;
  /** Byte offset of the entry's local header from the start of the archive. */
  offset: number;
  /** Bytes of data written (stored, so also the size once extracted). */
  size: number;
  /** CRC-32 of the data, unsigned. */
  crc32: number;
}

export interface ZipWriterOptions {
  /** Write ZIP64 fields for every entry and the ZIP64 end records even when not needed (tests, interop). */
  forceZip64?: boolean;
  /** Called after each entry's data descriptor is produced, before the next entry is pulled. */
  onEntry?: (entry: ZipEntryWritten) => void;
}

/** Read buffer of the returned stream, in bytes: at most about this much plus one source chunk is held. */
const HIGH_WATER_MARK = 64 * 1024;
const FLAGS = FLAG_DATA_DESCRIPTOR | FLAG_UTF8;
const I32_MIN = -(2 ** 31);
const I32_MAX = 2 ** 31 - 1;

interface CentralRecord {
  nameBytes: Buffer;
  dos: { date: number; time: number };
  unixSeconds: number | undefined;
  zip64: boolean;
  offset: number;
  size: number;
  crc32: number;
}

/** Streams a ZIP (store method only) of the entries, pulled lazily one after the other with backpressure. */
export function createZipStream(
  entries: AsyncIterable<ZipEntrySource>,
  options: ZipWriterOptions = {},
): Readable {
  return Readable.from(zipChunks(entries, options), { objectMode: false, highWaterMark: HIGH_WATER_MARK });
}

async function* zipChunks(entries: AsyncIterable<ZipEntrySource>, options: ZipWriterOptions) {
  const force = options.forceZip64 === true;
  const registerName = createNameRegistry();
  const central = createCentralDirectory();
  let offset = 0;
  for await (const entry of entries) {
    const nameBytes = registerName(entry.name);
    const expected = checkEntry(entry);
    const record: CentralRecord = {
      nameBytes,
      dos: toDosDateTime(entry.mtime),
      unixSeconds: unixSeconds(entry.mtime),
      zip64: force || expected === undefined || expected >= U32_MAX || offset >= U32_MAX,
      offset,
      size: 0,
      crc32: 0,
    };
    const header = localHeader(record);
    yield header;
    let crc = 0;
    let size = 0;
    for await (const chunk of entry.data) {
      if (chunk.byteLength === 0) continue;
      size += chunk.byteLength;
      if (expected !== undefined && size > expected)
        throw sizeError(entry.name, `more than ${expected}`, expected);
      crc = crc32(chunk, crc);
      yield chunk;
    }
    if (expected !== undefined && size !== expected) throw sizeError(entry.name, String(size), expected);
    record.size = size;
    record.crc32 = crc;
    central.add(centralHeader(record, force));
    const descriptor = dataDescriptor(record);
    offset += header.length + size + descriptor.length;
    options.onEntry?.({ name: entry.name, offset: record.offset, size, crc32: crc });
    yield descriptor;
  }
  yield* endOfArchive(central, offset, force);
}

function checkEntry(entry: ZipEntrySource): number | undefined {
  if (!(entry.mtime instanceof Date) || Number.isNaN(entry.mtime.getTime())) {
    throw new ValidationError('zip-entry-mtime', `[zip] entry "${entry.name}": invalid mtime`, {
      file: entry.name,
    });
  }
  if (entry.size !== undefined && !(Number.isSafeInteger(entry.size) && entry.size >= 0)) {
    throw new ValidationError('zip-entry-size', `[zip] entry "${entry.name}": invalid size ${entry.size}`, {
      file: entry.name,
    });
  }
  return entry.size;
}

function sizeError(name: string, actual: string, expected: number): ValidationError {
  return new ValidationError(
    'zip-entry-size',
    `[zip] entry "${name}": data yielded ${actual} bytes, expected ${expected}`,
    { file: name },
  );
}

/**
 * Rejects unsafe names (see `validateEntryName`), duplicates (compared in Unicode NFC, since NFC and NFD
 * spellings of "å" extract to the same file on some systems) and a file whose path is also a folder of another.
 */
function createNameRegistry(): (name: string) => Buffer {
  const files = new Set<string>();
  const folders = new Set<string>();
  return (name) => {
    const bytes = validateEntryName(name);
    const key = name.normalize('NFC');
    const fail = (why: string): never => {
      throw new ValidationError(
        'zip-entry-name',
        `[zip] entry name ${JSON.stringify(name)} rejected: ${why}`,
        {
          file: name,
        },
      );
    };
    if (files.has(key)) fail('duplicate name');
    if (folders.has(key)) fail('already a folder of another entry');
    for (let slash = key.indexOf('/'); slash !== -1; slash = key.indexOf('/', slash + 1)) {
      const folder = key.slice(0, slash);
      if (files.has(folder)) fail(`its folder "${folder}" is a file entry`);
      folders.add(folder);
    }
    files.add(key);
    return bytes;
  };
}

function unixSeconds(mtime: Date): number | undefined {
  const seconds = Math.floor(mtime.getTime() / 1000);
  return seconds >= I32_MIN && seconds <= I32_MAX ? seconds : undefined;
}

function timestampExtra(record: CentralRecord): Buffer {
  if (record.unixSeconds === undefined) return Buffer.alloc(0);
  const buf = Buffer.alloc(9);
  buf.writeUInt16LE(EXTRA_TIMESTAMP, 0);
  buf.writeUInt16LE(5, 2);
  buf.writeUInt8(1, 4); // bit 0: modification time present
  buf.writeInt32LE(record.unixSeconds, 5);
  return buf;
}

/** ZIP64 extended information: only the values whose fixed-size field holds 0xFFFFFFFF, in APPNOTE order. */
function zip64Extra(values: number[]): Buffer {
  if (values.length === 0) return Buffer.alloc(0);
  const buf = Buffer.alloc(4 + 8 * values.length);
  buf.writeUInt16LE(EXTRA_ZIP64, 0);
  buf.writeUInt16LE(8 * values.length, 2);
  for (const [i, value] of values.entries()) writeUInt64LE(buf, value, 4 + 8 * i);
  return buf;
}

function localHeader(record: CentralRecord): Buffer {
  // Sizes and CRC are zero here (flag bit 3); a ZIP64 entry carries both 8-byte sizes, zero as well.
  const extra = Buffer.concat([record.zip64 ? zip64Extra([0, 0]) : Buffer.alloc(0), timestampExtra(record)]);
  const buf = Buffer.alloc(LOCAL_HEADER_SIZE + record.nameBytes.length + extra.length);
  buf.writeUInt32LE(SIG_LOCAL, 0);
  buf.writeUInt16LE(record.zip64 ? VERSION_NEEDED_ZIP64 : VERSION_NEEDED_DEFAULT, 4);
  buf.writeUInt16LE(FLAGS, 6);
  buf.writeUInt16LE(METHOD_STORED, 8);
  buf.writeUInt16LE(record.dos.time, 10);
  buf.writeUInt16LE(record.dos.date, 12);
  if (record.zip64) {
    buf.writeUInt32LE(U32_MAX, 18);
    buf.writeUInt32LE(U32_MAX, 22);
  }
  buf.writeUInt16LE(record.nameBytes.length, 26);
  buf.writeUInt16LE(extra.length, 28);
  record.nameBytes.copy(buf, LOCAL_HEADER_SIZE);
  extra.copy(buf, LOCAL_HEADER_SIZE + record.nameBytes.length);
  return buf;
}

function dataDescriptor(record: CentralRecord): Buffer {
  const buf = Buffer.alloc(record.zip64 ? 24 : 16);
  buf.writeUInt32LE(SIG_DESCRIPTOR, 0);
  buf.writeUInt32LE(record.crc32, 4);
  if (record.zip64) {
    writeUInt64LE(buf, record.size, 8);
    writeUInt64LE(buf, record.size, 16);
  } else {
    buf.writeUInt32LE(record.size, 8);
    buf.writeUInt32LE(record.size, 12);
  }
  return buf;
}

function centralHeader(record: CentralRecord, force: boolean): Buffer {
  const offsetIn64 = force || record.offset >= U32_MAX;
  const wide = [...(record.zip64 ? [record.size, record.size] : []), ...(offsetIn64 ? [record.offset] : [])];
  const extra = Buffer.concat([zip64Extra(wide), timestampExtra(record)]);
  const buf = Buffer.alloc(CENTRAL_HEADER_SIZE + record.nameBytes.length + extra.length);
  buf.writeUInt32LE(SIG_CENTRAL, 0);
  buf.writeUInt16LE(VERSION_MADE_BY, 4);
  buf.writeUInt16LE(record.zip64 ? VERSION_NEEDED_ZIP64 : VERSION_NEEDED_DEFAULT, 6);
  buf.writeUInt16LE(FLAGS, 8);
  buf.writeUInt16LE(METHOD_STORED, 10);
  buf.writeUInt16LE(record.dos.time, 12);
  buf.writeUInt16LE(record.dos.date, 14);
  buf.writeUInt32LE(record.crc32, 16);
  buf.writeUInt32LE(record.zip64 ? U32_MAX : record.size, 20);
  buf.writeUInt32LE(record.zip64 ? U32_MAX : record.size, 24);
  buf.writeUInt16LE(record.nameBytes.length, 28);
  buf.writeUInt16LE(extra.length, 30);
  // comment length, disk number start and internal attributes stay 0
  buf.writeUInt32LE(UNIX_FILE_ATTRIBUTES, 38);
  buf.writeUInt32LE(offsetIn64 ? U32_MAX : record.offset, 42);
  record.nameBytes.copy(buf, CENTRAL_HEADER_SIZE);
  extra.copy(buf, CENTRAL_HEADER_SIZE + record.nameBytes.length);
  return buf;
}

/** Central directory blocks are this size (a header longer than a block gets one of its own). */
const CENTRAL_BLOCK = 1 << 20;

interface CentralDirectory {
  add(header: Buffer): void;
  readonly count: number;
  readonly size: number;
  blocks(): Generator<Buffer>;
}

/**
 * The central directory as it grows: each entry's header, made as soon as the entry is written, copied into
 * blocks of 1 MiB. About 110 bytes an entry, where a record object per entry (name buffer, date, sizes) cost more
 * than twice that on the V8 heap of a 100,000-file record's packaging thread.
 */
function createCentralDirectory(): CentralDirectory {
  const full: Buffer[] = [];
  let block = Buffer.alloc(0);
  let used = 0;
  let count = 0;
  let size = 0;
  return {
    add(header) {
      if (block.length - used < header.length) {
        if (used > 0) full.push(block.subarray(0, used));
        block = Buffer.allocUnsafe(Math.max(CENTRAL_BLOCK, header.length));
        used = 0;
      }
      used += header.copy(block, used);
      count++;
      size += header.length;
    },
    get count() {
      return count;
    },
    get size() {
      return size;
    },
    *blocks() {
      yield* full;
      if (used > 0) yield block.subarray(0, used);
    },
  };
}

/** The central directory, in its blocks, then the end records. */
function* endOfArchive(central: CentralDirectory, cdOffset: number, force: boolean): Generator<Buffer> {
  yield* central.blocks();
  const cdSize = central.size;
  const count = central.count;
  const zip64 = force || count >= U16_MAX || cdSize >= U32_MAX || cdOffset >= U32_MAX;
  const end = Buffer.alloc((zip64 ? ZIP64_EOCD_SIZE + ZIP64_LOCATOR_SIZE : 0) + EOCD_SIZE);
  let pos = 0;
  if (zip64) {
    const recordOffset = cdOffset + cdSize;
    end.writeUInt32LE(SIG_ZIP64_EOCD, 0);
    writeUInt64LE(end, ZIP64_EOCD_SIZE - 12, 4);
    end.writeUInt16LE(VERSION_MADE_BY, 12);
    end.writeUInt16LE(VERSION_NEEDED_ZIP64, 14);
    // disk numbers (16, 20) stay 0
    writeUInt64LE(end, count, 24);
    writeUInt64LE(end, count, 32);
    writeUInt64LE(end, cdSize, 40);
    writeUInt64LE(end, cdOffset, 48);
    end.writeUInt32LE(SIG_ZIP64_LOCATOR, 56);
    writeUInt64LE(end, recordOffset, 64);
    end.writeUInt32LE(1, 72); // total number of disks
    pos = ZIP64_EOCD_SIZE + ZIP64_LOCATOR_SIZE;
  }
  end.writeUInt32LE(SIG_EOCD, pos);
  end.writeUInt16LE(force ? U16_MAX : Math.min(count, U16_MAX), pos + 8);
  end.writeUInt16LE(force ? U16_MAX : Math.min(count, U16_MAX), pos + 10);
  end.writeUInt32LE(force ? U32_MAX : Math.min(cdSize, U32_MAX), pos + 12);
  end.writeUInt32LE(force ? U32_MAX : Math.min(cdOffset, U32_MAX), pos + 16);
  yield end;
}
