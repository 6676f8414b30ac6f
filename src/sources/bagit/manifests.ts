/**
 * Payload and tag manifests (RFC 8493 sections 2.1.3 and 2.2.1): `manifest-<alg>.txt` and
 * `tagmanifest-<alg>.txt`, one `<checksum> <path>` line per file. Paths are relative to the bag root with `/`
 * separators; CR, LF and `%` in a path are written %0D, %0A and %25.
 */
import { printableName } from '../names.js';
import { decodeTagText, splitTagLines } from './tag-text.js';

/** Manifest algorithm names (as in the file name) -> node:crypto name and hex digest length. */
export const MANIFEST_ALGORITHMS = {
  md5: { hash: 'md5', hexLength: 32 },
  sha1: { hash: 'sha1', hexLength: 40 },
  sha224: { hash: 'sha224', hexLength: 56 },
  sha256: { hash: 'sha256', hexLength: 64 },
  sha384: { hash: 'sha384', hexLength: 96 },
  sha512: { hash: 'sha512', hexLength: 128 },
} as const;

export type ManifestAlgorithm = keyof typeof MANIFEST_ALGORITHMS;

export function isManifestAlgorithm(name: string): name is ManifestAlgorithm {
  return Object.hasOwn(MANIFEST_ALGORITHMS, name);
}

/** What a tag file's name says about it: a payload or tag manifest and its algorithm name (not yet checked). */
export function manifestKind(name: string): { kind: 'payload' | 'tag'; algorithm: string } | undefined {
  const m = /^(tag)?manifest-([^/]+)\.txt$/.exec(name);
  if (!m?.[2]) return undefined;
  return { kind: m[1] ? 'tag' : 'payload', algorithm: m[2] };
}

/** One problem in a manifest; `rule` is `bagit-manifest-line` or `bagit-path-escape`. */
export interface ManifestProblem {
  rule: 'bagit-manifest-line' | 'bagit-path-escape';
  reason: string;
}

/** A parsed manifest: path (decoded, NFC) -> lowercase hex digest, and the problems of its bad lines. */
export interface Manifest {
  entries: Map<string, string>;
  problems: ManifestProblem[];
}

/**
 * Parses a manifest of `algorithm`. Lines that are malformed, have a digest of the wrong length, repeat a path,
 * or name a path that leaves the bag (absolute, `..`, `.` or empty segments) are reported and left out.
 */
export function parseManifest(bytes: Uint8Array, algorithm: ManifestAlgorithm): Manifest {
  const entries = new Map<string, string>();
  const problems: ManifestProblem[] = [];
  const decoded = decodeTagText(bytes);
  if (!decoded.ok) return { entries, problems: [{ rule: 'bagit-manifest-line', reason: decoded.reason }] };
  const { hexLength } = MANIFEST_ALGORITHMS[algorithm];
  for (const line of splitTagLines(decoded.text)) {
    const bad = (reason: string) =>
      problems.push({ rule: 'bagit-manifest-line', reason: `line ${line.number}: ${reason}` });
    const m = /^([0-9a-fA-F]+)[ \t]+(.+)$/.exec(line.text);
    if (!m?.[1] || !m[2]) {
      bad(`expected "<checksum> <path>", found "${printableName(shorten(line.text))}"`);
      continue;
    }
    if (m[1].length !== hexLength) {
      bad(`${algorithm} checksum has ${m[1].length} hex digits, expected ${hexLength}`);
      continue;
    }
    const path = decodeManifestPath(m[2]).normalize('NFC');
    const leaves = pathEscape(path);
    if (leaves) {
      problems.push({
        rule: 'bagit-path-escape',
        reason: `line ${line.number}: path "${printableName(path)}" ${leaves}`,
      });
      continue;
    }
    if (entries.has(path)) {
      bad(`path "${printableName(path)}" is listed more than once`);
      continue;
    }
    entries.set(path, m[1].toLowerCase());
  }
  return { entries, problems };
}

/** Decodes %0D, %0A and %25 (any case); every other `%` is kept as it is. */
export function decodeManifestPath(raw: string): string {
  return raw.replace(/%(0[dD]|0[aA]|25)/g, (code) => String.fromCharCode(Number.parseInt(code.slice(1), 16)));
}

/** Why a manifest path would leave the bag root (or is not a plain relative path), or undefined if it is fine. */
export function pathEscape(path: string): string | undefined {
  if (path.startsWith('/')) return 'is absolute';
  if (/^[A-Za-z]:/.test(path)) return 'starts with a drive letter';
  const segments = path.split('/');
  if (segments.includes('..')) return 'contains ".." and would leave the bag';
  if (segments.includes('.')) return 'contains a "." segment';
  if (segments.includes('')) return 'contains an empty segment ("//" or a trailing "/")';
  if (path.includes('\u0000')) return 'contains NUL';
  return undefined;
}

const shorten = (s: string) => (s.length > 80 ? `${s.slice(0, 77)}...` : s);
