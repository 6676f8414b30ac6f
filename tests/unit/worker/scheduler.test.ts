import { describe, expect, it } from 'vitest';
import { createScheduler, type ScheduleEntry } from '../../../src/worker/scheduler.js';
import { createFakeClock } from './fake-clock.js';

const STOCKHOLM = 'Europe/Stockholm';
const local = (t: Date) => t.toLocaleString('sv-SE', { timeZone: STOCKHOLM, hourCycle: 'h23' });

/** An entry that records each firing's planned time, and the clock's time when it rang. */
function recording(name: string, cron: string, key = cron) {
  const fired: { at: string; rang: string }[] = [];
  const entry = (clock: { now(): Date }): ScheduleEntry => ({
    name,
    cron,
    timezone: STOCKHOLM,
    key,
    fire: async (at) => void fired.push({ at: at.toISOString(), rang: clock.now().toISOString() }),
  });
  return { fired, entry };
}

describe('scheduler on a fake clock', () => {
  it('fires a 02:00 Europe/Stockholm job once a night at 02:00 local across the autumn change', async () => {
    const clock = createFakeClock('2026-10-23T12:00:00Z');
    const scheduler = createScheduler(clock);
    const nightly = recording('nightly', '0 2 * * *');
    expect(scheduler.set([nightly.entry(clock)])).toEqual([
      { name: 'nightly', next: new Date('2026-10-24T00:00:00Z') },
    ]);
    await clock.advanceTo('2026-10-27T12:00:00Z');
    // 25 October: 02:00 occurs at 00:00 and again at 01:00 UTC (clocks go back); it fires at the first only.
    expect(nightly.fired.map((f) => f.at)).toEqual([
      '2026-10-24T00:00:00.000Z',
      '2026-10-25T00:00:00.000Z',
      '2026-10-26T01:00:00.000Z',
      '2026-10-27T01:00:00.000Z',
    ]);
    expect(nightly.fired.map((f) => local(new Date(f.at)))).toEqual([
      '2026-10-24 02:00:00',
      '2026-10-25 02:00:00',
      '2026-10-26 02:00:00',
      '2026-10-27 02:00:00',
    ]);
    expect(nightly.fired.every((f) => f.rang === f.at)).toBe(true);
    expect(scheduler.next('nightly')).toEqual(new Date('2026-10-28T01:00:00Z'));
  });

  it('fires once on the spring night that has no 02:00, when the clock jumps over it', async () => {
    const clock = createFakeClock('2026-03-28T12:00:00Z');
    const scheduler = createScheduler(clock);
    const nightly = recording('nightly', '0 2 * * *');
    scheduler.set([nightly.entry(clock)]);
    await clock.advanceTo('2026-03-30T12:00:00Z');
    expect(nightly.fired.map((f) => local(new Date(f.at)))).toEqual([
      '2026-03-29 03:00:00',
      '2026-03-30 02:00:00',
    ]);
  });

  it('plans a changed entry anew, keeps an unchanged one, drops one no longer given', async () => {
    const clock = createFakeClock('2026-06-01T12:00:00Z');
    const scheduler = createScheduler(clock);
    const a = recording('a', '0 2 * * *');
    const b = recording('b', '0 3 * * *');
    scheduler.set([a.entry(clock), b.entry(clock)]);
    expect(scheduler.names()).toEqual(['a', 'b']);
    // The same entries again: nothing planned anew.
    expect(scheduler.set([a.entry(clock), b.entry(clock)])).toEqual([]);
    // `a` now at 04:00 (another key), `b` gone.
    const a2 = recording('a', '0 4 * * *');
    expect(scheduler.set([a2.entry(clock)])).toEqual([{ name: 'a', next: new Date('2026-06-02T02:00:00Z') }]);
    expect(scheduler.names()).toEqual(['a']);
    expect(clock.pending()).toEqual([new Date('2026-06-02T02:00:00Z')]);
    await clock.advanceTo('2026-06-02T12:00:00Z');
    expect(a.fired).toEqual([]);
    expect(b.fired).toEqual([]);
    expect(a2.fired.map((f) => local(new Date(f.at)))).toEqual(['2026-06-02 04:00:00']);
  });

  it('skips a firing while the last one of the same entry is still busy', async () => {
    const clock = createFakeClock('2026-06-01T12:00:00Z');
    const scheduler = createScheduler(clock);
    const started: string[] = [];
    let finish = () => {};
    scheduler.set([
      {
        name: 'slow',
        cron: '*/10 * * * * *',
        timezone: 'UTC',
        key: '1',
        fire: (at) => {
          started.push(at.toISOString());
          return new Promise<void>((resolve) => {
            finish = resolve;
          });
        },
      },
    ]);
    await clock.advanceTo('2026-06-01T12:00:30Z');
    expect(started).toEqual(['2026-06-01T12:00:10.000Z']);
    finish();
    await new Promise((resolve) => setImmediate(resolve));
    await clock.advanceTo('2026-06-01T12:00:40Z');
    expect(started).toEqual(['2026-06-01T12:00:10.000Z', '2026-06-01T12:00:40.000Z']);
  });

  it('a firing that fails does not stop the schedule', async () => {
    const clock = createFakeClock('2026-06-01T12:00:00Z');
    const scheduler = createScheduler(clock);
    let calls = 0;
    scheduler.set([
      {
        name: 'flaky',
        cron: '0 * * * *',
        timezone: 'UTC',
        key: '1',
        fire: async () => {
          calls++;
          throw new Error('catalog down');
        },
      },
    ]);
    await clock.advanceTo('2026-06-01T15:00:00Z');
    expect(calls).toBe(3);
  });

  it('stop drops every alarm', () => {
    const clock = createFakeClock('2026-06-01T12:00:00Z');
    const scheduler = createScheduler(clock);
    scheduler.set([recording('a', '0 2 * * *').entry(clock), recording('b', '0 3 * * *').entry(clock)]);
    expect(clock.pending()).toHaveLength(2);
    scheduler.stop();
    expect(clock.pending()).toEqual([]);
    expect(scheduler.names()).toEqual([]);
  });
});
