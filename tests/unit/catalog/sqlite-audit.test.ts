import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { COPIES_BY_AGE } from '../../../src/catalog/sql-audit.js';
import { createSqliteCatalog } from '../../../src/catalog/sqlite.js';
import type { Catalog } from '../../../src/catalog/types.js';
import { makeCopy, makePackage } from './fixtures.js';

let dir: string;
let catalog: Catalog;
const day = (n: number) => new Date(Date.UTC(2026, 0, 1 + n));

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bevara-catalog-audit-'));
  catalog = createSqliteCatalog({ path: join(dir, 'catalog.sqlite') });
  await catalog.migrate();
});

afterEach(async () => {
  await catalog.close();
  await rm(dir, { recursive: true, force: true });
});

describe('sqlite catalog: audit planning', () => {
  it('lists copies of a location oldest verification first, paged', async () => {
    for (const [id, verified] of [
      ['p1', 5],
      ['p2', 1],
      ['p3', 3],
    ] as const) {
      await catalog.addPackage(
        makePackage(id),
        [],
        [],
        [
          makeCopy(id, 'primary', { storedAt: day(0), lastVerifiedAt: day(verified), status: 'verified' }),
          makeCopy(id, 'offsite', {
            storedAt: day(0),
            lastVerifiedAt: day(10 - verified),
            status: 'verified',
          }),
        ],
      );
    }
    const ids = async (location: string, offset: number, limit: number) =>
      (await catalog.listCopiesByAge(location, { offset, limit })).map((c) => c.packageId);
    expect(await ids('primary', 0, 10)).toEqual(['p2', 'p3', 'p1']);
    expect(await ids('primary', 1, 1)).toEqual(['p3']);
    expect(await ids('offsite', 0, 10)).toEqual(['p1', 'p3', 'p2']);

    const coverage = await catalog.copyCoverage('primary', day(3));
    expect(coverage).toMatchObject({ location: 'primary', copies: 3, withinPolicy: 2 });
    expect(coverage.oldest?.packageId).toBe('p2');
    expect((await catalog.copyCoverage('nowhere', day(3))).copies).toBe(0);
  });

  it('reads copies by age from an index, not by sorting every copy of the location (migration 8)', () => {
    const db = new Database(join(dir, 'catalog.sqlite'), { readonly: true });
    try {
      const sql = COPIES_BY_AGE.replaceAll('COLLATE "C"', 'COLLATE BINARY');
      const plan = db
        .prepare(`EXPLAIN QUERY PLAN ${sql}`)
        .all('primary', 1000, 5000)
        .map((row) => (row as { detail: string }).detail)
        .join('\n');
      expect(plan).toContain('USING INDEX copies_age_idx');
      expect(plan).toContain('packages_state_idx');
      expect(plan).not.toContain('TEMP B-TREE');
    } finally {
      db.close();
    }
  });

  it('grants a lease to one holder at a time until it expires', async () => {
    expect(await catalog.acquireLease('audit', 'worker-a', day(1), day(0))).toBe(true);
    expect(await catalog.acquireLease('audit', 'worker-b', day(1), day(0))).toBe(false);
    expect(await catalog.acquireLease('audit', 'worker-a', day(2), day(0))).toBe(true);
    // Expired at day 2: another holder takes it over.
    expect(await catalog.acquireLease('audit', 'worker-b', day(3), day(2))).toBe(true);
    await catalog.releaseLease('audit', 'worker-a');
    expect(await catalog.acquireLease('audit', 'worker-a', day(3), day(2))).toBe(false);
    await catalog.releaseLease('audit', 'worker-b');
    expect(await catalog.acquireLease('audit', 'worker-a', day(3), day(2))).toBe(true);
  });

  it('keeps stored objects and markers', async () => {
    await catalog.addPackage(makePackage('p1'), [], []);
    await catalog.addStoredObject({
      location: 'primary',
      key: 'p1.events.xml',
      kind: 'event-log',
      packageId: 'p1',
      storedAt: day(1),
    });
    await catalog.addStoredObject({
      location: 'primary',
      key: 'reports/r1.html',
      kind: 'report',
      storedAt: day(1),
    });
    expect((await catalog.listStoredObjects({ location: 'primary' })).map((o) => o.key)).toEqual([
      'p1.events.xml',
      'reports/r1.html',
    ]);
    expect(await catalog.listStoredObjects({ packageId: 'p1' })).toEqual([
      { location: 'primary', key: 'p1.events.xml', kind: 'event-log', packageId: 'p1', storedAt: day(1) },
    ]);
    expect(await catalog.getMarker('orphans:primary')).toBeNull();
    await catalog.setMarker('orphans:primary', day(1).toISOString(), day(1));
    await catalog.setMarker('orphans:primary', day(2).toISOString(), day(2));
    expect(await catalog.getMarker('orphans:primary')).toBe(day(2).toISOString());
  });
});
