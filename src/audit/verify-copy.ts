import type { CopyRecord, FileRecord } from '../model/package.js';
import { errorMessage } from '../errors.js';
import { createDigester, type Digester } from '../fixity/digest.js';
import { readZipDirectory, walkZip, type ZipDirectory, type ZipEntryCheck } from '../zip/reader.js';
import type { Location } from '../storage/index.js';
import { readRange } from '../storage/read-range.js';
import { throttle } from '../storage/throttle.js';

/** One thing wrong with a copy. `rule` is stable for machines; `message` is for people. */
export interface CopyProblem {
  rule:
    | 'copy-missing'
    | 'size-mismatch'
    | 'package-digest'
    | 'zip-structure'
    | 'file-digest'
    | 'file-missing'
    | 'entry-crc'
    | 'stored-digest'
    | 'read-error';
  message: string;
  file?: string;
  expected?: string;
  actual?: string;
}

export interface CopyCheck {
  status: 'verified' | 'failed' | 'missing';
  problems: CopyProblem[];
  /** Bytes read from storage. */
  bytes: number;
  /**
   * Files known intact: their digests recomputed and matched (`deep`, or a failed copy's diagnosis), or all of
   * the package's files when its whole SHA-256 matched (`full`: every byte is as it was read back at ingest).
   */
  filesVerified: number;
  /** Whether the file digests were recomputed from the bytes (`deep`, diagnosis), not implied by the whole one. */
  perFile?: boolean;
  /**
   * The whole object's digest did not match and only the package's file count was given: verify again with its
   * file list to name the damaged files.
   */
  needsFiles?: boolean;
}

export interface VerifyCopyOptions {
  /** Read no faster than this, bytes per second. */
  bytesPerSecond?: number;
  /** Recompute every file's SHA-256 and every entry's CRC-32 even when the whole object's digest matches. */
  deep?: boolean;
}

/**
 * Full check of one stored copy: it exists, and its size and whole-object SHA-256 match the catalog. That digest
 * was recorded after the stored object was read back at ingest, so a match proves every byte, and with them every
 * file digest inside, is what was verified then: the object is read once and hashed once, as fast as the disk
 * and SHA-256 go. Only when it does not match is the ZIP walked (a second read) to recompute each catalogued
 * file's SHA-256 and each entry's CRC-32 and say which files are damaged. `deep` walks the ZIP in the one read
 * whatever the outcome (for those who want the package's inner digests proven on their own). Nothing is
 * extracted to disk; the central directory is located with small ranged reads.
 */
export async function verifyCopy(
  location: Location,
  copy: CopyRecord,
  files: FileRecord[] | number,
  onBytes?: (n: number) => void,
  options: VerifyCopyOptions = {},
): Promise<CopyCheck> {
  const { driver } = location;
  // The common case, by the driver's own digest (fs: open, read, close): no separate head, since a missing object
  // fails the open and the size is what was read. A copy that cannot be opened is looked at the slow way below.
  let digested: { size: number; sha256: string } | undefined;
  let digestedBytes = 0;
  if (driver.digest && !options.bytesPerSecond && !options.deep) {
    const counted = (n: number) => {
      digestedBytes += n;
      onBytes?.(n);
    };
    try {
      digested = await driver.digest(copy.key, { onBytes: counted });
    } catch {
      // Missing or unreadable: head and the read below say which, as they always have.
    }
    if (digested && digested.size === copy.size && digested.sha256 === copy.sha256)
      return result([], digested.size, typeof files === 'number' ? files : files.length, false);
  }
  const head = digested ? { size: digested.size } : await driver.head(copy.key);
  if (!head) return missing(location, copy);
  const problems: CopyProblem[] = [];
  if (head.size !== copy.size) {
    problems.push({
      rule: 'size-mismatch',
      message: `package ${copy.packageId}: size differs from the catalog`,
      expected: `${copy.size} bytes`,
      actual: `${head.size} bytes`,
    });
  }
  const read = { location, copy, size: head.size, onBytes, bytesPerSecond: options.bytesPerSecond };
  if (options.deep) {
    if (typeof files === 'number') return { ...result([], 0, 0, false), needsFiles: true };
    const walked = await walkFiles(read, files, { hashIfUnwalkable: true });
    problems.push(...walked.problems);
    comparePackageDigest(copy, walked.sha256, problems);
    return result(problems, walked.bytes, walked.filesVerified, true);
  }
  const whole = digested
    ? { sha256: digested.sha256, bytes: digestedBytes, problems: [] }
    : await hashWhole(read);
  problems.push(...whole.problems);
  comparePackageDigest(copy, whole.sha256, problems);
  const count = typeof files === 'number' ? files : files.length;
  if (problems.length === 0) return result(problems, whole.bytes, count, false);
  // Unreadable: a second read would not tell more.
  if (whole.sha256 === undefined) return result(problems, whole.bytes, 0, false);
  // The list was left in the catalog (a large package's costs memory in both threads): the caller brings it.
  if (typeof files === 'number') return { ...result(problems, whole.bytes, 0, false), needsFiles: true };
  // Something differs: read again, file by file, to name what is damaged.
  const diagnosis = await walkFiles(read, files, { hashIfUnwalkable: false });
  problems.push(...diagnosis.problems);
  return result(problems, whole.bytes + diagnosis.bytes, diagnosis.filesVerified, true);
}

interface CopyRead {
  location: Location;
  copy: CopyRecord;
  /** The object's size as the location reports it. */
  size: number;
  onBytes?: (n: number) => void;
  bytesPerSecond?: number;
}

