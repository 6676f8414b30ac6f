/**
 * The embedded catalog engine: one SQLite file, opened with better-sqlite3. The SQL is the shared one (sql-*.ts);
 * this file opens the connection and runs statements and transactions on it.
 *
 * Durability: WAL journal with `synchronous=FULL`, so a commit that returned survives power loss, except a
 * `relaxed` one (leases, claims, run items of ingest's record path), committed under `synchronous=NORMAL`: written
 * to the WAL (a killed process loses nothing) but not flushed to disk until the next durable commit, whose fsync of
 * the WAL covers every frame before it. SQLite refuses to change the level inside a transaction, so it is set
 * before BEGIN and put back after COMMIT, while this catalog holds the turn (sqlite-lock.ts). Foreign keys
 * enforced; writers wait up to BUSY_TIMEOUT_MS for another process's lock.
 * better-sqlite3 is synchronous and the catalog holds one connection, but a transaction of the shared SQL spans
 * awaits: while one is open (or waiting to begin), every other statement on the file from this process waits its
 * turn behind it (sqlite-lock.ts), so nothing runs inside another caller's transaction. Writers begin with BEGIN
 * IMMEDIATE: the file's write lock is taken at once, and a transaction never fails midway for another process's.
 * Sizes are bound as JS numbers (stored as 64-bit INTEGER) and checked to be integers up to 2^53, which
 * better-sqlite3 reads back exactly without `safeIntegers`.
 */
import Database from 'better-sqlite3';
import { errorMessage, NotFoundError, PreservationError } from '../errors.js';
import { CatalogError } from './errors.js';
import {
  placeholders,
  type SqlAdapter,
  type SqlDialect,
  type SqlResult,
  type SqlSession,
  type SqlValue,
} from './sql-adapter.js';
import { createSqlCatalog, type SqlCatalogOptions } from './sql-catalog.js';
import { lockFor } from './sqlite-lock.js';
import type { Catalog, Durability } from './types.js';

/** How long a writer waits for another connection's lock before failing with SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 5000;

export interface SqliteCatalogOptions extends SqlCatalogOptions {
  /** Path of the database file (created when missing; its directory must exist), or ':memory:'. */
  path: string;
}

const CONTEXT = '[catalog:sqlite]';

/** The case fold of `SqlDialect.fold`: JavaScript's lower case after NFC (text only; NULL stays NULL). */
const FOLD = 'bevara_fold';

/** `*word*` in GLOB, each of GLOB's own special characters in `word` matching any one character. */
const globOf = (word: string) => `*${word.replace(/[*?[\]]/g, '?')}*`;

const DIALECT: SqlDialect = {
  insertionOrder: 'rowid',
  forUpdate: '',
  purgeDeleted: "INSERT INTO file_text (file_text) VALUES ('optimize'); PRAGMA wal_checkpoint(TRUNCATE);",
  jsonText: (column, path) => `json_extract(${column}, '$.${path}')`,
  /** SQLite's own lower() folds ASCII only: a JavaScript fold registered on each connection (open()). */
  fold: (expr) => `${FOLD}(${expr})`,
  /**
   * The FTS5 trigram tables of migration 6 (`package_text`, `file_text`, holding the folded text), asked with GLOB
   * (case-sensitive, on text already folded): GLOB's own wildcards in the word become `?`, so the match is a
   * superset of the exact LIKE, which the search still applies.
   */
  textIndex: {
    containing(of, word) {
      return of === 'package'
        ? { sql: 'packages.id IN (SELECT id FROM package_text WHERE text GLOB ?)', params: [globOf(word)] }
        : {
            sql: 'package_id IN (SELECT package_id FROM file_text WHERE path GLOB ?)',
            params: [globOf(word)],
          };
    },
    count(of, word, cap) {
      const [table, column] = of === 'package' ? ['package_text', 'text'] : ['file_text', 'path'];
      return {
        sql: `SELECT COUNT(*) AS n FROM (SELECT 1 FROM ${table} WHERE ${column} GLOB ? LIMIT ?)`,
        params: [globOf(word), cap],
      };
    },
  },
};

