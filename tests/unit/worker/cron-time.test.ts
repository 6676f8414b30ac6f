import { createTask } from 'node-cron';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cronTimes } from '../../../src/worker/cron-time.js';

const STOCKHOLM = 'Europe/Stockholm';

/** The wall-clock time of `t` in `timeZone`, as "2026-10-25 02:00:00". */
const local = (t: Date | null, timeZone = STOCKHOLM) =>
  t?.toLocaleString('sv-SE', { timeZone, hourCycle: 'h23' }) ?? null;

/** The next `count` firings after `from`. */
function firings(cron: string, timeZone: string, from: string, count: number): Date[] {
  const next = cronTimes(cron, timeZone);
  const out: Date[] = [];
  let t = next(new Date(from));
  while (t && out.length < count) {
    out.push(t);
    t = next(t);
  }
  return out;
}

describe('cronTimes', () => {
  afterEach(() => vi.useRealTimers());

  it('reads five fields as minute hour day month weekday, in the time zone given', () => {
    expect(firings('0 2 * * *', STOCKHOLM, '2026-06-01T12:00:00Z', 2).map((t) => t.toISOString())).toEqual([
      '2026-06-02T00:00:00.000Z',
      '2026-06-03T00:00:00.000Z',
    ]);
    expect(firings('0 2 * * *', 'UTC', '2026-06-01T12:00:00Z', 1)[0]?.toISOString()).toBe(
      '2026-06-02T02:00:00.000Z',
    );
  });

  it('is strictly after the time given, also exactly at a firing', () => {
    const next = cronTimes('*/2 * * * * *', 'UTC');
    expect(next(new Date('2026-01-01T00:00:00.000Z'))?.toISOString()).toBe('2026-01-01T00:00:02.000Z');
    expect(next(new Date('2026-01-01T00:00:01.999Z'))?.toISOString()).toBe('2026-01-01T00:00:02.000Z');
    expect(next(new Date('2026-12-31T23:59:59.000Z'))?.toISOString()).toBe('2027-01-01T00:00:00.000Z');
  });

  it('autumn: a time that occurs twice fires once, at its first occurrence', () => {
    // 25 October 2026: 03:00 CEST becomes 02:00 CET at 01:00 UTC, so 02:00 occurs at 00:00 and at 01:00 UTC.
    const times = firings('0 2 * * *', STOCKHOLM, '2026-10-24T12:00:00Z', 3);
    expect(times.map((t) => t.toISOString())).toEqual([
      '2026-10-25T00:00:00.000Z',
      '2026-10-26T01:00:00.000Z',
      '2026-10-27T01:00:00.000Z',
    ]);
    expect(times.map((t) => local(t))).toEqual([
      '2026-10-25 02:00:00',
      '2026-10-26 02:00:00',
      '2026-10-27 02:00:00',
    ]);
    // Half-hourly through the repeated hour: no time of day fires twice.
    const halfHours = firings('0,30 * * * *', STOCKHOLM, '2026-10-25T00:15:00Z', 4).map((t) => local(t));
    expect(halfHours).toEqual([
      '2026-10-25 02:30:00',
      '2026-10-25 03:00:00',
      '2026-10-25 03:30:00',
      '2026-10-25 04:00:00',
    ]);
  });

  it('spring: a time that does not occur fires once, at the first instant after the jump', () => {
    // 29 March 2026: 02:00 CET becomes 03:00 CEST at 01:00 UTC; there is no 02:00 that night.
    const times = firings('0 2 * * *', STOCKHOLM, '2026-03-27T12:00:00Z', 3);
    expect(times.map((t) => t.toISOString())).toEqual([
      '2026-03-28T01:00:00.000Z',
      '2026-03-29T01:00:00.000Z',
      '2026-03-30T00:00:00.000Z',
    ]);
    expect(times.map((t) => local(t))).toEqual([
      '2026-03-28 02:00:00',
      '2026-03-29 03:00:00',
      '2026-03-30 02:00:00',
    ]);
    expect(local(firings('30 2 * * *', STOCKHOLM, '2026-03-29T00:00:00Z', 1)[0] ?? null)).toBe(
      '2026-03-29 03:30:00',
    );
  });

  it('knows last days, nearest weekdays, nth and last weekdays', () => {
    const on = (cron: string, from: string, n = 3) =>
      firings(cron, 'UTC', from, n).map((t) => t.toISOString().slice(0, 10));
    expect(on('0 0 L * *', '2028-01-15T00:00:00Z')).toEqual(['2028-01-31', '2028-02-29', '2028-03-31']);
    expect(on('0 0 L-1 * *', '2027-01-15T00:00:00Z', 2)).toEqual(['2027-01-30', '2027-02-27']);
    // 15 August 2026 is a Saturday, 15 November a Sunday: the nearest weekdays are the 14th and the 16th.
    expect(on('0 0 15W 8,11 *', '2026-01-01T00:00:00Z', 2)).toEqual(['2026-08-14', '2026-11-16']);
    // The second Monday, the last Friday.
    expect(on('0 0 * * 1#2', '2026-01-01T00:00:00Z', 2)).toEqual(['2026-01-12', '2026-02-09']);
    expect(on('0 0 * * 5L', '2026-01-01T00:00:00Z', 2)).toEqual(['2026-01-30', '2026-02-27']);
    expect(on('0 0 29 2 *', '2026-01-01T00:00:00Z', 1)).toEqual(['2028-02-29']);
    // Day of month and weekday must both match (as in node-cron 4): 13 February 2026 is a Friday.
    expect(on('0 0 13 * fri', '2025-07-01T00:00:00Z', 2)).toEqual(['2026-02-13', '2026-03-13']);
  });

  it('returns null for a day that never comes', () => {
    // The 30th day before the last of February.
    expect(cronTimes('0 0 L-30 2 *', 'UTC')(new Date('2026-01-01T00:00:00Z'))).toBeNull();
  });

  it('agrees with node-cron away from daylight saving changes', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const cases: [string, string, string][] = [
      ['0 2 * * *', STOCKHOLM, '2026-05-04T10:17:03Z'],
      ['*/2 * * * * *', STOCKHOLM, '2026-05-04T10:17:03Z'],
      ['15 */3 * * 1-5', 'America/New_York', '2026-07-10T23:59:59Z'],
      ['0 0 1 jan,jul *', 'Asia/Kolkata', '2026-02-01T00:00:00Z'],
      ['0 9 L * *', 'Australia/Sydney', '2026-05-10T00:00:00Z'],
      ['45 23 * * sun', 'UTC', '2026-06-01T00:00:00Z'],
    ];
    for (const [cron, timeZone, from] of cases) {
      vi.setSystemTime(new Date(from));
      const task = createTask(cron, () => {}, { timezone: timeZone });
      const theirs = task.getNextRuns(5).map((t) => t.toISOString());
      void task.destroy();
      expect(
        firings(cron, timeZone, from, 5).map((t) => t.toISOString()),
        cron,
      ).toEqual(theirs);
    }
  });
});
