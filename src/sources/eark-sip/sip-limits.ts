/**
 * Size limits checked on a SIP before any of its data is read: the number of entries, the total extracted size,
 * and (for ZIPs) the compression ratio of each entry, so that a ZIP bomb is refused from its central directory
 * alone. Each exceeded limit is a MUST finding with its own rule id, reported like the validator's findings.
 */
import type { ZipCentralEntry } from '../../package/zip-reader.js';
import type { Finding } from '../../validation/types.js';

/** Default {@link SipLimits.maxEntries}: 100,000 entries (files and folders). */
export const DEFAULT_MAX_ENTRIES = 100_000;
/** Default {@link SipLimits.maxBytes}: 1 TiB extracted. */
export const DEFAULT_MAX_BYTES = 2 ** 40;
/** Default {@link SipLimits.maxCompressionRatio}: 1000 extracted bytes per compressed byte. */
export const DEFAULT_MAX_COMPRESSION_RATIO = 1000;
/** Entries up to this size (1 MiB) are not checked for their ratio: small, highly repetitive files are harmless. */
export const RATIO_MIN_BYTES = 1024 * 1024;

/** Rule ids of the limits. */
export const LIMIT_RULES = {
  entries: 'sip-too-many-entries',
  bytes: 'sip-too-large',
  ratio: 'zip-compression-ratio',
} as const;

export interface SipLimits {
  maxEntries: number;
  maxBytes: number;
  maxCompressionRatio: number;
}

/** Findings for a SIP ZIP's central directory entries that exceed the limits (empty when none). */
export function checkZipLimits(entries: readonly ZipCentralEntry[], limits: SipLimits): Finding[] {
  const findings = checkTotals(
    entries.length,
    entries.reduce((sum, e) => sum + e.size, 0),
    limits,
  );
  for (const entry of entries) {
    if (entry.size <= RATIO_MIN_BYTES) continue;
    const ratio = entry.size / Math.max(entry.compressedSize, 1);
    if (ratio <= limits.maxCompressionRatio) continue;
    findings.push({
      id: LIMIT_RULES.ratio,
      level: 'MUST',
      message:
        `Entry "${entry.name}" would extract to ${entry.size} bytes from ${entry.compressedSize} ` +
        `(ratio ${Math.round(ratio)}:1, at most ${limits.maxCompressionRatio}:1 is accepted); the SIP is not read.`,
      location: { file: entry.name },
    });
  }
  return findings;
}

/** Findings for a SIP folder's file count and total size. */
export function checkFolderLimits(files: Iterable<{ size: number }>, limits: SipLimits): Finding[] {
  let count = 0;
  let bytes = 0;
  for (const file of files) {
    count++;
    bytes += file.size;
  }
  return checkTotals(count, bytes, limits);
}

function checkTotals(count: number, bytes: number, limits: SipLimits): Finding[] {
  const findings: Finding[] = [];
  if (count > limits.maxEntries) {
    findings.push({
      id: LIMIT_RULES.entries,
      level: 'MUST',
      message: `The SIP has ${count} entries; at most ${limits.maxEntries} are accepted.`,
      location: { file: '.' },
    });
  }
  if (bytes > limits.maxBytes) {
    findings.push({
      id: LIMIT_RULES.bytes,
      level: 'MUST',
      message: `The SIP would extract to ${bytes} bytes; at most ${limits.maxBytes} are accepted.`,
      location: { file: '.' },
    });
  }
  return findings;
}
