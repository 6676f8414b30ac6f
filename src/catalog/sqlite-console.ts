/** SQLite catalog: the console's accounts, sessions, package search and counts (SQL in console-sql.ts). */
import { NotFoundError } from '../errors.js';
import type { ConsoleCatalog } from './console-types.js';
import {
  GET_SESSION,
  INSERT_SESSION,
  INSERT_USER,
  STATS_SQL,
  type SearchDialect,
  type SessionRow,
  searchPage,
  searchSql,
  sessionParams,
  toSessionRecord,
  toStats,
  toUserRecord,
  UPDATE_USER,
  type UserRow,
  userParams,
  withCopies,
} from './console-sql.js';
import { type PackageRow, toIso } from './rows.js';
import type { SqliteContext } from './sqlite.js';

const CONTEXT = '[catalog:sqlite]';

/** SQLite's own lower() folds ASCII only: search folds with JavaScript's, registered on the connection. */
const FOLD = 'bevara_fold';

const DIALECT: SearchDialect = {
  field: (path) => `json_extract(metadata_json, '$.${path}')`,
  fold: (expr) => `${FOLD}(${expr})`,
  collate: '',
};

export function createSqliteConsole(ctx: SqliteContext): ConsoleCatalog {
  const { sql, guard } = ctx;
  ctx.db.function(FOLD, { deterministic: true }, (value: unknown) =>
    typeof value === 'string' ? value.normalize('NFC').toLowerCase() : null,
  );
  return {
    async addUser(user) {
      guard(`add user "${user.name}"`, 'a user', () => sql(INSERT_USER).run(...userParams(user)));
    },
    async updateUser(name, change, at) {
      guard(`change user "${name}"`, `user "${name}"`, () => {
        const result = sql(UPDATE_USER).run(
          change.role ?? null,
          change.passwordHash ?? null,
          toIso(at, `user "${name}" updatedAt`),
          name,
        );
        if (result.changes === 0)
          throw new NotFoundError(`${CONTEXT} cannot change user "${name}": no such user`);
      });
    },
    async getUser(name) {
      return guard(`read user "${name}"`, 'a user', () => {
        const row = sql('SELECT * FROM users WHERE name = ?').get(name) as UserRow | undefined;
        return row ? toUserRecord(row) : null;
      });
    },
    async listUsers() {
      return guard('list users', 'a user', () =>
        (sql('SELECT * FROM users ORDER BY name').all() as UserRow[]).map(toUserRecord),
      );
    },
    async removeUser(name) {
      guard(`remove user "${name}"`, `user "${name}"`, () =>
        ctx.db.transaction(() => {
          sql('DELETE FROM sessions WHERE user_name = ?').run(name);
          if (sql('DELETE FROM users WHERE name = ?').run(name).changes === 0)
            throw new NotFoundError(`${CONTEXT} cannot remove user "${name}": no such user`);
        })(),
      );
    },

    async addSession(session) {
      guard('add a session', `user "${session.user}"`, () =>
        sql(INSERT_SESSION).run(...sessionParams(session)),
      );
    },
    async getSession(idHash, now) {
      return guard('read a session', 'a session', () => {
        const row = sql(GET_SESSION).get(idHash, toIso(now, 'session lookup')) as SessionRow | undefined;
        return row ? toSessionRecord(row) : null;
      });
    },
    async removeSession(idHash) {
      guard('remove a session', 'a session', () => sql('DELETE FROM sessions WHERE id_hash = ?').run(idHash));
    },
    async removeExpiredSessions(now) {
      return guard(
        'remove expired sessions',
        'a session',
        () => sql('DELETE FROM sessions WHERE expires_at <= ?').run(toIso(now, 'session expiry')).changes,
      );
    },

    async searchPackages(query) {
      return guard('search packages', 'a package', () => {
        const { sql: text, params } = searchSql(query, DIALECT);
        const page = searchPage(ctx.db.prepare(text).all(...params) as PackageRow[], query.limit);
        const ids = JSON.stringify(page.packages.map((p) => p.id));
        return withCopies(
          page,
          sql(
            `SELECT package_id, location, status FROM copies
             WHERE package_id IN (SELECT value FROM json_each(?)) ORDER BY package_id, location`,
          ).all(ids) as { package_id: string; location: string; status: string }[],
        );
      });
    },
    async catalogStats() {
      return guard('count the catalog', 'a table', () =>
        toStats({
          packages: sql(STATS_SQL.packages).all() as Record<string, unknown>[],
          files: sql(STATS_SQL.files).all() as Record<string, unknown>[],
          copies: sql(STATS_SQL.copies).all() as Record<string, unknown>[],
          runs: sql(STATS_SQL.runs).all() as Record<string, unknown>[],
          records: sql(STATS_SQL.records).all() as Record<string, unknown>[],
        }),
      );
    },
  };
}
