/**
 * Reads what a ZIP container holds from the retained head and tail of the stream: the entry list from the
 * central directory (ZIP64 aware) at the end, and the bytes of small entries whose data lies wholly inside the
 * head or the tail (e.g. `[Content_Types].xml`, usually first; `META-INF/manifest.xml`, usually last). When the
 * central directory is not retained, entries are listed by walking local headers through the head.
 */
import { inflateRawSync, constants as zlib } from 'node:zlib';
import { decodeEntryName, parseExtraFields, readUInt64LE } from '../zip/format.js';
import type { RetainedBytes } from './byte-window.js';

export interface ZipEntryInfo {
  name: string;
  method: number;
  compressedSize: number;
  offset: number;
}

export interface ZipListing {
  entries: ZipEntryInfo[];
  /** `central` if read from the central directory, `local` if from local headers in the head. */
  source: 'central' | 'local';
}

const MAX_ENTRY_INPUT = 256 * 1024;
const MAX_ENTRY_OUTPUT = 4 * 1024 * 1024;

export function isZip(head: Buffer): boolean {
  return head.length >= 4 && head.readUInt32LE(0) === 0x04034b50;
}

/**
 * The entry list, or undefined when neither the central directory nor a local header chain can be read.
 * Never throws: a malformed directory counts as unreadable.
 */
export function listZip(bytes: RetainedBytes): ZipListing | undefined {
  let central: ZipEntryInfo[] | undefined;
  try {
    central = readCentralDirectory(bytes);
  } catch {
    central = undefined;
  }
  if (central) return { entries: central, source: 'central' };
  const local = walkLocalHeaders(bytes.head);
  return local.length > 0 ? { entries: local, source: 'local' } : undefined;
}

function findEocd(tail: Buffer): number {
  for (let at = tail.length - 22; at >= Math.max(0, tail.length - 22 - 0xffff); at--) {
    if (tail.readUInt32LE(at) === 0x06054b50 && at + 22 + tail.readUInt16LE(at + 20) <= tail.length)
      return at;
  }
  return -1;
}

function readCentralDirectory(bytes: RetainedBytes): ZipEntryInfo[] | undefined {
  const tail = bytes.tail;
  const eocd = findEocd(tail);
  if (eocd < 0) return undefined;
  let count = tail.readUInt16LE(eocd + 10);
  let size = tail.readUInt32LE(eocd + 12);
  let offset = tail.readUInt32LE(eocd + 16);
  if ((count === 0xffff || size === 0xffffffff || offset === 0xffffffff) && eocd >= 20) {
    if (tail.readUInt32LE(eocd - 20) !== 0x07064b50) return undefined;
    const record = bytes.range(readUInt64LE(tail, eocd - 12, 'zip64 locator'), 56);
    if (record?.readUInt32LE(0) !== 0x06064b50) return undefined;
    count = readUInt64LE(record, 32, 'zip64 entries');
    size = readUInt64LE(record, 40, 'zip64 size');
    offset = readUInt64LE(record, 48, 'zip64 offset');
  }
  const cd = bytes.range(offset, size);
  if (!cd) return undefined;
  const entries: ZipEntryInfo[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (at + 46 > cd.length || cd.readUInt32LE(at) !== 0x02014b50) return undefined;
    const nameLength = cd.readUInt16LE(at + 28);
    const extraLength = cd.readUInt16LE(at + 30);
    const next = at + 46 + nameLength + extraLength + cd.readUInt16LE(at + 32);
    if (next > cd.length) return undefined;
    let compressedSize = cd.readUInt32LE(at + 20);
    let localOffset = cd.readUInt32LE(at + 42);
    const extras = parseExtraFields(cd.subarray(at + 46 + nameLength, at + 46 + nameLength + extraLength));
    const zip64 = extras.get(1);
    if (zip64) {
      let field = 0;
      if (cd.readUInt32LE(at + 24) === 0xffffffff) field += 8;
      if (compressedSize === 0xffffffff && field + 8 <= zip64.length) {
        compressedSize = readUInt64LE(zip64, field, 'zip64 compressed size');
        field += 8;
      }
      if (localOffset === 0xffffffff && field + 8 <= zip64.length)
        localOffset = readUInt64LE(zip64, field, 'zip64 offset');
    }
    const name = decodeEntryName(cd.subarray(at + 46, at + 46 + nameLength), cd.readUInt16LE(at + 8), extras);
    entries.push({ name, method: cd.readUInt16LE(at + 10), compressedSize, offset: localOffset });
    at = next;
  }
  return entries;
}

/** Local headers from offset 0 while their sizes are known (no data descriptor) and they lie in the head. */
function walkLocalHeaders(head: Buffer): ZipEntryInfo[] {
  const entries: ZipEntryInfo[] = [];
  let at = 0;
  while (at + 30 <= head.length && head.readUInt32LE(at) === 0x04034b50) {
    const nameLength = head.readUInt16LE(at + 26);
    const dataAt = at + 30 + nameLength + head.readUInt16LE(at + 28);
    if (dataAt > head.length) break;
    const compressedSize = head.readUInt32LE(at + 18);
    entries.push({
      name: head.toString('utf8', at + 30, at + 30 + nameLength),
      method: head.readUInt16LE(at + 8),
      compressedSize,
      offset: at,
    });
    if (head.readUInt16LE(at + 6) & 0x0008 || compressedSize === 0xffffffff) break;
    at = dataAt + compressedSize;
  }
  return entries;
}

/** An entry's bytes (inflated, at most 4 MiB) if its local header and data are retained; else undefined. */
export function readEntry(bytes: RetainedBytes, entry: ZipEntryInfo): Buffer | undefined {
  const header = bytes.range(entry.offset, 30);
  if (header?.readUInt32LE(0) !== 0x04034b50) return undefined;
  const dataAt = entry.offset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
  const data = bytes.range(dataAt, Math.min(entry.compressedSize, MAX_ENTRY_INPUT));
  if (!data) return undefined;
  if (entry.method === 0) return data;
  if (entry.method !== 8) return undefined;
  try {
    return inflateRawSync(data, { finishFlush: zlib.Z_SYNC_FLUSH, maxOutputLength: MAX_ENTRY_OUTPUT });
  } catch {
    return undefined;
  }
}
