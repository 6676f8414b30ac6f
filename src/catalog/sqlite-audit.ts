/**
 * SQLite catalog: what audit planning and the worker need beyond records: copies by age, coverage, objects
 * stored beside packages, leases and markers. The SQL is portable (the PostgreSQL catalog runs the same).
 */
import {
  type CopyRow,
  checkLimit,
  type StoredObjectRow,
  toCopyRecord,
  toIso,
  toStoredObject,
} from './rows.js';
import type { SqliteContext } from './sqlite.js';
import type { Catalog } from './types.js';

type AuditMethods = Pick<
  Catalog,
  | 'listCopiesByAge'
  | 'copyCoverage'
  | 'addStoredObject'
  | 'listStoredObjects'
  | 'acquireLease'
  | 'releaseLease'
  | 'leaseHolder'
  | 'getMarker'
  | 'setMarker'
>;

/** Order of the audit planner: the copy whose last good verification (or storage) is oldest comes first. */
export const COPIES_BY_AGE_SQL = `SELECT * FROM copies WHERE location = ?
  ORDER BY COALESCE(last_verified_at, stored_at), package_id LIMIT ? OFFSET ?`;

/** Atomic take-or-extend of a lease: only a free, expired or own lease is written. */
export const ACQUIRE_LEASE_SQL = `INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)
  ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
  WHERE leases.expires_at <= ? OR leases.holder = excluded.holder`;

/** The methods of the SQLite catalog for audit planning, leases and markers. */
export function createSqliteAudit(ctx: SqliteContext): AuditMethods {
  const { sql, guard } = ctx;
  return {
    async listCopiesByAge(location, page) {
      checkLimit(page.limit, 'list copies by age');
      return guard(`list copies of location "${location}" by age`, 'a package', () =>
        (sql(COPIES_BY_AGE_SQL).all(location, page.limit, page.offset) as CopyRow[]).map(toCopyRecord),
      );
    },

    async copyCoverage(location, since) {
      return guard(`compute coverage of location "${location}"`, 'a package', () => {
        const totals = sql(
          `SELECT COUNT(*) AS copies, COALESCE(SUM(size), 0) AS bytes,
             COALESCE(SUM(CASE WHEN last_verified_at >= ? THEN 1 ELSE 0 END), 0) AS within
           FROM copies WHERE location = ?`,
        ).get(toIso(since, 'coverage since'), location) as { copies: number; bytes: number; within: number };
        const oldest = sql(COPIES_BY_AGE_SQL).get(location, 1, 0) as CopyRow | undefined;
        return {
          location,
          copies: totals.copies,
          bytes: totals.bytes,
          withinPolicy: totals.within,
          ...(oldest ? { oldest: toCopyRecord(oldest) } : {}),
        };
      });
    },

    async addStoredObject(object) {
      const what = `stored object ${object.location}:"${object.key}"`;
      guard(`record ${what}`, `package "${object.packageId}"`, () => {
        sql(
          `INSERT INTO stored_objects (location, key, kind, package_id, stored_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (location, key) DO UPDATE SET kind = excluded.kind, package_id = excluded.package_id,
             stored_at = excluded.stored_at`,
        ).run(
          object.location,
          object.key,
          object.kind,
          object.packageId ?? null,
          toIso(object.storedAt, `${what} storedAt`),
        );
      });
    },

    async listStoredObjects(filter) {
      return guard('list stored objects', 'a package', () =>
        (
          sql(
            `SELECT * FROM stored_objects
             WHERE (@location IS NULL OR location = @location) AND (@packageId IS NULL OR package_id = @packageId)
             ORDER BY location, key`,
          ).all({
            location: filter.location ?? null,
            packageId: filter.packageId ?? null,
          }) as StoredObjectRow[]
        ).map(toStoredObject),
      );
    },

    async acquireLease(name, holder, until, now) {
      return guard(`acquire lease "${name}"`, 'a lease', () => {
        const result = sql(ACQUIRE_LEASE_SQL).run(
          name,
          holder,
          toIso(until, `lease "${name}" until`),
          toIso(now, `lease "${name}" now`),
        );
        return result.changes > 0;
      });
    },

    async releaseLease(name, holder) {
      guard(`release lease "${name}"`, 'a lease', () => {
        sql('DELETE FROM leases WHERE name = ? AND holder = ?').run(name, holder);
      });
    },

    async leaseHolder(name) {
      return guard(`read lease "${name}"`, 'a lease', () => {
        const row = sql('SELECT holder, expires_at FROM leases WHERE name = ?').get(name) as
          | { holder: string; expires_at: string }
          | undefined;
        return row ? { holder: row.holder, until: new Date(row.expires_at) } : null;
      });
    },

    async getMarker(name) {
      return guard(`read marker "${name}"`, 'a marker', () => {
        const row = sql('SELECT value FROM markers WHERE name = ?').get(name) as
          | { value: string }
          | undefined;
        return row?.value ?? null;
      });
    },

    async setMarker(name, value, at) {
      guard(`write marker "${name}"`, 'a marker', () => {
        sql(
          `INSERT INTO markers (name, value, updated_at) VALUES (?, ?, ?)
           ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
        ).run(name, value, toIso(at, `marker "${name}" at`));
      });
    },
  };
}
