import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CatalogError } from '../../../src/catalog/errors.js';
import { createSqliteCatalog } from '../../../src/catalog/sqlite.js';
import type { Catalog } from '../../../src/catalog/types.js';
import { NotFoundError, PreservationError } from '../../../src/errors.js';
import { FIVE_GB, makeCopy, makeEvent, makeFile, makePackage } from './fixtures.js';

let dir: string;
let file: string;
let catalog: Catalog;

async function reopen(): Promise<Catalog> {
  await catalog.close();
  catalog = createSqliteCatalog({ path: file });
  await catalog.migrate();
  return catalog;
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PreservationError);
  return error as Error;
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bevara-catalog-'));
  file = join(dir, 'catalog.sqlite');
  catalog = createSqliteCatalog({ path: file });
  await catalog.migrate();
});

afterEach(async () => {
  await catalog.close();
  await rm(dir, { recursive: true, force: true });
});

describe('sqlite catalog: packages, files, events', () => {
  const files = [
    makeFile('p1', 'Bilagor/Ärende 2024/Översiktsplan – samråd.pdf'),
    makeFile('p1', 'Protokoll/Sammanträde 2024-05-13 §1–§42.docx', {
      size: 2 ** 53,
      mimeType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    }),
    makeFile('p1', 'Äldre/åäö ÅÄÖ.txt', { size: 0, mimeType: 'text/plain' }),
  ];
  const events = [
    makeEvent('e1', 'p1'),
    makeEvent('e2', 'p1', {
      type: 'message digest calculation',
      at: new Date('2024-05-13T08:15:30.999Z'),
      object: 'Bilagor/Ärende 2024/Översiktsplan – samråd.pdf',
      runId: 'run-1',
    }),
  ];

  it('round-trips a package with its files and events, optional fields absent', async () => {
    const pkg = makePackage('p1');
    await catalog.addPackage(pkg, files, events);

    const stored = await catalog.getPackage('p1');
    expect(stored).toEqual(pkg);
    expect(stored).not.toHaveProperty('archivedAt');
    expect(stored).not.toHaveProperty('predecessorId');
    expect(stored?.createdAt).toBeInstanceOf(Date);
    expect(stored?.size).toBe(FIVE_GB);

    const listed = await catalog.listFiles('p1');
    expect(listed).toEqual([...files].sort((a, b) => (a.path < b.path ? -1 : 1)));
    expect(listed.find((f) => f.size === 2 ** 53)).toBeDefined();

    const storedEvents = await catalog.listEvents('p1');
    expect(storedEvents.map((e) => e.id)).toEqual(['e2', 'e1']);
    expect(storedEvents).toContainEqual(events[1]);
    const first = storedEvents.find((e) => e.id === 'e1');
    expect(first).toEqual(events[0]);
    expect(first).not.toHaveProperty('object');
    expect(first).not.toHaveProperty('runId');
  });

  it('stores sizes as 64-bit integers', async () => {
    await catalog.addPackage(makePackage('p1'), files, []);
    await catalog.close();
    const db = new Database(file, { readonly: true });
    const types = db
      .prepare('SELECT typeof(size) AS t, size FROM files UNION ALL SELECT typeof(size), size FROM packages')
      .all();
    db.close();
    expect(types).toContainEqual({ t: 'integer', size: 2 ** 53 });
    expect(types).toContainEqual({ t: 'integer', size: FIVE_GB });
    expect(types.every((r) => (r as { t: string }).t === 'integer')).toBe(true);
    catalog = createSqliteCatalog({ path: file });
  });

  it('round-trips optional package fields and a predecessor', async () => {
    await catalog.addPackage(makePackage('p1'), [], []);
    const successor = makePackage('p2', {
      predecessorId: 'p1',
      archivedAt: new Date('2024-06-01T12:00:00.001Z'),
      state: 'archived',
      metadata: { title: 'Minimal' },
    });
    await catalog.addPackage(successor, [], []);
    expect(await catalog.getPackage('p2')).toEqual(successor);
  });

  it('rejects sizes that cannot round-trip', async () => {
    await expect(catalog.addPackage(makePackage('p1', { size: 1.5 }), [], [])).rejects.toThrow(CatalogError);
    await expect(
      catalog.addPackage(makePackage('p1'), [makeFile('p1', 'a', { size: -1 })], []),
    ).rejects.toThrow(/file "a" of package "p1" size/);
    expect(await catalog.getPackage('p1')).toBeNull();
  });

  it('rolls back the whole package when one file row is invalid', async () => {
    const duplicate = [...files, makeFile('p1', files[0]?.path ?? '', { sha256: 'other' })];
    const error = await rejection(catalog.addPackage(makePackage('p1'), duplicate, events));
    expect(error).toBeInstanceOf(CatalogError);
    expect(error.message).toContain('Bilagor/Ärende 2024/Översiktsplan – samråd.pdf');
    expect(error.message).toContain('"p1"');

    expect(await catalog.getPackage('p1')).toBeNull();
    expect(await catalog.listFiles('p1')).toEqual([]);
    expect(await catalog.listEvents('p1')).toEqual([]);
    expect(await catalog.listPackages()).toEqual([]);

    await catalog.addPackage(makePackage('p1'), files, events);
    expect(await catalog.listFiles('p1')).toHaveLength(files.length);
  });

  it('rolls back when an event fails or belongs to another package', async () => {
    await expect(
      catalog.addPackage(makePackage('p1'), files, [makeEvent('e1', 'p1'), makeEvent('e1', 'p1')]),
    ).rejects.toThrow(/event "e1".*already exists/);
    await expect(catalog.addPackage(makePackage('p1'), files, [makeEvent('e1', 'p9')])).rejects.toThrow(
      /event "e1" belongs to package "p9"/,
    );
    expect(await catalog.getPackage('p1')).toBeNull();
    expect(await catalog.listFiles('p1')).toEqual([]);
  });

  it('refuses a duplicate package id and an unknown predecessor', async () => {
    await catalog.addPackage(makePackage('p1'), [], []);
    const dup = await rejection(catalog.addPackage(makePackage('p1', { label: 'igen' }), [], []));
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
    await catalog.setPackageState('p1', 'failed', new Date('2024-05-14T00:00:00.000Z'));
    expect(await catalog.getPackage('p1')).not.toHaveProperty('archivedAt');
    const at = new Date('2024-05-15T10:11:12.013Z');
    await catalog.setPackageState('p1', 'archived', at);
    const pkg = await catalog.getPackage('p1');
    expect(pkg?.state).toBe('archived');
    expect(pkg?.archivedAt).toEqual(at);
    await expect(catalog.setPackageState('nope', 'archived', at)).rejects.toThrow(NotFoundError);
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
  });

  it('fails clearly when an event or copy names an unknown package', async () => {
    const event = await rejection(catalog.addEvent(makeEvent('e1', 'saknas-1')));
    expect(event).toBeInstanceOf(NotFoundError);
    expect(event.message).toMatch(
      /^\[catalog:sqlite\] cannot add event "e1": package "saknas-1" does not exist/,
    );

    const copy = await rejection(catalog.putCopy(makeCopy('saknas-2', 'primary')));
    expect(copy).toBeInstanceOf(NotFoundError);
    expect(copy.message).toContain('package "saknas-2" does not exist');

    const check = await rejection(
      catalog.recordCopyChecks([
        { packageId: 'saknas-3', location: 'primary', status: 'verified', at: new Date() },
      ]),
    );
    expect(check).toBeInstanceOf(NotFoundError);
    expect(check.message).toContain('"saknas-3"');
  });

  it('persists everything across close and reopen', async () => {
    const pkg = makePackage('p1');
    await catalog.addPackage(pkg, files, events);
    await catalog.putCopy(makeCopy('p1', 'primary'));
    await catalog.startRun({
      id: 'r1',
      kind: 'ingest',
      startedAt: new Date(),
      status: 'running',
      params: {},
    });
    await catalog.addRunItems([
      {
        runId: 'r1',
        subject: 'KS 2024-0113 Översiktsplan',
        status: 'ok',
        packageId: 'p1',
      },
    ]);

    await reopen();
    expect(await catalog.getPackage('p1')).toEqual(pkg);
    expect(await catalog.listFiles('p1')).toHaveLength(files.length);
    expect(await catalog.listEvents('p1')).toHaveLength(events.length);
    expect(await catalog.listCopies()).toEqual([makeCopy('p1', 'primary')]);
    expect(await catalog.listRunItems('r1')).toEqual([
      { runId: 'r1', subject: 'KS 2024-0113 Översiktsplan', status: 'ok', packageId: 'p1' },
    ]);
  });
});

