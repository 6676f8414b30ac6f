/**
 * Reads one stored (method 0) entry of an archive with two ranged reads, without walking the archive: its local
 * header (for the length of the name and extra field), then its data, checked against the CRC-32 of the central
 * directory. For small entries (METS, PREMIS, descriptive metadata) whose bytes the caller holds in memory.
 */
import { crc32 } from 'node:zlib';
import { ValidationError } from '../errors.js';
import { LOCAL_HEADER_SIZE, METHOD_STORED, SIG_LOCAL } from './format.js';
import type { ZipCentralEntry, ZipRangeReader } from './reader.js';

function fail(rule: string, entry: ZipCentralEntry, why: string): never {
  throw new ValidationError(rule, `[zip] entry "${entry.name}": ${why}`, { file: entry.name });
}

/**
 * The bytes of `entry`, at most `maxBytes` of them (a larger entry is refused with `zip-entry-too-big` before any
 * of its data is read). Throws `zip-crc` when the data does not match the CRC-32 of the central directory.
 */
export async function readStoredEntry(
  readRange: ZipRangeReader,
  entry: ZipCentralEntry,
  maxBytes: number,
): Promise<Buffer> {
  if (entry.method !== METHOD_STORED) fail('zip-unsupported-method', entry, `method ${entry.method}`);
  if (entry.size > maxBytes) fail('zip-entry-too-big', entry, `${entry.size} bytes, over ${maxBytes}`);
  const header = await readRange(entry.localHeaderOffset, entry.localHeaderOffset + LOCAL_HEADER_SIZE - 1);
  if (header.length !== LOCAL_HEADER_SIZE || header.readUInt32LE(0) !== SIG_LOCAL) {
    fail('zip-local-header', entry, `no local header at offset ${entry.localHeaderOffset}`);
  }
  const start =
    entry.localHeaderOffset + LOCAL_HEADER_SIZE + header.readUInt16LE(26) + header.readUInt16LE(28);
  const data = entry.size === 0 ? Buffer.alloc(0) : await readRange(start, start + entry.size - 1);
  if (data.length !== entry.size)
    fail('zip-entry-bounds', entry, `read ${data.length} of ${entry.size} bytes`);
  if (crc32(data) !== entry.crc32) fail('zip-crc', entry, 'data does not match its CRC-32');
  return data;
}
