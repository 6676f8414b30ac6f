import { PassThrough, type Readable } from 'node:stream';
import { errorMessage, FixityError, StorageError } from '../errors.js';
import { digestStream } from '../fixity/digest.js';
import type { Location } from '../storage/index.js';
import type { StoredObject } from '../storage/types.js';

export interface StoredCopy {
  location: string;
  object: StoredObject;
}

/**
 * Writes one package stream to every location at once: the stream is read once and fanned out, the slowest
 * location setting the pace. If any location fails, the copies already written are removed (best effort) so that
 * no unrecorded object is left behind, and the first error is thrown.
 */
export async function storeCopies(
  body: Readable,
  key: string,
  locations: Location[],
  options: { size?: number; sha256: () => string; signal?: AbortSignal },
): Promise<StoredCopy[]> {
  // One location reads the body itself; several each get a branch of it.
  const fanOut = locations.length > 1;
  const branches: Readable[] = fanOut
    ? locations.map(() => {
        const branch = new PassThrough({ highWaterMark: 256 << 10 });
        body.pipe(branch);
        branch.on('error', () => {}); // reported through the put that reads it
        return branch;
      })
    : [body];
  // One failure stops everything: a branch nobody reads would otherwise hold back the others forever.
  const stopAll = (err: unknown) => {
    for (const branch of branches) branch.destroy(err as Error);
    body.destroy(err as Error);
  };
  body.on('error', stopAll);
  const results = await Promise.allSettled(
    locations.map((location, i) =>
      location.driver.put(key, branches[i] as Readable, options).catch((err: unknown) => {
        stopAll(err);
        throw err;
      }),
    ),
  );
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (!failed) {
    return results.map((r, i) => ({
      location: (locations[i] as Location).name,
      object: (r as PromiseFulfilledResult<StoredObject>).value,
    }));
  }
  await Promise.all(
    results.map((r, i) =>
      r.status === 'fulfilled' ? (locations[i] as Location).driver.delete(key).catch(() => {}) : undefined,
    ),
  );
  throw failed.reason;
}

/**
 * Reads a stored copy back in full and compares its size and SHA-256 with what was sent.
 * Throws `FixityError` on a mismatch, `StorageError` when it cannot be read.
 */
export async function verifyStoredCopy(
  location: Location,
  key: string,
  expected: { size: number; sha256: string },
): Promise<void> {
  let actual: { size: number; sha256: string };
  try {
    const { driver } = location;
    actual = driver.digest ? await driver.digest(key) : await digestStream(await driver.get(key));
  } catch (err) {
    throw new StorageError(
      `[ingest] read-back of "${key}" from location "${location.name}" failed: ${errorMessage(err)}`,
      { cause: err },
    );
  }
  if (actual.sha256 !== expected.sha256 || actual.size !== expected.size) {
    throw new FixityError(
      `[ingest] read-back of "${key}" from location "${location.name}" differs from what was written: ` +
        `expected ${expected.size} bytes SHA-256 ${expected.sha256}, got ${actual.size} bytes ${actual.sha256}`,
      'SHA-256',
      expected.sha256,
      actual.sha256,
      { key },
    );
  }
}
