/**
 * `bagit.txt`, the bag declaration (RFC 8493 section 2.1.1). Exactly two lines, in this order:
 *
 * ```
 * BagIt-Version: 1.0
 * Tag-File-Character-Encoding: UTF-8
 * ```
 */
import { decodeTagText, splitTagLines } from './tag-text.js';

/** Name of the bag declaration at the root of a bag. */
export const BAG_DECLARATION_NAME = 'bagit.txt';

/**
 * BagIt versions accepted by default: 1.0 (RFC 8493) and 0.97, the draft the E-ARK BagIt profile names. The
 * payload and manifest layout this source checks is the same in both.
 */
export const DEFAULT_BAGIT_VERSIONS: readonly string[] = ['1.0', '0.97'];

/** A parsed declaration, or every problem with it. */
export type BagDeclarationResult = { ok: true; version: string } | { ok: false; problems: string[] };

/**
 * Parses the bytes of `bagit.txt`. Only the UTF-8 tag file encoding is supported (the encoding name is
 * compared case-insensitively); `versions` lists the accepted `BagIt-Version` values.
 */
export function parseBagDeclaration(
  bytes: Uint8Array,
  versions: readonly string[] = DEFAULT_BAGIT_VERSIONS,
): BagDeclarationResult {
  const decoded = decodeTagText(bytes);
  if (!decoded.ok) return { ok: false, problems: [decoded.reason] };
  const lines = splitTagLines(decoded.text);
  const problems: string[] = [];
  if (lines.length !== 2) {
    problems.push(
      `has ${lines.length} line(s), expected exactly 2 (BagIt-Version, Tag-File-Character-Encoding)`,
    );
  }
  const version = /^BagIt-Version: (\d+\.\d+)$/.exec(lines[0]?.text ?? '')?.[1];
  if (version === undefined) {
    problems.push(`line 1 must be "BagIt-Version: M.N", found "${lines[0]?.text ?? ''}"`);
  } else if (!versions.includes(version)) {
    problems.push(`BagIt-Version ${version} is not supported (accepted: ${versions.join(', ')})`);
  }
  const encoding = /^Tag-File-Character-Encoding: (\S+)$/.exec(lines[1]?.text ?? '')?.[1];
  if (encoding === undefined) {
    problems.push(`line 2 must be "Tag-File-Character-Encoding: UTF-8", found "${lines[1]?.text ?? ''}"`);
  } else if (encoding.toUpperCase() !== 'UTF-8') {
    problems.push(`Tag-File-Character-Encoding ${encoding} is not supported (only UTF-8)`);
  }
  return problems.length === 0 && version !== undefined ? { ok: true, version } : { ok: false, problems };
}
