/**
 * Statements of the console's part of the catalog (console-types.ts; run by sql-console.ts), written once for
 * SQLite and PostgreSQL. Where the engines differ (JSON fields, case folding) the adapter's `SqlDialect` says how.
 */
import { CatalogError } from './errors.js';
import type {
  CatalogStats,
  PackageHit,
  PackageQuery,
  PackageSearchPage,
  SessionRecord,
  UserRecord,
  UserRole,
} from './console-types.js';
import { type PackageRow, toIso, toPackageRecord } from './rows.js';
import type { SqlDialect, SqlValue } from './sql-adapter.js';
import type { CopyStatus } from './types.js';

export interface UserRow {
  name: string;
  role: string;
  password_hash: string;
  created_at: string;
  updated_at: string;
}

export interface SessionRow {
  id_hash: string;
  user_name: string;
  csrf_token: string;
  created_at: string;
  expires_at: string;
}

export const INSERT_USER =
  'INSERT INTO users (name, role, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?)';
export const UPDATE_USER =
  'UPDATE users SET role = COALESCE(?, role), password_hash = COALESCE(?, password_hash), updated_at = ? WHERE name = ?';
export const INSERT_SESSION =
  'INSERT INTO sessions (id_hash, user_name, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)';
export const GET_SESSION = 'SELECT * FROM sessions WHERE id_hash = ? AND expires_at > ?';

export const userParams = (user: UserRecord) => [
  user.name,
  user.role,
  user.passwordHash,
  toIso(user.createdAt, `user "${user.name}" createdAt`),
  toIso(user.updatedAt, `user "${user.name}" updatedAt`),
];

export const sessionParams = (s: SessionRecord) => [
  s.idHash,
  s.user,
  s.csrfToken,
  toIso(s.createdAt, 'session createdAt'),
  toIso(s.expiresAt, 'session expiresAt'),
];

export const toUserRecord = (row: UserRow): UserRecord => ({
  name: row.name,
  role: row.role as UserRole,
  passwordHash: row.password_hash,
  createdAt: new Date(row.created_at),
  updatedAt: new Date(row.updated_at),
});

export const toSessionRecord = (row: SessionRow): SessionRecord => ({
  idHash: row.id_hash,
  user: row.user_name,
  csrfToken: row.csrf_token,
  createdAt: new Date(row.created_at),
  expiresAt: new Date(row.expires_at),
});

/** The grouped counts behind `catalogStats()`, each query's columns in the order `CatalogStats` lists them. */
export const STATS_SQL = {
  packages: 'SELECT state, COUNT(*) AS count, COALESCE(SUM(size), 0) AS bytes FROM packages GROUP BY state',
  files: 'SELECT COUNT(*) AS count, COALESCE(SUM(size), 0) AS bytes FROM files',
  copies:
    'SELECT location, status, COUNT(*) AS count, COALESCE(SUM(size), 0) AS bytes FROM copies GROUP BY location, status',
  runs: 'SELECT kind, status, COUNT(*) AS count FROM runs GROUP BY kind, status',
  records: 'SELECT state, COUNT(*) AS count FROM job_records GROUP BY state',
} as const;

/** The sum of `repaired` over finished audit runs (few rows: one per run), `repairs` of `CatalogStats`. */
export const repairsSql = (d: SqlDialect) =>
  `SELECT COALESCE(SUM(CAST(${d.jsonText('summary_json', 'repaired')} AS BIGINT)), 0) AS repairs
   FROM runs WHERE kind = 'audit' AND summary_json IS NOT NULL`;

