/**
 * The shared catalog: one PostgreSQL database used by many workers on many machines, through a `pg.Pool`.
 *
 * Same schema and row format as SQLite (migrations.ts runs unchanged): timestamps as ISO 8601 UTC TEXT,
 * JSON in TEXT, sizes as BIGINT, which `pg` returns as strings; they are read back as numbers after checking
 * they are integers up to 2^53. Writes that span rows run in one transaction; what must be atomic across
 * workers is (leases and record claims: one compare-and-set statement; run item numbers: the run row locked;
 * migrations: an advisory lock).
 * Text is sorted with COLLATE "C" (byte order, as SQLite) whatever the database's collation.
 * Ties in time order (packages, events, runs with the same timestamp) go by id: PostgreSQL has no rowid.
 */
import pg from 'pg';
import { NotFoundError } from '../errors.js';
import { CatalogError } from './errors.js';
import { MIGRATIONS, type Migration } from './migrations.js';
import { createPostgresAudit } from './postgres-audit.js';
import { createPostgresConsole } from './postgres-console.js';
import { CONTEXT, createPgContext, maskUrl, toSafeInteger, withNumbers } from './postgres-context.js';
import { createPostgresJobs } from './postgres-jobs.js';
import { migratePostgres } from './postgres-migrate.js';
import { createPostgresRecords } from './postgres-records.js';
import { createPostgresRuns } from './postgres-runs.js';
import { checkLimit, type PackageRow, toIso, toPackageRecord } from './rows.js';
import type { Catalog, PackageRecord, PackageState, PackageSummary } from './types.js';

/** How long a query waits for a connection (new or from the pool) before failing. */
export const CONNECT_TIMEOUT_MS = 10_000;

/** Connections per catalog when `poolSize` is not given. */
export const DEFAULT_POOL_SIZE = 10;

export interface PostgresCatalogOptions {
  /**
   * Connection URL, `postgres://user:password@host:port/database` (`postgresql://` too; query parameters as
   * `pg` takes them, e.g. `?sslmode=verify-full` or `?options=-c%20search_path%3Darchive`). Its password
   * never appears in errors.
   */
  url: string;
  /** Most connections this catalog opens at once. Default: DEFAULT_POOL_SIZE. */
  poolSize?: number;
  /** Clock for bookkeeping timestamps (`schema_migrations.applied_at`). Default: the system clock. */
  now?: () => Date;
  /** Migrations to apply instead of the built-in ones. For tests of the migration runner only. */
  migrations?: readonly Migration[];
}

function checkOptions(options: PostgresCatalogOptions): void {
  const problem = (text: string) => new CatalogError(`${CONTEXT} ${text}`, { unrecoverable: true });
  let protocol: string;
  try {
    // As `pg` reads it: a URL without a host (`user:pw@/db?host=/run/postgresql`) gets a stand-in one.
    protocol = new URL(options.url.replace('@/', '@localhost/')).protocol;
  } catch {
    throw problem(`connection URL "${maskUrl(options.url)}" is not a valid URL`);
  }
  if (protocol !== 'postgres:' && protocol !== 'postgresql:') {
    throw problem(`connection URL "${maskUrl(options.url)}" must start with postgres:// or postgresql://`);
  }
  const size = options.poolSize;
  if (size !== undefined && (!Number.isInteger(size) || size < 1)) {
    throw problem(`poolSize must be a positive integer, got ${size}`);
  }
}

function packageFromRow(row: Record<string, unknown>): PackageRecord {
  return toPackageRecord(withNumbers<PackageRow>(row, ['size'], `package "${String(row.id)}"`));
}

/**
 * A catalog on the PostgreSQL database at `options.url`. No connection is opened until the first call;
 * `migrate()` must precede every other method on a new database. `close()` ends the pool.
 */
