import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteCatalog } from '../../../src/catalog/sqlite.js';
import type { Catalog, JobRecord } from '../../../src/catalog/types.js';
import { NotFoundError } from '../../../src/errors.js';

let dir: string;
let catalog: Catalog;
const t = (s: number) => new Date(Date.UTC(2026, 10, 28, 2, 0, s));

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bevara-catalog-jobs-'));
  catalog = createSqliteCatalog({ path: join(dir, 'catalog.sqlite') });
  await catalog.migrate();
});
afterEach(async () => {
  await catalog.close();
  await rm(dir, { recursive: true, force: true });
});

const job: JobRecord = {
  name: 'nightly-w3d3',
  source: { kind: 'folder', path: '/exports/w3d3' },
  profile: 'fgs',
  schedule: { cron: '0 2 * * *', timezone: 'Europe/Stockholm' },
  afterSuccess: { action: 'move', to: '/exports/w3d3-done' },
  enabled: true,
  limits: { maxRecords: 500 },
  origin: 'cli',
  createdAt: t(0),
  updatedAt: t(0),
};

describe('sqlite catalog: jobs and record states', () => {
  it('keeps jobs', async () => {
    await catalog.putJob(job);
    expect(await catalog.getJob('nightly-w3d3')).toEqual(job);
    await catalog.putJob({ ...job, enabled: false, updatedAt: t(5) });
    expect((await catalog.listJobs()).map((j) => [j.name, j.enabled])).toEqual([['nightly-w3d3', false]]);
    await catalog.removeJob('nightly-w3d3');
    expect(await catalog.getJob('nightly-w3d3')).toBeNull();
    await expect(catalog.removeJob('nightly-w3d3')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('moves a record through its states only for the worker holding it', async () => {
    await catalog.discoverRecords(
      'j',
      'run-1',
      [{ sourceKey: 'a' }, { sourceKey: 'b', quarantined: 'bad METS' }],
      t(0),
    );
    expect(await catalog.countRecordStates('run-1')).toEqual({ discovered: 1, quarantined: 1 });
    expect(await catalog.claimRecord('j', 'b', 'w1', t(60), t(1))).toBeNull();
    const claimed = await catalog.claimRecord('j', 'a', 'w1', t(60), t(1));
    expect(claimed).toMatchObject({ state: 'discovered', holder: 'w1', attempts: 1 });
    expect(await catalog.claimRecord('j', 'a', 'w2', t(60), t(2))).toBeNull();
    expect(await catalog.advanceRecord('j', 'a', 'w2', { state: 'packaged', packageId: 'p1' }, t(2))).toBe(
      false,
    );
    expect(await catalog.advanceRecord('j', 'a', 'w1', { state: 'packaged', packageId: 'p1' }, t(2))).toBe(
      true,
    );
    // w1 dies; its lease runs out and w2 takes the record over where it stands.
    const taken = await catalog.claimRecord('j', 'a', 'w2', t(120), t(61));
    expect(taken).toMatchObject({ state: 'packaged', packageId: 'p1', holder: 'w2', attempts: 2 });
    expect(await catalog.advanceRecord('j', 'a', 'w1', { state: 'archived' }, t(62))).toBe(false);
    expect(await catalog.advanceRecord('j', 'a', 'w2', { state: 'archived' }, t(62))).toBe(true);
    expect(await catalog.advanceRecord('j', 'a', 'w2', { state: 'released' }, t(63))).toBe(true);
    const [done] = await catalog.listRecordStates({ runId: 'run-1', state: 'released' });
    expect(done).toMatchObject({ sourceKey: 'a', packageId: 'p1' });
    expect(done?.holder).toBeUndefined();

    // The next run: ended records start again; one left half-way joins where it stands.
    await catalog.discoverRecords('j', 'run-2', [{ sourceKey: 'c' }], t(100));
    expect(await catalog.claimRecord('j', 'c', 'w1', t(200), t(100))).not.toBeNull();
    await catalog.advanceRecord('j', 'c', 'w1', { state: 'packaged', packageId: 'p2' }, t(101));
    await catalog.discoverRecords('j', 'run-3', [{ sourceKey: 'a' }, { sourceKey: 'c' }], t(300));
    const states = await catalog.listRecordStates({ runId: 'run-3' });
    expect(states.map((s) => [s.sourceKey, s.state, s.packageId])).toEqual([
      ['a', 'discovered', undefined],
      ['c', 'packaged', 'p2'],
    ]);
  });
});
