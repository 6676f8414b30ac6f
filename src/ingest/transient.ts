import { PreservationError } from '../errors.js';

/**
 * Failures that a later run gets past without anyone changing anything: a location down or slow, a disk full,
 * or this run being stopped. The record is not lost; it waits.
 */
export function isTransient(err: unknown, signal?: AbortSignal): boolean {
  if (signal?.aborted || (err as { name?: string })?.name === 'AbortError') return true;
  if (err instanceof PreservationError && err.code === 'E_UNAVAILABLE') return true;
  for (let e: unknown = err; e; e = (e as { cause?: unknown }).cause) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOSPC' || code === 'EDQUOT') return true;
  }
  return false;
}
