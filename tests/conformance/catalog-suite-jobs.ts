/** Catalog contract: ingest jobs, the states of the records they found, and runs filtered by job. */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Catalog, JobRecord } from '../../src/catalog/types.js';
import { NotFoundError } from '../../src/errors.js';
import { day, rejection, run, type SuiteState } from './catalog-suite-helpers.js';

const t = (s: number) => new Date(Date.UTC(2026, 10, 28, 2, 0, s, 250));

const job = (name: string, overrides: Partial<JobRecord> = {}): JobRecord => ({
  name,
  source: { kind: 'folder', path: '/export/w3d3/Överlämning' },
  profile: 'fgs',
  schedule: { cron: '0 2 * * *', timezone: 'Europe/Stockholm' },
  afterSuccess: { action: 'move', to: '/export/w3d3/klara' },
  quarantine: '/export/w3d3/karantän',
  enabled: true,
  limits: { maxRecords: 500, maxBytes: 2 ** 53 },
  origin: 'config',
  createdAt: t(0),
  updatedAt: t(0),
  ...overrides,
});

/** Registers the job and record-state tests inside the contract's describe. */
export function jobContract(state: SuiteState): void {
  let catalog: Catalog;
  beforeEach(() => {
    catalog = state.catalog;
  });

  describe('jobs and record states', () => {
    it('keeps, replaces, lists and removes jobs', async () => {
      const minimal = job('Ärendehantering', { origin: 'cli', afterSuccess: { action: 'mark' } });
      delete minimal.schedule;
      delete minimal.quarantine;
      delete minimal.limits;
      await catalog.putJob(job('nightly-w3d3'));
      await catalog.putJob(minimal);
      await catalog.putJob(job('Zeta', { source: { kind: 'eark-sip', path: '/sip' }, enabled: false }));
      expect(await catalog.getJob('nightly-w3d3')).toEqual(job('nightly-w3d3'));
      expect(await catalog.getJob('Ärendehantering')).toEqual(minimal);
      expect(await catalog.getJob('saknas')).toBeNull();
      const changed = job('nightly-w3d3', { enabled: false, profile: 'eark', updatedAt: t(5) });
      await catalog.putJob(changed);
      expect(await catalog.getJob('nightly-w3d3')).toEqual(changed);
      expect((await catalog.listJobs()).map((j) => j.name)).toEqual([
        'Zeta',
        'nightly-w3d3',
        'Ärendehantering',
      ]);
      await catalog.removeJob('Zeta');
      expect((await catalog.listJobs()).map((j) => j.name)).toEqual(['nightly-w3d3', 'Ärendehantering']);
      const missing = await rejection(catalog.removeJob('Zeta'));
      expect(missing).toBeInstanceOf(NotFoundError);
      expect(missing.message).toContain('"Zeta"');
    });

    it('moves a record on only for the worker holding it; an ending state frees it', async () => {
      await catalog.discoverRecords(
        'j',
        'run-1',
        [{ sourceKey: 'Ärende 1' }, { sourceKey: 'b', quarantined: 'METS saknas' }],
        t(0),
      );
      expect(await catalog.countRecordStates('run-1')).toEqual({ discovered: 1, quarantined: 1 });
      expect(await catalog.claimRecord('j', 'b', 'w1', t(60), t(1))).toBeNull();
      expect(await catalog.claimRecord('j', 'saknas', 'w1', t(60), t(1))).toBeNull();
      expect(await catalog.claimRecord('j', 'Ärende 1', 'w1', t(60), t(1))).toEqual({
        job: 'j',
        sourceKey: 'Ärende 1',
        runId: 'run-1',
        state: 'discovered',
        holder: 'w1',
        leaseUntil: t(60),
        attempts: 1,
        discoveredAt: t(0),
        updatedAt: t(1),
      });
      expect(await catalog.claimRecord('j', 'Ärende 1', 'w2', t(60), t(2))).toBeNull();
      expect(
        await catalog.advanceRecord('j', 'Ärende 1', 'w2', { state: 'packaged', packageId: 'p1' }, t(2)),
      ).toBe(false);
      expect(
        await catalog.advanceRecord('j', 'Ärende 1', 'w1', { state: 'packaged', packageId: 'p1' }, t(2)),
      ).toBe(true);
      // w1 dies: at the end of its lease w2 takes the record over where it stands.
      expect(await catalog.claimRecord('j', 'Ärende 1', 'w2', t(120), t(60))).toMatchObject({
        state: 'packaged',
        packageId: 'p1',
        holder: 'w2',
        attempts: 2,
      });
      expect(await catalog.advanceRecord('j', 'Ärende 1', 'w1', { state: 'archived' }, t(61))).toBe(false);
      expect(await catalog.advanceRecord('j', 'Ärende 1', 'w2', { state: 'archived' }, t(61))).toBe(true);
      // Claiming again extends the lease; it is not another attempt.
      expect(await catalog.claimRecord('j', 'Ärende 1', 'w2', t(180), t(62))).toMatchObject({
        attempts: 2,
        leaseUntil: t(180),
      });
      expect(await catalog.advanceRecord('j', 'Ärende 1', 'w2', { state: 'released' }, t(63))).toBe(true);
      const [done] = await catalog.listRecordStates({ runId: 'run-1', state: 'released' });
      expect(done).toMatchObject({ sourceKey: 'Ärende 1', packageId: 'p1', updatedAt: t(63) });
      expect(done).not.toHaveProperty('holder');
      expect(done).not.toHaveProperty('leaseUntil');
      expect(await catalog.claimRecord('j', 'Ärende 1', 'w2', t(180), t(64))).toBeNull();
      expect(await catalog.countRecordStates('run-1')).toEqual({ released: 1, quarantined: 1 });
      expect(await catalog.countRecordStates('run-x')).toEqual({});
    });

    it('starts ended records again and lets half-done ones join the next run where they stand', async () => {
      const keys = ['a', 'b', 'c', 'd', 'e'].map((sourceKey) => ({ sourceKey }));
      await catalog.discoverRecords('j', 'run-1', keys, t(0));
      const to = async (key: string, state: 'packaged' | 'stored' | 'archived' | 'failed') => {
        expect(await catalog.claimRecord('j', key, 'w', t(50), t(1))).not.toBeNull();
        expect(
          await catalog.advanceRecord(
            'j',
            key,
            'w',
            { state, packageId: `p-${key}`, reason: `${state}!` },
            t(2),
          ),
        ).toBe(true);
      };
      await to('a', 'packaged');
      await to('b', 'stored');
      await to('c', 'archived');
      await to('d', 'failed');
      await catalog.discoverRecords(
        'j',
        'run-2',
        [...keys, { sourceKey: 'f', quarantined: 'ogiltig' }],
        t(10),
      );
      const states = await catalog.listRecordStates({ job: 'j', runId: 'run-2' });
      expect(states.map((s) => [s.sourceKey, s.state, s.packageId ?? null, s.reason ?? null])).toEqual([
        ['a', 'packaged', 'p-a', 'packaged!'],
        ['b', 'packaged', 'p-b', 'stored!'],
        ['c', 'archived', 'p-c', 'archived!'],
        ['d', 'discovered', null, null],
        ['e', 'discovered', null, null],
        ['f', 'quarantined', null, 'ogiltig'],
      ]);
      expect(states.every((s) => s.discoveredAt.getTime() === t(10).getTime())).toBe(true);
      expect(await catalog.listRecordStates({ runId: 'run-1' })).toEqual([]);
      expect((await catalog.listRecordStates({ state: 'discovered' })).map((s) => s.sourceKey)).toEqual([
        'd',
        'e',
      ]);
      expect(await catalog.listRecordStates({ job: 'annat' })).toEqual([]);
      expect(await catalog.countRecordStates('run-2')).toEqual({
        packaged: 2,
        archived: 1,
        discovered: 2,
        quarantined: 1,
      });
    });

    it('lists runs by status and by job', async () => {
      await catalog.startRun({ ...run('r1', 'ingest', day(1)), params: { job: 'nightly-w3d3' } });
      await catalog.startRun({ ...run('r2', 'ingest', day(2)), params: { job: 'Ärendehantering' } });
      await catalog.startRun(run('r3', 'audit', day(3)));
      await catalog.finishRun('r1', 'succeeded', day(4), {});
      expect((await catalog.listRuns({ status: 'running' })).map((r) => r.id)).toEqual(['r3', 'r2']);
      expect((await catalog.listRuns({ job: 'nightly-w3d3' })).map((r) => r.id)).toEqual(['r1']);
      expect(
        (await catalog.listRuns({ job: 'Ärendehantering', status: 'running', kind: 'ingest' })).map(
          (r) => r.id,
        ),
      ).toEqual(['r2']);
      expect(await catalog.listRuns({ job: 'Ärendehantering', status: 'succeeded' })).toEqual([]);
    });
  });
}
