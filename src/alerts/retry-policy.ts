/**
 * When a webhook delivery is worth retrying, and how long to wait first: exponential backoff with full jitter
 * (a random wait between 0 and `base * 2^(attempt-1)`, capped), unless the receiver said when via Retry-After.
 */

/** Statuses that can succeed on a later attempt: request timeout, throttling, and server errors. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599);
}

/**
 * The wait a `Retry-After` header asks for, in milliseconds: delta-seconds (`120`) or an HTTP date relative to
 * `now`. `undefined` when absent or unreadable, so the caller falls back to its own backoff.
 */
export function retryAfterMs(header: string | null, now: Date): number | undefined {
  if (header === null) return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  // An HTTP date names its day and month; without a letter, Date.parse would read "-5" as a year.
  const at = /[a-z]/i.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now.getTime());
}

export interface BackoffOptions {
  /** Ceiling of the first wait, in milliseconds; doubles with each attempt. */
  baseMs: number;
  /** Largest ceiling, in milliseconds, however many attempts have failed. */
  maxMs: number;
  /** Uniform random number in [0, 1). */
  random: () => number;
}

/** Milliseconds to wait after failed attempt number `attempt` (1 for the first) before the next one. */
export function backoffMs(attempt: number, options: BackoffOptions): number {
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(options.random() * ceiling);
}
