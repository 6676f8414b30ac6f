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
import type { SqlDialect, SqlValue, TextOf } from './sql-adapter.js';
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

/** Copies' bytes by location and day stored (`storageByDay`): one row per location and day, days in order. */
export const STORAGE_BY_DAY_SQL = `SELECT location, SUBSTR(stored_at, 1, 10) AS day, COALESCE(SUM(size), 0) AS bytes
  FROM copies GROUP BY location, SUBSTR(stored_at, 1, 10) ORDER BY 2, 1`;

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

/**
 * The first and last day of a record (start or created, to end or created) as YYYY-MM-DD: the expressions
 * migration 6 indexes, which must stay exactly as written here.
 */
export const dateStart = (d: SqlDialect) =>
  `SUBSTR(COALESCE(${d.jsonText('metadata_json', 'dates.start')}, ${d.jsonText('metadata_json', 'dates.created')}, ${d.jsonText('metadata_json', 'dates.end')}), 1, 10)`;
export const dateEnd = (d: SqlDialect) =>
  `SUBSTR(COALESCE(${d.jsonText('metadata_json', 'dates.end')}, ${d.jsonText('metadata_json', 'dates.created')}, ${d.jsonText('metadata_json', 'dates.start')}), 1, 10)`;
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
 * How many rows a criterion may match and still be where the search starts (its index first, then the packages
 * it names, sorted), on an engine whose planner cannot tell (SQLite); past it, the search walks the packages
 * newest first and tests each, which finds a page quickly when matches are that common.
 */
export const DRIVE_LIMIT = 2000;

/** A count that tells whether one criterion is selective (see `DRIVE_LIMIT`), keyed as `searchSql` asks. */
export interface SearchProbe {
  key: string;
  sql: string;
  params: SqlValue[];
}

const fold = (text: string) => text.normalize('NFC').toLowerCase();
const words = (query: PackageQuery) => (query.text ?? '').split(/\s+/).filter(Boolean);
const given = (value: string | undefined) =>
  value === undefined || value.trim() === '' ? undefined : value.trim();

/** The counts to run before `searchSql` on an engine with a `textIndex` (none on the others). */
export function searchProbes(query: PackageQuery, d: SqlDialect): SearchProbe[] {
  const index = d.textIndex;
  if (!index) return [];
  const probes: SearchProbe[] = [];
  const texts = [...words(query), given(query.identifier), given(query.creator)];
  for (const text of texts)
    if (text !== undefined)
      probes.push({ key: `package:${fold(text)}`, ...index.count('package', fold(text), DRIVE_LIMIT + 1) });
  const fileName = given(query.fileName);
  if (fileName !== undefined)
    probes.push({ key: `file:${fold(fileName)}`, ...index.count('file', fold(fileName), DRIVE_LIMIT + 1) });
  // A date bound alone, counted on its own index (migration 6): a range that matches little or nothing (dates
  // before or after all records) must start there, not walk every package newest first testing each.
  if (query.from !== undefined && DATE.test(query.from))
    probes.push({
      key: `date-end:${query.from}`,
      sql: `SELECT COUNT(*) AS n FROM (SELECT 1 FROM packages WHERE ${dateEnd(d)} >= ? LIMIT ?)`,
      params: [query.from, DRIVE_LIMIT + 1],
    });
  if (query.to !== undefined && DATE.test(query.to))
    probes.push({
      key: `date-start:${query.to}`,
      sql: `SELECT COUNT(*) AS n FROM (SELECT 1 FROM packages WHERE ${dateStart(d)} <= ? LIMIT ?)`,
      params: [query.to, DRIVE_LIMIT + 1],
    });
  const puid = given(query.puid);
  if (puid !== undefined)
    probes.push({
      key: `puid:${puid}`,
      sql: 'SELECT COUNT(*) AS n FROM (SELECT 1 FROM files WHERE format_puid = ? LIMIT ?)',
      params: [puid, DRIVE_LIMIT + 1],
    });
  return probes;
}

/**
 * The SELECT of one page of a search: package columns, newest first, `limit + 1` rows so the caller knows
 * whether another page follows. `selective(key)` tells which probes of `searchProbes` found few matches (every
 * one, where there are none). Throws `CatalogError` for a criterion that cannot match anything as written
 * (a date that is not YYYY-MM-DD, a digest that is not 64 hex digits, a bad limit).
 */
