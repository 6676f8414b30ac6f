/**
 * Text of BagIt tag files (bagit.txt, bag-info.txt, manifests, fetch.txt): strict UTF-8 without a byte order
 * mark, lines ended by LF, CRLF or CR (RFC 8493 allows all three).
 */

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The decoded text of a tag file, or why it cannot be decoded. */
export type TagText = { ok: true; text: string } | { ok: false; reason: string };

/** Decodes a tag file as strict UTF-8; a BOM or any byte sequence that is not UTF-8 is refused. */
export function decodeTagText(bytes: Uint8Array): TagText {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return { ok: false, reason: 'starts with a byte order mark (not allowed in tag files)' };
  }
  try {
    return { ok: true, text: STRICT_UTF8.decode(bytes) };
  } catch {
    return { ok: false, reason: `not valid UTF-8 (byte ${firstInvalidByte(bytes)})` };
  }
}

/** Where the first invalid UTF-8 sequence starts, as `0xNN at offset N`, for messages. */
function firstInvalidByte(bytes: Uint8Array): string {
  let offset = 0;
  while (offset < bytes.length) {
    const lead = bytes[offset] ?? 0;
    const length = lead < 0x80 ? 1 : lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 0;
    if (length === 0) break;
    try {
      STRICT_UTF8.decode(bytes.subarray(offset, offset + length));
    } catch {
      break;
    }
    offset += length;
  }
  return `0x${(bytes[offset] ?? 0).toString(16).padStart(2, '0')} at offset ${offset}`;
}

/**
 * Splits tag text into lines (LF, CRLF or CR). A final line ending does not produce an empty last line;
 * `number` is 1-based.
 */
export function splitTagLines(text: string): { number: number; text: string }[] {
  const lines = text.split(/\r\n|\n|\r/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines.map((line, i) => ({ number: i + 1, text: line }));
}
