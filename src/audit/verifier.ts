import { availableParallelism } from 'node:os';
import type { CopyRecord, FileRecord } from '../model/package.js';
import type { LocationConfig } from '../config/schema.js';
import { PreservationError } from '../errors.js';
import type { Location } from '../storage/index.js';
import { createWorkerPool } from '../worker-pool.js';
import { type CopyCheck, verifyCopy } from './verify-copy.js';

export interface VerifyOptions {
  /** Read no faster than this (the location's bandwidth cap, shared by the copies in flight). */
  bytesPerSecond?: number;
  /** Recompute every file's digest even when the whole object's matches (the `deep` level). */
  deep?: boolean;
}

/** Verifies stored copies; the audit asks it one copy at a time and may have several in flight. */
export interface CopyVerifier {
  /** How many copies it checks at once. */
  readonly concurrency: number;
  /**
   * `files`: the package's file list, or only its count: then a copy whose whole digest differs comes back with
   * `needsFiles`, to be verified again with the list (see `verifyCopy`).
   */
  verify(
    copy: CopyRecord,
    files: FileRecord[] | number,
    onBytes?: (n: number) => void,
    options?: VerifyOptions,
  ): Promise<CopyCheck>;
  close(): Promise<void>;
}

/** Verifies on the calling thread: for one copy at a time, tests, and where workers cannot be used. */
export function createInlineVerifier(locations: Map<string, Location>): CopyVerifier {
  return {
    concurrency: 1,
    async verify(copy, files, onBytes, options) {
      const location = locations.get(copy.location);
      if (!location) throw new PreservationError(`[audit] location "${copy.location}" is not configured`);
      return verifyCopy(location, copy, files, onBytes, options);
    },
    async close() {},
  };
}

export interface VerifyRequest {
  copy: CopyRecord;
  files: FileRecord[] | number;
  options?: VerifyOptions;
}

/**
 * Verifies copies on worker threads, one copy per worker at a time, so that hashing (whole object and every
 * file) uses every core. Each worker builds its own drivers from the same location configuration.
 */
export function createWorkerVerifier(
  locations: Record<string, LocationConfig>,
  size = availableParallelism(),
): CopyVerifier {
  const pool = createWorkerPool<VerifyRequest, CopyCheck>(
    new URL('./verify-worker.js', import.meta.url),
    { locations },
    size,
  );
  return {
    concurrency: pool.size,
    verify: (copy, files, onBytes, options) => pool.run({ copy, files, options }, onBytes),
    close: () => pool.close(),
  };
}

/**
 * Verifies the first `inlineBytes` of copies on the calling thread, and the rest on worker threads, started only
 * when the first copy beyond that is asked for. A worker costs about 0.1 s of CPU to start (a Node isolate and
 * the modules it loads), more than hashing a few tens of MB: a small audit (a package, a day's planned share)
 * does not pay for threads it hardly uses; a large one gets every core after a moment.
 */
export function createAdaptiveVerifier(
  locations: Map<string, Location>,
  workers: () => CopyVerifier,
  concurrency: number,
  inlineBytes: number,
): CopyVerifier {
  const inline = createInlineVerifier(locations);
  let pool: CopyVerifier | undefined;
  let inlined = 0;
  return {
    concurrency,
    verify(copy, files, onBytes, options) {
      if (!pool && inlined + copy.size <= inlineBytes) {
        inlined += copy.size;
        return inline.verify(copy, files, onBytes, options);
      }
      pool ??= workers();
      return pool.verify(copy, files, onBytes, options);
    },
    close: async () => pool?.close(),
  };
}
