/**
 * Constants and small codecs of the ZIP format (PKWARE APPNOTE 6.3.x) shared by the writer and the reader.
 *
 * Layout written by `createZipStream` and walked by `walkZip`:
 * ```
 * [local header 1][data 1][data descriptor 1] ... [local header n][data n][data descriptor n]
 * [central directory header 1 .. n][ZIP64 end of central directory record + locator, when needed][EOCD]
 * ```
 * All integers are little-endian. 64-bit values are kept as JS numbers (safe up to 2^53 - 1 bytes).
 */
import { crc32 } from 'node:zlib';
import { ValidationError } from '../errors.js';

/** Record signatures. */
export const SIG_LOCAL = 0x04034b50;
export const SIG_DESCRIPTOR = 0x08074b50;
export const SIG_CENTRAL = 0x02014b50;
export const SIG_EOCD = 0x06054b50;
export const SIG_ZIP64_EOCD = 0x06064b50;
export const SIG_ZIP64_LOCATOR = 0x07064b50;

/** Fixed sizes in bytes of the records, without their variable parts. */
export const LOCAL_HEADER_SIZE = 30;
export const CENTRAL_HEADER_SIZE = 46;
export const EOCD_SIZE = 22;
export const ZIP64_EOCD_SIZE = 56;
export const ZIP64_LOCATOR_SIZE = 20;

/** A 2- or 4-byte field holding this value means "see the ZIP64 record / extra field". */
export const U16_MAX = 0xffff;
export const U32_MAX = 0xffffffff;

/** General purpose bit flags. */
export const FLAG_ENCRYPTED = 0x0001;
export const FLAG_DATA_DESCRIPTOR = 0x0008;
export const FLAG_UTF8 = 0x0800;

export const METHOD_STORED = 0;
export const METHOD_DEFLATE = 8;

/** Extra field header ids. */
export const EXTRA_ZIP64 = 0x0001;
/** Info-ZIP "UT" extended timestamp: flags byte, then UTC seconds since 1970 as signed 32-bit. */
export const EXTRA_TIMESTAMP = 0x5455;
/** Info-ZIP Unicode Path: version 1, CRC-32 of the header name, UTF-8 name. */
export const EXTRA_UNICODE_PATH = 0x7075;

/** "Version made by": high byte 3 = Unix (so external attributes hold a mode), low byte = APPNOTE 6.3 (UTF-8 flag). */
export const VERSION_MADE_BY = (3 << 8) | 63;
/** "Version needed": 2.0 for stored entries with a data descriptor, 4.5 when ZIP64 fields are present. */
export const VERSION_NEEDED_DEFAULT = 20;
export const VERSION_NEEDED_ZIP64 = 45;
/** External attributes of a regular file with mode 0644, as Unix writers store them (mode in the high 16 bits). */
export const UNIX_FILE_ATTRIBUTES = (0o100644 << 16) >>> 0;

const TWO_32 = 2 ** 32;

export function writeUInt64LE(buf: Buffer, value: number, offset: number): void {
  buf.writeUInt32LE(value % TWO_32, offset);
  buf.writeUInt32LE(Math.floor(value / TWO_32), offset + 4);
}

/** Reads an unsigned 64-bit integer; throws when it cannot be represented exactly (no real archive is 8 PiB). */
export function readUInt64LE(buf: Buffer, offset: number, what: string): number {
  const value = buf.readUInt32LE(offset + 4) * TWO_32 + buf.readUInt32LE(offset);
  if (!Number.isSafeInteger(value)) {
    throw new ValidationError('zip-central-directory', `[zip] ${what}: 64-bit value out of range`);
  }
  return value;
}

/**
 * Checks an entry name and returns its UTF-8 bytes. A name is a relative POSIX path of non-empty segments:
 * not absolute, no backslash, no `.` or `..` segment, no control character, no trailing slash (folders are
 * implied by the files in them), at most 65535 bytes. Throws ValidationError rule `zip-entry-name`.
 */
export function validateEntryName(name: string): Buffer {
  const fail = (why: string): never => {
    throw new ValidationError('zip-entry-name', `[zip] entry name ${JSON.stringify(name)} rejected: ${why}`, {
      file: String(name),
    });
  };
  if (typeof name !== 'string' || name.length === 0) fail('empty');
  if (name.startsWith('/')) fail('absolute path');
  if (name.includes('\\')) fail('backslash');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what we reject
  if (/[\u0000-\u001f\u007f]/.test(name)) fail('control character');
  if (name.endsWith('/')) fail('trailing slash (folders are implied, not written)');
  for (const segment of name.split('/')) {
    if (segment === '') fail('empty path segment');
    if (segment === '.' || segment === '..') fail(`"${segment}" segment`);
  }
  const bytes = Buffer.from(name, 'utf8');
  if (bytes.length > U16_MAX) fail(`longer than ${U16_MAX} bytes`);
  return bytes;
}

