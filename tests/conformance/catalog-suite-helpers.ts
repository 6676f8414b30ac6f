/** Shared by the parts of the catalog contract (catalog-suite.ts): what every part's tests use. */
import { expect } from 'vitest';
import type { Catalog, RunRecord } from '../../src/catalog/types.js';
import { PreservationError } from '../../src/errors.js';

export interface CatalogHarness {
  /** A fresh catalog on an empty database, not migrated yet. */
  catalog: Catalog;
  /** Another catalog on the same database (a second connection or pool), migrated. */
  reopen(): Promise<Catalog>;
  /** Closes every catalog opened and removes the database. */
  cleanup(): Promise<void>;
}

/** The harness and migrated catalog of the running test, set by the contract's beforeEach; parts read it in their own. */
export interface SuiteState {
  harness: CatalogHarness;
  catalog: Catalog;
}

/** A date `n` days into 2026, with milliseconds, so that round trips show lost precision. */
export const day = (n: number) => new Date(Date.UTC(2026, 0, 1 + n, 8, 30, 15, 123));

/** The error a promise rejects with, which must be one of ours. */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PreservationError);
  return error as Error;
}

export const run = (id: string, kind: RunRecord['kind'], startedAt: Date): RunRecord => ({
  id,
  kind,
  startedAt,
  status: 'running',
  params: { source: '/srv/arkiv/inkorg/Överlämning 2024', locations: ['primary', 'offsite-s3'] },
});
