/** Catalog contract: legal holds, disposal proposals and items, tombstones, and what disposal does to audits. */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Catalog, DisposalItem, TombstoneRecord } from '../../src/catalog/types.js';
import { NotFoundError } from '../../src/errors.js';
import { makeCopy, makeEvent, makeFile, makePackage } from '../unit/catalog/fixtures.js';
import { day, rejection, type SuiteState } from './catalog-suite-helpers.js';

const item = (packageId: string, overrides: Partial<DisposalItem> = {}): DisposalItem => ({
  proposalId: 'prop-1',
  packageId,
  ruleId: 'bygglov-10y',
  action: 'dispose',
  dueAt: day(2),
  reason: 'rule "bygglov-10y": dispose 10y after dates.end 2014-05-01',
  status: 'proposed',
  updatedAt: day(3),
  ...overrides,
});

const tombstone = (packageId: string): TombstoneRecord => ({
  packageId,
  proposalId: 'prop-1',
  ruleId: 'bygglov-10y',
  label: 'Översiktsplan för Ängelholms kommun',
  identifier: 'KS 2024/0113',
  classification: '2.3.1',
  dates: { created: '2024-01-15', end: '2024-05-01' },
  decision: { plannedBy: 'anna', approvedBy: 'bengt', approvedAt: day(4), reason: 'due 2034-05-01' },
  destroyed: {
    packageSha256: 'ab'.repeat(32),
    packageSize: 5 * 1024 ** 3,
    contentDigest: 'cd'.repeat(32),
    fileCount: 2,
    objects: [{ location: 'primary', key: `aip/${packageId}.zip`, kind: 'copy', sha256: 'ab'.repeat(32) }],
  },
  disposedAt: day(5),
  fileList: 'forgotten',
});

