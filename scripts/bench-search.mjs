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
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { packageRows as rowsOf, postgresCatalog, random, sqliteCatalog } from './bench/catalog-data.mjs';

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
const packageRows = (i) => rowsOf(i, { files: FILES });
const generated = { prefix: 'bench', packages: PACKAGES, shape: { files: FILES } };

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
    const target = await sqliteCatalog({ ...generated, dir });
    try {
      await bench(target);
    } finally {
      await target.catalog.close();
    }
  }
  if (ENGINE === 'postgres' || ENGINE === 'both') {
    const target = await postgresCatalog(generated);
    try {
      await bench(target);
    } finally {
      await target.catalog.close();
    }
  }
} finally {
  if (!values.dir) fs.rmSync(dir, { recursive: true, force: true });
}
