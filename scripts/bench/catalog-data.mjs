/**
 * Large generated catalogs for the catalog benches (`bench-search.mjs`, `bench-growth.mjs`): N packages written
 * straight into the tables of either engine (bulk inserts in transactions, not through `addPackage`), each with
 * its files, one copy in one fs location and, when asked, its PREMIS events. The data is deterministic (the same
 * for every run and both engines). A catalog generated once is reused: a SQLite file `<prefix>-<N>.sqlite` in the
 * given folder, or the PostgreSQL database `bevara_<prefix>_<N>`; opening either applies pending migrations (how to
 * time new indexes against the same data). Reads `dist/`: run `npx tsc -p tsconfig.build.json` first.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';

const dist = join(import.meta.dirname, '..', '..', 'dist', 'catalog');
const { createSqliteCatalog } = await import(join(dist, 'sqlite.js'));
const { createPostgresCatalog } = await import(join(dist, 'postgres.js'));
const { MIGRATIONS } = await import(join(dist, 'migrations.js'));

/**
 * The schema the rows are loaded into: before the search indexes (version 5), so that loading does not maintain
 * them row by row (the FTS5 triggers also need the fold function bevara registers), and opening the catalog
 * afterwards builds them, and every later index, over the rows there.
 */
const LOAD_SCHEMA = MIGRATIONS.filter((m) => m.version <= 5);
const BATCH = 5000;

export const log = (text) => process.stderr.write(`${text}\n`);

/** The PostgreSQL server: BEVARA_TEST_POSTGRES_URL, else the one `scripts/postgres-test-cluster.sh env` prints. */
export function postgresUrl() {
  if (process.env.BEVARA_TEST_POSTGRES_URL) return process.env.BEVARA_TEST_POSTGRES_URL;
  const out = execFileSync('bash', ['scripts/postgres-test-cluster.sh', 'env'], { encoding: 'utf8' });
  const match = /BEVARA_TEST_POSTGRES_URL=(\S+)/.exec(out);
  if (!match?.[1])
    throw new Error('no PostgreSQL test URL: start the cluster (scripts/postgres-test-cluster.sh up)');
  return match[1];
}

// ---------------------------------------------------------------------------------------------------- the data