export function searchSql(
  query: PackageQuery,
  d: SqlDialect,
  selective: (key: string) => boolean = () => true,
): { sql: string; params: SqlValue[] } {
  if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > MAX_LIMIT)
    invalid(`limit must be an integer from 1 to ${MAX_LIMIT}, got ${query.limit}`);
  const field = (path: string) => d.jsonText('metadata_json', path);
  const where: string[] = [];
  const params: SqlValue[] = [];
  const like = " LIKE ? ESCAPE '\\'";
  /** The text index's condition for `text`, when there is one and `text` is rare enough to start from. */
  const narrow = (of: TextOf, text: string) => {
    if (!d.textIndex || !selective(`${of}:${fold(text)}`)) return undefined;
    const by = d.textIndex.containing(of, fold(text));
    params.push(...by.params);
    return by.sql;
  };
  for (const word of words(query)) {
    const index = narrow('package', word);
    if (index) where.push(index);
    where.push(
      `(${[d.fold('label'), d.fold(field('identifier')), d.fold(field('creator'))]
        .map((e) => `${e}${like}`)
        .join(' OR ')})`,
    );
    params.push(contains(word), contains(word), contains(word));
  }
  const text = (value: string | undefined, expr: string) => {
    const trimmed = given(value);
    if (trimmed === undefined) return;
    const index = narrow('package', trimmed);
    if (index) where.push(index);
    where.push(`${d.fold(expr)}${like}`);
    params.push(contains(trimmed));
  };
  text(query.identifier, field('identifier'));
  text(query.creator, field('creator'));
  archivalDescription(query, d, where, params);
  for (const [name, value] of [
    ['from', query.from],
    ['to', query.to],
  ] as const) {
    if (value !== undefined && !DATE.test(value))
      invalid(`${name} must be a date YYYY-MM-DD, got "${value}"`);
  }
  // A rare bound (SQLite's probe) is written as a set of ids, which the planner builds from the bound's index
  // first; otherwise the plain comparison, tested on each package as the newest-first walk meets it.
  const bound = (key: string, condition: string, value: string) => {
    const rare = d.textIndex !== undefined && selective(key);
    where.push(rare ? `id IN (SELECT id FROM packages WHERE ${condition})` : condition);
    params.push(value);
  };
  if (query.from !== undefined) bound(`date-end:${query.from}`, `${dateEnd(d)} >= ?`, query.from);
  if (query.to !== undefined) bound(`date-start:${query.to}`, `${dateStart(d)} <= ?`, query.to);
  // Files: an uncorrelated `id IN (SELECT package_id …)` can start from the files' index (PostgreSQL's planner
  // chooses between that and testing each package); on SQLite only when the probe found few matches, else the
  // correlated EXISTS, tested package by package newest first.
  const fileName = given(query.fileName);
  if (fileName !== undefined) {
    const index = narrow('file', fileName);
    if (d.textIndex && !index)
      where.push(
        `EXISTS (SELECT 1 FROM files f WHERE f.package_id = packages.id AND ${d.fold('f.path')}${like})`,
      );
    else
      where.push(
        `id IN (SELECT package_id FROM files WHERE ${index ? `${index} AND ` : ''}${d.fold('path')}${like})`,
      );
    params.push(contains(fileName));
  }
  if (query.digest !== undefined) {
    const digest = query.digest.trim().toLowerCase();
    if (!HEX64.test(digest)) invalid(`digest must be a SHA-256 in 64 hex digits, got "${query.digest}"`);
    where.push(
      'id IN (SELECT id FROM packages WHERE sha256 = ? UNION SELECT package_id FROM files WHERE sha256 = ?)',
    );
    params.push(digest, digest);
  }
  const puid = given(query.puid);
  if (puid !== undefined) {
    where.push(
      !d.textIndex || selective(`puid:${puid}`)
        ? 'id IN (SELECT package_id FROM files WHERE format_puid = ?)'
        : 'EXISTS (SELECT 1 FROM files f WHERE f.package_id = packages.id AND f.format_puid = ?)',
    );
    params.push(puid);
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

/**
 * The archival description criteria: the archive creator by part of its name or reference code, the
 * classification node with everything below it. Matched on the catalogued metadata as written (no index: the
 * other criteria narrow first, or the packages are walked newest first).
 */
function archivalDescription(query: PackageQuery, d: SqlDialect, where: string[], params: SqlValue[]): void {
  const like = " LIKE ? ESCAPE '\\'";
  const creator = given(query.archiveCreator);
  if (creator !== undefined) {
    const name = d.fold(d.jsonText('metadata_json', 'archiveCreator.name'));
    const code = d.fold(d.jsonText('metadata_json', 'archiveCreator.referenceCode'));
    where.push(`(${name}${like} OR ${code}${like})`);
    params.push(contains(creator), contains(creator));
  }
  const node = given(query.classification);
  if (node !== undefined) {
    const value = d.jsonText('metadata_json', 'classification');
    where.push(`(${value} = ? OR ${value}${like})`);
    params.push(node, `${likeEscape(node)}.%`);
  }
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
