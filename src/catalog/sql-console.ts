/** The SQL catalog's console part: accounts, sessions, package search and counts (statements in console-sql.ts). */
import type { ConsoleCatalog } from './console-types.js';
import {
  GET_SESSION,
  INSERT_SESSION,
  DRIVE_LIMIT,
  INSERT_USER,
  repairsSql,
  STATS_SQL,
  type SessionRow,
  searchPage,
  searchProbes,
  STORAGE_BY_DAY_SQL,
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
import { NotFoundError } from '../errors.js';
import { type PackageRow, toIso } from './rows.js';
import { placeholders, type SqlContext } from './sql-adapter.js';

type CopyCell = { package_id: string; location: string; status: string };

export function createConsoleSql({ db, guard, context }: SqlContext): ConsoleCatalog {
  return {
    async addUser(user) {
      await guard(`add user "${user.name}"`, 'a user', () => db.query(INSERT_USER, userParams(user)));
    },
    async updateUser(name, change, at) {
      await guard(`change user "${name}"`, `user "${name}"`, async () => {
        const { changes } = await db.query(UPDATE_USER, [
          change.role ?? null,
          change.passwordHash ?? null,
          toIso(at, `user "${name}" updatedAt`),
          name,
        ]);
        if (changes === 0) throw new NotFoundError(`${context} cannot change user "${name}": no such user`);
      });
    },
    async getUser(name) {
      return guard(`read user "${name}"`, 'a user', async () => {
        const [row] = (await db.query<UserRow>('SELECT * FROM users WHERE name = ?', [name])).rows;
        return row ? toUserRecord(row) : null;
      });
    },
    async listUsers() {
      return guard('list users', 'a user', async () =>
        (await db.query<UserRow>('SELECT * FROM users ORDER BY name COLLATE "C"')).rows.map(toUserRecord),
      );
    },
    async removeUser(name) {
      await guard(`remove user "${name}"`, `user "${name}"`, () =>
        db.transaction(async (tx) => {
          await tx.query('DELETE FROM sessions WHERE user_name = ?', [name]);
          const { changes } = await tx.query('DELETE FROM users WHERE name = ?', [name]);
          if (changes === 0) throw new NotFoundError(`${context} cannot remove user "${name}": no such user`);
        }),
      );
    },

    async addSession(session) {
      await guard('add a session', `user "${session.user}"`, () =>
        db.query(INSERT_SESSION, sessionParams(session)),
      );
    },
    async getSession(idHash, now) {
      return guard('read a session', 'a session', async () => {
        const [row] = (await db.query<SessionRow>(GET_SESSION, [idHash, toIso(now, 'session lookup')])).rows;
        return row ? toSessionRecord(row) : null;
      });
    },
    async removeSession(idHash) {
      await guard('remove a session', 'a session', () =>
        db.query('DELETE FROM sessions WHERE id_hash = ?', [idHash]),
      );
    },
    async removeExpiredSessions(now) {
      return guard(
        'remove expired sessions',
        'a session',
        async () =>
          (await db.query('DELETE FROM sessions WHERE expires_at <= ?', [toIso(now, 'session expiry')]))
            .changes,
      );
    },

    async searchPackages(query) {
      return guard('search packages', 'a package', async () => {
        // On SQLite, a few counts first: whether each criterion is rare enough to start from its index.
        const rare = new Set<string>();
        for (const probe of searchProbes(query, db.dialect)) {
          const [row] = (await db.query<{ n: number }>(probe.sql, probe.params)).rows;
          if ((row?.n ?? 0) <= DRIVE_LIMIT) rare.add(probe.key);
        }
        const { sql, params } = searchSql(query, db.dialect, (key) => rare.has(key));
        const page = searchPage((await db.query<PackageRow>(sql, params)).rows, query.limit);
        const ids = page.packages.map((p) => p.id);
        if (ids.length === 0) return page;
        const copies = await db.query<CopyCell>(
          `SELECT package_id, location, status FROM copies WHERE package_id IN ${placeholders(ids.length)}
           ORDER BY package_id COLLATE "C", location COLLATE "C"`,
          ids,
        );
        return withCopies(page, copies.rows);
      });
    },
    async storageByDay() {
      return guard('sum storage by day', 'a table', async () =>
        (
          await db.query<{ location: string; day: string; bytes: number | string }>(STORAGE_BY_DAY_SQL)
        ).rows.map((r) => ({ location: r.location, day: r.day, bytes: Number(r.bytes) })),
      );
    },
    async catalogStats() {
      return guard('count the catalog', 'a table', () =>
        // One snapshot, so that the totals agree with each other.
        db.transaction(async (tx) => {
          const rows = async (sql: string) => (await tx.query(sql)).rows;
          const [repaired] = await rows(repairsSql(db.dialect));
          return toStats(
            {
              packages: await rows(STATS_SQL.packages),
              files: await rows(STATS_SQL.files),
              copies: await rows(STATS_SQL.copies),
              runs: await rows(STATS_SQL.runs),
              records: await rows(STATS_SQL.records),
            },
            Number(repaired?.repairs ?? 0),
          );
        }, 'snapshot'),
      );
    },
  };
}
