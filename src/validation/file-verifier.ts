/**
 * Verifies the CHECKSUM of every referenced file against its bytes, streamed from the package (node:crypto;
 * MD5, SHA-1, SHA-256, SHA-384, SHA-512 as CHECKSUMTYPE declares). A file referenced twice with the same
 * algorithm is read once. Other algorithms METS allows (ADLER32, CRC32, HAVAL, TIGER, WHIRLPOOL) are noted as
 * not verified, not failed.
 */
import { createHash } from 'node:crypto';
import { errorMessage } from '../errors.js';
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
  return result;
}
