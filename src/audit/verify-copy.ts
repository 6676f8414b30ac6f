import type { CopyRecord, FileRecord } from '../model/package.js';
import { errorMessage } from '../errors.js';
import { createDigester, type Digester, digestStream } from '../fixity/digest.js';
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
  /** Files whose digest was recomputed and matched. */
  filesVerified: number;
}

/**
 * Full check of one stored copy, reading the object once as a stream: it exists, its size and whole-object
 * SHA-256 match the catalog, and every catalogued file inside the ZIP has its catalogued SHA-256 (and every entry
 * its CRC-32). Nothing is extracted to disk. The central directory is located first with small ranged reads.
 */
export async function verifyCopy(
  location: Location,
  copy: CopyRecord,
  files: FileRecord[],
  onBytes?: (n: number) => void,
  options: { bytesPerSecond?: number } = {},
): Promise<CopyCheck> {
  const { driver } = location;
  const problems: CopyProblem[] = [];
  const head = await driver.head(copy.key);
  if (!head) {
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
  if (head.size !== copy.size) {
    problems.push({
      rule: 'size-mismatch',
      message: `package ${copy.packageId}: size differs from the catalog`,
      expected: `${copy.size} bytes`,
      actual: `${head.size} bytes`,
    });
  }

  let directory: ZipDirectory | undefined;
  try {
    directory = await readZipDirectory((start, end) => readRange(driver, copy.key, start, end), head.size);
  } catch (err) {
    problems.push({ rule: 'zip-structure', message: `package ${copy.packageId}: ${errorMessage(err)}` });
  }

  const whole = createDigester('SHA-256');
  let bytes = 0;
  let filesVerified = 0;
  const expectedByEntry = new Map(files.map((f) => [`${copy.packageId}/${f.entryPath}`, f]));
  let walked = false;
  if (directory) {
    const digests = new Map<string, Digester>();
    try {
      const checks = await walkZip(throttle(await driver.get(copy.key), options.bytesPerSecond), directory, {
        onBytes: (chunk) => {
          whole.update(chunk);
          bytes += chunk.length;
          onBytes?.(chunk.length);
        },
        onEntry: (entry) => {
          if (!expectedByEntry.has(entry.name)) return undefined;
          const digester = createDigester('SHA-256');
          digests.set(entry.name, digester);
          return { write: (chunk) => digester.update(chunk), end: () => {}, skipCrc: true };
        },
      });
      walked = true;
      filesVerified = compareEntries(copy.packageId, checks, expectedByEntry, digests, problems);
    } catch (err) {
      problems.push({ rule: 'zip-structure', message: `package ${copy.packageId}: ${errorMessage(err)}` });
    }
  }
  let actualSha256: string;
  if (walked) actualSha256 = whole.hex();
  else {
    // The ZIP could not be walked (damaged): read it once more just for the whole-object digest.
    try {
      const result = await digestStream(await driver.get(copy.key));
      actualSha256 = result.sha256;
      bytes += result.size;
      onBytes?.(result.size);
    } catch (err) {
      problems.push({ rule: 'read-error', message: `package ${copy.packageId}: ${errorMessage(err)}` });
      actualSha256 = '(unreadable)';
    }
  }
  if (actualSha256 !== copy.sha256) {
    problems.push({
      rule: 'package-digest',
      message: `package ${copy.packageId}: SHA-256 of the package differs from the catalog`,
      expected: copy.sha256,
      actual: actualSha256,
    });
  }
  return { status: problems.length === 0 ? 'verified' : 'failed', problems, bytes, filesVerified };
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
