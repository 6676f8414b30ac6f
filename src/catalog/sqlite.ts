/**
 * The embedded catalog: one SQLite file, opened with better-sqlite3.
 *
 * Durability: WAL journal with `synchronous=FULL`, so a commit that returned survives power loss; foreign keys
 * enforced; writers wait up to BUSY_TIMEOUT_MS for the lock. better-sqlite3 is synchronous: each method does
 * its work at once and returns a settled promise, which keeps the interface shared with PostgreSQL.
 * Sizes are bound as JS numbers (stored as 64-bit INTEGER) and checked to be integers up to 2^53, which
 * better-sqlite3 reads back exactly without `safeIntegers`.
 */
import Database from 'better-sqlite3';
import { errorMessage, NotFoundError, PreservationError } from '../errors.js';
import { CatalogError } from './errors.js';
import { MIGRATIONS, type Migration } from './migrations.js';
import { checkLimit, type PackageRow, toIso, toPackageRecord } from './rows.js';
import { createSqliteAudit } from './sqlite-audit.js';
import { createSqliteConsole } from './sqlite-console.js';
import { createSqliteJobs } from './sqlite-jobs.js';
import { migrateSqlite } from './sqlite-migrate.js';
import { createSqliteRecords } from './sqlite-records.js';
import { createSqliteRuns } from './sqlite-runs.js';
import type { Catalog, PackageFilter, PackageState, PackageSummary } from './types.js';

/** How long a writer waits for another connection's lock before failing with SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 5000;

export interface SqliteCatalogOptions {
  /** Path of the database file (created when missing; its directory must exist), or ':memory:'. */
  path: string;
  /** Clock for bookkeeping timestamps (`schema_migrations.applied_at`). Default: the system clock. */
  now?: () => Date;
  /** Migrations to apply instead of the built-in ones. For tests of the migration runner only. */
  migrations?: readonly Migration[];
}

/** Helpers shared by the parts of the SQLite catalog. */
export interface SqliteContext {
  db: Database.Database;
  /** A prepared statement for `sql`, prepared once per connection (after `migrate()` created the tables). */
  sql(sql: string): Database.Statement;
  /**
   * Runs `fn`, translating driver errors: a foreign-key failure becomes `NotFoundError` naming `missing`,
   * a duplicate key a `CatalogError`; errors that already are ours pass through.
   */
  guard<T>(action: string, missing: string, fn: () => T): T;
}

const CONTEXT = '[catalog:sqlite]';

function translate(err: unknown, action: string, missing: string): PreservationError {
  if (err instanceof PreservationError) return err;
  if (err instanceof Database.SqliteError) {
    if (err.code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
      return new NotFoundError(`${CONTEXT} cannot ${action}: ${missing} does not exist`, { cause: err });
    }
    if (err.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || err.code === 'SQLITE_CONSTRAINT_UNIQUE') {
      return new CatalogError(`${CONTEXT} cannot ${action}: it already exists`, {
        cause: err,
        unrecoverable: true,
      });
    }
    if (err.message.startsWith('no such table')) {
      return new CatalogError(`${CONTEXT} cannot ${action}: ${err.message} (call migrate() first)`, {
        cause: err,
        unrecoverable: true,
      });
    }
  }
  return new CatalogError(`${CONTEXT} cannot ${action}: ${errorMessage(err)}`, { cause: err });
}

function open(path: string): Database.Database {
  try {
    const db = new Database(path, { timeout: BUSY_TIMEOUT_MS });
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    return db;
  } catch (err) {
    throw new CatalogError(`${CONTEXT} cannot open database "${path}": ${errorMessage(err)}`, { cause: err });
  }
}

/**
 * Opens (or creates) the catalog database at `options.path`. Nothing else happens until `migrate()` is
 * called, which must precede every other method on a new database.
 */
