/**
 * The behaviour every `Catalog` implementation must have, run for SQLite and PostgreSQL against real databases
 * (catalog-sqlite.test.ts, catalog-postgres.pg.test.ts). Its parts are in catalog-suite-*.ts.
 * Ties in time order are avoided on purpose: SQLite breaks them by insertion order, PostgreSQL by id.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CatalogError } from '../../src/catalog/errors.js';
import { makePackage } from '../unit/catalog/fixtures.js';
import { auditContract } from './catalog-suite-audit.js';
import { consoleContract } from './catalog-suite-console.js';
import { disposalContract } from './catalog-suite-disposal.js';
import { type CatalogHarness, day, run, type SuiteState } from './catalog-suite-helpers.js';
import { jobContract } from './catalog-suite-jobs.js';
import { packageContract } from './catalog-suite-packages.js';
import { runContract } from './catalog-suite-runs.js';

export type { CatalogHarness } from './catalog-suite-helpers.js';

/**
 * Registers the contract for one implementation. `open` gives a fresh harness for each test: a catalog on an
 * empty database (the suite migrates it), a way to open a second catalog on the same database, and cleanup.
 */
export function catalogContract(name: string, open: () => Promise<CatalogHarness>): void {
  describe(`catalog contract: ${name}`, () => {
    const state = {} as SuiteState;
    beforeEach(async () => {
      state.harness = await open();
      state.catalog = state.harness.catalog;
      await state.catalog.migrate();
    });
    afterEach(async () => state.harness.cleanup());

    packageContract(state);
    auditContract(state);
    runContract(state);
    jobContract(state);
    consoleContract(state);
    disposalContract(state);

    describe('lifecycle', () => {
      it('migrates again without change, from this and another catalog', async () => {
        const { catalog, harness } = state;
        await catalog.addPackage(makePackage('p1'), [], []);
        await catalog.migrate();
        const other = await harness.reopen();
        await other.migrate();
        expect(await other.getPackage('p1')).toEqual(makePackage('p1'));
        await other.startRun(run('r1', 'ingest', day(1)));
        expect((await catalog.listRuns()).map((r) => r.id)).toEqual(['r1']);
      });

      it('closes once and then refuses work with a catalog error naming the action', async () => {
        const { catalog } = state;
        await catalog.close();
        await catalog.close();
        await expect(catalog.listRuns()).rejects.toThrow(CatalogError);
        await expect(catalog.getRun('r1')).rejects.toThrow(/^\[catalog:\w+\] cannot get run "r1"/);
        await expect(catalog.addPackage(makePackage('p1'), [], [])).rejects.toThrow(CatalogError);
      });
    });
  });
}