export function createPostgresCatalog(options: PostgresCatalogOptions): Catalog {
  checkOptions(options);
  const now = options.now ?? (() => new Date());
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? DEFAULT_POOL_SIZE,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    application_name: 'bevara',
    allowExitOnIdle: true,
  });
  // An idle pooled connection that breaks (server restart) is dropped by the pool; the next query opens a new
  // one, or fails with a CatalogError. Without a listener the 'error' event would end the process.
  pool.on('error', () => {});
  let closed = false;
  const ctx = createPgContext(pool, options.url, () => closed);
  const { guard } = ctx;

  async function packageSummaries(state?: PackageState, sourceKey?: string, limit?: number) {
    const rows = await ctx.query<Record<string, unknown>>(
      `SELECT id, label, size, file_count, state, created_at FROM packages
       WHERE ($1::text IS NULL OR state = $1) AND ($2::text IS NULL OR source_key = $2)
       ORDER BY created_at DESC, id COLLATE "C" DESC LIMIT $3`,
      [state ?? null, sourceKey ?? null, limit ?? null],
    );
    const summaries = rows.map(
      (row): PackageSummary => ({
        id: row.id as string,
        label: row.label as string,
        size: toSafeInteger(row.size, `package "${String(row.id)}" size`),
        fileCount: row.file_count as number,
        state: row.state as PackageState,
        createdAt: new Date(row.created_at as string),
        copies: [],
      }),
    );
    if (summaries.length === 0) return summaries;
    const byId = new Map(summaries.map((s) => [s.id, s]));
    const copies = await ctx.query<{ package_id: string; location: string; status: string }>(
      `SELECT package_id, location, status FROM copies WHERE package_id = ANY($1::text[])
       ORDER BY package_id COLLATE "C", location COLLATE "C"`,
      [[...byId.keys()]],
    );
    for (const copy of copies) {
      byId.get(copy.package_id)?.copies.push({
        location: copy.location,
        status: copy.status as PackageSummary['copies'][number]['status'],
      });
    }
    return summaries;
  }

  return {
    async migrate() {
      await guard('migrate', 'a table', () => migratePostgres(ctx, options.migrations ?? MIGRATIONS, now));
    },

    ...createPostgresRecords(ctx),

    async setPackageState(id, state, at) {
      const action = `set state of package "${id}" to "${state}"`;
      await guard(action, `package "${id}"`, async () => {
        const iso = toIso(at, `package "${id}" state change`);
        const updated =
          state === 'archived'
            ? await ctx.query('UPDATE packages SET state = $1, archived_at = $2 WHERE id = $3 RETURNING id', [
                state,
                iso,
                id,
              ])
            : await ctx.query('UPDATE packages SET state = $1 WHERE id = $2 RETURNING id', [state, id]);
        if (updated.length === 0)
          throw new NotFoundError(`${CONTEXT} cannot ${action}: package does not exist`);
      });
    },

    async getPackage(id) {
      return guard(`get package "${id}"`, `package "${id}"`, async () => {
        const [row] = await ctx.query<Record<string, unknown>>('SELECT * FROM packages WHERE id = $1', [id]);
        return row ? packageFromRow(row) : null;
      });
    },

    async listPackages(filter = {}) {
      return guard('list packages', 'a package', async () => {
        checkLimit(filter.limit, 'list packages');
        return packageSummaries(filter.state, filter.sourceKey, filter.limit);
      });
    },

    async latestPackageForSource(sourceKind, sourceKey) {
      const action = `find latest package for source ${sourceKind}:"${sourceKey}"`;
      return guard(action, 'a package', async () => {
        const [row] = await ctx.query<Record<string, unknown>>(
          `SELECT * FROM packages WHERE source_kind = $1 AND source_key = $2
           ORDER BY created_at DESC, id COLLATE "C" DESC LIMIT 1`,
          [sourceKind, sourceKey],
        );
        return row ? packageFromRow(row) : null;
      });
    },

    ...createPostgresRuns(ctx),
    ...createPostgresAudit(ctx),
    ...createPostgresJobs(ctx),
    ...createPostgresConsole(ctx),

    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}
