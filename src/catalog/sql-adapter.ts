/**
 * The catalog's SQL is written once and runs on SQLite and PostgreSQL through the `SqlAdapter` declared here.
 * An engine file only opens connections, runs statements, keeps transactions apart and translates driver errors.
 *
 *   types.ts           records, and the Catalog interface split by consumer (RecordCatalog, RunCatalog, …)
 *   sql-adapter.ts     this file: what an engine provides, and helpers for building statements
 *   sql-catalog.ts     createSqlCatalog(adapter): the parts put together, with guard, migrate and close
 *   sql-records.ts, sql-runs.ts, sql-audit.ts, sql-jobs.ts, sql-console.ts: the parts, one consumer each
 *   console-sql.ts     the console part's statements and search builder
 *   migrate.ts         the one migration runner, over the one list in migrations.ts
 *   rows.ts            table rows → records, shared
 *   sqlite.ts          engine: better-sqlite3 (one file, one connection, an in-process lock for transactions)
 *   postgres.ts        engine: a `pg` pool (transactions on one client); postgres-errors.ts masks the password
 *
 * Writing the shared SQL: `?` placeholders (PostgreSQL gets `$1`, `$2`…; so no `?` inside a literal); text ordered
 * with `COLLATE "C"` (byte order: PostgreSQL as written, SQLite as `COLLATE BINARY`, the same order); upserts as
 * `INSERT … ON CONFLICT (…) DO UPDATE`; `RETURNING` for the row written; Dates and JSON as text (rows.ts);
 * anything else that differs is a hook of `SqlDialect`. Integers come back as JS numbers on both engines.
 * Every statement runs inside `ctx.guard(action, missing, …)`, which turns driver errors into ours.
 *
 * Adding methods (users, search…): declare the consumer's interface beside the records it returns, write
 * `sql-<part>.ts` exporting `create<Part>Sql(ctx: SqlContext)`, add its tables as a new migration in
 * migrations.ts, spread the part in sql-catalog.ts, and pin its behaviour in the contract suite
 * (tests/conformance/catalog-suite-*.ts), which runs on both engines.
 */
import type { PreservationError } from '../errors.js';
import type { Durability } from './types.js';

/** A value bound to a `?`: text, a number (integers up to 2^53), or NULL. */
export type SqlValue = string | number | null;

export interface SqlResult<R> {
  /** The rows a SELECT or a `… RETURNING` statement gave; empty for other statements. */
  rows: R[];
  /** Rows inserted, updated or deleted (for `RETURNING`, the rows returned). */
  changes: number;
}

/** The columns of a bulk insert, in the order of each row's values, with their SQL types. */
export type SqlColumns = Readonly<Record<string, 'text' | 'integer' | 'bigint'>>;

/** Where statements run: the adapter itself (each statement commits on its own) or one transaction. */
export interface SqlSession {
  /** Runs one statement, binding `params` to its `?` placeholders in order. */
  query<R = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): Promise<SqlResult<R>>;
  /** Runs several statements separated by semicolons, without parameters (a migration). */
  script(sql: string): Promise<void>;
  /**
   * Inserts many rows into `table`, each one value per column of `columns`, the fastest way the engine has
   * (SQLite: one prepared statement run per row, no round trips; PostgreSQL: arrays unnested server-side, one
   * statement per thousand rows). Measured faster on both than shared multi-row `VALUES` statements.
   * Meant for a transaction: on its own, a failure midway keeps the rows before it.
   */
  insertRows(table: string, columns: SqlColumns, rows: readonly SqlValue[][]): Promise<void>;
}

/**
 * `write`: a transaction that writes (SQLite `BEGIN IMMEDIATE`, taking the write lock at once); `snapshot`: reads
 * that must see one state of the database (PostgreSQL `REPEATABLE READ READ ONLY`; SQLite a deferred read).
 */
export type TransactionMode = 'write' | 'snapshot';

