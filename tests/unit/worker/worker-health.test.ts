import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Catalog } from '../../../src/catalog/types.js';
import { createFakeClock, type FakeClock } from './fake-clock.js';
import { makeJob, sharedCatalogFile, startTestWorker } from './harness.js';

describe('the worker health file', () => {
  let file: Awaited<ReturnType<typeof sharedCatalogFile>>;
  let catalog: Catalog;
  let clock: FakeClock;
  let healthFile: string;
  const read = () => JSON.parse(fs.readFileSync(healthFile, 'utf8'));

  beforeEach(async () => {
    file = await sharedCatalogFile();
    catalog = await file.open();
    clock = createFakeClock('2026-06-01T12:00:00Z');
    healthFile = path.join(file.dir, 'worker-w1.health.json');
  });
  afterEach(() => file.close());

  it('says running with the schedules and the runs in flight, is rewritten on every look, then says stopped', async () => {
    await catalog.putJob(makeJob('nightly'));
    await catalog.putJob(makeJob('paused', { enabled: false }));
    let finish = () => {};
    const w = startTestWorker({
      id: 'w1',
      catalog,
      clock,
      healthFile,
      auditSchedule: '0 1 * * *',
      workOn: async () => {
        await new Promise<void>((resolve) => {
          finish = resolve;
        });
        return 'in-progress';
      },
    });
    await vi.waitFor(() => expect(fs.existsSync(healthFile)).toBe(true));
    expect(read()).toEqual({
      id: 'w1',
      pid: process.pid,
      status: 'running',
      startedAt: '2026-06-01T12:00:00.000Z',
      updatedAt: '2026-06-01T12:00:00.000Z',
      activeRuns: [],
      schedules: ['nightly', 'audit'],
    });
    await clock.advanceTo('2026-06-02T00:30:00Z'); // 02:30 in Stockholm: the job fired
    await vi.waitFor(() => expect(w.works).toHaveLength(1));
    await vi.waitFor(() =>
      expect(read()).toMatchObject({
        updatedAt: '2026-06-02T00:30:00.000Z',
        activeRuns: [w.works[0]?.runId],
      }),
    );
    w.stop();
    finish();
    expect(await w.done).toBe(0);
    expect(read()).toEqual({
      id: 'w1',
      pid: process.pid,
      status: 'stopped',
      startedAt: '2026-06-01T12:00:00.000Z',
      updatedAt: '2026-06-02T00:30:00.000Z',
      activeRuns: [],
      schedules: [],
    });
    expect(fs.readdirSync(file.dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('names the last error, e.g. a job that could not be started', async () => {
    await catalog.putJob(makeJob('nightly'));
    const w = startTestWorker({ id: 'w1', catalog, clock, healthFile, once: true });
    // The catalog fails the first lease asked for, the firing's: the job cannot be started.
    const acquire = catalog.acquireLease.bind(catalog);
    catalog.acquireLease = async () => {
      catalog.acquireLease = acquire;
      throw new Error('database is locked');
    };
    expect(await w.done).toBe(0);
    expect(read()).toMatchObject({ status: 'stopped', lastError: 'database is locked' });
    expect(w.logs.find((l) => l.msg === 'job could not be started')).toMatchObject({ job: 'nightly' });
  });
});
