/**
 * PostgreSQL catalog: what audit planning and the worker need beyond records: copies by age, coverage, objects
 * stored beside packages, leases and markers.
 *
 * Leases use the SQL of the SQLite catalog (`ACQUIRE_LEASE_SQL`): one INSERT … ON CONFLICT DO UPDATE … WHERE.
 * Under READ COMMITTED a second taker of the same name waits for the first's row, then evaluates the WHERE
 * against the committed row, so of any number of concurrent takers exactly one gets a free or expired lease.
 */
import { CatalogError } from './errors.js';
import { CONTEXT, numbered, type PgContext, toSafeInteger, toTotal } from './postgres-context.js';
import { copyFromRow } from './postgres-records.js';
import { checkLimit, toIso } from './rows.js';
import { toStoredObject } from './rows.js';
import { ACQUIRE_LEASE_SQL } from './sqlite-audit.js';
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

/** Order of the audit planner, as in SQLite; ties by package id in byte order. */
export const PG_COPIES_BY_AGE_SQL = `SELECT * FROM copies WHERE location = $1
  ORDER BY COALESCE(last_verified_at, stored_at), package_id COLLATE "C" LIMIT $2 OFFSET $3`;

const PG_ACQUIRE_LEASE_SQL = numbered(ACQUIRE_LEASE_SQL);

function checkOffset(offset: number): void {
  if (!Number.isInteger(offset) || offset < 0) {
    throw new CatalogError(
      `${CONTEXT} list copies by age: offset must be a non-negative integer, got ${offset}`,
      {
        unrecoverable: true,
      },
    );
  }
}

/** The methods of the PostgreSQL catalog for audit planning, leases and markers. */
export function createPostgresAudit(ctx: PgContext): AuditMethods {
  const { guard } = ctx;
  return {
    async listCopiesByAge(location, page) {
      checkLimit(page.limit, 'list copies by age');
      checkOffset(page.offset);
      return guard(`list copies of location "${location}" by age`, 'a package', async () =>
        (
          await ctx.query<Record<string, unknown>>(PG_COPIES_BY_AGE_SQL, [location, page.limit, page.offset])
        ).map(copyFromRow),
      );
    },

    async copyCoverage(location, since) {
      const what = `coverage of location "${location}"`;
      return guard(`compute ${what}`, 'a package', () =>
        // One snapshot for the totals and the oldest copy.
        ctx.transaction(async (client) => {
          const totals = await client.query(
            `SELECT COUNT(*) AS copies, COALESCE(SUM(size), 0) AS bytes,
               COALESCE(SUM(CASE WHEN last_verified_at >= $1 THEN 1 ELSE 0 END), 0) AS within
             FROM copies WHERE location = $2`,
            [toIso(since, 'coverage since'), location],
          );
          const row = totals.rows[0] as Record<string, unknown>;
          const oldest = (await client.query(PG_COPIES_BY_AGE_SQL, [location, 1, 0])).rows[0] as
            | Record<string, unknown>
            | undefined;
          return {
            location,
            copies: toSafeInteger(row.copies, `${what} copies`),
            bytes: toTotal(row.bytes, `${what} bytes`),
            withinPolicy: toSafeInteger(row.within, `${what} within policy`),
            ...(oldest ? { oldest: copyFromRow(oldest) } : {}),
          };
        }, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY'),
      );
    },

    async addStoredObject(object) {
      const what = `stored object ${object.location}:"${object.key}"`;
      await guard(`record ${what}`, `package "${object.packageId}"`, async () => {
        await ctx.query(
          `INSERT INTO stored_objects (location, key, kind, package_id, stored_at) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (location, key) DO UPDATE SET kind = excluded.kind, package_id = excluded.package_id,
             stored_at = excluded.stored_at`,
          [
            object.location,
            object.key,
            object.kind,
            object.packageId ?? null,
            toIso(object.storedAt, `${what} storedAt`),
          ],
        );
      });
    },

    async listStoredObjects(filter) {
      return guard('list stored objects', 'a package', async () => {
        const rows = await ctx.query<Parameters<typeof toStoredObject>[0]>(
          `SELECT * FROM stored_objects
           WHERE ($1::text IS NULL OR location = $1) AND ($2::text IS NULL OR package_id = $2)
           ORDER BY location COLLATE "C", key COLLATE "C"`,
          [filter.location ?? null, filter.packageId ?? null],
        );
        return rows.map(toStoredObject);
      });
    },

    async acquireLease(name, holder, until, now) {
      return guard(`acquire lease "${name}"`, 'a lease', async () => {
        const values = [
          name,
          holder,
          toIso(until, `lease "${name}" until`),
          toIso(now, `lease "${name}" now`),
        ];
        const result = await ctx.pool.query(PG_ACQUIRE_LEASE_SQL, values);
        return (result.rowCount ?? 0) > 0;
      });
    },

    async releaseLease(name, holder) {
      await guard(`release lease "${name}"`, 'a lease', async () => {
        await ctx.query('DELETE FROM leases WHERE name = $1 AND holder = $2', [name, holder]);
      });
    },

    async leaseHolder(name) {
      return guard(`read lease "${name}"`, 'a lease', async () => {
        const [row] = await ctx.query<{ holder: string; expires_at: string | Date }>(
          'SELECT holder, expires_at FROM leases WHERE name = $1',
          [name],
        );
        return row ? { holder: row.holder, until: new Date(row.expires_at) } : null;
      });
    },

    async getMarker(name) {
      return guard(`read marker "${name}"`, 'a marker', async () => {
        const [row] = await ctx.query<{ value: string }>('SELECT value FROM markers WHERE name = $1', [name]);
        return row?.value ?? null;
      });
    },

    async setMarker(name, value, at) {
      await guard(`write marker "${name}"`, 'a marker', async () => {
        await ctx.query(
          `INSERT INTO markers (name, value, updated_at) VALUES ($1, $2, $3)
           ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
          [name, value, toIso(at, `marker "${name}" at`)],
        );
      });
    },
  };
}