/** Prepared statements kept per connection (the shared SQL has a few dozen; bulk inserts one per batch size). */
const STATEMENT_CACHE = 256;

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
    // What is deleted (a disposed package's file names) is overwritten, not left readable in free pages.
    db.pragma('secure_delete = ON');
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.function(FOLD, { deterministic: true }, (value: unknown) =>
      typeof value === 'string' ? value.normalize('NFC').toLowerCase() : null,
    );
    return db;
  } catch (err) {
    throw new CatalogError(`${CONTEXT} cannot open database "${path}": ${errorMessage(err)}`, { cause: err });
  }
}

function createSqliteAdapter(db: Database.Database, path: string): SqlAdapter {
  const statements = new Map<string, Database.Statement>();
  function prepare(sql: string): Database.Statement {
    let statement = statements.get(sql);
    if (statement === undefined) {
      // BINARY, SQLite's default collation, is byte order: what PostgreSQL's "C" gives.
      statement = db.prepare(sql.replaceAll('COLLATE "C"', 'COLLATE BINARY'));
      if (statements.size >= STATEMENT_CACHE) statements.clear();
      statements.set(sql, statement);
    }
    return statement;
  }
  function execute<R>(sql: string, params: readonly SqlValue[] = []): SqlResult<R> {
    const statement = prepare(sql);
    if (statement.reader) {
      const rows = statement.all(params) as R[];
      return { rows, changes: rows.length };
    }
    return { rows: [], changes: statement.run(params).changes };
  }
  /** Runs at once: for the transaction holding the turn, or when nothing waits. */
  const direct: SqlSession = {
    async query(sql, params) {
      return execute(sql, params);
    },
    async script(sql) {
      db.exec(sql);
    },
    async insertRows(table, columns, rows) {
      const names = Object.keys(columns);
      const insert = prepare(
        `INSERT INTO ${table} (${names.join(', ')}) VALUES ${placeholders(names.length)}`,
      );
      for (const row of rows) insert.run(row);
    },
  };

  /** Runs `fn` (which commits) at `durability`, putting FULL back after it. */
  function committing<T>(durability: Durability, fn: () => T): T {
    if (durability === 'durable') return fn();
    db.pragma('synchronous = NORMAL');
    try {
      return fn();
    } finally {
      db.pragma('synchronous = FULL');
    }
  }

  const lock = lockFor(path);
  return {
    name: 'sqlite',
    label: path,
    dialect: DIALECT,
    query: (sql, params) => lock.whenFree(() => direct.query(sql, params)),
    script: (sql) => lock.whenFree(() => direct.script(sql)),
    insertRows: (table, columns, rows) => lock.whenFree(() => direct.insertRows(table, columns, rows)),
    write: (sql, params, durability) =>
      lock.whenFree(async () => committing(durability, () => execute(sql, params))),
    transaction(fn, mode = 'write', durability = 'durable') {
      return lock.take(async () => {
        if (durability === 'relaxed') db.pragma('synchronous = NORMAL');
        try {
          db.exec(mode === 'write' ? 'BEGIN IMMEDIATE' : 'BEGIN');
          try {
            const result = await fn(direct);
            db.exec('COMMIT');
            return result;
          } catch (err) {
            if (db.inTransaction) db.exec('ROLLBACK');
            throw err;
          }
        } finally {
          if (durability === 'relaxed') db.pragma('synchronous = FULL');
        }
      });
    },
    async lockMigrations() {
      // BEGIN IMMEDIATE already holds the database's write lock: other processes wait for it.
    },
    translate,
    close: () =>
      lock
        .take(async () => {
          if (db.open) db.close();
        })
        .finally(() => lock.release()),
  };
}

/**
 * Opens (or creates) the catalog database at `options.path`. Nothing else happens until `migrate()` is
 * called, which must precede every other method on a new database.
 */
export function createSqliteCatalog(options: SqliteCatalogOptions): Catalog {
  return createSqlCatalog(createSqliteAdapter(open(options.path), options.path), options);
}
