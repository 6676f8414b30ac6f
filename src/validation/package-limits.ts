/**
 * Size limits checked on a SIP before any of its data is read: the number of entries, the total extracted size,
 * and (for ZIPs) the compression ratio of each entry, so that a ZIP bomb is refused from its central directory
 * alone. Each exceeded limit is a MUST finding with its own rule id, reported like the validator's findings.
 */
import type { ZipCentralEntry } from '../zip/reader.js';
import type { Finding } from './types.js';

/** Default {@link SipLimits.maxEntries}: the files one record may hold (see `DEFAULT_MAX_RECORD_FILES`). */
export const DEFAULT_MAX_ENTRIES = 20_000;
/** Default {@link SipLimits.maxBytes}: 1 TiB extracted. */
export const DEFAULT_MAX_BYTES = 2 ** 40;
/** Default {@link SipLimits.maxCompressionRatio}: 1000 extracted bytes per compressed byte. */
export const DEFAULT_MAX_COMPRESSION_RATIO = 1000;
/**
 * Bytes an entry may extract to beyond the ratio (64 KiB): a small, highly repetitive file (a blank form, a run of
 * zeros) is fine. The ratio applies to every entry above that, however small, and to the archive as a whole.
 */
export const RATIO_ALLOWANCE_BYTES = 64 * 1024;

/** Rule ids of the limits. */
export const LIMIT_RULES = {
  entries: 'sip-too-many-entries',
  bytes: 'sip-too-large',
  ratio: 'zip-compression-ratio',
  expansion: 'zip-total-expansion',
} as const;

export interface SipLimits {
  maxEntries: number;
  maxBytes: number;
  maxCompressionRatio: number;
}

/** The limits `bevara validate` applies, the same defaults as ingest. */
export const DEFAULT_PACKAGE_LIMITS: SipLimits = {
  maxEntries: DEFAULT_MAX_ENTRIES,
  maxBytes: DEFAULT_MAX_BYTES,
  maxCompressionRatio: DEFAULT_MAX_COMPRESSION_RATIO,
};

/**
 * Findings for a SIP ZIP's central directory entries that exceed the limits (empty when none). `archiveSize` is
 * the size of the ZIP file: what all entries together extract to is held to the same ratio.
 */
export function checkZipLimits(
  entries: readonly ZipCentralEntry[],
  limits: SipLimits,
  archiveSize?: number,
): Finding[] {
  const total = entries.reduce((sum, e) => sum + e.size, 0);
  const findings: Finding[] = [];
  if (archiveSize !== undefined && total > limits.maxCompressionRatio * archiveSize + RATIO_ALLOWANCE_BYTES) {
    findings.push({
      id: LIMIT_RULES.expansion,
      level: 'MUST',
      message:
        `The SIP's ${entries.length} entries would extract to ${total} bytes from an archive of ${archiveSize} ` +
        `(at most ${limits.maxCompressionRatio}:1 in all is accepted); the SIP is not read.`,
      location: { file: '.' },
    });
  }
  for (const entry of entries) {
    if (entry.size <= limits.maxCompressionRatio * entry.compressedSize + RATIO_ALLOWANCE_BYTES) continue;
    const ratio = entry.size / Math.max(entry.compressedSize, 1);
    findings.push({
      id: LIMIT_RULES.ratio,
      level: 'MUST',
      message:
        `Entry "${entry.name}" would extract to ${entry.size} bytes from ${entry.compressedSize} ` +
        `(ratio ${Math.round(ratio)}:1, at most ${limits.maxCompressionRatio}:1 is accepted); the SIP is not read.`,
      location: { file: entry.name },
    });
  }
  // The most specific first (`bevara validate` names the first): an entry, then the archive, then the totals.
  return [
    ...findings.filter((f) => f.id === LIMIT_RULES.ratio),
    ...findings.filter((f) => f.id !== LIMIT_RULES.ratio),
    // Folders are entries too, but cost nothing to package: the limit is on files.
    ...checkTotals(entries.filter((e) => !e.name.endsWith('/')).length, total, limits),
  ];
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
      message:
        `The SIP holds ${count} files; at most ${limits.maxEntries} are accepted (ingest.maxRecordFiles): ` +
        'split it into several SIPs, or raise the limit.',
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
