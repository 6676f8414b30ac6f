/**
 * Verifies the CHECKSUM of every referenced file against its bytes, and reads every other file once (see
 * `readUnreferenced`), streamed from the package (node:crypto;
 * MD5, SHA-1, SHA-256, SHA-384, SHA-512 as CHECKSUMTYPE declares). A file referenced twice with the same
 * algorithm is read once. Other algorithms METS allows (ADLER32, CRC32, HAVAL, TIGER, WHIRLPOOL) are noted as
 * not verified, not failed.
 */
import { createHash } from 'node:crypto';
import { errorMessage, ValidationError } from '../errors.js';
import type { PackageReader } from './package-reader.js';
import type { FileRef } from './rule-context.js';
import type { Finding } from './types.js';
import { CHECKSUM_ALGORITHMS } from './vocabularies.js';
import { attr } from './xml-tree.js';

/** Files read at the same time. */
const CONCURRENCY = 2;

export interface VerifyResult {
  findings: Finding[];
  notes: string[];
  files: number;
  bytes: number;
}

/** Reads each referenced file once per algorithm and compares digests. `metsFile` of each ref is its METS. */
export async function verifyFiles(
  pkg: PackageReader,
  refs: { ref: FileRef; metsFile: string }[],
  options: { readUnreferenced?: boolean } = {},
): Promise<VerifyResult> {
  const result: VerifyResult = { findings: [], notes: [], files: 0, bytes: 0 };
  const digests = new Map<string, Promise<string>>();
  const queue = [...refs];
  const digestOf = (path: string, algorithm: string): Promise<string> => {
    const key = `${algorithm}\u0000${path}`;
    let digest = digests.get(key);
    if (!digest) {
      digest = (async () => {
        const hash = createHash(algorithm);
        for await (const chunk of pkg.stream(path)) {
          hash.update(chunk);
          result.bytes += chunk.length;
        }
        result.files++;
        return hash.digest('hex');
      })();
      digests.set(key, digest);
    }
    return digest;
  };
  const worker = async (): Promise<void> => {
    for (let item = queue.shift(); item; item = queue.shift()) {
      const { ref, metsFile } = item;
      const expected = (attr(ref.holder, 'CHECKSUM') ?? '').trim().toLowerCase();
      const type = attr(ref.holder, 'CHECKSUMTYPE') ?? '';
      const at = { file: metsFile, xpath: ref.holder.xpath, line: ref.holder.line };
      const algorithm = CHECKSUM_ALGORITHMS[type];
      if (!algorithm) {
        result.notes.push(
          `${metsFile}: checksum of ${ref.path} not verified: CHECKSUMTYPE "${type}" is not computed here`,
        );
        continue;
      }
      try {
        const actual = await digestOf(ref.path, algorithm);
        if (actual !== expected) {
          result.findings.push({
            id: ref.ids.checksum,
            level: 'MUST',
            message: `${type} of ${ref.path} is ${actual}, but CHECKSUM says ${expected}.`,
            location: at,
          });
        }
      } catch (err) {
        result.findings.push({
          id: ref.ids.href,
          level: 'MUST',
          message: `${ref.path} cannot be read to verify its checksum: ${errorMessage(err)}`,
          location: at,
        });
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  if (options.readUnreferenced !== false)
    await readUnreferenced(pkg, new Set(refs.map((r) => r.ref.path)), result);
  return result;
}

/**
 * Reads every file of the package that no checksum made us read, as ingest does when it packages them: a ZIP entry
 * whose data does not inflate to the size and CRC-32 its headers claim is refused here too (one verdict), with the
 * reader's rule (`zip-size`, `zip-crc`, …) and the file named.
 */
async function readUnreferenced(pkg: PackageReader, read: Set<string>, result: VerifyResult): Promise<void> {
  const queue = [...pkg.files.keys()].filter((path) => !read.has(path));
  const worker = async (): Promise<void> => {
    for (let path = queue.shift(); path !== undefined; path = queue.shift()) {
      try {
        // Read, not verified against a checksum: not counted in `files` and `bytes`.
        for await (const _chunk of pkg.stream(path));
      } catch (err) {
        result.findings.push({
          id: err instanceof ValidationError ? err.rule : 'package-read',
          level: 'MUST',
          message: `${path} cannot be read as the package says it is: ${errorMessage(err)}`,
          location: { file: path },
        });
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}