describe('sqlite catalog: listing packages', () => {
  async function seed(): Promise<void> {
    const at = (s: string) => new Date(`2024-05-${s}Z`);
    await catalog.addPackage(
      makePackage('a', { createdAt: at('10T09:00:00.000'), sourceKey: 'Ärende 1' }),
      [],
      [],
    );
    await catalog.addPackage(
      makePackage('b', { createdAt: at('12T09:00:00.000'), sourceKey: 'Ärende 1', predecessorId: 'a' }),
      [],
      [],
    );
    await catalog.addPackage(makePackage('c', { createdAt: at('11T09:00:00.000'), state: 'failed' }), [], []);
    // Same timestamp as b: the one added later counts as newer.
    await catalog.addPackage(
      makePackage('d', { createdAt: at('12T09:00:00.000'), sourceKey: 'Ärende 2', state: 'archived' }),
      [],
      [],
    );
    await catalog.addPackage(
      makePackage('e', { createdAt: at('12T09:00:00.000'), sourceKind: 'bagit', sourceKey: 'Ärende 1' }),
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
    const b = all.find((p) => p.id === 'b');
    expect(b).toEqual({
      id: 'b',
      label: makePackage('b').label,
      size: FIVE_GB,
      fileCount: 2,
      state: 'stored',
      createdAt: new Date('2024-05-12T09:00:00.000Z'),
      copies: [
        { location: 'offsite-s3', status: 'failed' },
        { location: 'primary', status: 'verified' },
      ],
    });
    expect(all.find((p) => p.id === 'a')?.copies).toEqual([]);

    expect((await catalog.listPackages({ state: 'stored' })).map((p) => p.id)).toEqual(['e', 'b', 'a']);
    expect((await catalog.listPackages({ sourceKey: 'Ärende 1' })).map((p) => p.id)).toEqual(['e', 'b', 'a']);
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
    expect((await catalog.latestPackageForSource('folder', 'Ärende 2'))?.id).toBe('d');
    expect(await catalog.latestPackageForSource('bagit', 'Ärende 2')).toBeNull();
  });
});

