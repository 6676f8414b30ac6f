import { describe, expect, it } from 'vitest';
import { createScrubber } from '../../../src/alerts/mask-url.js';
import { backoffMs, isRetryableStatus, retryAfterMs } from '../../../src/alerts/retry-policy.js';

describe('isRetryableStatus', () => {
  it('retries 408, 429 and 5xx only', () => {
    const retried = [200, 301, 400, 401, 403, 404, 408, 409, 422, 429, 500, 502, 503, 504, 599].filter(
      isRetryableStatus,
    );
    expect(retried).toEqual([408, 429, 500, 502, 503, 504, 599]);
  });
});

describe('retryAfterMs', () => {
  const now = new Date('2025-01-01T12:00:00Z');
  it('reads delta-seconds and HTTP dates, and ignores what it cannot read', () => {
    expect(retryAfterMs('7', now)).toBe(7000);
    expect(retryAfterMs(' 0 ', now)).toBe(0);
    expect(retryAfterMs('Wed, 01 Jan 2025 12:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('Wed, 01 Jan 2025 11:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs(null, now)).toBeUndefined();
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs('-5', now)).toBeUndefined();
  });
});

describe('backoffMs', () => {
  it('draws from 0 up to a ceiling that doubles per attempt and is capped', () => {
    const top = (attempt: number) => backoffMs(attempt, { baseMs: 500, maxMs: 3000, random: () => 0.9999 });
    expect([1, 2, 3, 4, 5].map(top)).toEqual([499, 999, 1999, 2999, 2999]);
    expect(backoffMs(4, { baseMs: 500, maxMs: 3000, random: () => 0 })).toBe(0);
    expect(backoffMs(2, { baseMs: 500, maxMs: 3000, random: () => 0.5 })).toBe(500);
  });
});

describe('createScrubber', () => {
  const url = new URL(
    'https://ops:p%40ss-word@hooks.example.org:8443/services/hook?token=abc123def&x=1#frag',
  );

  it('removes the URL, its credentials, query values and secrets from free text', () => {
    const scrub = createScrubber(url, ['signing-secret']);
    const text = `GET ${url.href} failed for ops p@ss-word token=abc123def abc123def signing-secret on port 8443`;
    const clean = scrub(text);
    for (const leak of ['abc123def', 'p@ss-word', 'p%40ss-word', 'signing-secret'])
      expect(clean).not.toContain(leak);
    expect(clean).toContain('on port 8443');
  });
});