function missing(location: Location, copy: CopyRecord): CopyCheck {
  return {
    status: 'missing',
    problems: [
      {
        rule: 'copy-missing',
        message: `package ${copy.packageId}: copy "${copy.key}" is missing from location "${location.name}"`,
      },
    ],
    bytes: 0,
    filesVerified: 0,
  };
}

function result(problems: CopyProblem[], bytes: number, filesVerified: number, perFile: boolean): CopyCheck {
  return { status: problems.length === 0 ? 'verified' : 'failed', problems, bytes, filesVerified, perFile };
}

function comparePackageDigest(copy: CopyRecord, actual: string | undefined, problems: CopyProblem[]): void {
  if (actual === copy.sha256) return;
  problems.push({
    rule: 'package-digest',
    message: `package ${copy.packageId}: SHA-256 of the package differs from the catalog`,
    expected: copy.sha256,
    actual: actual ?? '(unreadable)',
  });
}

/** Streams the whole object through SHA-256; `sha256` is undefined (and a read-error given) when it fails. */
async function hashWhole(
  read: CopyRead,
): Promise<{ sha256?: string; bytes: number; problems: CopyProblem[] }> {
  const { driver } = read.location;
  let bytes = 0;
  const counted = (n: number) => {
    bytes += n;
    read.onBytes?.(n);
  };
  // The driver's own path when it has one and no bandwidth cap applies (fs: one reused buffer, no stream).
  if (driver.digest && !read.bytesPerSecond) {
    try {
      return {
        sha256: (await driver.digest(read.copy.key, { onBytes: counted })).sha256,
        bytes,
        problems: [],
      };
    } catch (err) {
      const message = `package ${read.copy.packageId}: ${errorMessage(err)}`;
      return { bytes, problems: [{ rule: 'read-error', message }] };
    }
  }
  const digester = createDigester('SHA-256');
  try {
    for await (const chunk of throttle(await driver.get(read.copy.key), read.bytesPerSecond)) {
      digester.update(chunk);
      counted(chunk.length);
    }
    return { sha256: digester.hex(), bytes, problems: [] };
  } catch (err) {
    const message = `package ${read.copy.packageId}: ${errorMessage(err)}`;
    return { bytes, problems: [{ rule: 'read-error', message }] };
  }
}

/**
 * One read that walks the ZIP: the whole-object SHA-256, every catalogued file's SHA-256 and every entry's
 * CRC-32. A ZIP that cannot be walked (damaged) is hashed whole in a read of its own if `hashIfUnwalkable`.
 */
async function walkFiles(
  read: CopyRead,
  files: FileRecord[],
  options: { hashIfUnwalkable: boolean },
): Promise<{ sha256?: string; bytes: number; filesVerified: number; problems: CopyProblem[] }> {
  const { driver } = read.location;
  const { copy } = read;
  const problems: CopyProblem[] = [];
  let directory: ZipDirectory | undefined;
  try {
    directory = await readZipDirectory((start, end) => readRange(driver, copy.key, start, end), read.size);
  } catch (err) {
    problems.push({ rule: 'zip-structure', message: `package ${copy.packageId}: ${errorMessage(err)}` });
  }
  const whole = createDigester('SHA-256');
  let bytes = 0;
  const expectedByEntry = new Map(files.map((f) => [`${copy.packageId}/${f.entryPath}`, f]));
  if (directory) {
    const digests = new Map<string, Digester>();
    try {
      const checks = await walkZip(throttle(await driver.get(copy.key), read.bytesPerSecond), directory, {
        onBytes: (chunk) => {
          whole.update(chunk);
          bytes += chunk.length;
          read.onBytes?.(chunk.length);
        },
        onEntry: (entry) => {
          if (!expectedByEntry.has(entry.name)) return undefined;
          const digester = createDigester('SHA-256');
          digests.set(entry.name, digester);
          return { write: (chunk) => digester.update(chunk), end: () => {}, skipCrc: true };
        },
      });
      const filesVerified = compareEntries(copy.packageId, checks, expectedByEntry, digests, problems);
      return { sha256: whole.hex(), bytes, filesVerified, problems };
    } catch (err) {
      problems.push({ rule: 'zip-structure', message: `package ${copy.packageId}: ${errorMessage(err)}` });
    }
  }
  if (!options.hashIfUnwalkable) return { bytes, filesVerified: 0, problems };
  // The ZIP could not be walked: read it once more just for the whole-object digest.
  const hashed = await hashWhole(read);
  return {
    sha256: hashed.sha256,
    bytes: bytes + hashed.bytes,
    filesVerified: 0,
    problems: [...problems, ...hashed.problems],
  };
}

/** Adds a problem per entry with a bad CRC-32 and per catalogued file missing or changed; returns how many match. */
function compareEntries(
  packageId: string,
  checks: ZipEntryCheck[],
  expectedByEntry: Map<string, FileRecord>,
  digests: Map<string, Digester>,
  problems: CopyProblem[],
): number {
  let verified = 0;
  for (const check of checks) {
    if (check.crcOk === false) {
      problems.push({
        rule: 'entry-crc',
        file: check.entry.name,
        message: `package ${packageId}: CRC-32 of entry "${check.entry.name}" does not match`,
      });
    }
  }
  for (const [entryName, file] of expectedByEntry) {
    const digester = digests.get(entryName);
    if (!digester) {
      problems.push({
        rule: 'file-missing',
        file: file.path,
        message: `package ${packageId}: file "${file.path}" is not in the package`,
        expected: file.sha256,
      });
      continue;
    }
    const actual = digester.hex();
    if (actual === file.sha256) verified++;
    else {
      problems.push({
        rule: 'file-digest',
        file: file.path,
        message: `package ${packageId}: file "${file.path}" has changed`,
        expected: file.sha256,
        actual,
      });
    }
  }
  return verified;
}
