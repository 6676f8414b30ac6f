import type { FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { crc32, createInflateRaw } from 'node:zlib';
import { FLAG_ENCRYPTED, LOCAL_HEADER_SIZE, METHOD_DEFLATE, METHOD_STORED, SIG_LOCAL } from './format.js';

const CHUNK_BYTES = 256 * 1024;

/** What extracting one entry needs from the central directory. */
export interface EntryToExtract {
  localHeaderOffset: number;
  compressedSize: number;
  /** Uncompressed size the directory records. */
  size: number;
  method: number;
  flags: number;
  crc32: number;
}

/** How a failure is reported: a rule id (`zip-size`, `zip-crc`, …) and a reason; must throw. */
export type EntryFailure = (rule: string, why: string, cause?: unknown) => never;

/**
 * Streams one entry's bytes out of an open ZIP (stored or deflated), never more than the directory records, and
 * checks the size and CRC-32 at the end. Every problem goes to `fail` with its rule: `zip-unsupported-method`,
 * `zip-local-header`, `zip-size`, `zip-data`, `zip-crc`.
 */
export async function* extractEntry(
  handle: FileHandle,
  entry: EntryToExtract,
  fail: EntryFailure,
): AsyncGenerator<Buffer> {
  if (entry.flags & FLAG_ENCRYPTED) fail('zip-unsupported-method', 'encrypted entries cannot be read');
  if (entry.method !== METHOD_STORED && entry.method !== METHOD_DEFLATE) {
    fail('zip-unsupported-method', `compression method ${entry.method} is not supported`);
  }
  const header = Buffer.alloc(LOCAL_HEADER_SIZE);
  await handle.read(header, 0, LOCAL_HEADER_SIZE, entry.localHeaderOffset);
  if (header.readUInt32LE(0) !== SIG_LOCAL) fail('zip-local-header', 'no local header signature');
  const start =
    entry.localHeaderOffset + LOCAL_HEADER_SIZE + header.readUInt16LE(26) + header.readUInt16LE(28);
  let crc = 0;
  let size = 0;
  if (entry.compressedSize > 0) {
    const raw = Readable.from(rangeChunks(handle, start, entry.compressedSize), { objectMode: false });
    const source = entry.method === METHOD_DEFLATE ? raw.pipe(createInflateRaw()) : raw;
    try {
      for await (const chunk of source as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > entry.size) fail('zip-size', `more than the ${entry.size} bytes the directory records`);
        crc = crc32(chunk, crc);
        yield chunk;
      }
    } catch (err) {
      if ((err as { rule?: unknown }).rule !== undefined) throw err;
      fail('zip-data', `cannot be read (${(err as Error).message})`, err);
    } finally {
      source.destroy();
      raw.destroy();
    }
  }
  if (size !== entry.size) fail('zip-size', `${size} bytes extracted, the directory records ${entry.size}`);
  if (crc >>> 0 !== entry.crc32) fail('zip-crc', 'CRC-32 of the data differs from the central directory');
}

/** The bytes [start, start + length) of an open file, in chunks; fails when the file ends early. */
async function* rangeChunks(handle: FileHandle, start: number, length: number): AsyncGenerator<Buffer> {
  let position = start;
  const end = start + length;
  while (position < end) {
    const buffer = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, end - position));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
    if (bytesRead === 0) throw new Error(`archive ends at ${position}, before the entry's data does`);
    position += bytesRead;
    yield buffer.subarray(0, bytesRead);
  }
}