describe('sqlite catalog: copies', () => {
  it('puts, replaces, filters and records checks', async () => {
    await catalog.addPackage(makePackage('p1'), [], []);
    await catalog.addPackage(makePackage('p2'), [], []);
    const primary = makeCopy('p1', 'primary');
    await catalog.putCopy(primary);
    await catalog.putCopy(makeCopy('p2', 'primary'));
    const s3 = makeCopy('p1', 'offsite-s3', { versionId: 'v-001', status: 'verified' });
    await catalog.putCopy(s3);

    expect(await catalog.listCopies({ packageId: 'p1' })).toEqual([s3, primary]);
    expect((await catalog.listCopies({ location: 'primary' })).map((c) => c.packageId)).toEqual(['p1', 'p2']);
    expect(await catalog.listCopies({ packageId: 'p1', location: 'offsite-s3' })).toEqual([s3]);
    expect(await catalog.listCopies()).toHaveLength(3);

    const replaced = { ...primary, key: 'aip/p1-v2.zip', versionId: 'v-002' };
    await catalog.putCopy(replaced);
    expect(await catalog.listCopies({ packageId: 'p1', location: 'primary' })).toEqual([replaced]);

    const verifiedAt = new Date('2024-07-01T01:02:03.004Z');
    await catalog.recordCopyChecks([
      { packageId: 'p1', location: 'primary', status: 'verified', at: verifiedAt },
    ]);
    const failedAt = new Date('2024-08-01T01:02:03.005Z');
    await catalog.recordCopyChecks([
      { packageId: 'p1', location: 'primary', status: 'failed', at: failedAt },
    ]);
    const [checked] = await catalog.listCopies({ packageId: 'p1', location: 'primary' });
    expect(checked).toEqual({
      ...replaced,
      status: 'failed',
      lastVerifiedAt: verifiedAt,
      lastCheckedAt: failedAt,
    });

    await catalog.recordCopyChecks([
      { packageId: 'p2', location: 'primary', status: 'missing', at: failedAt },
    ]);
    const [missing] = await catalog.listCopies({ packageId: 'p2' });
    expect(missing?.status).toBe('missing');
    expect(missing?.lastCheckedAt).toEqual(failedAt);
    expect(missing).not.toHaveProperty('lastVerifiedAt');

    await expect(
      catalog.recordCopyChecks([{ packageId: 'p2', location: 'nowhere', status: 'verified', at: failedAt }]),
    ).rejects.toThrow(/copy of package "p2" at location "nowhere" does not exist/);
  });
});
