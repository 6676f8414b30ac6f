/** Catalog contract: runs and run items. */
import { beforeEach, describe, expect, it } from 'vitest';
import { CatalogError } from '../../src/catalog/errors.js';
import type { Catalog, RunItem } from '../../src/catalog/types.js';
import { NotFoundError } from '../../src/errors.js';
import { FIVE_GB, makeFile, makePackage } from '../unit/catalog/fixtures.js';
import { day, rejection, run, type SuiteState } from './catalog-suite-helpers.js';

/** Registers the run tests inside the contract's describe. */
export function runContract(state: SuiteState): void {
  let catalog: Catalog;
  beforeEach(() => {
    catalog = state.catalog;
  });

  describe('runs', () => {
    it('starts, fills, finishes and lists runs', async () => {
      await catalog.startRun(run('r1', 'ingest', day(1)));
      await catalog.startRun(run('r2', 'audit', day(3)));
      await catalog.startRun({ ...run('r3', 'ingest', day(2)), reports: ['/srv/rapporter/r3.json'] });
      const items: RunItem[] = [
        { runId: 'r1', subject: 'Ärende 1', status: 'ok', packageId: 'p1' },
        {
          runId: 'r1',
          subject: 'Ärende 2',
          status: 'rejected',
          message: 'Filnamn ogiltigt: "a/../b"',
          details: { rule: 'path', nested: { n: FIVE_GB, list: ['å'] } },
        },
        { runId: 'r1', subject: 'Ärende 3', status: 'waiting' },
      ];
      for (const item of items) await catalog.addRunItems([item]);
      await catalog.addRunItems([
        {
          runId: 'r2',
          subject: 'primary:aip/p1.zip',
          status: 'repaired',
          details: { repair: { from: 'offsite' } },
        },
      ]);
      expect(await catalog.listRunItems('r1')).toEqual(items);
      expect((await catalog.listRunItems('r1'))[2]).not.toHaveProperty('message');

      const summary = { ok: 1, rejected: 1, bytes: FIVE_GB, språk: 'sv' };
      await catalog.finishRun('r1', 'completed-with-failures', day(4), summary, [
        '/srv/rapporter/ingest-r1.json',
      ]);
      expect(await catalog.getRun('r1')).toEqual({
        ...run('r1', 'ingest', day(1)),
        status: 'completed-with-failures',
        finishedAt: day(4),
        summary,
        reports: ['/srv/rapporter/ingest-r1.json'],
      });
      await catalog.finishRun('r3', 'succeeded', day(5), {});
      expect(await catalog.getRun('r3')).toMatchObject({
        status: 'succeeded',
        reports: ['/srv/rapporter/r3.json'],
      });
      const open = await catalog.getRun('r2');
      expect(open).toEqual(run('r2', 'audit', day(3)));
      expect(open).not.toHaveProperty('finishedAt');
      expect(open).not.toHaveProperty('summary');
      expect((await catalog.listRuns()).map((r) => r.id)).toEqual(['r2', 'r3', 'r1']);
      expect((await catalog.listRuns({ kind: 'ingest' })).map((r) => r.id)).toEqual(['r3', 'r1']);
      expect((await catalog.listRuns({ limit: 1 })).map((r) => r.id)).toEqual(['r2']);
      await expect(catalog.listRuns({ limit: -1 })).rejects.toThrow(CatalogError);
    });

    it('numbers items per run in the order given, across runs in one call and across calls', async () => {
      await catalog.startRun(run('r1', 'audit', day(1)));
      await catalog.startRun(run('r2', 'audit', day(2)));
      const item = (runId: string, n: number): RunItem => ({
        runId,
        subject: `primary:aip/p${n}.zip`,
        status: 'ok',
      });
      await catalog.addRunItems([item('r1', 3), item('r2', 1), item('r1', 1), item('r2', 2), item('r1', 2)]);
      await catalog.addRunItems([item('r2', 0), item('r1', 0)]);
      await catalog.addRunItems([]);
      expect((await catalog.listRunItems('r1')).map((i) => i.subject)).toEqual(
        [3, 1, 2, 0].map((n) => `primary:aip/p${n}.zip`),
      );
      expect((await catalog.listRunItems('r2')).map((i) => i.subject)).toEqual(
        [1, 2, 0].map((n) => `primary:aip/p${n}.zip`),
      );
    });

    it('keeps overlapping calls of two catalogs apart: items numbered without gaps, packages whole', async () => {
      const other = await state.harness.reopen();
      await catalog.startRun(run('r1', 'audit', day(1)));
      const batch = (writer: string, call: number): RunItem[] =>
        [0, 1, 2].map((i) => ({ runId: 'r1', subject: `${writer}/${call}/${i}`, status: 'ok' }));
      const files = Array.from({ length: 300 }, (_, i) => makeFile('p1', `Mapp/Fil ${i}.pdf`));
      const seen: number[] = [];
      await Promise.all([
        ...Array.from({ length: 10 }, (_, call) => catalog.addRunItems(batch('a', call))),
        catalog.addPackage(makePackage('p1', { fileCount: files.length }), files, []),
        ...Array.from({ length: 10 }, (_, call) => other.addRunItems(batch('b', call))),
        ...Array.from({ length: 5 }, async () => seen.push((await other.listFiles('p1')).length)),
      ]);
      const subjects = (await other.listRunItems('r1')).map((item) => item.subject);
      expect(subjects).toHaveLength(60);
      for (let start = 0; start < subjects.length; start += 3) {
        const call = subjects[start]?.replace(/\/0$/, '');
        expect(subjects.slice(start, start + 3)).toEqual([0, 1, 2].map((i) => `${call}/${i}`));
      }
      expect(seen.every((n) => n === 0 || n === files.length)).toBe(true);
      expect(await catalog.listFiles('p1')).toHaveLength(files.length);
    });

    it('fails clearly for unknown or duplicate runs, adding none of a failed batch', async () => {
      const alone = await rejection(catalog.addRunItems([{ runId: 'saknas', subject: 's', status: 'ok' }]));
      expect(alone).toBeInstanceOf(NotFoundError);
      expect(alone.message).toContain('run "saknas" does not exist');
      await catalog.startRun(run('r1', 'audit', day(1)));
      const unknown = await rejection(
        catalog.addRunItems([
          { runId: 'r1', subject: 's', status: 'ok' },
          { runId: 'saknas', subject: 's', status: 'ok' },
        ]),
      );
      expect(unknown).toBeInstanceOf(NotFoundError);
      expect(unknown.message).toContain('run "saknas" does not exist');
      expect(await catalog.listRunItems('r1')).toEqual([]);
      await expect(catalog.finishRun('saknas', 'succeeded', day(1), {})).rejects.toThrow(NotFoundError);
      const dup = await rejection(catalog.startRun(run('r1', 'audit', day(1))));
      expect(dup).toBeInstanceOf(CatalogError);
      expect(dup.message).toMatch(/run "r1": it already exists/);
    });
  });
}
