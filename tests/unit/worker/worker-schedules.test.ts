import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Catalog } from '../../../src/catalog/types.js';
import { createFakeClock, type FakeClock } from './fake-clock.js';
import {
  localTime,
  makeJob,
  sharedCatalogFile,
  startTestWorker,
  STOCKHOLM,
  type TestWorker,
} from './harness.js';

describe('runWorker schedules, on a fake clock', () => {
  let file: Awaited<ReturnType<typeof sharedCatalogFile>>;
  let clock: FakeClock;
  let catalog: Catalog;
  const workers: TestWorker[] = [];
  const start = (id: string, c = catalog) => {
    const w = startTestWorker({ id, catalog: c, clock });
    workers.push(w);
    return w;
  };

  beforeEach(async () => {
    file = await sharedCatalogFile();
    catalog = await file.open();
    clock = createFakeClock('2026-10-23T12:00:00Z');
  });
  afterEach(async () => {
    for (const w of workers.splice(0)) {
      w.stop();
      await w.done;
    }
    await file.close();
  });

  it('two workers sharing one SQLite catalog start each nightly firing once, across the autumn change', async () => {
    await catalog.putJob(makeJob('nightly'));
    const w1 = start('w1');
    const w2 = start('w2', await file.open());
    await vi.waitFor(() => expect(clock.pending()).toHaveLength(2));
    for (const night of ['2026-10-24T12:00:00Z', '2026-10-25T12:00:00Z', '2026-10-26T12:00:00Z']) {
      await clock.advanceTo(night);
      await vi.waitFor(async () =>
        expect(await catalog.listRuns({ kind: 'ingest', status: 'running' })).toEqual([]),
      );
    }
    const runs = await catalog.listRuns({ kind: 'ingest' });
    expect(runs.map((r) => localTime(r.startedAt)).sort()).toEqual([
      '2026-10-24 02:00:00',
      '2026-10-25 02:00:00',
      '2026-10-26 02:00:00',
    ]);
    // Both tried every firing; one of them started it.
    const starts = [...w1.starts, ...w2.starts];
    const slots = [...new Set(starts.map((s) => s.slot))].sort();
    expect(slots).toEqual([
      '2026-10-24T00:00:00.000Z',
      '2026-10-25T00:00:00.000Z',
      '2026-10-26T01:00:00.000Z',
    ]);
    for (const slot of slots) {
      expect(
        starts
          .filter((s) => s.slot === slot)
          .map((s) => s.started)
          .sort(),
      ).toEqual([false, true]);
    }
    expect(w1.logs.some((l) => l.msg === 'job scheduled' && l.job === 'nightly')).toBe(true);
  });

  it('a paused job and a job without a schedule never fire', async () => {
    await catalog.putJob(makeJob('nightly'));
    await catalog.putJob(makeJob('paused', { enabled: false }));
    await catalog.putJob(makeJob('on-demand', { schedule: undefined }));
    const w = start('w1');
    await vi.waitFor(() => expect(clock.pending()).toHaveLength(1));
    await clock.advanceTo('2026-10-26T12:00:00Z');
    await vi.waitFor(() => expect(w.starts).toHaveLength(3));
    expect(new Set(w.starts.map((s) => s.job))).toEqual(new Set(['nightly']));

    // Paused while scheduled: its alarm goes at the next look, and nothing fires after.
    await catalog.putJob(makeJob('nightly', { enabled: false }));
    await vi.waitFor(() => expect(clock.pending()).toEqual([]));
    await clock.advanceTo('2026-10-30T12:00:00Z');
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(w.starts).toHaveLength(3);
  });

  it('a changed definition is scheduled anew at the next look', async () => {
    await catalog.putJob(makeJob('nightly'));
    const w = start('w1');
    await vi.waitFor(() => expect(clock.pending().map(localTime)).toEqual(['2026-10-24 02:00:00']));
    await catalog.putJob(
      makeJob('nightly', {
        schedule: { cron: '30 4 * * *', timezone: STOCKHOLM },
        updatedAt: new Date('2026-10-23T12:00:00Z'),
      }),
    );
    await vi.waitFor(() => expect(clock.pending().map(localTime)).toEqual(['2026-10-24 04:30:00']));
    await clock.advanceTo('2026-10-24T02:00:00Z'); // 04:00 local: the old time is past
    expect(w.starts).toEqual([]);
    await clock.advanceTo('2026-10-24T03:00:00Z');
    await vi.waitFor(() => expect(w.starts).toHaveLength(1));
    expect(localTime(w.starts[0]?.slot ?? '')).toBe('2026-10-24 04:30:00');
    expect(w.logs.filter((l) => l.msg === 'job scheduled').map((l) => l.cron)).toEqual([
      '0 2 * * *',
      '30 4 * * *',
    ]);
  });

  it('schedules the audit in its time zone and audits each firing once across workers', async () => {
    const audits: string[] = [];
    const audited = (id: string) => async () => {
      audits.push(id);
      return true;
    };
    const other = await file.open();
    for (const [id, c] of [
      ['w1', catalog],
      ['w2', other],
    ] as const)
      workers.push(
        startTestWorker({ id, catalog: c, clock, auditSchedule: '0 1 * * *', audit: audited(id) }),
      );
    await vi.waitFor(() => expect(clock.pending()).toHaveLength(2));
    await clock.advanceTo('2026-10-25T12:00:00Z');
    // Two firings (24 and 25 October, 01:00), two workers: each firing audited by one of them.
    await vi.waitFor(() => expect(audits).toHaveLength(2));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(audits).toHaveLength(2);
    expect(clock.pending().map(localTime)).toEqual(['2026-10-26 01:00:00', '2026-10-26 01:00:00']);
  });
});