export function createSqliteCatalog(options: SqliteCatalogOptions): Catalog {
  const db = open(options.path);
  const now = options.now ?? (() => new Date());
  const statements = new Map<string, Database.Statement>();
  const ctx: SqliteContext = {
    db,
    sql(sql) {
      let statement = statements.get(sql);
      if (!statement) {
        statement = db.prepare(sql);
        statements.set(sql, statement);
      }
      return statement;
    },
    guard(action, missing, fn) {
      try {
        return fn();
      } catch (err) {
        throw translate(err, action, missing);
      }
    },
  };

  function packageSummaries(filter: PackageFilter): PackageSummary[] {
    checkLimit(filter.limit, 'list packages');
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (filter.state !== undefined) {
      where.push('state = ?');
      params.push(filter.state);
    }
    if (filter.sourceKey !== undefined) {
      where.push('source_key = ?');
      params.push(filter.sourceKey);
    }
    if (filter.limit !== undefined) params.push(filter.limit);
    const rows = ctx
      .sql(
        `SELECT id, label, size, file_count, state, created_at FROM packages
         ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY created_at DESC, rowid DESC ${filter.limit !== undefined ? 'LIMIT ?' : ''}`,
      )
      .all(...params) as Pick<PackageRow, 'id' | 'label' | 'size' | 'file_count' | 'state' | 'created_at'>[];
    const summaries = rows.map(
      (row): PackageSummary => ({
        id: row.id,
        label: row.label,
        size: row.size,
        fileCount: row.file_count,
        state: row.state as PackageState,
        createdAt: new Date(row.created_at),
        copies: [],
      }),
    );
    if (summaries.length === 0) return summaries;
    const byId = new Map(summaries.map((s) => [s.id, s]));
    const copies = ctx
      .sql(
        `SELECT package_id, location, status FROM copies
         WHERE package_id IN (SELECT value FROM json_each(?)) ORDER BY package_id, location`,
      )
      .all(JSON.stringify([...byId.keys()])) as { package_id: string; location: string; status: string }[];
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
      ctx.guard('migrate', 'a table', () =>
        migrateSqlite(db, options.migrations ?? MIGRATIONS, now, options.path),
      );
    },

    ...createSqliteRecords(ctx),

    async setPackageState(id, state, at) {
      const action = `set state of package "${id}" to "${state}"`;
      ctx.guard(action, `package "${id}"`, () => {
        const iso = toIso(at, `package "${id}" state change`);
        const result =
          state === 'archived'
            ? ctx.sql('UPDATE packages SET state = ?, archived_at = ? WHERE id = ?').run(state, iso, id)
            : ctx.sql('UPDATE packages SET state = ? WHERE id = ?').run(state, id);
        if (result.changes === 0)
          throw new NotFoundError(`${CONTEXT} cannot ${action}: package does not exist`);
      });
    },

    async getPackage(id) {
      return ctx.guard(`get package "${id}"`, `package "${id}"`, () => {
        const row = ctx.sql('SELECT * FROM packages WHERE id = ?').get(id) as PackageRow | undefined;
        return row ? toPackageRecord(row) : null;
      });
    },

    async listPackages(filter = {}) {
      return ctx.guard('list packages', 'a package', () => packageSummaries(filter));
    },

    async latestPackageForSource(sourceKind, sourceKey) {
      const action = `find latest package for source ${sourceKind}:"${sourceKey}"`;
      return ctx.guard(action, 'a package', () => {
        const row = ctx
          .sql(
            `SELECT * FROM packages WHERE source_kind = ? AND source_key = ?
             ORDER BY created_at DESC, rowid DESC LIMIT 1`,
          )
          .get(sourceKind, sourceKey) as PackageRow | undefined;
        return row ? toPackageRecord(row) : null;
      });
    },

    ...createSqliteRuns(ctx),
    ...createSqliteAudit(ctx),
    ...createSqliteJobs(ctx),
    ...createSqliteConsole(ctx),

    async close() {
      if (db.open) db.close();
    },
  };
}
