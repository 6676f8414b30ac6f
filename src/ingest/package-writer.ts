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
import { type StoredCopy, storeCopies, verifyStoredCopy } from './store-copies.js';

export interface WritePackageRequest {
  record: SourceRecord;
  profile: Profile;
  packageId: string;
  agent: SoftwareAgent;
  runId: string;
  /** Names of the locations that must each hold a verified copy. */
  copies: string[];
}

export interface WrittenPackage {
  built: BuiltPackage;
  stored: StoredCopy[];
}

/** Packages records and writes their copies; several at once when it has the concurrency. Knows no catalog. */
export interface PackageWriter {
  readonly concurrency: number;
  write(request: WritePackageRequest, onSourceBytes?: (n: number) => void): Promise<WrittenPackage>;
  close(): Promise<void>;
}

/**
 * Builds the package in one pass over the record while writing every copy, then reads each copy back and
 * compares size and SHA-256. On any failure every copy written is removed before the error is thrown.
 */
export async function writePackage(
  locations: Map<string, Location>,
  request: WritePackageRequest,
  onSourceBytes?: (n: number) => void,
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
    now: () => new Date(),
    runId,
    onSourceBytes,
  });
  // Wait for both to settle, so that a failed build never returns before every partial write is cleaned up.
  const [storing, building] = await Promise.allSettled([
    storeCopies(build.stream, key, targets, { sha256: build.sha256 }),
    build.done,
  ]);
  if (building.status === 'rejected') throw building.reason;
  if (storing.status === 'rejected') throw storing.reason;
  try {
    for (const location of targets) await verifyStoredCopy(location, key, building.value);
  } catch (err) {
    await Promise.all(targets.map((l) => l.driver.delete(key).catch(() => {})));
    throw err;
  }
  return { built: building.value, stored: storing.value };
}

/** Writes on the calling thread, one record at a time. */
export function createInlinePackageWriter(locations: Map<string, Location>): PackageWriter {
  return {
    concurrency: 1,
    write: (request, onSourceBytes) => writePackage(locations, request, onSourceBytes),
    async close() {},
  };
}

export type TransferableWriteRequest = Omit<WritePackageRequest, 'record'> & { record: TransferableRecord };

/** Writes records on worker threads, one record per worker at a time, so that packaging uses every core. */
export function createWorkerPackageWriter(
  locations: Record<string, LocationConfig>,
  size = availableParallelism(),
): PackageWriter {
  const pool = createWorkerPool<TransferableWriteRequest, WrittenPackage>(
    new URL('./package-worker.js', import.meta.url),
    { locations },
    size,
  );
  return {
    concurrency: pool.size,
    write: (request, onSourceBytes) =>
      pool.run({ ...request, record: toTransferable(request.record) }, onSourceBytes),
    close: () => pool.close(),
  };
}
