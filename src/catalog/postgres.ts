/**
 * The shared catalog engine: one PostgreSQL database used by many workers on many machines, through a `pg.Pool`.
 * The SQL is the shared one (sql-*.ts); this file opens the pool and runs statements and transactions on it.
 *
 * Same schema and row format as SQLite (migrations.ts runs unchanged): timestamps as ISO 8601 UTC TEXT, JSON in
 * TEXT, sizes as BIGINT. `pg` returns BIGINT and NUMERIC as strings; this pool's type parsers read them as numbers,
 * refusing a BIGINT that is not an integer from 0 to 2^53, so the shared SQL sees numbers as on SQLite.
 * What must be atomic across workers: leases and record claims are one compare-and-set statement; run item
 * numbers lock the run row (`SELECT … FOR UPDATE`); migrations take an advisory lock.
 * Text is sorted with COLLATE "C" (byte order, as SQLite) whatever the database's collation; ties in time order
 * (packages, events, runs with the same timestamp) go by id: PostgreSQL has no rowid.
 */
import pg from 'pg';
import { CatalogError } from './errors.js';
import { CONTEXT, maskUrl, passwordForms, toSafeInteger, toTotal, translate } from './postgres-errors.js';
import type { SqlAdapter, SqlDialect, SqlSession } from './sql-adapter.js';
import { createSqlCatalog, type SqlCatalogOptions } from './sql-catalog.js';
import type { Catalog } from './types.js';

/** How long a query waits for a connection (new or from the pool) before failing. */
export const CONNECT_TIMEOUT_MS = 10_000;

/** Connections per catalog when `poolSize` is not given. */
export const DEFAULT_POOL_SIZE = 10;

/**
 * Key of the transaction-level advisory lock that serializes migrations of one database across processes
 * ("bevara" in ASCII). Advisory locks are per database: catalogs in other databases never wait on it.
 */
export const MIGRATION_LOCK_KEY = '108187917316705';

export interface PostgresCatalogOptions extends SqlCatalogOptions {
  /**
   * Connection URL, `postgres://user:password@host:port/database` (`postgresql://` too; query parameters as
   * `pg` takes them, e.g. `?sslmode=verify-full` or `?options=-c%20search_path%3Darchive`). Its password
   * never appears in errors.
   */
  url: string;
  /** Most connections this catalog opens at once. Default: DEFAULT_POOL_SIZE. */
  poolSize?: number;
}

const DIALECT: SqlDialect = {
  insertionOrder: 'id COLLATE "C"',
  forUpdate: 'FOR UPDATE',
  purgeDeleted: 'VACUUM files',
  jsonText: (column, path) => `(CAST(${column} AS json) #>> '{${path.replaceAll('.', ',')}}')`,
  fold: (expr) => `lower(${expr})`,
};

/** BIGINT (sizes, COUNT) and NUMERIC (SUM of sizes) as numbers; the other types as `pg` reads them. */
const NUMBER_TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === pg.types.builtins.INT8) return (text: string) => toSafeInteger(text, 'BIGINT read back');
    if (oid === pg.types.builtins.NUMERIC) return (text: string) => toTotal(text, 'NUMERIC read back');
    return pg.types.getTypeParser(oid, format);
  }) as pg.CustomTypesConfig['getTypeParser'],
};

/** Rows per statement of a bulk insert (`insertRows`). */
export const INSERT_BATCH = 1000;

/** Statements whose `$n` form is kept (the shared SQL has a few dozen; bulk inserts one per batch size). */
const NUMBERED_CACHE = 256;

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

function createPostgresAdapter(pool: pg.Pool, url: string): SqlAdapter {
  const label = maskUrl(url);
  const secrets = passwordForms(url);
  const numberedCache = new Map<string, string>();
  /** The shared SQL's `?` placeholders as PostgreSQL's `$1`, `$2`… */
  function numbered(sql: string): string {
    let text = numberedCache.get(sql);
    if (text === undefined) {
      let n = 0;
      text = sql.replace(/\?/g, () => `$${++n}`);
      if (numberedCache.size >= NUMBERED_CACHE) numberedCache.clear();
      numberedCache.set(sql, text);
    }
    return text;
  }
  const on = (client: pg.Pool | pg.PoolClient): SqlSession => ({
    async query(sql, params = []) {
      const result = await client.query(numbered(sql), params as unknown[]);
      return { rows: result.rows, changes: result.rowCount ?? 0 };
    },
    async script(sql) {
      // Without parameters `pg` sends the simple query protocol, which takes several statements at once.
      await client.query(sql);
    },
    async insertRows(table, columns, rows) {
      const names = Object.keys(columns);
      const arrays = Object.values(columns).map((type, i) => `$${i + 1}::${type}[]`);
      const insert = `INSERT INTO ${table} (${names.join(', ')}) SELECT * FROM unnest(${arrays.join(', ')})`;
      for (let start = 0; start < rows.length; start += INSERT_BATCH) {
        const batch = rows.slice(start, start + INSERT_BATCH);
        await client.query(
          insert,
          names.map((_, i) => batch.map((row) => row[i])),
        );
      }
    },
  });
  return {
    name: 'postgres',
    label,
    dialect: DIALECT,
    ...on(pool),
    // Every commit is durable here: workers on other machines rely on leases and claims across a server restart.
    write: (sql, params) => on(pool).query(sql, params),
    async transaction(fn, mode = 'write') {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query(mode === 'write' ? 'BEGIN' : 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
        const result = await fn(on(client));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch((rollbackError: unknown) => {
          broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
        });
        throw err;
      } finally {
        client.release(broken);
      }
    },
    async lockMigrations(tx) {
      await tx.query('SELECT pg_advisory_xact_lock(CAST(? AS bigint))', [MIGRATION_LOCK_KEY]);
    },
    translate: (err, action, missing) => translate(err, action, missing, label, secrets),
    close: () => pool.end(),
  };
}

/**
 * A catalog on the PostgreSQL database at `options.url`. No connection is opened until the first call;
 * `migrate()` must precede every other method on a new database. `close()` ends the pool.
 */
export function createPostgresCatalog(options: PostgresCatalogOptions): Catalog {
  checkOptions(options);
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? DEFAULT_POOL_SIZE,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    application_name: 'bevara',
    allowExitOnIdle: true,
    types: NUMBER_TYPES,
  });
  // An idle pooled connection that breaks (server restart) is dropped by the pool; the next query opens a new
  // one, or fails with a CatalogError. Without a listener the 'error' event would end the process.
  pool.on('error', () => {});
  return createSqlCatalog(createPostgresAdapter(pool, options.url), options);
}
