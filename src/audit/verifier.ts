import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { CopyRecord, FileRecord } from '../catalog/types.js';
import type { LocationConfig } from '../config/schema.js';
import { PreservationError } from '../errors.js';
import type { Location } from '../storage/index.js';
import { type CopyCheck, verifyCopy } from './verify-copy.js';

/** Verifies stored copies; the audit asks it one copy at a time and may have several in flight. */
export interface CopyVerifier {
  /** How many copies it checks at once. */
  readonly concurrency: number;
  verify(copy: CopyRecord, files: FileRecord[], onBytes?: (n: number) => void): Promise<CopyCheck>;
  close(): Promise<void>;
}

/** Verifies on the calling thread: for one copy at a time, tests, and where workers cannot be used. */
export function createInlineVerifier(locations: Map<string, Location>): CopyVerifier {
  return {
    concurrency: 1,
    verify(copy, files, onBytes) {
      const location = locations.get(copy.location);
      if (!location) throw new PreservationError(`[audit] location "${copy.location}" is not configured`);
      return verifyCopy(location, copy, files, onBytes);
    },
    async close() {},
  };
}

/** Messages between the pool and its workers. */
export type VerifyRequest = { id: number; copy: CopyRecord; files: FileRecord[] };
export type VerifyReply = { id: number; bytes?: number; check?: CopyCheck; error?: string };

/**
 * Verifies copies on worker threads, one copy per worker at a time, so that hashing (whole object and every
 * file) uses every core. Each worker builds its own drivers from the same location configuration.
 */
export function createWorkerVerifier(
  locations: Record<string, LocationConfig>,
  size = availableParallelism(),
): CopyVerifier {
  const workerUrl = new URL('./verify-worker.js', import.meta.url);
  const idle: Worker[] = [];
  const waiting: ((worker: Worker) => void)[] = [];
  const all: Worker[] = [];
  let nextId = 0;
  for (let i = 0; i < Math.max(1, size); i++) {
    const worker = new Worker(workerUrl, { workerData: { locations } });
    worker.unref();
    all.push(worker);
    idle.push(worker);
  }
  const acquire = () =>
    new Promise<Worker>((resolve) => {
      const worker = idle.pop();
      if (worker) resolve(worker);
      else waiting.push(resolve);
    });
  const release = (worker: Worker) => {
    const next = waiting.shift();
    if (next) next(worker);
    else idle.push(worker);
  };

  return {
    concurrency: all.length,
    async verify(copy, files, onBytes) {
      const worker = await acquire();
      const id = nextId++;
      try {
        return await new Promise<CopyCheck>((resolve, reject) => {
          const onMessage = (reply: VerifyReply) => {
            if (reply.id !== id) return;
            if (reply.bytes) onBytes?.(reply.bytes);
            if (reply.check || reply.error !== undefined) {
              worker.off('message', onMessage);
              worker.off('error', onError);
              if (reply.check) resolve(reply.check);
              else reject(new PreservationError(`[audit] ${reply.error}`));
            }
          };
          const onError = (err: Error) => {
            worker.off('message', onMessage);
            reject(err);
          };
          worker.on('message', onMessage);
          worker.once('error', onError);
          worker.postMessage({ id, copy, files } satisfies VerifyRequest);
        });
      } finally {
        release(worker);
      }
    },
    async close() {
      await Promise.all(all.map((w) => w.terminate()));
    },
  };
}
