/** The contract of the console's part of the catalog: accounts, sessions, package search, counts. */
import { describe, expect, it } from 'vitest';
import { CatalogError } from '../../src/catalog/errors.js';
import type { PackageRecord, UserRecord } from '../../src/catalog/types.js';
import { NotFoundError } from '../../src/errors.js';
import { hex, makeCopy, makeFile, makePackage } from '../unit/catalog/fixtures.js';
import { day, rejection, run, type SuiteState } from './catalog-suite-helpers.js';

const user = (name: string, overrides: Partial<UserRecord> = {}): UserRecord => ({
  name,
  role: 'reader',
  passwordHash: `$argon2id$v=19$m=65536,t=3,p=4$${name}`,
  createdAt: day(1),
  updatedAt: day(1),
  ...overrides,
});

/** Four packages a day apart, newest last: distinct titles, identifiers, creators, dates, files and formats. */
async function addArchive(state: SuiteState): Promise<PackageRecord[]> {
  const specs = [
    {
      id: 'p1',
      label: 'Bygglov Östra Gränd 3',
      identifier: 'BN 2024/0113',
      creator: 'Byggnadsnämnden',
      dates: { created: '2024-01-15', end: '2024-03-04' },
    },
    {
      id: 'p2',
      label: 'Försörjningsstöd',
      identifier: 'SN 2024/0257',
      creator: 'Socialnämnden',
      dates: { start: '2024-02-20', end: '2024-03-12' },
    },
    {
      id: 'p3',
      label: 'Medborgarförslag om ÅTERVINNING',
      identifier: 'KS 2023/0890',
      creator: 'Kommunstyrelsen',
      dates: { created: '2023-11-02T09:00:00+01:00' },
    },
    { id: 'p4', label: 'Protokoll 100% klart_v2', identifier: 'KS 2023/0891', creator: 'Kommunstyrelsen' },
  ];
  const packages: PackageRecord[] = [];
  for (const [i, s] of specs.entries()) {
    const pkg = makePackage(s.id, {
      label: s.label,
      createdAt: day(10 + i),
      metadata: {
        title: s.label,
        identifier: s.identifier,
        creator: s.creator,
        ...(s.dates ? { dates: s.dates } : {}),
      },
    });
    const files = [
      makeFile(s.id, `Handlingar/${s.id}-Ansökan.pdf`, {
        format: { puid: i % 2 === 0 ? 'fmt/354' : 'fmt/95', basis: 'test' },
      }),
      makeFile(s.id, `Bilagor/karta-${s.id}.png`, { mimeType: 'image/png' }),
    ];
    await state.catalog.addPackage(pkg, files, [], [makeCopy(s.id, 'primär', { status: 'verified' })]);
    packages.push(pkg);
  }
  return packages;
}

const ids = (page: { packages: { id: string }[] }) => page.packages.map((p) => p.id);

