/**
 * The SQL catalog's audit planning: copies by age, coverage, objects stored beside packages, leases and markers.
 *
 * A lease is taken with one INSERT … ON CONFLICT DO UPDATE … WHERE. On PostgreSQL (READ COMMITTED) a second
 * taker of the same name waits for the first's row, then evaluates the WHERE against the committed row; on SQLite
 * writers take turns. Either way, of any number of concurrent takers exactly one gets a free or expired lease.
 */
import {
  type CopyRow,
  checkLimit,
  checkOffset,
  type StoredObjectRow,
  toCopyRecord,
  toIso,
  toStoredObject,
} from './rows.js';
import { type SqlContext, select } from './sql-adapter.js';
import type { AuditCatalog } from './types.js';

/** Copies of packages being disposed of are left alone: their deletion is under way (src/disposal/). */
const NOT_DISPOSING = `package_id NOT IN (SELECT id FROM packages WHERE state = 'disposing')`;

/**
 * Order of the audit planner: the copy whose last good verification (or storage) is oldest comes first. Migration 8
 * indexes this order (`copies_age_idx`) and the packages being disposed of: keep the expressions alike.
 */
export const COPIES_BY_AGE = `SELECT * FROM copies WHERE location = ? AND ${NOT_DISPOSING}
  ORDER BY COALESCE(last_verified_at, stored_at), package_id COLLATE "C" LIMIT ? OFFSET ?`;

/** The same order from the copy after a given one (its age anchor and package id): a range of the index. */
const COPIES_BY_AGE_AFTER = `SELECT * FROM copies WHERE location = ? AND ${NOT_DISPOSING}
  AND COALESCE(last_verified_at, stored_at) >= ?
  AND (COALESCE(last_verified_at, stored_at) > ? OR package_id COLLATE "C" > ?)
  ORDER BY COALESCE(last_verified_at, stored_at), package_id COLLATE "C" LIMIT ? OFFSET ?`;

/** Atomic take-or-extend of a lease: only a free, expired or own lease is written. */
const ACQUIRE_LEASE = `INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)
  ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
  WHERE leases.expires_at <= ? OR leases.holder = excluded.holder`;

export function createAuditSql({ db, guard }: SqlContext): AuditCatalog {
  return {
    async listCopiesByAge(location, page) {
      checkLimit(page.limit, 'list copies by age');
      checkOffset(page.offset, 'list copies by age');
      return guard(`list copies of location "${location}" by age`, 'a package', async () => {
        const after = page.after;
        if (!after) {
          const { rows } = await db.query<CopyRow>(COPIES_BY_AGE, [location, page.limit, page.offset]);
          return rows.map(toCopyRecord);
        }
        const anchor = toIso(after.lastVerifiedAt ?? after.storedAt, 'list copies by age after');
        const { rows } = await db.query<CopyRow>(COPIES_BY_AGE_AFTER, [
          location,
          anchor,
          anchor,
          after.packageId,
          page.limit,
          page.offset,
        ]);
        return rows.map(toCopyRecord);
      });
    },

    async copyCoverage(location, since) {
      return guard(`compute coverage of location "${location}"`, 'a package', () =>
        // One snapshot for the totals and the oldest copy.
        db.transaction(async (tx) => {
          const totals = await tx.query<{ copies: number; bytes: number; within: number }>(
            `SELECT COUNT(*) AS copies, COALESCE(SUM(size), 0) AS bytes,
               COALESCE(SUM(CASE WHEN last_verified_at >= ? THEN 1 ELSE 0 END), 0) AS within
             FROM copies WHERE location = ? AND ${NOT_DISPOSING}`,
            [toIso(since, 'coverage since'), location],
          );
          const [oldest] = (await tx.query<CopyRow>(COPIES_BY_AGE, [location, 1, 0])).rows;
          const { copies = 0, bytes = 0, within = 0 } = totals.rows[0] ?? {};
          return {
            location,
            copies,
            bytes,
            withinPolicy: within,
            ...(oldest ? { oldest: toCopyRecord(oldest) } : {}),
          };
        }, 'snapshot'),
      );
    },

    async addStoredObject(object) {
      const what = `stored object ${object.location}:"${object.key}"`;
      await guard(`record ${what}`, `package "${object.packageId}"`, () =>
        db.query(
          `INSERT INTO stored_objects (location, key, kind, package_id, stored_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (location, key) DO UPDATE SET kind = excluded.kind, package_id = excluded.package_id,
             stored_at = excluded.stored_at`,
          [
            object.location,
            object.key,
            object.kind,
            object.packageId ?? null,
            toIso(object.storedAt, `${what} storedAt`),
          ],
        ),
      );
    },

    async listStoredObjects(filter) {
      return guard('list stored objects', 'a package', async () => {
        const { sql, params } = select({
          from: 'stored_objects',
          where: [
            ['location = ?', filter.location],
            ['package_id = ?', filter.packageId],
          ],
          orderBy: 'location COLLATE "C", key COLLATE "C"',
        });
        return (await db.query<StoredObjectRow>(sql, params)).rows.map(toStoredObject);
      });
    },

    ...createLeaseSql({ db, guard }),
  };
}

/** Leases and markers: the small shared state that keeps runs apart and remembers when things were last done. */
function createLeaseSql({
  db,
  guard,
}: Pick<SqlContext, 'db' | 'guard'>): Pick<
  AuditCatalog,
  'acquireLease' | 'releaseLease' | 'leaseHolder' | 'getMarker' | 'setMarker'
> {
  return {
    async acquireLease(name, holder, until, now, durability = 'durable') {
      return guard(`acquire lease "${name}"`, 'a lease', async () => {
        const { changes } = await db.write(
          ACQUIRE_LEASE,
          [name, holder, toIso(until, `lease "${name}" until`), toIso(now, `lease "${name}" now`)],
          durability,
        );
        return changes > 0;
      });
    },

    async releaseLease(name, holder, durability = 'durable') {
      await guard(`release lease "${name}"`, 'a lease', () =>
        db.write('DELETE FROM leases WHERE name = ? AND holder = ?', [name, holder], durability),
      );
    },

    async leaseHolder(name) {
      return guard(`read lease "${name}"`, 'a lease', async () => {
        const [row] = (
          await db.query<{ holder: string; expires_at: string }>(
            'SELECT holder, expires_at FROM leases WHERE name = ?',
            [name],
          )
        ).rows;
        return row ? { holder: row.holder, until: new Date(row.expires_at) } : null;
      });
    },

    async getMarker(name) {
      return guard(`read marker "${name}"`, 'a marker', async () => {
        const [row] = (await db.query<{ value: string }>('SELECT value FROM markers WHERE name = ?', [name]))
          .rows;
        return row?.value ?? null;
      });
    },

    async setMarker(name, value, at) {
      await guard(`write marker "${name}"`, 'a marker', () =>
        db.query(
          `INSERT INTO markers (name, value, updated_at) VALUES (?, ?, ?)
           ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
          [name, value, toIso(at, `marker "${name}" at`)],
        ),
      );
    },
  };
}
