import { PassThrough, type Readable } from 'node:stream';
import { errorMessage, PreservationError } from '../errors.js';
import type { Location } from '../storage/index.js';
import type { StoredObject } from '../storage/types.js';

export interface StoredCopy {
  location: string;
  object: StoredObject;
}

/** A copy the policy asks for that could not be written or verified; the package waits for it. */
export interface MissingCopy {
  location: string;
  message: string;
  /** Error code, e.g. `E_UNAVAILABLE`, `E_ACCESS`, `E_FIXITY`. */
  code: string;
}

export interface CopyAttempts {
  stored: StoredCopy[];
  missing: MissingCopy[];
  /** The first error, thrown again by callers when nothing was stored. */
  firstError?: unknown;
}

/**
 * Writes one package stream to every location at once: the stream is read once and fanned out, the slowest
 * location setting the pace. A location that fails drops out and the others go on; only when every location
 * has failed is the body itself stopped. Never throws: the caller decides what a partial result means.
 */
export async function storeCopies(
  body: Readable,
  key: string,
  locations: Location[],
  options: { size?: number; sha256: () => string; signal?: AbortSignal },
): Promise<CopyAttempts> {
  const fanOut = locations.length > 1;
  let alive = locations.length;
  const branches: Readable[] = fanOut
    ? locations.map(() => new PassThrough({ highWaterMark: 256 << 10 }))
    : [body];
  // Fan-out by hand, not with pipe(): a branch that fails while the body waits for its 'drain' must stop holding
  // the body back (pipe() can leave it paused for a destroyed branch, and then the other copies never finish).
  const live = new Set(fanOut ? (branches as PassThrough[]) : []);
  const full = new Set<PassThrough>();
  const resumeIfClear = () => {
    if (full.size === 0 && live.size > 0 && body.isPaused()) body.resume();
  };
  if (fanOut) {
    body.on('data', (chunk: Buffer) => {
      for (const branch of live) {
        if (!branch.write(chunk) && !full.has(branch)) {
          full.add(branch);
          branch.once('drain', () => {
            full.delete(branch);
            resumeIfClear();
          });
        }
      }
      if (full.size > 0) body.pause();
    });
    body.once('end', () => {
      for (const branch of live) branch.end();
    });
  }
  const dropOut = (i: number, err: unknown) => {
    alive--;
    const branch = branches[i] as PassThrough;
    if (fanOut) {
      live.delete(branch);
      full.delete(branch);
      branch.destroy();
      resumeIfClear();
    }
    // No location is left to read the body: stop it, so that the package build ends too.
    if (alive === 0) body.destroy(err as Error);
  };
  body.on('error', (err) => {
    for (const branch of branches) if (branch !== body) branch.destroy(err);
  });
  const results = await Promise.allSettled(
    locations.map((location, i) =>
      location.driver.put(key, branches[i] as Readable, options).catch((err: unknown) => {
        dropOut(i, err);
        throw err;
      }),
    ),
  );
  const attempts: CopyAttempts = { stored: [], missing: [] };
  results.forEach((result, i) => {
    const location = (locations[i] as Location).name;
    if (result.status === 'fulfilled') attempts.stored.push({ location, object: result.value });
    else {
      attempts.firstError ??= result.reason;
      attempts.missing.push(missingCopy(location, result.reason));
    }
  });
  return attempts;
}

export function missingCopy(location: string, err: unknown): MissingCopy {
  return {
    location,
    message: errorMessage(err),
    code: err instanceof PreservationError ? err.code : ((err as { name?: string })?.name ?? 'Error'),
  };
}
