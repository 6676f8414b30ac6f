/**
 * Checking payload bytes against the digests the bag's manifests promise, every algorithm in one pass.
 *
 * The same checker serves two readers: the scan (`validateBag` reads each payload file once) and, when a
 * record's files carry their expected digests, the packaging read itself (`createCheckedStream`), so a bag can
 * be verified while it is packaged and a mismatch fails that package.
 */
import { createHash, type Hash } from 'node:crypto';
import { Transform } from 'node:stream';
import type { ValidationError } from '../../errors.js';
import { recordError } from '../file-reader.js';
import { MANIFEST_ALGORITHMS, type ManifestAlgorithm } from './manifests.js';

/** Expected lowercase hex digest of one payload file per manifest algorithm, e.g. `{ sha256, sha512 }`. */
export type ExpectedDigests = Partial<Record<ManifestAlgorithm, string>>;

/** Incremental digests of every algorithm at once. */
export interface MultiDigest {
  update(chunk: Uint8Array): void;
  /** Finishes every hash; call once. */
  digests(): ExpectedDigests;
  /** Bytes seen so far. */
  readonly size: number;
}

export function createMultiDigest(algorithms: readonly ManifestAlgorithm[]): MultiDigest {
  const hashes: [ManifestAlgorithm, Hash][] = algorithms.map((a) => [
    a,
    createHash(MANIFEST_ALGORITHMS[a].hash),
  ]);
  let size = 0;
  return {
    update(chunk) {
      size += chunk.length;
      for (const [, hash] of hashes) hash.update(chunk);
    },
    digests() {
      return Object.fromEntries(hashes.map(([a, hash]) => [a, hash.digest('hex')]));
    },
    get size() {
      return size;
    },
  };
}

/** Where a file is, for messages: record key and the file's path in the bag (e.g. `data/beslut.pdf`). */
export interface PayloadSubject {
  record: string;
  file: string;
}

/** One `bagit-checksum` error per algorithm whose digest differs from the manifest's. */
export function compareDigests(
  expected: ExpectedDigests,
  actual: ExpectedDigests,
  subject: PayloadSubject,
): ValidationError[] {
  const errors: ValidationError[] = [];
  for (const [algorithm, want] of Object.entries(expected) as [ManifestAlgorithm, string][]) {
    const got = actual[algorithm];
    if (got === want) continue;
    const reason = `${algorithm} checksum ${got} does not match ${want} in manifest-${algorithm}.txt`;
    errors.push(recordError('bagit-checksum', subject.record, subject.file, reason));
  }
  return errors;
}

/**
 * A pass-through stream that digests what flows through it and, at the end, fails with the first
 * `bagit-checksum` error if any algorithm differs from `expected`, before it ends: a consumer that packages
 * the bytes sees an error instead of a clean end.
 */
export function createCheckedStream(expected: ExpectedDigests, subject: PayloadSubject): Transform {
  const digest = createMultiDigest(Object.keys(expected) as ManifestAlgorithm[]);
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      digest.update(chunk);
      callback(null, chunk);
    },
    flush(callback) {
      const [first] = compareDigests(expected, digest.digests(), subject);
      callback(first ?? null);
    },
  });
}
