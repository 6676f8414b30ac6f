import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Passes a stream's chunks on no faster than `bytesPerSecond` on average (a token bucket one second deep), so that
 * an audit of an offsite location leaves room on a shared link. Without a rate the stream passes untouched.
 */
export async function* throttle(
  source: AsyncIterable<Uint8Array>,
  bytesPerSecond: number | undefined,
  now: () => number = () => performance.now(),
): AsyncIterable<Uint8Array> {
  if (!bytesPerSecond) {
    yield* source;
    return;
  }
  const started = now();
  let sent = 0;
  for await (const chunk of source) {
    sent += chunk.length;
    // Time at which `sent` bytes are allowed, with one second of burst.
    const due = started + ((sent - bytesPerSecond) / bytesPerSecond) * 1000;
    const wait = due - now();
    if (wait > 0) await sleep(wait);
    yield chunk;
  }
}
