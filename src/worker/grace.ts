import { sleep } from '../sleep.js';

/**
 * Waits for `settle` (the work in flight reaching a safe point) at most `graceMs`. Returns whether it settled in
 * time; the wait for the grace period is cleared either way, so nothing keeps the process alive after.
 */
export async function settleWithin(settle: Promise<void>, graceMs: number): Promise<boolean> {
  const graceOver = new AbortController();
  try {
    return await Promise.race([settle.then(() => true), sleep(graceMs, graceOver.signal).then(() => false)]);
  } finally {
    graceOver.abort();
  }
}
