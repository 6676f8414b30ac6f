import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Catalog } from '../../../src/catalog/types.js';
import { createFakeClock, type FakeClock } from './fake-clock.js';
import { makeJob, sharedCatalogFile, startTestWorker } from './harness.js';

/** Work on a run that goes on until the worker stops, then needs `settleMs` to reach a safe point. */
function untilStopped(settleMs: number, events: string[]) {
  return async (_run: unknown, _job: unknown, options: { signal?: AbortSignal }) => {
    events.push('working');
    await new Promise<void>((resolve) => options.signal?.addEventListener('abort', () => resolve()));
    events.push('stop seen');
    await new Promise((resolve) => setTimeout(resolve, settleMs));
    events.push('settled');
    return 'in-progress' as const;
  };
}

describe('runWorker stops', () => {
  let file: Awaited<ReturnType<typeof sharedCatalogFile>>;
  let catalog: Catalog;
  let clock: FakeClock;

  beforeEach(async () => {
    file = await sharedCatalogFile();
    catalog = await file.open();
    clock = createFakeClock('2026-06-01T12:00:00Z');
    await catalog.putJob(makeJob('nightly'));
  });
  afterEach(() => file.close());

  it('lets work in flight settle within the grace period, then exits 0', async () => {
    const events: string[] = [];
    const healthFile = path.join(file.dir, 'health.json');
    const w = startTestWorker({ id: 'w1', catalog, clock, healthFile, workOn: untilStopped(50, events) });
    await vi.waitFor(() => expect(clock.pending()).toHaveLength(1));
    await clock.advanceTo('2026-06-02T12:00:00Z');
    await vi.waitFor(() => expect(events).toEqual(['working']));
    w.stop();
    expect(await w.done).toBe(0);
    expect(events).toEqual(['working', 'stop seen', 'settled']);
    expect(w.logs.map((l) => l.msg)).toContain('stopping: letting work in flight settle');
    expect(w.logs.map((l) => l.msg)).not.toContain('grace period over; exiting with work in flight');
    expect(JSON.parse(fs.readFileSync(healthFile, 'utf8'))).toMatchObject({
      status: 'stopped',
      activeRuns: [],
    });
  });

  it('exits when the grace period is over, saying which runs were still in flight', async () => {
    const events: string[] = [];
    const w = startTestWorker({
      id: 'w1',
      catalog,
      clock,
      graceMs: 100,
      workOn: untilStopped(60_000, events),
    });
    await vi.waitFor(() => expect(clock.pending()).toHaveLength(1));
    await clock.advanceTo('2026-06-02T12:00:00Z');
    await vi.waitFor(() => expect(events).toEqual(['working']));
    const stoppedAt = performance.now();
    w.stop();
    expect(await w.done).toBe(0);
    expect(performance.now() - stoppedAt).toBeLessThan(2_000);
    expect(events).toEqual(['working', 'stop seen']);
    const over = w.logs.find((l) => l.msg === 'grace period over; exiting with work in flight');
    expect(over?.activeRuns).toEqual([w.works[0]?.runId]);
  });

  it('--once stopped before its work is done returns 1 and audits nothing', async () => {
    const events: string[] = [];
    let audits = 0;
    const audit = async () => {
      audits++;
      return true;
    };
    const w = startTestWorker({
      id: 'w1',
      catalog,
      clock,
      once: true,
      audit,
      workOn: untilStopped(10, events),
    });
    await vi.waitFor(() => expect(events).toEqual(['working']));
    w.stop();
    expect(await w.done).toBe(1);
    expect(events).toEqual(['working', 'stop seen', 'settled']);
    expect(audits).toBe(0);
  });

  it('--once left alone runs every enabled job once and one audit, and returns 0; 1 when a run failed', async () => {
    await catalog.putJob(makeJob('weekly', { schedule: { cron: '0 3 * * 0', timezone: 'UTC' } }));
    await catalog.putJob(makeJob('paused', { enabled: false }));
    let audits = 0;
    const audit = async () => {
      audits++;
      return true;
    };
    const ok = startTestWorker({ id: 'w1', catalog, clock, once: true, audit });
    expect(await ok.done).toBe(0);
    expect(ok.starts.map((s) => [s.job, s.slot, s.started])).toEqual([
      ['nightly', 'once-2026-06-01T12:00', true],
      ['weekly', 'once-2026-06-01T12:00', true],
    ]);
    expect(audits).toBe(1);
    expect(clock.pending()).toEqual([]);

    clock = createFakeClock('2026-06-01T12:05:00Z');
    const fail = async (run: { id: string }) => {
      await catalog.finishRun(run.id, 'failed', clock.now(), {});
      return 'failed' as const;
    };
    const failing = startTestWorker({ id: 'w1', catalog, clock, once: true, audit, workOn: fail });
    expect(await failing.done).toBe(1);
    expect(failing.works.map((w) => w.job).sort()).toEqual(['nightly', 'weekly']);
  });
});
