/**
 * The rebuild's working state, on disk beside the catalog (`<dataDir>/rebuild-staging.sqlite`), so that memory stays
 * bounded whatever the archive's size and a killed rebuild goes on where it stopped:
 *
 *   objects    every object each location listed (location, key, size; role and package from the key)
 *   listed     locations whose listing is complete
 *   packages   each package read back from storage (JSON), or why it could not be
 *   logs       event logs and run logs already read (by key); events: the events they hold, by package
 *
 * A private SQLite file rather than catalog tables: it is a scratch pad of one rebuild, removed at its end, and the
 * catalog may be PostgreSQL shared by workers that have no business seeing it.
 */
import Database from 'better-sqlite3';
import type { EventRecord } from '../model/package.js';
import { classifyKey, type ObjectRole } from './object-keys.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS objects (location TEXT NOT NULL, key TEXT NOT NULL, size INTEGER NOT NULL,
  mtime TEXT, role TEXT NOT NULL, package_id TEXT, PRIMARY KEY (location, key));
CREATE INDEX IF NOT EXISTS objects_package_idx ON objects (package_id, role);
CREATE TABLE IF NOT EXISTS listed (location TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS packages (id TEXT PRIMARY KEY, created_at TEXT, kind TEXT, key TEXT, json TEXT,
  problem TEXT, catalogued INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS packages_order_idx ON packages (catalogued, created_at, id);
CREATE INDEX IF NOT EXISTS packages_source_idx ON packages (kind, key, created_at);
CREATE TABLE IF NOT EXISTS logs (key TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS events (id TEXT PRIMARY KEY, package_id TEXT NOT NULL, json TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS events_package_idx ON events (package_id);
`;

export interface StagedObject {
  location: string;
  key: string;
  size: number;
  mtime?: Date;
  role: ObjectRole;
  packageId?: string;
}

interface ObjectRow {
  location: string;
  key: string;
  size: number;
  mtime: string | null;
  role: ObjectRole;
  package_id: string | null;
}

const toObject = (r: ObjectRow): StagedObject => ({
  location: r.location,
  key: r.key,
  size: r.size,
  role: r.role,
  ...(r.mtime ? { mtime: new Date(r.mtime) } : {}),
  ...(r.package_id ? { packageId: r.package_id } : {}),
});

export interface Staging {
  isListed(location: string): boolean;
  /** Records a page of listed objects (insert or ignore: a listing restarted after a kill repeats some). */
  addObjects(location: string, page: { key: string; size: number; mtime?: Date }[]): void;
  markListed(location: string): void;
  /** Package ids found in any location, in id order, after `after`. */
  packageIds(after: string, limit: number): string[];
  objectsOf(packageId: string): StagedObject[];
  objectsByRole(role: ObjectRole, after: { location: string; key: string }, limit: number): StagedObject[];
  isStaged(id: string): boolean;
  stagePackage(
    id: string,
    value: { createdAt: Date; kind: string; key: string; json: string } | { problem: string },
  ): void;
  /** Staged, readable packages not yet catalogued, oldest first. */
  nextToCatalogue(limit: number): { id: string; json: string }[];
  markCatalogued(id: string): void;
  /** The package made from the same source just before `createdAt` (the one ingest would have named). */
  predecessorOf(kind: string, key: string, createdAt: Date, id: string): string | undefined;
  problems(): { id: string; problem: string }[];
  isLogRead(key: string): boolean;
  addLogEvents(key: string, events: EventRecord[]): void;
  eventsOf(packageId: string): EventRecord[];
  close(): void;
}

export function openStaging(path: string): Staging {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.exec(SCHEMA);
  const insertObject = db.prepare(
    'INSERT OR IGNORE INTO objects (location, key, size, mtime, role, package_id) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const insertEvent = db.prepare('INSERT OR IGNORE INTO events (id, package_id, json) VALUES (?, ?, ?)');
  return {
    isListed: (location) => db.prepare('SELECT 1 FROM listed WHERE location = ?').get(location) !== undefined,
    addObjects: db.transaction((location: string, page: { key: string; size: number; mtime?: Date }[]) => {
      for (const o of page) {
        const { role, packageId } = classifyKey(o.key);
        insertObject.run(location, o.key, o.size, o.mtime?.toISOString() ?? null, role, packageId ?? null);
      }
    }),
    markListed: (location) =>
      void db.prepare('INSERT OR IGNORE INTO listed (location) VALUES (?)').run(location),
    packageIds: (after, limit) =>
      (
        db
          .prepare(
            "SELECT DISTINCT package_id AS id FROM objects WHERE role = 'copy' AND package_id > ? ORDER BY package_id LIMIT ?",
          )
          .all(after, limit) as { id: string }[]
      ).map((r) => r.id),
    objectsOf: (packageId) =>
      (
        db
          .prepare('SELECT * FROM objects WHERE package_id = ? ORDER BY location, key')
          .all(packageId) as ObjectRow[]
      ).map(toObject),
    objectsByRole: (role, after, limit) =>
      (
        db
          .prepare(
            'SELECT * FROM objects WHERE role = ? AND (location, key) > (?, ?) ORDER BY location, key LIMIT ?',
          )
          .all(role, after.location, after.key, limit) as ObjectRow[]
      ).map(toObject),
    isStaged: (id) => db.prepare('SELECT 1 FROM packages WHERE id = ?').get(id) !== undefined,
    stagePackage(id, value) {
      if ('problem' in value) {
        db.prepare('INSERT OR REPLACE INTO packages (id, problem) VALUES (?, ?)').run(id, value.problem);
        return;
      }
      db.prepare(
        'INSERT OR REPLACE INTO packages (id, created_at, kind, key, json) VALUES (?, ?, ?, ?, ?)',
      ).run(id, value.createdAt.toISOString(), value.kind, value.key, value.json);
    },
    nextToCatalogue: (limit) =>
      db
        .prepare(
          'SELECT id, json FROM packages WHERE catalogued = 0 AND json IS NOT NULL ORDER BY created_at, id LIMIT ?',
        )
        .all(limit) as { id: string; json: string }[],
    markCatalogued: (id) => void db.prepare('UPDATE packages SET catalogued = 1 WHERE id = ?').run(id),
    predecessorOf(kind, key, createdAt, id) {
      const row = db
        .prepare(
          `SELECT id FROM packages WHERE kind = ? AND key = ? AND json IS NOT NULL AND id <> ?
             AND (created_at < ? OR (created_at = ? AND id < ?)) ORDER BY created_at DESC, id DESC LIMIT 1`,
        )
        .get(kind, key, id, createdAt.toISOString(), createdAt.toISOString(), id) as
        | { id: string }
        | undefined;
      return row?.id;
    },
    problems: () =>
      db.prepare('SELECT id, problem FROM packages WHERE problem IS NOT NULL ORDER BY id').all() as {
        id: string;
        problem: string;
      }[],
    isLogRead: (key) => db.prepare('SELECT 1 FROM logs WHERE key = ?').get(key) !== undefined,
    addLogEvents: db.transaction((key: string, events: EventRecord[]) => {
      for (const e of events) insertEvent.run(e.id, e.packageId, JSON.stringify(e));
      db.prepare('INSERT OR IGNORE INTO logs (key) VALUES (?)').run(key);
    }),
    eventsOf: (packageId) =>
      (
        db.prepare('SELECT json FROM events WHERE package_id = ? ORDER BY rowid').all(packageId) as {
          json: string;
        }[]
      ).map((r) => reviveEvent(JSON.parse(r.json) as EventRecord & { at: string })),
    close: () => db.close(),
  };
}

function reviveEvent(e: EventRecord & { at: string }): EventRecord {
  return { ...e, at: new Date(e.at) };
}
