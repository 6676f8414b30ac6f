/** Catalog contract: copies, copy checks and audit planning (age order, coverage, stored objects, leases, markers). */
import { beforeEach, describe, expect, it } from 'vitest';
import { CatalogError } from '../../src/catalog/errors.js';
import type { Catalog, CopyRecord } from '../../src/catalog/types.js';
import { NotFoundError } from '../../src/errors.js';
import { makeCopy, makeEvent, makePackage } from '../unit/catalog/fixtures.js';
import { day, rejection, type SuiteState } from './catalog-suite-helpers.js';

/** Registers the copy and audit-planning tests inside the contract's describe. */
export function auditContract(state: SuiteState): void {
  let catalog: Catalog;
  beforeEach(() => {
    catalog = state.catalog;
  });

  describe('copies and copy checks', () => {
    it('puts, replaces and filters copies', async () => {
      await catalog.addPackage(makePackage('p1'), [], []);
      await catalog.addPackage(makePackage('p2'), [], []);
      const primary = makeCopy('p1', 'primary');
      await catalog.putCopy(primary);
      await catalog.putCopy(makeCopy('p2', 'primary'));
      const s3 = makeCopy('p1', 'offsite-s3', {
        versionId: 'v-001',
        status: 'verified',
        lastVerifiedAt: day(1),
      });
      await catalog.putCopy(s3);
      expect(await catalog.listCopies({ packageId: 'p1' })).toEqual([s3, primary]);
      expect((await catalog.listCopies({ location: 'primary' })).map((c) => c.packageId)).toEqual([
        'p1',
        'p2',
      ]);
      expect(await catalog.listCopies({ packageId: 'p1', location: 'offsite-s3' })).toEqual([s3]);
      expect(await catalog.listCopies()).toHaveLength(3);
      const replaced: CopyRecord = { ...primary, key: 'aip/p1-v2.zip', size: 2 ** 53, versionId: 'v-002' };
      await catalog.putCopy(replaced);
      expect(await catalog.listCopies({ packageId: 'p1', location: 'primary' })).toEqual([replaced]);
      const unverified: CopyRecord = { ...s3, status: 'stored' };
      delete unverified.lastVerifiedAt;
      delete unverified.versionId;
      await catalog.putCopy(unverified);
      expect(await catalog.listCopies({ location: 'offsite-s3' })).toEqual([unverified]);
    });

    it('records checks with their events; verified also sets lastVerifiedAt', async () => {
      await catalog.addPackage(
        makePackage('p1'),
        [],
        [],
        [makeCopy('p1', 'primary'), makeCopy('p1', 'offsite')],
      );
      const check = makeEvent('fix-1', 'p1', {
        type: 'fixity check',
        at: day(1),
        object: 'primary:aip/p1.zip',
      });
      await catalog.recordCopyChecks([
        { packageId: 'p1', location: 'primary', status: 'verified', at: day(1), event: check },
        { packageId: 'p1', location: 'offsite', status: 'missing', at: day(1) },
      ]);
      await catalog.recordCopyChecks([
        { packageId: 'p1', location: 'primary', status: 'failed', at: day(2) },
      ]);
      const [offsite, primary] = await catalog.listCopies({ packageId: 'p1' });
      expect(primary).toEqual({
        ...makeCopy('p1', 'primary'),
        status: 'failed',
        lastVerifiedAt: day(1),
        lastCheckedAt: day(2),
      });
      expect(offsite).toEqual({ ...makeCopy('p1', 'offsite'), status: 'missing', lastCheckedAt: day(1) });
      expect(await catalog.listEvents('p1')).toEqual([check]);
      await catalog.recordCopyChecks([]);
    });

    it('records no check of a batch when one names an unknown copy', async () => {
      await catalog.addPackage(makePackage('p1'), [], [], [makeCopy('p1', 'primary')]);
      const error = await rejection(
        catalog.recordCopyChecks([
          {
            packageId: 'p1',
            location: 'primary',
            status: 'verified',
            at: day(1),
            event: makeEvent('ok', 'p1'),
          },
          { packageId: 'p1', location: 'nowhere', status: 'verified', at: day(1) },
        ]),
      );
      expect(error).toBeInstanceOf(NotFoundError);
      expect(error.message).toMatch(/copy of package "p1" at location "nowhere" does not exist/);
      expect(await catalog.listCopies()).toEqual([makeCopy('p1', 'primary')]);
      expect(await catalog.listEvents('p1')).toEqual([]);
    });
  });

  describe('audit planning', () => {
    async function seedCopies(): Promise<void> {
      const verified: [string, number | undefined][] = [
        ['p1', 5],
        ['p2', 1],
        ['p3', 3],
        ['p4', undefined],
        ['p0', 1],
      ];
      for (const [id, n] of verified) {
        await catalog.addPackage(
          makePackage(id),
          [],
          [],
          [
            makeCopy(id, 'primary', {
              storedAt: day(0),
              size: 2 ** 51,
              status: n === undefined ? 'stored' : 'verified',
              ...(n === undefined ? {} : { lastVerifiedAt: day(n) }),
            }),
            makeCopy(id, 'offsite', {
              storedAt: day(0),
              status: 'verified',
              lastVerifiedAt: day(10 - (n ?? 9)),
            }),
          ],
        );
      }
    }

    it('lists copies of a location oldest verification first (never verified by storage date), paged', async () => {
      await seedCopies();
      const ids = async (location: string, offset: number, limit: number) =>
        (await catalog.listCopiesByAge(location, { offset, limit })).map((c) => c.packageId);
      expect(await ids('primary', 0, 10)).toEqual(['p4', 'p0', 'p2', 'p3', 'p1']);
      expect(await ids('primary', 1, 2)).toEqual(['p0', 'p2']);
      expect(await ids('primary', 5, 2)).toEqual([]);
      expect(await ids('offsite', 0, 10)).toEqual(['p4', 'p1', 'p3', 'p0', 'p2']);
      expect((await catalog.listCopiesByAge('primary', { offset: 0, limit: 1 }))[0]).toEqual(
        makeCopy('p4', 'primary', { storedAt: day(0), size: 2 ** 51, status: 'stored' }),
      );
      await expect(catalog.listCopiesByAge('primary', { offset: 0, limit: 0 })).rejects.toThrow(CatalogError);
    });

    it('pages copies by age after a given copy (ties by package id) in the order offsets page them', async () => {
      await seedCopies();
      for (const location of ['primary', 'offsite']) {
        const all = await catalog.listCopiesByAge(location, { offset: 0, limit: 10 });
        const walked: string[] = [];
        let after: CopyRecord | undefined;
        for (;;) {
          const page = await catalog.listCopiesByAge(location, {
            offset: 0,
            limit: 2,
            ...(after ? { after } : {}),
          });
          if (page.length === 0) break;
          walked.push(...page.map((c) => c.packageId));
          after = page.at(-1);
        }
        expect(walked).toEqual(all.map((c) => c.packageId));
      }
      // p0 and p2 were verified on the same day: after p4, skipping one, comes p2.
      const [first] = await catalog.listCopiesByAge('primary', { offset: 0, limit: 1 });
      const page = await catalog.listCopiesByAge('primary', {
        offset: 1,
        limit: 1,
        ...(first ? { after: first } : {}),
      });
      expect(page.map((c) => c.packageId)).toEqual(['p2']);
    });

    it('counts coverage since a date (inclusive), the bytes (also past 2^53) and the oldest copy', async () => {
      await seedCopies();
      const coverage = await catalog.copyCoverage('primary', day(3));
      expect(coverage).toMatchObject({
        location: 'primary',
        copies: 5,
        bytes: 5 * 2 ** 51,
        withinPolicy: 2,
      });
      expect(coverage.oldest?.packageId).toBe('p4');
      expect(await catalog.copyCoverage('primary', day(0))).toMatchObject({ withinPolicy: 4 });
      expect(await catalog.copyCoverage('nowhere', day(3))).toEqual({
        location: 'nowhere',
        copies: 0,
        bytes: 0,
        withinPolicy: 0,
      });
      await catalog.addPackage(makePackage('big'), [], [], [makeCopy('big', 'stort', { size: 2 ** 52 })]);
      await catalog.addPackage(makePackage('big2'), [], [], [makeCopy('big2', 'stort', { size: 2 ** 52 })]);
      expect((await catalog.copyCoverage('stort', day(0))).bytes).toBe(2 ** 53);
      // A total past 2^53 (more than 8 PiB) is a number too, rounded.
      await catalog.putCopy(makeCopy('big', 'enorm', { size: 2 ** 53 }));
      await catalog.putCopy(makeCopy('big2', 'enorm', { size: 2 ** 53 - 1 }));
      expect((await catalog.copyCoverage('enorm', day(0))).bytes).toBe(2 ** 54);
    });

    it('keeps objects stored beside packages, replaced by location and key', async () => {
      await catalog.addPackage(makePackage('p1'), [], []);
      const log = {
        location: 'primary',
        key: 'p1/händelser.xml',
        kind: 'event-log',
        packageId: 'p1',
        storedAt: day(1),
      } as const;
      const report = {
        location: 'primary',
        key: 'rapporter/granskning 2026.html',
        kind: 'report',
        storedAt: day(2),
      } as const;
      await catalog.addStoredObject(log);
      await catalog.addStoredObject(report);
      await catalog.addStoredObject({ ...report, location: 'offsite' });
      expect(await catalog.listStoredObjects({ location: 'primary' })).toEqual([log, report]);
      expect(await catalog.listStoredObjects({ packageId: 'p1' })).toEqual([log]);
      expect(await catalog.listStoredObjects({})).toHaveLength(3);
      const damaged = { ...log, kind: 'damaged', storedAt: day(3) } as const;
      await catalog.addStoredObject(damaged);
      expect(await catalog.listStoredObjects({ location: 'primary', packageId: 'p1' })).toEqual([damaged]);
    });

    it('grants a lease to one holder at a time until it expires', async () => {
      expect(await catalog.acquireLease('granskning', 'worker-a', day(1), day(0))).toBe(true);
      expect(await catalog.acquireLease('granskning', 'worker-b', day(1), day(0))).toBe(false);
      expect(await catalog.acquireLease('annan', 'worker-b', day(1), day(0))).toBe(true);
      expect(await catalog.acquireLease('granskning', 'worker-a', day(2), day(0))).toBe(true);
      await catalog.releaseLease('granskning', 'worker-b');
      expect(await catalog.acquireLease('granskning', 'worker-b', day(3), day(1))).toBe(false);
      // Expires at day 2 exactly: free at day 2.
      expect(await catalog.acquireLease('granskning', 'worker-b', day(3), day(2))).toBe(true);
      await catalog.releaseLease('granskning', 'worker-a');
      expect(await catalog.acquireLease('granskning', 'worker-a', day(3), day(2))).toBe(false);
      await catalog.releaseLease('granskning', 'worker-b');
      expect(await catalog.acquireLease('granskning', 'worker-a', day(3), day(2))).toBe(true);
    });

    it('keeps markers', async () => {
      expect(await catalog.getMarker('orphans:primary')).toBeNull();
      await catalog.setMarker('orphans:primary', day(1).toISOString(), day(1));
      await catalog.setMarker('orphans:primary', 'senast listad: 2026-01-03 – ÅÄÖ', day(2));
      expect(await catalog.getMarker('orphans:primary')).toBe('senast listad: 2026-01-03 – ÅÄÖ');
      expect(await catalog.getMarker('orphans:offsite')).toBeNull();
    });
  });
}
