import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteCatalog } from '../../../src/catalog/sqlite.js';
import type { Catalog } from '../../../src/catalog/types.js';
import { createReportWriter } from '../../../src/reports/write-report.js';
import {
  closeRun,
  openRun,
  type RunDeps,
  runLanes,
  runStatus,
  withRun,
} from '../../../src/runs/run-skeleton.js';
import { createFakeClock, type FakeClock } from '../worker/fake-clock.js';

const START = '2030-05-06T07:08:09.000Z';

describe('run skeleton', () => {
  let work: string;
  let catalog: Catalog;
  let clock: FakeClock;
  let deps: RunDeps;

  beforeEach(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'bevara-runs-'));
    clock = createFakeClock(START);
    catalog = createSqliteCatalog({ path: path.join(work, 'catalog.sqlite'), now: clock.now });
    await catalog.migrate();
    deps = {
      catalog,
      reports: createReportWriter({ dir: path.join(work, 'reports') }),
      logger: pino({ level: 'silent' }),
      now: clock.now,
    };
  });
  afterEach(async () => {
    await catalog.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('opens a run and closes it with its status, duration and reports, every time from the clock', async () => {
    const run = await openRun(deps, { kind: 'ingest', label: 'nightly', params: { job: 'nightly' } });
    expect(run.id).toMatch(/^ingest-nightly-2030-05-06-070809000Z-[0-9a-f]{8}$/);
    expect((await catalog.getRun(run.id))?.status).toBe('running');
    await catalog.addRunItems([{ runId: run.id, subject: 'a', status: 'ok' }]);
    await clock.advanceTo('2030-05-06T07:09:10.500Z');
    const items = await catalog.listRunItems(run.id);
    const closed = await closeRun(deps, run, {
      items,
      summary: { archived: 1 },
      status: runStatus({ problems: 0 }),
    });
    expect(closed.summary).toEqual({ archived: 1, durationMs: 61_500 });
    const stored = await catalog.getRun(run.id);
    expect(stored?.status).toBe('succeeded');
    expect(stored?.startedAt.toISOString()).toBe(START);
    expect(stored?.finishedAt?.toISOString()).toBe('2030-05-06T07:09:10.500Z');
    expect(stored?.summary).toEqual({ archived: 1, durationMs: 61_500 });
    expect(stored?.reports).toEqual(closed.reports);
    const json = JSON.parse(fs.readFileSync(closed.reports[0] as string, 'utf8'));
    expect(json.run.finishedAt).toBe('2030-05-06T07:09:10.500Z');
    expect(json.items.map((i: { subject: string }) => i.subject)).toEqual(['a']);
  });

  it('tells the status from the counts', () => {
    expect(runStatus({ problems: 0 })).toBe('succeeded');
    expect(runStatus({ problems: 2 })).toBe('completed-with-failures');
    expect(runStatus({ problems: 0, interrupted: true })).toBe('completed-with-failures');
    expect(runStatus({ problems: 0, failed: true })).toBe('failed');
  });

  it('publishes the reports where asked and takes the finishing time the caller read', async () => {
    const run = await openRun(deps, { kind: 'audit', id: 'audit-given', params: {} });
    await clock.advanceTo('2030-05-06T07:08:19.000Z');
    const closed = await closeRun(deps, run, {
      items: [],
      summary: { copies: 0 },
      status: 'succeeded',
      finishedAt: new Date('2030-05-06T07:08:12.000Z'),
      publish: async (files) => files.map((f) => `primary:${path.basename(f)}`),
    });
    expect(closed.summary.durationMs).toBe(3000);
    expect(closed.reports).toEqual([
      path.join(work, 'reports', 'audit-given.json'),
      path.join(work, 'reports', 'audit-given.html'),
      'primary:audit-given.json',
      'primary:audit-given.html',
    ]);
  });

  it('closes a run its work throws out of as failed, with a report that says why, and passes the error on', async () => {
    const run = await openRun(deps, { kind: 'audit', params: {} });
    const failure = withRun(deps, run, async () => {
      await catalog.addRunItems([{ runId: run.id, subject: 'primary:k', status: 'ok' }]);
      await clock.advanceTo('2030-05-06T07:10:00.000Z');
      throw new Error('location went away');
    });
    await expect(failure).rejects.toThrow('location went away');
    const stored = await catalog.getRun(run.id);
    expect(stored?.status).toBe('failed');
    expect(stored?.finishedAt?.toISOString()).toBe('2030-05-06T07:10:00.000Z');
    expect(stored?.summary).toMatchObject({ error: 'location went away', items: 1, durationMs: 111_000 });
    const items = await catalog.listRunItems(run.id);
    expect(items.map((i) => [i.subject, i.status])).toEqual([
      ['primary:k', 'ok'],
      [run.id, 'failed'],
    ]);
    expect(items[1]?.message).toBe('the run could not go on: location went away');
    expect(fs.existsSync(path.join(work, 'reports', `${run.id}.json`))).toBe(true);
  });

  it('leaves a run that was closed before its work threw as it was', async () => {
    const run = await openRun(deps, { kind: 'audit', params: {} });
    const failure = withRun(deps, run, async () => {
      await closeRun(deps, run, { items: [], summary: {}, status: 'succeeded' });
      throw new Error('alert webhook down');
    });
    await expect(failure).rejects.toThrow('alert webhook down');
    expect((await catalog.getRun(run.id))?.status).toBe('succeeded');
    expect(await catalog.listRunItems(run.id)).toEqual([]);
  });
});

describe('runLanes', () => {
  it('works on every item, never more at once than it has lanes, never taking two items at once', async () => {
    const queue = Array.from({ length: 20 }, (_, i) => i);
    let busy = 0;
    let most = 0;
    let taking = false;
    const done: number[] = [];
    const taken = await runLanes({
      lanes: 3,
      async next() {
        expect(taking).toBe(false);
        taking = true;
        await new Promise((r) => setImmediate(r));
        taking = false;
        return queue.shift();
      },
      async work(item) {
        busy++;
        most = Math.max(most, busy);
        await new Promise((r) => setTimeout(r, item % 3));
        done.push(item);
        busy--;
      },
    });
    expect(taken).toBe(20);
    expect(most).toBe(3);
    expect(done.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('takes no item once stopped, and counts only those taken', async () => {
    const queue = Array.from({ length: 10 }, (_, i) => i);
    const done: number[] = [];
    const taken = await runLanes({
      lanes: 2,
      next: () => queue.shift(),
      stop: () => done.length >= 4,
      async work(item) {
        done.push(item);
      },
    });
    expect(taken).toBe(done.length);
    expect(done.length).toBeGreaterThanOrEqual(4);
    expect(done.length).toBeLessThanOrEqual(5);
    expect(queue.length).toBe(10 - taken);
  });

  it('rejects with the first error and takes no new item after it', async () => {
    const queue = Array.from({ length: 10 }, (_, i) => i);
    const started: number[] = [];
    const run = runLanes({
      lanes: 2,
      next: () => queue.shift(),
      async work(item) {
        started.push(item);
        if (item === 2) throw new Error('record 2 broke');
        await new Promise((r) => setImmediate(r));
      },
    });
    await expect(run).rejects.toThrow('record 2 broke');
    await new Promise((r) => setTimeout(r, 20));
    expect(started.length).toBeLessThanOrEqual(4);
    expect(queue.length).toBeGreaterThanOrEqual(6);
  });
});