/** MS-DOS date and time fields (local time, 2-second resolution), clamped to the range 1980-2107. */
export function toDosDateTime(date: Date): { date: number; time: number } {
  const year = date.getFullYear();
  if (year < 1980) return { date: (1 << 5) | 1, time: 0 };
  if (year > 2107) return { date: (127 << 9) | (12 << 5) | 31, time: (23 << 11) | (59 << 5) | 29 };
  return {
    date: ((year - 1980) << 9) | ((date.getMonth() + 1) << 5) | date.getDate(),
    time: (date.getHours() << 11) | (date.getMinutes() << 5) | (date.getSeconds() >> 1),
  };
}

/** Inverse of `toDosDateTime`: interprets the fields as local time. */
export function fromDosDateTime(date: number, time: number): Date {
  return new Date(
    (date >> 9) + 1980,
    ((date >> 5) & 0x0f) - 1,
    date & 0x1f,
    time >> 11,
    (time >> 5) & 0x3f,
    (time & 0x1f) * 2,
  );
}

/** Splits an extra field block into its records by header id. A malformed tail is ignored (some writers pad). */
export function parseExtraFields(block: Buffer): Map<number, Buffer> {
  const fields = new Map<number, Buffer>();
  let pos = 0;
  while (pos + 4 <= block.length) {
    const id = block.readUInt16LE(pos);
    const size = block.readUInt16LE(pos + 2);
    if (pos + 4 + size > block.length) break;
    if (!fields.has(id)) fields.set(id, block.subarray(pos + 4, pos + 4 + size));
    pos += 4 + size;
  }
  return fields;
}

const CP437_HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes a header's name: UTF-8 when flag bit 11 is set or an Info-ZIP Unicode Path field matches the name;
 * otherwise UTF-8 when the bytes are valid UTF-8 (what Unix writers store without setting the flag), else CP437.
 */
export function decodeEntryName(raw: Buffer, flags: number, extras: Map<number, Buffer>): string {
  if (flags & FLAG_UTF8) return raw.toString('utf8');
  const unicode = extras.get(EXTRA_UNICODE_PATH);
  if (unicode && unicode.length >= 5 && unicode[0] === 1 && unicode.readUInt32LE(1) === crc32(raw)) {
    return unicode.subarray(5).toString('utf8');
  }
  try {
    return strictUtf8.decode(raw);
  } catch {
    let out = '';
    for (const byte of raw) out += byte < 0x80 ? String.fromCharCode(byte) : CP437_HIGH[byte - 0x80];
    return out;
  }
}

/** Where a read happens, for error messages. */
export interface Where {
  at: string;
  file: string;
}

/**
 * Pulls chunks from a stream, tracks the archive offset, and serves exact byte counts without copying data
 * (used by `walkZip`). Every chunk pulled is handed to `onBytes` once, whole, before it is parsed. It keeps no
 * view of a chunk once it pulls the next (headers are copied), so the source may reuse one read buffer.
 */
export class ByteReader {
  private chunk: Buffer = Buffer.alloc(0);
  private pos = 0;
  private pulled = 0;

  constructor(
    private readonly iterator: AsyncIterator<Uint8Array>,
    private readonly onBytes: ((chunk: Uint8Array) => void) | undefined,
  ) {}

  /** Archive offset of the next unread byte. */
  get offset(): number {
    return this.pulled - (this.chunk.length - this.pos);
  }

  private async pull(where: Where): Promise<void> {
    for (;;) {
      const next = await this.iterator.next();
      if (next.done)
        throw new ValidationError(
          'zip-truncated',
          `[zip] ${where.at}: archive ends at offset ${this.pulled}`,
          {
            file: where.file,
          },
        );
      const chunk = next.value;
      if (chunk.byteLength === 0) continue;
      this.onBytes?.(chunk);
      this.pulled += chunk.byteLength;
      this.chunk = Buffer.isBuffer(chunk)
        ? chunk
        : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      this.pos = 0;
      return;
    }
  }

  /**
   * Exactly `length` bytes (headers: small), always a copy of its own: no view of a chunk outlives the next pull,
   * so the source may refill one reused buffer (a header read before the next chunk is still checked after it).
   */
  async read(length: number, where: Where): Promise<Buffer> {
    if (this.chunk.length - this.pos >= length) {
      this.pos += length;
      return Buffer.from(this.chunk.subarray(this.pos - length, this.pos));
    }
    const out = Buffer.allocUnsafe(length);
    let filled = 0;
    await this.forward(length, where, (part) => {
      filled += part.copy(out, filled);
    });
    return out;
  }

  /** Hands the next `length` bytes to `fn` as views of the stream's chunks, awaiting it when it returns a promise. */
  async forward(length: number, where: Where, fn: (part: Buffer) => void | Promise<void>): Promise<void> {
    let left = length;
    while (left > 0) {
      if (this.pos === this.chunk.length) await this.pull(where);
      const take = Math.min(left, this.chunk.length - this.pos);
      const part = this.chunk.subarray(this.pos, this.pos + take);
      this.pos += take;
      left -= take;
      const pending = fn(part);
      if (pending) await pending;
    }
  }

  /** Consumes the rest of the stream; returns the total number of bytes it held. */
  async drain(): Promise<number> {
    this.pos = this.chunk.length;
    for (;;) {
      const next = await this.iterator.next();
      if (next.done) return this.pulled;
      if (next.value.byteLength > 0) this.onBytes?.(next.value);
      this.pulled += next.value.byteLength;
    }
  }
}
