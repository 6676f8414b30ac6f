/** Catalog contract: packages, their files and events, listing packages. */
import { beforeEach, describe, expect, it } from 'vitest';
import { CatalogError } from '../../src/catalog/errors.js';
import type { Catalog } from '../../src/catalog/types.js';
import { NotFoundError } from '../../src/errors.js';
import { FIVE_GB, makeCopy, makeEvent, makeFile, makePackage } from '../unit/catalog/fixtures.js';
import { day, rejection, type SuiteState } from './catalog-suite-helpers.js';

/** Registers the package tests inside the contract's describe; `state` holds the catalog of each test. */
export function packageContract(state: SuiteState): void {
  let catalog: Catalog;
  beforeEach(() => {
    catalog = state.catalog;
  });

  describe('packages, files and events', () => {
    const files = [
      makeFile('p1', 'Bilagor/Ärende 2024/Översiktsplan – samråd.pdf'),
      makeFile('p1', 'Protokoll/Sammanträde §1–§42.docx', {
        size: 2 ** 53,
        mimeType: 'application/msword',
      }),
      makeFile('p1', 'Äldre/åäö ÅÄÖ.txt', {
        size: 0,
        mimeType: 'text/plain',
        format: { puid: 'x-fmt/111', name: 'Plain Text File', basis: 'UTF-8 utan BOM' },
      }),
    ];
    const events = [
      makeEvent('e1', 'p1'),
      makeEvent('e2', 'p1', {
        type: 'message digest calculation',
        at: new Date('2024-05-13T08:15:30.999Z'),
        object: files[0]?.path,
        runId: 'run-1',
      }),
    ];

    it('round-trips a package with files, events and copies; optional fields stay absent', async () => {
      const pkg = makePackage('p1');
      const copy = makeCopy('p1', 'primary', { size: 2 ** 53 });
      await catalog.addPackage(pkg, files, events, [copy]);

      const stored = await catalog.getPackage('p1');
      expect(stored).toEqual(pkg);
      expect(stored).not.toHaveProperty('archivedAt');
      expect(stored).not.toHaveProperty('predecessorId');
      expect(typeof stored?.size).toBe('number');
      expect(await catalog.listFiles('p1')).toEqual([...files].sort((a, b) => (a.path < b.path ? -1 : 1)));
      const listedEvents = await catalog.listEvents('p1');
      expect(listedEvents).toEqual([events[1], events[0]]);
      expect(listedEvents[1]).not.toHaveProperty('object');
      expect(listedEvents[1]).not.toHaveProperty('runId');
      expect(await catalog.listCopies({ packageId: 'p1' })).toEqual([copy]);
    });

    it('round-trips optional package fields and a predecessor; a second catalog sees them', async () => {
      await catalog.addPackage(makePackage('p1'), [], []);
      const successor = makePackage('p2', {
        predecessorId: 'p1',
        archivedAt: new Date('2024-06-01T12:00:00.001Z'),
        state: 'archived',
        size: 2 ** 53,
        metadata: { title: 'Ärende "citat" \\ snedstreck', language: ['sv', 'se'] },
      });
      await catalog.addPackage(successor, [], []);
      expect(await catalog.getPackage('p2')).toEqual(successor);
      const other = await state.harness.reopen();
      expect(await other.getPackage('p2')).toEqual(successor);
      expect(await other.listPackages()).toHaveLength(2);
    });

    it('keeps a package with more files than one statement takes, in byte order of paths', async () => {
      const many = Array.from({ length: 2345 }, (_, i) =>
        makeFile('p1', `Mapp ${i % 7}/Fil ${String(i).padStart(5, '0')} – Å.pdf`, { size: i * 1_000_003 }),
      );
      await catalog.addPackage(makePackage('p1', { fileCount: many.length }), many, []);
      const listed = await catalog.listFiles('p1');
      expect(listed).toHaveLength(many.length);
      expect(listed).toEqual([...many].sort((a, b) => (a.path < b.path ? -1 : 1)));
    });

    it('sorts text in byte order (as SQLite does), not by the database language', async () => {
      const names = ['Öppet', 'Åtgärd', 'Ärende', 'arkiv', 'Beslut', 'Zon', 'ärende'];
      await catalog.addPackage(
        makePackage('p1'),
        names.map((n) => makeFile('p1', n)),
        [],
        names.map((n) => makeCopy('p1', n)),
      );
      const bytes = [...names].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
      expect((await catalog.listFiles('p1')).map((f) => f.path)).toEqual(bytes);
      expect((await catalog.listCopies({ packageId: 'p1' })).map((c) => c.location)).toEqual(bytes);
    });

    it('rejects sizes and dates that cannot round-trip, storing nothing', async () => {
      await expect(catalog.addPackage(makePackage('p1', { size: 1.5 }), [], [])).rejects.toThrow(
        CatalogError,
      );
      await expect(catalog.addPackage(makePackage('p1', { size: 2 ** 53 + 2 }), [], [])).rejects.toThrow(
        /package "p1" size/,
      );
      await expect(
        catalog.addPackage(makePackage('p1'), [makeFile('p1', 'a', { size: -1 })], []),
      ).rejects.toThrow(/file "a" of package "p1" size/);
      await expect(
        catalog.addPackage(makePackage('p1', { createdAt: new Date('inte ett datum') }), [], []),
      ).rejects.toThrow(/package "p1" createdAt: not a valid date/);
      expect(await catalog.getPackage('p1')).toBeNull();
      expect(await catalog.listPackages()).toEqual([]);
    });

    it('rolls back the whole package when a file repeats, naming file and package', async () => {
      const duplicate = [...files, makeFile('p1', files[0]?.path ?? '', { sha256: 'annan' })];
      const error = await rejection(catalog.addPackage(makePackage('p1'), duplicate, events));
      expect(error).toBeInstanceOf(CatalogError);
      expect(error.message).toContain('Bilagor/Ärende 2024/Översiktsplan – samråd.pdf');
      expect(error.message).toContain('"p1"');
      expect(await catalog.getPackage('p1')).toBeNull();
      expect(await catalog.listFiles('p1')).toEqual([]);
      expect(await catalog.listEvents('p1')).toEqual([]);
      await catalog.addPackage(makePackage('p1'), files, events);
      expect(await catalog.listFiles('p1')).toHaveLength(files.length);
    });

    it('rolls back when an event repeats, exists already or belongs to another package', async () => {
      await expect(
        catalog.addPackage(makePackage('p1'), files, [makeEvent('e1', 'p1'), makeEvent('e1', 'p1')]),
      ).rejects.toThrow(/event "e1".*already exists/);
      await expect(catalog.addPackage(makePackage('p1'), files, [makeEvent('e1', 'p9')])).rejects.toThrow(
        /event "e1" belongs to package "p9"/,
      );
      await catalog.addPackage(makePackage('p0'), [], [makeEvent('e1', 'p0')]);
      await expect(catalog.addPackage(makePackage('p1'), files, [makeEvent('e1', 'p1')])).rejects.toThrow(
        CatalogError,
      );
      await expect(
        catalog.addPackage(makePackage('p1'), files, [], [makeCopy('p2', 'primary')]),
      ).rejects.toThrow(/copy "primary" belongs to package "p2"/);
      expect(await catalog.getPackage('p1')).toBeNull();
      expect(await catalog.listFiles('p1')).toEqual([]);
      expect(await catalog.listCopies()).toEqual([]);
    });

    it('refuses a duplicate package id and an unknown predecessor', async () => {
      await catalog.addPackage(makePackage('p1'), [], []);
      const dup = await rejection(catalog.addPackage(makePackage('p1', { label: 'igen' }), [], []));
      expect(dup).toBeInstanceOf(CatalogError);
      expect(dup.message).toMatch(/package "p1": it already exists/);
      expect((await catalog.getPackage('p1'))?.label).toBe(makePackage('p1').label);

      const orphan = await rejection(
        catalog.addPackage(makePackage('p2', { predecessorId: 'saknas' }), [makeFile('p2', 'x')], []),
      );
      expect(orphan).toBeInstanceOf(NotFoundError);
      expect(orphan.message).toContain('predecessor package "saknas" does not exist');
      expect(await catalog.getPackage('p2')).toBeNull();
    });

    it('sets the package state; archived also sets archivedAt', async () => {
      await catalog.addPackage(makePackage('p1'), [], []);
      await catalog.setPackageState('p1', 'damaged', day(1));
      expect(await catalog.getPackage('p1')).toMatchObject({ state: 'damaged' });
      expect(await catalog.getPackage('p1')).not.toHaveProperty('archivedAt');
      await catalog.setPackageState('p1', 'archived', day(2));
      expect(await catalog.getPackage('p1')).toMatchObject({ state: 'archived', archivedAt: day(2) });
      const missing = await rejection(catalog.setPackageState('saknas', 'archived', day(2)));
      expect(missing).toBeInstanceOf(NotFoundError);
      expect(missing.message).toContain('package "saknas"');
    });

    it('answers unknown ids with null and empty lists', async () => {
      expect(await catalog.getPackage('nope')).toBeNull();
      expect(await catalog.latestPackageForSource('folder', 'nope')).toBeNull();
      expect(await catalog.listFiles('nope')).toEqual([]);
      expect(await catalog.listEvents('nope')).toEqual([]);
      expect(await catalog.listCopies({ packageId: 'nope' })).toEqual([]);
      expect(await catalog.getRun('nope')).toBeNull();
      expect(await catalog.listRunItems('nope')).toEqual([]);
      expect(await catalog.listRuns()).toEqual([]);
      expect(await catalog.listPackages()).toEqual([]);
      expect(await catalog.listStoredObjects({})).toEqual([]);
      expect(await catalog.getMarker('nope')).toBeNull();
    });

    it('names the unknown package with NotFoundError', async () => {
      const event = await rejection(catalog.addEvent(makeEvent('e1', 'saknas-1')));
      expect(event).toBeInstanceOf(NotFoundError);
      expect(event.message).toMatch(
        /^\[catalog:\w+\] cannot add event "e1": package "saknas-1" does not exist/,
      );
      const copy = await rejection(catalog.putCopy(makeCopy('saknas-2', 'primary')));
      expect(copy).toBeInstanceOf(NotFoundError);
      expect(copy.message).toContain('package "saknas-2" does not exist');
      const check = await rejection(
        catalog.recordCopyChecks([
          { packageId: 'saknas-3', location: 'primary', status: 'verified', at: day(1) },
        ]),
      );
      expect(check).toBeInstanceOf(NotFoundError);
      expect(check.message).toContain('"saknas-3"');
      const object = await rejection(
        catalog.addStoredObject({
          location: 'primary',
          key: 'x.xml',
          kind: 'event-log',
          packageId: 'saknas-4',
          storedAt: day(1),
        }),
      );
      expect(object).toBeInstanceOf(NotFoundError);
      expect(object.message).toContain('package "saknas-4" does not exist');
    });

    it('adds events one at a time, listed by time; a repeated id is refused', async () => {
      await catalog.addPackage(makePackage('p1'), [], []);
      const later = makeEvent('ö-2', 'p1', {
        type: 'fixity check',
        at: day(3),
        outcome: 'failure',
        detail: 'Kontrollsumman skiljer sig åt',
      });
      const earlier = makeEvent('ä-1', 'p1', {
        type: 'replication',
        at: day(2),
        object: 'offsite:aip/p1.zip',
      });
      await catalog.addEvent(later);
      await catalog.addEvent(earlier);
      expect(await catalog.listEvents('p1')).toEqual([earlier, later]);
      const dup = await rejection(catalog.addEvent({ ...earlier, detail: 'igen' }));
      expect(dup).toBeInstanceOf(CatalogError);
      expect(dup.message).toMatch(/event "ä-1".*already exists/);
    });
  });

  describe('listing packages', () => {
    async function seed(): Promise<void> {
      const at = (hour: number) => new Date(Date.UTC(2024, 4, 12, hour));
      await catalog.addPackage(makePackage('a', { createdAt: at(1), sourceKey: 'Ärende 1' }), [], []);
      await catalog.addPackage(
        makePackage('b', { createdAt: at(3), sourceKey: 'Ärende 1', predecessorId: 'a' }),
        [],
        [],
      );
      await catalog.addPackage(makePackage('c', { createdAt: at(2), state: 'failed' }), [], []);
      await catalog.addPackage(
        makePackage('d', { createdAt: at(4), sourceKey: 'Ärende 2', state: 'archived' }),
        [],
        [],
      );
      await catalog.addPackage(
        makePackage('e', { createdAt: at(5), sourceKind: 'bagit', sourceKey: 'Ärende 1' }),
        [],
        [],
      );
    }

    it('lists newest first with copies, honouring state, sourceKey and limit', async () => {
      await seed();
      await catalog.putCopy(makeCopy('b', 'primary', { status: 'verified' }));
      await catalog.putCopy(makeCopy('b', 'offsite-s3', { status: 'failed' }));
      const all = await catalog.listPackages();
      expect(all.map((p) => p.id)).toEqual(['e', 'd', 'b', 'c', 'a']);
      expect(all.find((p) => p.id === 'b')).toEqual({
        id: 'b',
        label: makePackage('b').label,
        size: FIVE_GB,
        fileCount: 2,
        state: 'stored',
        createdAt: new Date(Date.UTC(2024, 4, 12, 3)),
        copies: [
          { location: 'offsite-s3', status: 'failed' },
          { location: 'primary', status: 'verified' },
        ],
      });
      expect(all.find((p) => p.id === 'a')?.copies).toEqual([]);
      expect((await catalog.listPackages({ state: 'stored' })).map((p) => p.id)).toEqual(['e', 'b', 'a']);
      expect((await catalog.listPackages({ sourceKey: 'Ärende 1' })).map((p) => p.id)).toEqual([
        'e',
        'b',
        'a',
      ]);
      expect((await catalog.listPackages({ limit: 2 })).map((p) => p.id)).toEqual(['e', 'd']);
      expect(
        (await catalog.listPackages({ state: 'stored', sourceKey: 'Ärende 1', limit: 2 })).map((p) => p.id),
      ).toEqual(['e', 'b']);
      expect(await catalog.listPackages({ state: 'archived', sourceKey: 'Ärende 1' })).toEqual([]);
      await expect(catalog.listPackages({ limit: 0 })).rejects.toThrow(/limit must be a positive integer/);
    });

    it('finds the latest package for a source kind and key', async () => {
      await seed();
      expect((await catalog.latestPackageForSource('folder', 'Ärende 1'))?.id).toBe('b');
      expect((await catalog.latestPackageForSource('bagit', 'Ärende 1'))?.id).toBe('e');
      expect(await catalog.latestPackageForSource('folder', 'Ärende 2')).toEqual(
        makePackage('d', {
          createdAt: new Date(Date.UTC(2024, 4, 12, 4)),
          sourceKey: 'Ärende 2',
          state: 'archived',
        }),
      );
      expect(await catalog.latestPackageForSource('bagit', 'Ärende 2')).toBeNull();
      expect(await catalog.latestPackageForSource('folder', 'ärende 1')).toBeNull();
    });
  });
}
