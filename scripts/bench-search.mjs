#!/usr/bin/env node
/**
 * Times package search (`searchPackages`, as the console's search calls it) on a large catalog, on both engines:
 * generates N packages straight into the tables (bulk inserts in transactions, not through `addPackage`), then
 * runs about fifty searches of every kind (text, identifier, creator, date range, digest, file name, PUID, pages
 * followed with the cursor) and prints the median and 95th percentile per kind. Not a test: figures to compare.
 * Reads `dist/`: run `npx tsc -p tsconfig.build.json` first.
 *
 *   node scripts/bench-search.mjs [--packages N] [--files F] [--engine sqlite|postgres|both] [--dir DIR] [--rounds R]
 *
 *   --packages N  packages to generate (default 1,000,000), each with one copy
 *   --files F     files per package (default 2)
 *   --engine      which catalogs (default both)
 *   --dir DIR     keep the SQLite file in DIR (default: a temporary directory, removed at the end); a catalog
 *                 already there with N packages is reused, and so is the PostgreSQL database `bevara_bench_<N>`
 *                 (opening either applies pending migrations: how to time new indexes against the same data)
 *   --rounds R    times each search is run after one warm-up run (default 3; the median of those is its time)
 * The PostgreSQL URL is BEVARA_TEST_POSTGRES_URL, else the one `scripts/postgres-test-cluster.sh env` prints.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import pg from 'pg';

const { values } = parseArgs({
  options: {
    packages: { type: 'string' },
    files: { type: 'string' },
    engine: { type: 'string' },
    dir: { type: 'string' },
    rounds: { type: 'string' },
  },
});
const PACKAGES = Number(values.packages ?? 1_000_000);
const FILES = Number(values.files ?? 2);
const ENGINE = values.engine ?? 'both';
const ROUNDS = Number(values.rounds ?? 3);
const BATCH = 5000;

const dist = join(import.meta.dirname, '..', 'dist', 'catalog');
const { createSqliteCatalog } = await import(join(dist, 'sqlite.js'));
const { createPostgresCatalog } = await import(join(dist, 'postgres.js'));
const { MIGRATIONS } = await import(join(dist, 'migrations.js'));
/**
 * The schema the rows are loaded into: before the search indexes (version 5), so that loading does not maintain
 * them row by row and opening the catalog afterwards times migration 6 over a million packages.
 */
const LOAD_SCHEMA = MIGRATIONS.filter((m) => m.version <= 5);

const log = (text) => process.stderr.write(`${text}\n`);

