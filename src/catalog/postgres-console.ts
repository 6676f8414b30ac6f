/** PostgreSQL catalog: the console's accounts, sessions, package search and counts (SQL in console-sql.ts). */
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
import { CONTEXT, numbered, type PgContext, toTotal, withNumbers } from './postgres-context.js';
import { type PackageRow, toIso } from './rows.js';

const DIALECT: SearchDialect = {
  field: (path) => `(metadata_json::jsonb #>> '{${path.replace('.', ',')}}')`,
  fold: (expr) => `lower(${expr})`,
  collate: ' COLLATE "C"',
};

/** Counts and byte totals arrive as strings (BIGINT, NUMERIC). */
const numbers = (rows: Record<string, unknown>[], what: string) =>
  rows.map((r) => ({
    ...r,
    count: toTotal(r.count, `${what} count`),
    ...(r.bytes === undefined ? {} : { bytes: toTotal(r.bytes, `${what} bytes`) }),
  }));

export function createPostgresConsole(ctx: PgContext): ConsoleCatalog {
  const { guard } = ctx;
  return {
    async addUser(user) {
      await guard(`add user "${user.name}"`, 'a user', () =>
        ctx.query(numbered(INSERT_USER), userParams(user)),
      );
    },
    async updateUser(name, change, at) {
      await guard(`change user "${name}"`, `user "${name}"`, async () => {
        const updated = await ctx.query(`${numbered(UPDATE_USER)} RETURNING name`, [
          change.role ?? null,
          change.passwordHash ?? null,
          toIso(at, `user "${name}" updatedAt`),
          name,
        ]);
        if (updated.length === 0)
          throw new NotFoundError(`${CONTEXT} cannot change user "${name}": no such user`);
      });
    },
    async getUser(name) {
      return guard(`read user "${name}"`, 'a user', async () => {
        const [row] = await ctx.query<UserRow>('SELECT * FROM users WHERE name = $1', [name]);
        return row ? toUserRecord(row) : null;
      });
    },
    async listUsers() {
      return guard('list users', 'a user', async () =>
        (await ctx.query<UserRow>('SELECT * FROM users ORDER BY name COLLATE "C"')).map(toUserRecord),
      );
    },
    async removeUser(name) {
      await guard(`remove user "${name}"`, `user "${name}"`, () =>
        ctx.transaction(async (client) => {
          await client.query('DELETE FROM sessions WHERE user_name = $1', [name]);
          const removed = await client.query('DELETE FROM users WHERE name = $1', [name]);
          if (removed.rowCount === 0)
            throw new NotFoundError(`${CONTEXT} cannot remove user "${name}": no such user`);
        }),
      );
    },

    async addSession(session) {
      await guard('add a session', `user "${session.user}"`, () =>
        ctx.query(numbered(INSERT_SESSION), sessionParams(session)),
      );
    },
    async getSession(idHash, now) {
      return guard('read a session', 'a session', async () => {
        const [row] = await ctx.query<SessionRow>(numbered(GET_SESSION), [
          idHash,
          toIso(now, 'session lookup'),
        ]);
        return row ? toSessionRecord(row) : null;
      });
    },
    async removeSession(idHash) {
      await guard('remove a session', 'a session', () =>
        ctx.query('DELETE FROM sessions WHERE id_hash = $1', [idHash]),
      );
    },
    async removeExpiredSessions(now) {
      return guard('remove expired sessions', 'a session', async () => {
        const result = await ctx.pool.query('DELETE FROM sessions WHERE expires_at <= $1', [
          toIso(now, 'session expiry'),
        ]);
        return result.rowCount ?? 0;
      });
    },

    async searchPackages(query) {
      return guard('search packages', 'a package', async () => {
        const { sql, params } = searchSql(query, DIALECT);
        const rows = await ctx.query<Record<string, unknown>>(numbered(sql), params);
        const page = searchPage(
          rows.map((row) => withNumbers<PackageRow>(row, ['size'], `package "${String(row.id)}"`)),
          query.limit,
        );
        return withCopies(
          page,
          await ctx.query(
            `SELECT package_id, location, status FROM copies WHERE package_id = ANY($1::text[])
             ORDER BY package_id COLLATE "C", location COLLATE "C"`,
            [page.packages.map((p) => p.id)],
          ),
        );
      });
    },
    async catalogStats() {
      return guard('count the catalog', 'a table', async () => {
        const [packages, files, copies, runs, records] = await Promise.all(
          (['packages', 'files', 'copies', 'runs', 'records'] as const).map(async (name) =>
            numbers(await ctx.query<Record<string, unknown>>(STATS_SQL[name]), name),
          ),
        );
        return toStats({
          packages: packages ?? [],
          files: files ?? [],
          copies: copies ?? [],
          runs: runs ?? [],
          records: records ?? [],
        });
      });
    },
  };
}
