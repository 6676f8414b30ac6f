import { availableParallelism } from 'node:os';
import type { LocationConfig } from '../config/schema.js';
import { ConfigError } from '../errors.js';
import type { SoftwareAgent } from '../metadata/types.js';
import { type BuiltPackage, buildPackage } from '../package/build.js';
import type { Profile } from '../package/profile.js';
import { type TransferableRecord, toTransferable } from '../sources/transfer.js';
import type { SourceRecord } from '../sources/types.js';
import type { Location } from '../storage/index.js';
import { packageKey } from '../storage/keys.js';
import { createWorkerPool } from '../worker-pool.js';
import { DEFAULT_MAX_RECORD_FILES } from '../sources/record-walk.js';
import { verifyObject } from '../storage/verify-object.js';
import { type MissingCopy, missingCopy, type StoredCopy, storeCopies } from './store-copies.js';

export interface WritePackageRequest {
  record: SourceRecord;
  profile: Profile;
  packageId: string;
  agent: SoftwareAgent;
  runId: string;
  /** Names of the locations that must each hold a verified copy. */
  copies: string[];
  /** When packaging starts, by the app's clock: the date of the package's METS and of its PREMIS events. */
  startedAt: Date;
}

export interface WrittenPackage {
  built: BuiltPackage;
  /** Copies written and read back with the expected digest. */
  stored: StoredCopy[];
  /** Copies the policy asks for that could not be written or verified: the package waits for them. */
  missing: MissingCopy[];
}

/** Packages records and writes their copies; several at once when it has the concurrency. Knows no catalog. */
export interface PackageWriter {
  readonly concurrency: number;
  write(
    request: WritePackageRequest,
    onSourceBytes?: (n: number) => void,
    signal?: AbortSignal,
  ): Promise<WrittenPackage>;
  close(): Promise<void>;
}

/**
 * Builds the package in one pass over the record while writing every copy, then reads each copy back and
 * compares size and SHA-256. A location that fails (down, refusing, or returning other bytes) is left out and
 * named in `missing`, its partial object removed; the verified copies stand. Throws only when no copy at all
 * could be stored or the package could not be built, after removing every copy written.
 */
export async function writePackage(
  locations: Map<string, Location>,
  request: WritePackageRequest,
  onSourceBytes?: (n: number) => void,
  signal?: AbortSignal,
): Promise<WrittenPackage> {
  const { record, profile, packageId, agent, runId } = request;
  const targets = request.copies.map((name) => {
    const location = locations.get(name);
    if (!location)
      throw new ConfigError('copy policy', [
        { path: 'copies', message: `location "${name}" is not configured` },
      ]);
    return location;
  });
  const key = packageKey(packageId);
  const build = buildPackage({
    record,
    profile,
    packageId,
    agent,
    // A packaging thread cannot call the app's clock: the package is dated by the time the caller took from it.
    now: () => request.startedAt,
    runId,
    onSourceBytes,
  });
  // Wait for both to settle, so that a failed build never returns before every partial write is cleaned up.
  const [storing, building] = await Promise.allSettled([
    storeCopies(build.stream, key, targets, { size: expectedSize(record), sha256: build.sha256, signal }),
    build.done,
  ]);
  const attempts = (storing as PromiseFulfilledResult<Awaited<ReturnType<typeof storeCopies>>>).value;
  const removeAll = (copies: StoredCopy[]) =>
    Promise.all(
      copies.map((c) =>
        locations
          .get(c.location)
          ?.driver.delete(key)
          .catch(() => {}),
      ),
    );
  if (building.status === 'rejected') {
    await removeAll(attempts.stored);
    // When every location failed first, the build only saw its output closed: the storage error is the cause.
    throw attempts.stored.length === 0 && attempts.firstError ? attempts.firstError : building.reason;
  }
  const stored: StoredCopy[] = [];
  const missing = [...attempts.missing];
  let firstError = attempts.firstError;
  for (const copy of attempts.stored) {
    const location = locations.get(copy.location) as Location;
    try {
      await verifyObject(location, key, building.value, '[ingest]');
      stored.push(copy);
    } catch (err) {
      firstError ??= err;
      await location.driver.delete(key).catch(() => {});
      missing.push(missingCopy(copy.location, err));
    }
  }
  if (stored.length === 0) throw firstError;
  return { built: building.value, stored, missing };
}

/** About the size of the package: its content plus some room for metadata and ZIP headers. */
function expectedSize(record: WritePackageRequest['record']): number {
  const content = record.files.reduce((sum, f) => sum + f.size, 0);
  return content + record.files.length * 1024 + (1 << 20);
}

/** Writes on the calling thread, one record at a time. */
export function createInlinePackageWriter(locations: Map<string, Location>): PackageWriter {
  return {
    concurrency: 1,
    write: (request, onSourceBytes, signal) => writePackage(locations, request, onSourceBytes, signal),
    async close() {},
  };
}

export type TransferableWriteRequest = Omit<WritePackageRequest, 'record'> & { record: TransferableRecord };

/**
 * Old-generation heap of a packaging thread for records of up to `maxRecordFiles` files: 64 MB, plus 2.5 MB per
 * 1,000 files (what packaging keeps per file, measured at about 2 KB). Without a limit V8 lets garbage grow the
 * heap to hundreds of MB before collecting it (a 15,000-file record peaked at 418 MB; at 96 MB: 299 MB).
 */
export function packagingHeapMb(maxRecordFiles = DEFAULT_MAX_RECORD_FILES): number {
  return 64 + Math.ceil((maxRecordFiles / 1000) * 2.5);
}

/** Writes records on worker threads, one record per worker at a time, so that packaging uses every core. */
export function createWorkerPackageWriter(
  locations: Record<string, LocationConfig>,
  size = availableParallelism(),
  maxRecordFiles?: number,
): PackageWriter {
  const pool = createWorkerPool<TransferableWriteRequest, WrittenPackage>(
    new URL('./package-worker.js', import.meta.url),
    { locations },
    size,
    { maxOldGenerationSizeMb: packagingHeapMb(maxRecordFiles) },
  );
  return {
    concurrency: pool.size,
    write: (request, onSourceBytes, signal) =>
      pool.run({ ...request, record: toTransferable(request.record) }, onSourceBytes, signal),
    close: () => pool.close(),
  };
}

/** The writer the configuration asks for: on `workers` threads (default one per core), or inline for 1. */
export function createConfiguredPackageWriter(
  configs: Record<string, LocationConfig>,
  locations: Map<string, Location>,
  workers = availableParallelism(),
  maxRecordFiles?: number,
): PackageWriter {
  return workers > 1
    ? createWorkerPackageWriter(configs, workers, maxRecordFiles)
    : createInlinePackageWriter(locations);
}