/** Rows of the STATS_SQL queries (numbers already converted by the engine) into `CatalogStats`, sorted. */
export function toStats(
  rows: { [K in keyof typeof STATS_SQL]: Record<string, unknown>[] },
  repairs: number,
): CatalogStats {
  const by = <T>(list: T[], key: (t: T) => string) =>
    list.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  const files = rows.files[0] ?? { count: 0, bytes: 0 };
  return {
    packages: by(
      rows.packages.map(
        (r) => ({ state: r.state, count: r.count, bytes: r.bytes }) as CatalogStats['packages'][0],
      ),
      (r) => r.state,
    ),
    files: { count: files.count as number, bytes: files.bytes as number },
    copies: by(
      rows.copies.map(
        (r) =>
          ({
            location: r.location,
            status: r.status,
            count: r.count,
            bytes: r.bytes,
          }) as CatalogStats['copies'][0],
      ),
      (r) => `${r.location}\u0000${r.status}`,
    ),
    runs: by(
      rows.runs.map((r) => ({ kind: r.kind, status: r.status, count: r.count }) as CatalogStats['runs'][0]),
      (r) => `${r.kind}\u0000${r.status}`,
    ),
    records: by(
      rows.records.map((r) => ({ state: r.state, count: r.count }) as CatalogStats['records'][0]),
      (r) => r.state,
    ),
    repairs,
  };
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const HEX64 = /^[0-9a-f]{64}$/;
const MAX_LIMIT = 500;

/** `%`, `_` and the escape character itself match themselves in LIKE. */
const likeEscape = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** The case-folded `%…%` pattern for `text`, as the SQL side folds (JS lower case after NFC). */
const contains = (text: string) => `%${likeEscape(text.normalize('NFC').toLowerCase())}%`;

function invalid(message: string): never {
  throw new CatalogError(`[catalog] search packages: ${message}`, { unrecoverable: true });
}

/**
 * The SELECT of one page of a search: package columns, newest first, `limit + 1` rows so the caller knows
 * whether another page follows. Throws `CatalogError` for a criterion that cannot match anything as written
 * (a date that is not YYYY-MM-DD, a digest that is not 64 hex digits, a bad limit).
 */
export function searchSql(query: PackageQuery, d: SqlDialect): { sql: string; params: SqlValue[] } {
  if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > MAX_LIMIT)
    invalid(`limit must be an integer from 1 to ${MAX_LIMIT}, got ${query.limit}`);
  const field = (path: string) => d.jsonText('metadata_json', path);
  const where: string[] = [];
  const params: SqlValue[] = [];
  const like = " LIKE ? ESCAPE '\\'";
  const words = (query.text ?? '').split(/\s+/).filter(Boolean);
  for (const word of words) {
    where.push(
      `(${[d.fold('label'), d.fold(field('identifier')), d.fold(field('creator'))]
        .map((e) => `${e}${like}`)
        .join(' OR ')})`,
    );
    params.push(contains(word), contains(word), contains(word));
  }
  const text = (value: string | undefined, expr: string) => {
    if (value === undefined || value.trim() === '') return;
    where.push(`${d.fold(expr)}${like}`);
    params.push(contains(value.trim()));
  };
  text(query.identifier, field('identifier'));
  text(query.creator, field('creator'));
  for (const [name, value] of [
    ['from', query.from],
    ['to', query.to],
  ] as const) {
    if (value !== undefined && !DATE.test(value))
      invalid(`${name} must be a date YYYY-MM-DD, got "${value}"`);
  }
  const start = `SUBSTR(COALESCE(${field('dates.start')}, ${field('dates.created')}, ${field('dates.end')}), 1, 10)`;
  const end = `SUBSTR(COALESCE(${field('dates.end')}, ${field('dates.created')}, ${field('dates.start')}), 1, 10)`;
  if (query.from !== undefined) {
    where.push(`${end} >= ?`);
    params.push(query.from);
  }
  if (query.to !== undefined) {
    where.push(`${start} <= ?`);
    params.push(query.to);
  }
  if (query.fileName !== undefined && query.fileName.trim() !== '') {
    where.push(
      `EXISTS (SELECT 1 FROM files f WHERE f.package_id = packages.id AND ${d.fold('f.path')}${like})`,
    );
    params.push(contains(query.fileName.trim()));
  }
  if (query.digest !== undefined) {
    const digest = query.digest.trim().toLowerCase();
    if (!HEX64.test(digest)) invalid(`digest must be a SHA-256 in 64 hex digits, got "${query.digest}"`);
    where.push(
      '(sha256 = ? OR EXISTS (SELECT 1 FROM files f WHERE f.package_id = packages.id AND f.sha256 = ?))',
    );
    params.push(digest, digest);
  }
  if (query.puid !== undefined && query.puid.trim() !== '') {
    where.push('EXISTS (SELECT 1 FROM files f WHERE f.package_id = packages.id AND f.format_puid = ?)');
    params.push(query.puid.trim());
  }
  if (query.state !== undefined) {
    where.push('state = ?');
    params.push(query.state);
  }
  if (query.after) {
    const at = toIso(query.after.createdAt, 'search cursor');
    where.push(`(created_at < ? OR (created_at = ? AND id COLLATE "C" < ?))`);
    params.push(at, at, query.after.id);
  }
  params.push(query.limit + 1);
  const sql = `SELECT * FROM packages ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY created_at DESC, id COLLATE "C" DESC LIMIT ?`;
  return { sql, params };
}

/** One page of hits from the `limit + 1` rows `searchSql` selects; copies are added by `withCopies`. */
export function searchPage(rows: PackageRow[], limit: number): PackageSearchPage {
  const packages = rows.slice(0, limit).map((row): PackageHit => {
    const pkg = toPackageRecord(row);
    const { id, label, size, fileCount, state, createdAt, metadata } = pkg;
    return { id, label, size, fileCount, state, createdAt, copies: [], metadata };
  });
  const last = packages.at(-1);
  return {
    packages,
    ...(rows.length > limit && last ? { next: { createdAt: last.createdAt, id: last.id } } : {}),
  };
}

/** The copies of a page's packages (location and status), as selected in package and location order. */
export function withCopies(
  page: PackageSearchPage,
  copies: { package_id: string; location: string; status: string }[],
): PackageSearchPage {
  const byId = new Map(page.packages.map((p) => [p.id, p]));
  for (const c of copies)
    byId.get(c.package_id)?.copies.push({ location: c.location, status: c.status as CopyStatus });
  return page;
}
