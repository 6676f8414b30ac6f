/**
 * File and folder names as found on disk: raw bytes in, checked NFC strings out. Names are read as bytes so a
 * name that is not valid UTF-8 is seen (and reported) instead of being silently mangled into U+FFFD.
 */

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The result of decoding one raw name. */
export type DecodedName =
  | { ok: true; name: string }
  | {
      ok: false;
      /** A readable form of the name with every undecodable byte written as `\xNN`, e.g. `f\xff.txt`. */
      escaped: string;
    };

/** Decodes a raw name as strict UTF-8 and normalises it to NFC; invalid names come back escaped. */
export function decodeName(raw: Buffer): DecodedName {
  try {
    return { ok: true, name: STRICT_UTF8.decode(raw).normalize('NFC') };
  } catch {
    return { ok: false, escaped: escapeInvalidUtf8(raw) };
  }
}

/** Writes valid UTF-8 sequences as text and every other byte as `\xNN`. */
export function escapeInvalidUtf8(raw: Buffer): string {
  let out = '';
  let i = 0;
  while (i < raw.length) {
    const lead = raw[i] ?? 0;
    const length = lead < 0x80 ? 1 : lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 0;
    if (length > 0 && i + length <= raw.length) {
      try {
        out += STRICT_UTF8.decode(raw.subarray(i, i + length));
        i += length;
        continue;
      } catch {
        // not a valid sequence: escape the lead byte below and resynchronise on the next one
      }
    }
    out += `\\x${lead.toString(16).padStart(2, '0')}`;
    i += 1;
  }
  return out;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what we look for
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what we look for
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/g;

/** Why a decoded name cannot be kept in a package, or undefined when it can. */
export function nameProblem(name: string): string | undefined {
  const match = CONTROL_CHARACTER.exec(name);
  if (match) {
    const code = match[0].codePointAt(0) ?? 0;
    return `name contains control character U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  return undefined;
}

/** Shows a decoded name in messages: control characters become `\uNNNN` so a message stays on one line. */
export function printableName(name: string): string {
  return name.replace(
    CONTROL_CHARACTERS,
    (c) => `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * Orders paths by their UTF-8 bytes (which is Unicode code point order), so the order does not depend on a
 * locale or on JavaScript's UTF-16 comparison.
 */
export function comparePaths(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