export function consoleContract(state: SuiteState): void {
  describe('accounts', () => {
    it('adds, reads, lists by name, changes and removes accounts', async () => {
      const { catalog } = state;
      await catalog.addUser(user('östen', { role: 'archivist' }));
      await catalog.addUser(user('anna'));
      expect(await catalog.getUser('östen')).toEqual(user('östen', { role: 'archivist' }));
      expect(await catalog.getUser('saknas')).toBeNull();
      await catalog.updateUser('anna', { role: 'admin' }, day(2));
      await catalog.updateUser('anna', { passwordHash: '$argon2id$ny' }, day(3));
      expect(await catalog.listUsers()).toEqual([
        user('anna', { role: 'admin', passwordHash: '$argon2id$ny', updatedAt: day(3) }),
        user('östen', { role: 'archivist' }),
      ]);
      await catalog.removeUser('anna');
      expect((await catalog.listUsers()).map((u) => u.name)).toEqual(['östen']);
    });

    it('refuses a taken name and changes or removals of an unknown account', async () => {
      const { catalog } = state;
      await catalog.addUser(user('anna'));
      expect(await rejection(catalog.addUser(user('anna', { role: 'admin' })))).toBeInstanceOf(CatalogError);
      expect((await catalog.getUser('anna'))?.role).toBe('reader');
      expect(await rejection(catalog.updateUser('bo', { role: 'admin' }, day(2)))).toBeInstanceOf(
        NotFoundError,
      );
      expect(await rejection(catalog.removeUser('bo'))).toBeInstanceOf(NotFoundError);
    });
  });

  describe('sessions', () => {
    const session = (idHash: string, name: string, expiresAt: Date) => ({
      idHash,
      user: name,
      csrfToken: `csrf-${idHash}`,
      createdAt: day(1),
      expiresAt,
    });

    it('finds a session until it expires, and forgets it when removed, expired or its account removed', async () => {
      const { catalog } = state;
      await catalog.addUser(user('anna'));
      await catalog.addUser(user('bo'));
      await catalog.addSession(session('h1', 'anna', day(2)));
      await catalog.addSession(session('h2', 'anna', day(5)));
      await catalog.addSession(session('h3', 'bo', day(5)));
      expect(await catalog.getSession('h1', day(1))).toEqual(session('h1', 'anna', day(2)));
      expect(await catalog.getSession('h1', day(2))).toBeNull();
      expect(await catalog.removeExpiredSessions(day(3))).toBe(1);
      await catalog.removeSession('h3');
      expect(await catalog.getSession('h3', day(1))).toBeNull();
      await catalog.removeUser('anna');
      expect(await catalog.getSession('h2', day(1))).toBeNull();
    });

    it('refuses a session of an unknown account', async () => {
      expect(await rejection(state.catalog.addSession(session('h1', 'ingen', day(2))))).toBeInstanceOf(
        NotFoundError,
      );
    });
  });

  describe('package search', () => {
    it('finds by words of the title, identifier or creator, ignoring case (Swedish letters too)', async () => {
      const { catalog } = state;
      await addArchive(state);
      expect(ids(await catalog.searchPackages({ text: 'östra', limit: 10 }))).toEqual(['p1']);
      expect(ids(await catalog.searchPackages({ text: 'återvinning', limit: 10 }))).toEqual(['p3']);
      expect(ids(await catalog.searchPackages({ text: 'kommunstyrelsen 0890', limit: 10 }))).toEqual(['p3']);
      expect(ids(await catalog.searchPackages({ text: 'NÄMNDEN', limit: 10 }))).toEqual(['p2', 'p1']);
      expect(ids(await catalog.searchPackages({ identifier: 'bn 2024/0113', limit: 10 }))).toEqual(['p1']);
      expect(ids(await catalog.searchPackages({ identifier: '2023/', limit: 10 }))).toEqual(['p4', 'p3']);
      expect(ids(await catalog.searchPackages({ creator: 'social', limit: 10 }))).toEqual(['p2']);
    });

    it('finds by archive creator (name or reference code) and classification node with the nodes below it', async () => {
      const { catalog } = state;
      const specs = [
        {
          id: 'a1',
          classification: '3.1',
          archiveCreator: { name: 'Byggnadsnämnden', referenceCode: 'SE/EXK/BN' },
        },
        {
          id: 'a2',
          classification: '3.1.2',
          archiveCreator: { name: 'Byggnadsnämnden', referenceCode: 'SE/EXK/BN' },
        },
        {
          id: 'a3',
          classification: '3.10',
          archiveCreator: { name: 'Socialnämnden', referenceCode: 'SE/EXK/SN' },
        },
        { id: 'a4', classification: '3_1' },
      ];
      for (const [i, s] of specs.entries()) {
        const { id, ...described } = s;
        const metadata = { title: `Ärende ${id}`, ...described };
        await catalog.addPackage(makePackage(id, { createdAt: day(20 + i), metadata }), [], []);
      }
      const search = async (query: { archiveCreator?: string; classification?: string }) =>
        ids(await catalog.searchPackages({ ...query, limit: 10 }));
      expect(await search({ archiveCreator: 'BYGGNADS' })).toEqual(['a2', 'a1']);
      expect(await search({ archiveCreator: 'se/exk/sn' })).toEqual(['a3']);
      expect(await search({ classification: '3.1' })).toEqual(['a2', 'a1']);
      expect(await search({ classification: '3.1.2' })).toEqual(['a2']);
      expect(await search({ classification: '3' })).toEqual(['a3', 'a2', 'a1']);
      expect(await search({ classification: '3_' })).toEqual([]);
      expect(await search({ classification: '3.1', archiveCreator: 'SE/EXK/BN' })).toEqual(['a2', 'a1']);
      expect(await search({ archiveCreator: 'Kulturnämnden' })).toEqual([]);
    });

    it('takes % and _ in the words literally', async () => {
      await addArchive(state);
      expect(ids(await state.catalog.searchPackages({ text: '100%', limit: 10 }))).toEqual(['p4']);
      expect(ids(await state.catalog.searchPackages({ text: '_v2', limit: 10 }))).toEqual(['p4']);
      expect(ids(await state.catalog.searchPackages({ text: '0%', limit: 10 }))).toEqual(['p4']);
      expect(ids(await state.catalog.searchPackages({ text: 'l_v', limit: 10 }))).toEqual([]);
    });

    it('takes *, ? and [ ] in the words literally too (SQLite looks in its text index with GLOB first)', async () => {
      const { catalog } = state;
      await addArchive(state);
      const label = 'Utkast [v2]*? Ödegärdet';
      await catalog.addPackage(
        makePackage('p5', {
          label,
          createdAt: day(20),
          metadata: { title: label, identifier: 'KS 2025/0001' },
        }),
        [makeFile('p5', 'Underlag/[utkast] *plan?.pdf')],
        [],
      );
      for (const text of ['[v2]*?', 'v2]', '*?', 'ödegärdet', 'ÖDEGÄRDET'])
        expect(ids(await catalog.searchPackages({ text, limit: 10 })), text).toEqual(['p5']);
      for (const text of ['[v3]', 'v2?', '[v2]?*'])
        expect(ids(await catalog.searchPackages({ text, limit: 10 })), text).toEqual([]);
      expect(ids(await catalog.searchPackages({ fileName: '[UTKAST] *PLAN?', limit: 10 }))).toEqual(['p5']);
      expect(ids(await catalog.searchPackages({ fileName: '[utkast]?', limit: 10 }))).toEqual([]);
      expect(ids(await catalog.searchPackages({ identifier: '2025/0', limit: 10 }))).toEqual(['p5']);
    });

    it('finds records whose dates overlap a period', async () => {
      const { catalog } = state;
      await addArchive(state);
      expect(ids(await catalog.searchPackages({ from: '2024-03-05', limit: 10 }))).toEqual(['p2']);
      expect(ids(await catalog.searchPackages({ to: '2023-12-31', limit: 10 }))).toEqual(['p3']);
      expect(ids(await catalog.searchPackages({ from: '2023-11-02', to: '2024-01-15', limit: 10 }))).toEqual([
        'p3',
        'p1',
      ]);
      // Ranges before or after every record match nothing (SQLite starts from the bound's index).
      for (const [from, to] of [
        ['1990-01-01', '1990-12-31'],
        ['2090-01-01', '2090-12-31'],
      ])
        expect(ids(await catalog.searchPackages({ from, to, limit: 10 })), `${from}..${to}`).toEqual([]);
      expect(ids(await catalog.searchPackages({ from: '2024-03-05', to: '2090-12-31', limit: 10 }))).toEqual([
        'p2',
      ]);
      await expect(catalog.searchPackages({ from: '2024-3-5', limit: 10 })).rejects.toThrow(/YYYY-MM-DD/);
    });

    it('finds by file name, file or package digest and format, and by state', async () => {
      const { catalog } = state;
      const [p1] = await addArchive(state);
      expect(ids(await catalog.searchPackages({ fileName: 'KARTA-p2', limit: 10 }))).toEqual(['p2']);
      expect(
        ids(await catalog.searchPackages({ digest: hex('file-Bilagor/karta-p3.png'), limit: 10 })),
      ).toEqual(['p3']);
      expect(ids(await catalog.searchPackages({ digest: p1?.sha256.toUpperCase(), limit: 10 }))).toEqual([
        'p1',
      ]);
      expect(ids(await catalog.searchPackages({ puid: 'fmt/95', limit: 10 }))).toEqual(['p4', 'p2']);
      await catalog.setPackageState('p2', 'archived', day(20));
      expect(ids(await catalog.searchPackages({ state: 'archived', puid: 'fmt/95', limit: 10 }))).toEqual([
        'p2',
      ]);
      await expect(catalog.searchPackages({ digest: 'abc', limit: 10 })).rejects.toThrow(/64 hex digits/);
    });

    it('pages newest first with a cursor, each package once, with copies and metadata', async () => {
      const { catalog } = state;
      await addArchive(state);
      // Two packages created at the same moment: ties go by id.
      await catalog.addPackage(makePackage('p0', { createdAt: day(12) }), [], []);
      const first = await catalog.searchPackages({ limit: 2 });
      expect(ids(first)).toEqual(['p4', 'p3']);
      expect(first.next).toEqual({ createdAt: day(12), id: 'p3' });
      expect(first.packages[0]).toMatchObject({
        label: 'Protokoll 100% klart_v2',
        copies: [{ location: 'primär', status: 'verified' }],
        metadata: { identifier: 'KS 2023/0891' },
      });
      const second = await catalog.searchPackages({ limit: 2, after: first.next });
      expect(ids(second)).toEqual(['p0', 'p2']);
      const third = await catalog.searchPackages({ limit: 2, after: second.next });
      expect(ids(third)).toEqual(['p1']);
      expect(third.next).toBeUndefined();
      await expect(catalog.searchPackages({ limit: 0 })).rejects.toThrow(/limit/);
    });
  });

  describe('counts', () => {
    it('counts packages, files, copies, runs, job records by state and audit repairs, zero when empty', async () => {
      const { catalog } = state;
      expect(await catalog.catalogStats()).toEqual({
        packages: [],
        files: { count: 0, bytes: 0 },
        copies: [],
        runs: [],
        records: [],
        repairs: 0,
      });
      await addArchive(state);
      await catalog.setPackageState('p1', 'archived', day(20));
      await catalog.putCopy(makeCopy('p1', 'offsite', { status: 'failed', size: 10 }));
      await catalog.startRun(run('r1', 'ingest', day(1)));
      await catalog.startRun(run('r2', 'audit', day(2)));
      await catalog.finishRun('r2', 'succeeded', day(3), { repaired: 2 });
      await catalog.startRun(run('r3', 'audit', day(4)));
      await catalog.finishRun('r3', 'completed-with-failures', day(5), { repaired: 1, failed: 1 });
      await catalog.startRun(run('r4', 'ingest', day(6)));
      await catalog.finishRun('r4', 'succeeded', day(7), { repaired: 5 });
      await catalog.discoverRecords(
        'nattlig',
        'r1',
        [{ sourceKey: 'a' }, { sourceKey: 'b', quarantined: 'tom' }],
        day(1),
      );
      const size = makePackage('x').size;
      expect(await catalog.catalogStats()).toEqual({
        packages: [
          { state: 'archived', count: 1, bytes: size },
          { state: 'stored', count: 3, bytes: 3 * size },
        ],
        files: { count: 8, bytes: 8 * 1_234_567 },
        copies: [
          { location: 'offsite', status: 'failed', count: 1, bytes: 10 },
          { location: 'primär', status: 'verified', count: 4, bytes: 4 * size },
        ],
        runs: [
          { kind: 'audit', status: 'completed-with-failures', count: 1 },
          { kind: 'audit', status: 'succeeded', count: 1 },
          { kind: 'ingest', status: 'running', count: 1 },
          { kind: 'ingest', status: 'succeeded', count: 1 },
        ],
        records: [
          { state: 'discovered', count: 1 },
          { state: 'quarantined', count: 1 },
        ],
        repairs: 3,
      });
    });

    it('sums the copies each location holds by the day each was stored, days in order', async () => {
      const { catalog } = state;
      expect(await catalog.storageByDay()).toEqual([]);
      await addArchive(state);
      await catalog.putCopy(
        makeCopy('p1', 'offsite', { size: 10, storedAt: new Date('2024-05-12T23:59:59.000Z') }),
      );
      await catalog.putCopy(
        makeCopy('p2', 'offsite', { size: 5, storedAt: new Date('2024-05-14T00:00:00.000Z') }),
      );
      const rows = await catalog.storageByDay();
      const days = rows.map((r) => r.day);
      expect(days).toEqual([...days].sort());
      expect(rows.filter((r) => r.location === 'offsite')).toEqual([
        { location: 'offsite', day: '2024-05-12', bytes: 10 },
        { location: 'offsite', day: '2024-05-14', bytes: 5 },
      ]);
      const copies = await catalog.listCopies({ location: 'primär' });
      const total = rows.filter((r) => r.location === 'primär').reduce((n, r) => n + r.bytes, 0);
      expect(total).toBe(copies.reduce((n, c) => n + c.size, 0));
    });
  });
}