export function disposalContract(state: SuiteState): void {
  let catalog: Catalog;
  beforeEach(() => {
    catalog = state.catalog;
  });

  describe('legal holds', () => {
    it('places holds on a package or a query, lists the active ones, releases once', async () => {
      await catalog.addPackage(makePackage('p1'), [], []);
      await catalog.addHold({
        id: 'h1',
        packageId: 'p1',
        reason: 'begäran JO 2026/1',
        placedBy: 'anna',
        placedAt: day(1),
      });
      await catalog.addHold({
        id: 'h2',
        query: { classification: '2.3' },
        reason: 'tvist',
        placedBy: 'anna',
        placedAt: day(2),
      });
      expect((await catalog.listHolds({ active: true })).map((h) => h.id)).toEqual(['h1', 'h2']);
      expect((await catalog.listHolds({ packageId: 'p1' }))[0]).toEqual({
        id: 'h1',
        packageId: 'p1',
        reason: 'begäran JO 2026/1',
        placedBy: 'anna',
        placedAt: day(1),
      });
      const released = await catalog.releaseHold('h2', { by: 'bengt', reason: 'avgjord', at: day(3) });
      expect(released).toMatchObject({
        query: { classification: '2.3' },
        releasedBy: 'bengt',
        releasedAt: day(3),
      });
      const again = await catalog.releaseHold('h2', { by: 'cecilia', reason: 'igen', at: day(4) });
      expect(again.releasedBy).toBe('bengt');
      expect((await catalog.listHolds({ active: true })).map((h) => h.id)).toEqual(['h1']);
      expect((await catalog.listHolds()).map((h) => h.id)).toEqual(['h1', 'h2']);
      expect(
        await rejection(catalog.releaseHold('nope', { by: 'x', reason: 'y', at: day(1) })),
      ).toBeInstanceOf(NotFoundError);
    });

    it('refuses a hold on a package that does not exist', async () => {
      const error = await rejection(
        catalog.addHold({ id: 'h1', packageId: 'ghost', reason: 'r', placedBy: 'a', placedAt: day(1) }),
      );
      expect(error).toBeInstanceOf(NotFoundError);
    });
  });

  describe('proposals', () => {
    it('pages the newest version of each record only', async () => {
      await catalog.addPackage(makePackage('a1'), [], []);
      await catalog.addPackage(makePackage('a2', { predecessorId: 'a1' }), [], []);
      await catalog.addPackage(makePackage('b1'), [], []);
      expect((await catalog.pageRecordHeads({ limit: 1 })).map((p) => p.id)).toEqual(['a2']);
      expect((await catalog.pageRecordHeads({ after: 'a2', limit: 10 })).map((p) => p.id)).toEqual(['b1']);
    });

    it('adds a proposal with items, approves it once, updates items and completes it', async () => {
      await catalog.addPackage(makePackage('p1'), [], []);
      await catalog.addPackage(makePackage('p2'), [], []);
      const proposal = { id: 'prop-1', status: 'proposed' as const, plannedBy: 'anna', plannedAt: day(3) };
      await catalog.addProposal(proposal, [item('p2'), item('p1', { status: 'held', detail: 'held: h1' })]);
      expect(await catalog.getProposal('prop-1')).toEqual(proposal);
      expect(await catalog.listDisposalItems({ proposalId: 'prop-1' })).toEqual([
        item('p1', { status: 'held', detail: 'held: h1' }),
        item('p2'),
      ]);
      expect(await catalog.approveProposal('prop-1', 'bengt', day(4))).toBe(true);
      expect(await catalog.approveProposal('prop-1', 'cecilia', day(5))).toBe(false);
      expect(await catalog.getProposal('prop-1')).toMatchObject({ status: 'approved', approvedBy: 'bengt' });
      await catalog.setDisposalItem('prop-1', 'p2', { status: 'locked', detail: 'primary locked' }, day(5));
      expect((await catalog.listDisposalItems({ packageId: 'p2' }))[0]).toMatchObject({
        status: 'locked',
        detail: 'primary locked',
        updatedAt: day(5),
      });
      expect(
        await rejection(catalog.setDisposalItem('prop-1', 'zz', { status: 'held' }, day(5))),
      ).toBeInstanceOf(NotFoundError);
      await catalog.completeProposal('prop-1', day(6));
      expect((await catalog.listProposals({ status: 'completed' })).map((p) => p.completedAt)).toEqual([
        day(6),
      ]);
    });

    it('refuses a proposal naming a package that does not exist, and writes none of it', async () => {
      await catalog.addPackage(makePackage('p1'), [], []);
      const proposal = { id: 'prop-1', status: 'proposed' as const, plannedBy: 'anna', plannedAt: day(3) };
      await rejection(catalog.addProposal(proposal, [item('p1'), item('ghost')]));
      expect(await catalog.getProposal('prop-1')).toBeNull();
      expect(await catalog.listDisposalItems({ packageId: 'p1' })).toEqual([]);
    });
  });

  describe('tombstones', () => {
    it('records a disposal in one transaction: copies and file list forgotten, state, tombstone, event, item', async () => {
      const named = (id: string) => [makeFile(id, `Läkarintyg Sven Svensson ${id}.pdf`)];
      await catalog.addPackage(
        makePackage('p1'),
        named('p1'),
        [],
        [makeCopy('p1', 'primary'), makeCopy('p1', 'offsite')],
      );
      await catalog.addPackage(makePackage('p2'), named('p2'), [], [makeCopy('p2', 'primary')]);
      await catalog.addStoredObject({
        location: 'primary',
        key: 'packages/p1/events-1.premis.xml',
        kind: 'event-log',
        packageId: 'p1',
        storedAt: day(1),
      });
      await catalog.addProposal({ id: 'prop-1', status: 'proposed', plannedBy: 'anna', plannedAt: day(3) }, [
        item('p1'),
      ]);
      await catalog.setPackageState('p1', 'disposing', day(4));
      expect(
        (await catalog.listCopiesByAge('primary', { offset: 0, limit: 10 })).map((c) => c.packageId),
      ).toEqual(['p2']);
      expect((await catalog.copyCoverage('primary', day(0))).copies).toBe(1);
      const event = makeEvent('del-p1', 'p1', { type: 'deletion', at: day(5), agent: 'person:bengt' });
      await catalog.recordDisposal({ tombstone: tombstone('p1'), event, forgetFiles: true });
      await catalog.purgeDeleted();
      expect(await catalog.listFiles('p1')).toEqual([]);
      expect(await catalog.listFiles('p2')).toHaveLength(1);
      const found = await catalog.searchPackages({ fileName: 'sven svensson', limit: 10 });
      expect(found.packages.map((p) => p.id)).toEqual(['p2']);
      expect(await catalog.getTombstone('p1')).toEqual(tombstone('p1'));
      expect(await catalog.listTombstones({ proposalId: 'prop-1' })).toEqual([tombstone('p1')]);
      expect((await catalog.getPackage('p1'))?.state).toBe('disposed');
      expect(await catalog.listCopies({ packageId: 'p1' })).toEqual([]);
      expect(await catalog.listStoredObjects({ packageId: 'p1' })).toEqual([]);
      expect((await catalog.listEvents('p1')).map((e) => e.type)).toEqual(['deletion']);
      expect((await catalog.listDisposalItems({ packageId: 'p1' }))[0]?.status).toBe('disposed');
      expect(await catalog.listCopies({ packageId: 'p2' })).toHaveLength(1);
      // Twice is refused, and the refusal changes nothing.
      await rejection(
        catalog.recordDisposal({
          tombstone: tombstone('p1'),
          event: { ...event, id: 'del-2' },
          forgetFiles: true,
        }),
      );
      expect((await catalog.listEvents('p1')).map((e) => e.id)).toEqual(['del-p1']);
    });

    it('writes nothing of a disposal whose event fails', async () => {
      await catalog.addPackage(makePackage('p1'), [], [], [makeCopy('p1', 'primary')]);
      await catalog.addPackage(makePackage('p2'), [], [], []);
      await catalog.addProposal({ id: 'prop-1', status: 'proposed', plannedBy: 'anna', plannedAt: day(3) }, [
        item('p1'),
      ]);
      await catalog.addEvent(makeEvent('taken', 'p2'));
      await rejection(
        catalog.recordDisposal({
          tombstone: tombstone('p1'),
          event: makeEvent('taken', 'p1'),
          forgetFiles: true,
        }),
      );
      expect(await catalog.getTombstone('p1')).toBeNull();
      expect(await catalog.listCopies({ packageId: 'p1' })).toHaveLength(1);
      expect((await catalog.getPackage('p1'))?.state).toBe('stored');
    });
  });
}