/** The few pieces of SQL that differ between the engines. */
export interface SqlDialect {
  /** Orders rows of equal time by insertion: SQLite `rowid`; PostgreSQL has none and orders by id. */
  readonly insertionOrder: string;
  /** Ends a SELECT whose rows stay locked until the transaction ends (PostgreSQL; SQLite's write lock covers it). */
  readonly forUpdate: string;
  /** What `DisposalCatalog.purgeDeleted` runs, outside any transaction. */
  readonly purgeDeleted: string;
  /** The text value at `path` (`key` or `key.sub`) in the JSON document stored as text in `column`. */
  jsonText(column: string, path: string): string;
  /** `expr` in lower case, Unicode-wide (so that "Östra" is found as "östra"), as JavaScript folds after NFC. */
  fold(expr: string): string;
  /**
   * An index of the folded text that substring searches start from, where the engine cannot serve
   * `fold(…) LIKE '%…%'` from an index as written (SQLite; PostgreSQL has trigram indexes on the expressions).
   */
  readonly textIndex?: TextIndex;
}

/** Which text a substring search looks in: a package's label, identifier and creator, or a file's path. */
export type TextOf = 'package' | 'file';

export interface TextIndex {
  /**
   * A condition on `packages.id` (`package`) or, inside a subquery of `files`, on `package_id` (`file`) that holds
   * for every row whose text contains `word` (already folded): a superset, the exact LIKE is tested besides.
   */
  containing(of: TextOf, word: string): { sql: string; params: SqlValue[] };
  /** A SELECT of one row, `n`: how many rows of the index contain `word`, counted up to `cap`. */
  count(of: TextOf, word: string, cap: number): { sql: string; params: SqlValue[] };
}

/** What an engine provides. */
export interface SqlAdapter extends SqlSession {
  /** `sqlite` or `postgres`: messages start with `[catalog:<name>]`. */
  readonly name: string;
  /** The database, for messages: the SQLite path, or the PostgreSQL URL with its password masked. */
  readonly label: string;
  readonly dialect: SqlDialect;
  /**
   * Runs `fn` in one transaction: COMMIT when it resolves, ROLLBACK when it throws. Default mode: `write`.
   * Inside `fn` use `tx` only: on SQLite the adapter's own statements wait until the transaction has ended.
   */
  transaction<T>(
    fn: (tx: SqlSession) => Promise<T>,
    mode?: TransactionMode,
    durability?: Durability,
  ): Promise<T>;
  /** One statement committed on its own, as `query`, with the durability asked for. */
  write<R = Record<string, unknown>>(
    sql: string,
    params: readonly SqlValue[],
    durability: Durability,
  ): Promise<SqlResult<R>>;
  /** Runs first in each migration's transaction, so that of two processes migrating at once one waits. */
  lockMigrations(tx: SqlSession): Promise<void>;
  /**
   * A driver error as one of ours: a foreign-key failure a `NotFoundError` naming `missing`, a duplicate key an
   * unrecoverable `CatalogError`, anything else a `CatalogError` saying it could not `action`; ours pass through.
   */
  translate(err: unknown, action: string, missing: string): PreservationError;
  /** Closes the connection (SQLite) or ends the pool (PostgreSQL), after transactions under way. */
  close(): Promise<void>;
}

/** What each part of the SQL catalog is built on. */
export interface SqlContext {
  db: SqlAdapter;
  /** `[catalog:sqlite]` or `[catalog:postgres]`, to start messages with. */
  context: string;
  /**
   * Runs `fn`, refusing when the catalog is closed and translating driver errors (see `SqlAdapter.translate`).
   * Nested guards keep the innermost message.
   */
  guard<T>(action: string, missing: string, fn: () => Promise<T>): Promise<T>;
}

/** A SELECT of the rows that meet the conditions whose value is given (`['state = ?', filter.state]`). */
export interface SelectQuery {
  from: string;
  /** Default: `*`. */
  columns?: string;
  where: [string, SqlValue | undefined][];
  orderBy: string;
  limit?: number | undefined;
}

/** The statement of `query` and its parameters: a condition whose value is undefined is left out. */
export function select(query: SelectQuery): { sql: string; params: SqlValue[] } {
  const given = query.where.filter((c): c is [string, SqlValue] => c[1] !== undefined);
  const where = given.length === 0 ? '' : `WHERE ${given.map(([condition]) => condition).join(' AND ')}`;
  const limit = query.limit === undefined ? '' : 'LIMIT ?';
  return {
    sql: `SELECT ${query.columns ?? '*'} FROM ${query.from} ${where} ORDER BY ${query.orderBy} ${limit}`,
    params: [...given.map(([, value]) => value), ...(query.limit === undefined ? [] : [query.limit])],
  };
}

/** `(?, ?, …)` with `count` placeholders. */
export function placeholders(count: number): string {
  return `(${Array.from({ length: count }, () => '?').join(', ')})`;
}