function postgresUrl() {
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
function random(seed) {
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
const DAY = 86_400_000;
const START = Date.UTC(2015, 0, 1);

/** Package `i`: its row values, its files' and its copy's, in the tables' column order. */
function packageRows(i) {
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
  const createdAt = new Date(START + 3650 * DAY + i * 1000).toISOString();
  const size = 10_000 + Math.floor(rnd() * 5_000_000);
  const sha = hex(`package ${i}`);
  const files = [];
  for (let f = 0; f < FILES; f++) {
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
    FILES,
    rnd() < 0.97 ? 'archived' : 'stored',
    createdAt,
    createdAt,
    null,
    JSON.stringify(metadata),
  ];
  const copy = [
    id,
    'local',
    `packages/${id}/${id}.zip`,
    size,
    sha,
    null,
    createdAt,
    'verified',
    createdAt,
    createdAt,
  ];
  return { pkg, files, copy, identifier, title, sha, fileSha: files[0]?.[4], fileName: files[0]?.[1] };
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
};
const PG_TYPES = {
  packages: [
    'text',
    'text',
    'text',
    'text',
    'text',
    'text',
    'bigint',
    'text',
    'integer',
    'text',
    'text',
    'text',
    'text',
    'text',
  ],
  files: ['text', 'text', 'text', 'bigint', 'text', 'text', 'text', 'text', 'text', 'text', 'text'],
  copies: ['text', 'text', 'text', 'bigint', 'text', 'text', 'text', 'text', 'text', 'text'],
};

/** Runs `catalog.migrate()`, telling how long pending migrations took (new indexes built over the rows there). */
async function migrate(label, catalog) {
  const started = Date.now();
  await catalog.migrate();
  log(`${label}: migrated in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** Calls `write(batch)` with the rows of BATCH packages at a time, telling progress. */
async function generate(label, write) {
  const started = Date.now();
  for (let from = 0; from < PACKAGES; from += BATCH) {
    const batch = { packages: [], files: [], copies: [] };
    for (let i = from; i < Math.min(PACKAGES, from + BATCH); i++) {
      const rows = packageRows(i);
      batch.packages.push(rows.pkg);
      batch.files.push(...rows.files);
      batch.copies.push(rows.copy);
    }
    await write(batch);
    if ((from / BATCH) % 20 === 0)
      log(
        `${label}: ${from + batch.packages.length} packages (${((Date.now() - started) / 1000).toFixed(0)} s)`,
      );
  }
  log(`${label}: ${PACKAGES} packages generated in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

async function sqliteCatalog(dir) {
  const path = join(dir, `bench-${PACKAGES}.sqlite`);
  if (fs.existsSync(path)) {
    const catalog = createSqliteCatalog({ path });
    await migrate('sqlite', catalog);
    const count = (await catalog.catalogStats()).packages.reduce((n, p) => n + p.count, 0);
    if (count !== PACKAGES) throw new Error(`${path} holds ${count} packages, not ${PACKAGES}: remove it`);
    return { catalog, label: 'sqlite', where: path };
  }
  const empty = createSqliteCatalog({ path, migrations: LOAD_SCHEMA });
  await empty.migrate();
  await empty.close();
  const db = new Database(path);
  db.pragma('synchronous = OFF');
  const inserts = Object.fromEntries(
    Object.entries(COLUMNS).map(([table, cols]) => [
      table,
      db.prepare(`INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`),
    ]),
  );
  const write = db.transaction((batch) => {
    for (const table of ['packages', 'files', 'copies'])
      for (const row of batch[table]) inserts[table].run(row);
  });
  await generate('sqlite', async (batch) => write(batch));
  db.exec('ANALYZE');
  db.close();
  const catalog = createSqliteCatalog({ path });
  await migrate('sqlite', catalog);
  return { catalog, label: 'sqlite', where: path };
}

async function postgresCatalog() {
  const server = postgresUrl();
  const name = `bevara_bench_${PACKAGES}`;
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
    const count = (await catalog.catalogStats()).packages.reduce((n, p) => n + p.count, 0);
    if (count !== PACKAGES)
      throw new Error(`database ${name} holds ${count} packages, not ${PACKAGES}: drop it`);
    return { catalog, label: 'postgres', where: name };
  }
  const empty = createPostgresCatalog({ url: url.toString(), migrations: LOAD_SCHEMA });
  await empty.migrate();
  await empty.close();
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  await client.query('SET synchronous_commit = off');
  await generate('postgres', async (batch) => {
    await client.query('BEGIN');
    for (const table of ['packages', 'files', 'copies']) {
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
  return { catalog, label: 'postgres', where: name };
}

// ------------------------------------------------------------------------------------------------ the searches

/** About fifty searches of every kind, drawn from packages that exist (and a few that match nothing). */
function searches() {
  const rnd = random(4711);
  const some = (n) => Array.from({ length: n }, () => packageRows(Math.floor(rnd() * PACKAGES)));
  const list = [];
  const add = (kind, query) => list.push({ kind, query: { limit: 25, ...query } });
  for (const p of some(4)) add('text (rare word)', { text: p.title.split(' – ')[1]?.split(' ')[1] });
  for (const word of ['protokoll', 'östra gränd', 'detaljplan hamnen', 'ingenting-sådant'])
    add('text (common or none)', { text: word });
  for (const p of some(6)) add('identifier', { identifier: p.identifier });
  for (const creator of ['socialnämnden', 'tekniska']) add('creator', { creator });
  for (const [from, to] of [
    ['2016-01-01', '2016-01-31'],
    ['2019-06-01', '2019-06-07'],
    ['2024-12-30', '2025-12-31'],
    ['2010-01-01', '2014-12-31'],
    ['2020-02-29', '2020-02-29'],
  ])
    add('date range', { from, to });
  for (const p of some(3)) add('digest', { digest: p.sha });
  for (const p of some(3)) add('digest', { digest: p.fileSha });
  for (const p of some(4)) add('file name', { fileName: p.fileName?.replace(/\.\w+$/, '') });
  add('file name', { fileName: 'finns-inte.pdf' });
  for (const puid of ['fmt/354', 'fmt/11', 'x-fmt/111', 'fmt/999']) add('PUID', { puid });
  for (const p of some(3))
    add('combined', { text: p.title.split(' ')[0], from: '2018-01-01', to: '2018-12-31' });
  add('combined', { creator: 'byggnadsnämnden', puid: 'fmt/43', state: 'stored' });
  add('combined', { identifier: 'KS 2019/', fileName: 'protokoll' });
  return list;
}

/** Pages through the newest packages (and through a text search) with the cursor: the time of each page. */
const PAGINGS = [
  { kind: 'pages (all, cursor)', query: { limit: 25 }, pages: 8 },
  { kind: 'pages (text, cursor)', query: { limit: 25, text: 'bygglov' }, pages: 5 },
];

const percentile = (sorted, p) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

async function timeOne(catalog, query) {
  const started = process.hrtime.bigint();
  const page = await catalog.searchPackages(query);
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, page };
}

async function bench({ catalog, label, where }) {
  const byKind = new Map();
  const record = (kind, ms) => byKind.set(kind, [...(byKind.get(kind) ?? []), ms]);
  const list = searches();
  let hits = 0;
  for (const { kind, query } of list) {
    const warm = await timeOne(catalog, query);
    hits += warm.page.packages.length;
    const times = [];
    for (let r = 0; r < ROUNDS; r++) times.push((await timeOne(catalog, query)).ms);
    record(kind, times.sort((a, b) => a - b)[Math.floor(times.length / 2)]);
  }
  for (const { kind, query, pages } of PAGINGS) {
    let after;
    await timeOne(catalog, query);
    for (let p = 0; p < pages; p++) {
      const { ms, page } = await timeOne(catalog, { ...query, ...(after ? { after } : {}) });
      record(kind, ms);
      after = page.next;
      if (!after) break;
    }
  }
  const searchesRun = list.length + PAGINGS.reduce((n, p) => n + p.pages, 0);
  console.log(
    `\n${label} (${where}): ${PACKAGES} packages, ${FILES} files each; ${searchesRun} searches, ${hits} hits`,
  );
  console.log('kind                        n   median ms     p95 ms');
  const all = [];
  for (const [kind, ms] of byKind) {
    const sorted = [...ms].sort((a, b) => a - b);
    all.push(...sorted);
    console.log(
      `${kind.padEnd(26)} ${String(ms.length).padStart(3)} ${percentile(sorted, 50).toFixed(1).padStart(11)} ${percentile(sorted, 95).toFixed(1).padStart(10)}`,
    );
  }
  all.sort((a, b) => a - b);
  console.log(
    `${'all'.padEnd(26)} ${String(all.length).padStart(3)} ${percentile(all, 50).toFixed(1).padStart(11)} ${percentile(all, 95).toFixed(1).padStart(10)}`,
  );
  const statsStarted = process.hrtime.bigint();
  await catalog.catalogStats();
  console.log(
    `catalogStats() (what /metrics and the overview read): ${(Number(process.hrtime.bigint() - statsStarted) / 1e6).toFixed(0)} ms`,
  );
}

const dir = values.dir ?? fs.mkdtempSync(join(tmpdir(), 'bevara-bench-search-'));
fs.mkdirSync(dir, { recursive: true });
try {
  if (ENGINE === 'sqlite' || ENGINE === 'both') {
    const target = await sqliteCatalog(dir);
    try {
      await bench(target);
    } finally {
      await target.catalog.close();
    }
  }
  if (ENGINE === 'postgres' || ENGINE === 'both') {
    const target = await postgresCatalog();
    try {
      await bench(target);
    } finally {
      await target.catalog.close();
    }
  }
} finally {
  if (!values.dir) fs.rmSync(dir, { recursive: true, force: true });
}