const hex = (text) => createHash('sha256').update(text).digest('hex');
/** A small deterministic generator, so that every run (and both engines) get the same catalog. */
export function random(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
const pick = (rnd, list) => list[Math.floor(rnd() * list.length)];

const BOARDS = ['KS', 'BN', 'SN', 'UN', 'MN', 'TN', 'KFN', 'ÄN'];
const SUBJECTS = [
  'Bygglov',
  'Protokoll',
  'Medborgarförslag',
  'Försörjningsstöd',
  'Detaljplan',
  'Upphandling',
  'Tillsyn',
  'Överklagande',
  'Remissvar',
  'Delegationsbeslut',
];
const PLACES = ['Östra Gränd', 'Storgatan', 'Kvarnbacken', 'Älvvägen', 'Skolgatan', 'Hamnen', 'Ringvägen'];
const CREATORS = [
  'Kommunstyrelsen',
  'Byggnadsnämnden',
  'Socialnämnden',
  'Utbildningsnämnden',
  'Miljönämnden',
  'Tekniska nämnden',
];
const FORMATS = [
  ['fmt/354', 'application/pdf', 'pdf'],
  ['fmt/95', 'application/pdf', 'pdf'],
  ['fmt/11', 'image/png', 'png'],
  ['fmt/43', 'image/jpeg', 'jpg'],
  ['fmt/412', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'docx'],
  ['x-fmt/111', 'text/plain', 'txt'],
];
export const DAY = 86_400_000;
const START = Date.UTC(2015, 0, 1);
/** When package `i` was catalogued: one a second from 1 January 2025. */
export const createdAtOf = (i) => new Date(START + 3650 * DAY + i * 1000);

/**
 * Package `i`: its row values, its files', its copy's and its events', in the tables' column order.
 * @param {number} i
 * @param {{ files: number, verifiedAt?: (i: number) => Date, events?: boolean }} shape  `verifiedAt`: when the
 *   copy was last verified (default: when it was stored); `events`: an ingestion and a fixity check event
 */
export function packageRows(i, shape) {
  const rnd = random(i + 1);
  const id = `bench-${String(i).padStart(8, '0')}`;
  const board = pick(rnd, BOARDS);
  const year = 2015 + Math.floor(rnd() * 10);
  const identifier = `${board} ${year}/${String(Math.floor(rnd() * 10_000)).padStart(4, '0')}`;
  const subject = pick(rnd, SUBJECTS);
  const title = `${subject} ${pick(rnd, PLACES)} ${1 + Math.floor(rnd() * 60)} – ärende ${i}`;
  const start = new Date(START + Math.floor(rnd() * 3650) * DAY);
  const end = new Date(start.getTime() + Math.floor(rnd() * 400) * DAY);
  const metadata = {
    title,
    identifier,
    creator: pick(rnd, CREATORS),
    dates: {
      created: start.toISOString().slice(0, 10),
      start: start.toISOString().slice(0, 10),
      end: end.toISOString().slice(0, 10),
    },
    description: `Handlingar i ärendet ${identifier}`,
    ...(rnd() < 0.05 ? { accessRestriction: 'OSL 26 kap. 1 §' } : {}),
    language: ['sv'],
  };
  const createdAt = createdAtOf(i).toISOString();
  const size = 10_000 + Math.floor(rnd() * 5_000_000);
  const sha = hex(`package ${i}`);
  const files = [];
  for (let f = 0; f < shape.files; f++) {
    const [puid, mime, ext] = pick(rnd, FORMATS);
    const path = `${f === 0 ? subject.toLowerCase() : `bilagor/bilaga ${f}`}_${String(i).padStart(7, '0')}.${ext}`;
    files.push([
      id,
      path,
      `representations/rep1/data/${path}`,
      1000 + Math.floor(rnd() * 1_000_000),
      hex(`file ${i} ${f}`),
      mime,
      createdAt,
      puid,
      'format',
      null,
      'bench',
    ]);
  }
  const pkg = [
    id,
    title,
    'eark-aip-1',
    'folder',
    `${identifier} ${subject}`,
    hex(`content ${i}`),
    size,
    sha,
    shape.files,
    rnd() < 0.97 ? 'archived' : 'stored',
    createdAt,
    createdAt,
    null,
    JSON.stringify(metadata),
  ];
  const verified = shape.verifiedAt ? shape.verifiedAt(i).toISOString() : createdAt;
  const copy = [
    id,
    'local',
    `packages/${id}/${id}.zip`,
    size,
    sha,
    null,
    createdAt,
    'verified',
    verified,
    verified,
  ];
  const events = shape.events
    ? [
        [
          `${id}-ingest`,
          id,
          'ingestion',
          createdAt,
          'success',
          'Record packaged and stored',
          'bevara',
          null,
          null,
        ],
        [`${id}-fixity`, id, 'fixity check', verified, 'success', 'SHA-256 matches', 'bevara', 'local', null],
      ]
    : [];
  return {
    pkg,
    files,
    copy,
    events,
    identifier,
    title,
    sha,
    fileSha: files[0]?.[4],
    fileName: files[0]?.[1],
  };
}

const COLUMNS = {
  packages: [
    'id',
    'label',
    'profile',
    'source_kind',
    'source_key',
    'content_digest',
    'size',
    'sha256',
    'file_count',
    'state',
    'created_at',
    'archived_at',
    'predecessor_id',
    'metadata_json',
  ],
  files: [
    'package_id',
    'path',
    'entry_path',
    'size',
    'sha256',
    'mime_type',
    'modified_at',
    'format_puid',
    'format_name',
    'format_version',
    'format_basis',
  ],
  copies: [
    'package_id',
    'location',
    'key',
    'size',
    'sha256',
    'version_id',
    'stored_at',
    'status',
    'last_verified_at',
    'last_checked_at',
  ],
  events: ['id', 'package_id', 'type', 'at', 'outcome', 'detail', 'agent', 'object', 'run_id'],
};
const text = (n) => Array(n).fill('text');
const PG_TYPES = {
  packages: [...text(6), 'bigint', 'text', 'integer', ...text(5)],
  files: ['text', 'text', 'text', 'bigint', ...text(7)],
  copies: ['text', 'text', 'text', 'bigint', ...text(6)],
  events: text(9),
};
const TABLES = ['packages', 'files', 'copies', 'events'];

/** Runs `catalog.migrate()`, telling how long pending migrations took (new indexes built over the rows there). */
async function migrate(label, catalog) {
  const started = Date.now();
  await catalog.migrate();
  log(`${label}: migrated in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** Calls `write(batch)` with the rows of BATCH packages at a time, telling progress. */
async function generate(label, packages, shape, write) {
  const started = Date.now();
  for (let from = 0; from < packages; from += BATCH) {
    const batch = { packages: [], files: [], copies: [], events: [] };
    for (let i = from; i < Math.min(packages, from + BATCH); i++) {
      const rows = packageRows(i, shape);
      batch.packages.push(rows.pkg);
      batch.files.push(...rows.files);
      batch.copies.push(rows.copy);
      batch.events.push(...rows.events);
    }
    await write(batch);
    if ((from / BATCH) % 20 === 0)
      log(
        `${label}: ${from + batch.packages.length} packages (${((Date.now() - started) / 1000).toFixed(0)} s)`,
      );
  }
  log(`${label}: ${packages} packages generated in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

async function checkCount(catalog, packages, what) {
  const count = (await catalog.catalogStats()).packages.reduce((n, p) => n + p.count, 0);
  if (count < packages) throw new Error(`${what} holds ${count} packages, fewer than ${packages}: remove it`);
}

/**
 * A SQLite catalog of `packages` generated packages in `dir` (reused when there).
 * @returns {Promise<{ catalog: object, label: 'sqlite', where: string, path: string }>}
 */
export async function sqliteCatalog({ dir, prefix, packages, shape }) {
  const path = join(dir, `${prefix}-${packages}.sqlite`);
  if (fs.existsSync(path)) {
    const catalog = createSqliteCatalog({ path });
    await migrate('sqlite', catalog);
    await checkCount(catalog, packages, path);
    return { catalog, label: 'sqlite', where: path, path };
  }
  const empty = createSqliteCatalog({ path, migrations: LOAD_SCHEMA });
  await empty.migrate();
  await empty.close();
  const db = new Database(path);
  db.pragma('synchronous = OFF');
  const inserts = Object.fromEntries(
    TABLES.map((table) => {
      const cols = COLUMNS[table];
      return [
        table,
        db.prepare(`INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`),
      ];
    }),
  );
  const write = db.transaction((batch) => {
    for (const table of TABLES) for (const row of batch[table]) inserts[table].run(row);
  });
  await generate('sqlite', packages, shape, async (batch) => write(batch));
  db.exec('ANALYZE');
  db.close();
  const catalog = createSqliteCatalog({ path });
  await migrate('sqlite', catalog);
  return { catalog, label: 'sqlite', where: path, path };
}

/**
 * A PostgreSQL catalog of `packages` generated packages in the database `bevara_<prefix>_<packages>` (reused).
 * @returns {Promise<{ catalog: object, label: 'postgres', where: string, url: string }>}
 */
export async function postgresCatalog({ prefix, packages, shape }) {
  const server = postgresUrl();
  const name = `bevara_${prefix}_${packages}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  const exists = (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount > 0;
  if (!exists)
    await admin.query(`CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C.UTF-8'`);
  await admin.end();
  const url = new URL(server);
  url.pathname = `/${name}`;
  if (exists) {
    const catalog = createPostgresCatalog({ url: url.toString() });
    await migrate('postgres', catalog);
    await checkCount(catalog, packages, `database ${name}`);
    return { catalog, label: 'postgres', where: name, url: url.toString() };
  }
  const empty = createPostgresCatalog({ url: url.toString(), migrations: LOAD_SCHEMA });
  await empty.migrate();
  await empty.close();
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  await client.query('SET synchronous_commit = off');
  await generate('postgres', packages, shape, async (batch) => {
    await client.query('BEGIN');
    for (const table of TABLES) {
      if (batch[table].length === 0) continue;
      const cols = COLUMNS[table];
      const arrays = cols.map((_, c) => batch[table].map((row) => row[c]));
      const unnest = PG_TYPES[table].map((t, c) => `$${c + 1}::${t}[]`).join(', ');
      await client.query(`INSERT INTO ${table} (${cols.join(', ')}) SELECT * FROM unnest(${unnest})`, arrays);
    }
    await client.query('COMMIT');
  });
  await client.query('VACUUM ANALYZE');
  await client.end();
  const catalog = createPostgresCatalog({ url: url.toString() });
  await migrate('postgres', catalog);
  return { catalog, label: 'postgres', where: name, url: url.toString() };
}
