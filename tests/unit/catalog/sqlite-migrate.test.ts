import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CatalogError } from '../../../src/catalog/errors.js';
import { latestSchemaVersion, MIGRATIONS, type Migration } from '../../../src/catalog/migrations.js';
import { createSqliteCatalog } from '../../../src/catalog/sqlite.js';
import type { Catalog } from '../../../src/catalog/types.js';

let dir: string;
let file: string;
const open: Catalog[] = [];

function catalog(options: { now?: () => Date; migrations?: readonly Migration[] } = {}): Catalog {
  const c = createSqliteCatalog({ path: file, ...options });
  open.push(c);
  return c;
}

function raw<T>(fn: (db: Database.Database) => T): T {
  const db = new Database(file);
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

function tables(): string[] {
  return raw((db) =>
    (
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as {
        name: string;
      }[]
    ).map((r) => r.name),
  );
}

function versions(): { version: number; name: string; applied_at: string }[] {
  return raw(
    (db) =>
      db.prepare('SELECT * FROM schema_migrations ORDER BY version').all() as {
        version: number;
        name: string;
        applied_at: string;
      }[],
  );
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bevara-catalog-migrate-'));
  file = join(dir, 'catalog.sqlite');
});

afterEach(async () => {
  for (const c of open.splice(0)) await c.close();
  await rm(dir, { recursive: true, force: true });
});

describe('sqlite catalog migrations', () => {
  it('creates nothing but the database file until migrate() is called', async () => {
    catalog();
    expect(tables()).toEqual([]);
  });

  it('applies the schema once and records each version, re-running is a no-op', async () => {
    const clock = [new Date('2025-01-02T03:04:05.678Z'), new Date('2025-06-01T00:00:00.000Z')];
    const first = catalog({ now: () => clock[0] as Date });
    await first.migrate();
    await first.migrate();
    await first.close();
    const second = catalog({ now: () => clock[1] as Date });
    await second.migrate();

    expect(versions()).toEqual(
      MIGRATIONS.map((m) => ({ version: m.version, name: m.name, applied_at: '2025-01-02T03:04:05.678Z' })),
    );
    expect(tables()).toEqual(
      [
        'copies',
        'disposal_items',
        'disposal_proposals',
        'events',
        'files',
        'holds',
        // The FTS5 trigram indexes of package search, each a virtual table and its shadow tables.
        ...['file_text', 'package_text'].flatMap((t) =>
          ['', '_config', '_content', '_data', '_docsize', '_idx'].map((s) => `${t}${s}`),
        ),
        'job_records',
        'jobs',
        'leases',
        'markers',
        'packages',
        'run_items',
        'runs',
        'schema_migrations',
        'sessions',
        'stored_objects',
        'tombstones',
        'users',
      ].sort(),
    );
  });

  it('opens the file in WAL mode', async () => {
    const c = catalog();
    await c.migrate();
    await c.close();
    expect(raw((db) => db.pragma('journal_mode', { simple: true }))).toBe('wal');
  });

  it('refuses a database whose schema is newer than the code knows, and leaves it untouched', async () => {
    const c = catalog();
    await c.migrate();
    await c.close();
    const future = latestSchemaVersion() + 1;
    raw((db) =>
      db
        .prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
        .run(future, 'from-the-future', '2030-01-01T00:00:00.000Z'),
    );

    const again = catalog();
    const error = await again.migrate().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CatalogError);
    expect((error as Error).message).toMatch(
      new RegExp(`schema version ${future}, newer than the ${latestSchemaVersion()}`),
    );
    expect((error as Error).message).toContain(file);
    expect(versions().map((v) => v.version)).toEqual([...MIGRATIONS.map((m) => m.version), future]);
  });

  it('applies migrations in order and rolls back a failing one completely', async () => {
    const next = latestSchemaVersion() + 1;
    const good: Migration = {
      version: next,
      name: 'add-notes',
      up: 'CREATE TABLE notes (id TEXT PRIMARY KEY)',
    };
    const bad: Migration = {
      version: next + 1,
      name: 'broken',
      up: 'CREATE TABLE half_done (id TEXT); CREATE TABLE packages (id TEXT)',
    };
    const c = catalog({ migrations: [...MIGRATIONS, good, bad] });
    const error = await c.migrate().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CatalogError);
    expect((error as Error).message).toMatch(new RegExp(`migration ${next + 1} "broken" failed`));
    expect(versions().map((v) => [v.version, v.name])).toEqual([
      ...MIGRATIONS.map((m) => [m.version, m.name]),
      [next, 'add-notes'],
    ]);
    expect(tables()).toContain('notes');
    expect(tables()).not.toContain('half_done');

    const fixed = catalog({
      migrations: [...MIGRATIONS, good, { ...bad, up: 'CREATE TABLE half_done (id TEXT)' }],
    });
    await fixed.migrate();
    expect(versions().map((v) => v.version)).toEqual([...MIGRATIONS.map((m) => m.version), next, next + 1]);
  });

  it('rejects a migration list with gaps', async () => {
    const next = latestSchemaVersion() + 1;
    const c = catalog({
      migrations: [...MIGRATIONS, { version: next + 1, name: 'skips-one', up: 'SELECT 1' }],
    });
    await expect(c.migrate()).rejects.toThrow(
      new RegExp(`"skips-one" has version ${next + 1}, expected ${next}`),
    );
  });

  it('upgrades a catalog made by the first schema: file formats come in as unknown', async () => {
    const old = catalog({ migrations: MIGRATIONS.slice(0, 1) });
    await old.migrate();
    const upgraded = catalog();
    await upgraded.migrate();
    expect(versions().map((v) => v.version)).toEqual(MIGRATIONS.map((m) => m.version));
  });

  it('refuses a catalog whose recorded migrations are those of another build under the same numbers', async () => {
    await catalog({ migrations: MIGRATIONS.slice(0, 8) }).migrate();
    raw((db) =>
      db.prepare("UPDATE schema_migrations SET name = 'forgettable-file-names' WHERE version = 8").run(),
    );
    const before = versions();
    const error = await catalog()
      .migrate()
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(error).toBeInstanceOf(CatalogError);
    expect(String(error)).toMatch(/recorded migration 8 as "forgettable-file-names".*is "growth-indexes"/);
    expect(versions()).toEqual(before);
  });

  it('tells the caller to migrate when the schema is missing', async () => {
    const c = catalog();
    await expect(c.getPackage('p1')).rejects.toThrow(/call migrate\(\) first/);
  });

  it('fails clearly when the directory does not exist', () => {
    const missing = join(dir, 'no-such-dir', 'catalog.sqlite');
    expect(() => createSqliteCatalog({ path: missing })).toThrow(CatalogError);
    expect(() => createSqliteCatalog({ path: missing })).toThrow(missing);
  });
});
