#!/usr/bin/env node
/**
 * Growth bench (issue 14): what one more record, a nightly audit plan and the read commands cost as the catalog
 * grows. For each size N and engine it generates N packages straight into the catalog (scripts/bench/catalog-data.mjs:
 * two files, one copy in the fs location `local` and two PREMIS events each; the copies' last verifications spread
 * over the 90-day audit period, about 1% overdue), reusing a catalog generated before, then times with the real
 * code: `bevara ingest` of one more record of three small files (a new one each round), the nightly audit's plan
 * (`planAudit` from dist, with the options `bevara audit` gives it under the default policy), and `bevara ls
 * --limit 50`, `bevara show <id>`, `bevara coverage`. Each CLI call is a process of its own (/usr/bin/time gives its
 * wall and CPU time); the figure is the median of the rounds. Prints one table per engine (a column per N, and the
 * ratio of the largest N to the smallest) and writes `.bench/growth.json`.
 * Reads `dist/`: run `npx tsc -p tsconfig.build.json` first.
 *
 *   node scripts/bench-growth.mjs [--sizes 10000,100000,1000000] [--engine sqlite|postgres|both] [--rounds R]
 *                                 [--dir DIR]
 *
 *   --sizes   catalog sizes (default 10000,100000,1000000)
 *   --engine  which catalogs (default both)
 *   --rounds  rounds of each operation (default 5; the planner gets one warm-up round more, unless 1)
 *   --out     the JSON report (default .bench/growth.json)
 *   --generate-only  generate (or migrate) the catalogs, time nothing
 *   --dir     SQLite files, data folders and inputs (default .bench/growth); the PostgreSQL databases are
 *             `bevara_growth_<N>` in the test cluster (BEVARA_TEST_POSTGRES_URL, else scripts/postgres-test-cluster.sh)
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createdAtOf, log, postgresCatalog, random, sqliteCatalog } from './bench/catalog-data.mjs';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string' },
    engine: { type: 'string' },
    rounds: { type: 'string' },
    dir: { type: 'string' },
    'generate-only': { type: 'boolean' },
    out: { type: 'string' },
  },
});
const SIZES = (values.sizes ?? '10000,100000,1000000').split(',').map(Number);
const ENGINES = values.engine && values.engine !== 'both' ? [values.engine] : ['sqlite', 'postgres'];
const ROUNDS = Number(values.rounds ?? 5);
const ROOT = resolve(import.meta.dirname, '..');
const DIR = resolve(values.dir ?? join(ROOT, '.bench', 'growth'));
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const { planAudit } = await import(join(ROOT, 'dist', 'audit', 'planner.js'));
const { DEFAULT_LOCATION_POLICY } = await import(join(ROOT, 'dist', 'config', 'audit-schema.js'));

/** The night the plan is made for: every generated package was catalogued in the first days of 2025. */
const PLAN_NOW = new Date(Date.UTC(2025, 6, 1, 1));
const PERIOD = DEFAULT_LOCATION_POLICY.every;
/** Each copy was last verified within the last period, about 1% of them longer ago (a small backlog). */
const verifiedAt = (i) => new Date(PLAN_NOW.getTime() - random(i * 7919 + 13)() * 1.01 * PERIOD);
const SHAPE = { files: 2, events: true, verifiedAt };
if (verifiedAt(0) < createdAtOf(2_000_000)) throw new Error('verification before storage');

const median = (list) => {
  const sorted = [...list].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
};

/** Runs the CLI once with the config; its wall and CPU seconds. */
function cli(config, args, okCodes = [0]) {
  const timing = join(DIR, 'time.txt');
  const run = spawnSync(
    '/usr/bin/time',
    ['-f', '%e %U %S', '-o', timing, process.execPath, CLI, '-c', config, ...args],
    { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 * 1024 * 1024 },
  );
  if (!okCodes.includes(run.status))
    throw new Error(`bevara ${args.join(' ')} exited ${run.status}: ${run.stderr.slice(-2000)}`);
  const [wall, user, sys] = fs.readFileSync(timing, 'utf8').trim().split('\n').at(-1).split(' ').map(Number);
  return { wall: wall * 1000, cpu: (user + sys) * 1000 };
}

/** The config of one generated catalog: its own data folder and fs location `local`, quiet logs. */
function configFor(engine, n, target) {
  const data = join(DIR, `data-${engine}-${n}`);
  fs.mkdirSync(data, { recursive: true });
  const config = {
    dataDir: data,
    log: { level: 'warn', format: 'json' },
    catalog:
      engine === 'sqlite' ? { driver: 'sqlite', path: target.path } : { driver: 'postgres', url: target.url },
    locations: { local: { driver: 'fs', root: join(data, 'store') } },
    copies: ['local'],
  };
  const file = join(data, 'bevara.config.json');
  fs.writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

/** A folder holding one new record of three small files. */
function newRecord(engine, n, round) {
  const input = join(DIR, 'input', `${engine}-${n}-${Date.now()}-${round}`);
  const record = join(input, `ärende-${round}`);
  fs.mkdirSync(record, { recursive: true });
  fs.writeFileSync(join(record, 'beslut.txt'), `Beslut i ärende ${round}, ${new Date().toISOString()}\n`);
  fs.writeFileSync(join(record, 'bilaga.txt'), `Bilaga ${round}\n`.repeat(200));
  fs.writeFileSync(join(record, 'protokoll.txt'), `Protokoll ${round}\n`.repeat(2000));
  return input;
}

async function timePlan(catalog) {
  const options = { policies: new Map([['local', DEFAULT_LOCATION_POLICY]]), now: PLAN_NOW, sampleShare: 0 };
  const times = [];
  let plan;
  const warmUp = ROUNDS > 1 ? 1 : 0;
  for (let r = 1 - warmUp; r <= ROUNDS; r++) {
    const cpu = process.cpuUsage();
    const started = process.hrtime.bigint();
    plan = await planAudit(catalog, options);
    const wall = Number(process.hrtime.bigint() - started) / 1e6;
    const used = process.cpuUsage(cpu);
    if (r > 0) times.push({ wall, cpu: (used.user + used.system) / 1000 });
  }
  const reasons = {};
  for (const p of plan.copies) reasons[p.reason] = (reasons[p.reason] ?? 0) + 1;
  return { times, planned: plan.copies.length, reasons };
}

/** Every operation at one size on one engine: { operation: { wall, cpu } } (medians), and what the plan held. */
async function benchOne(engine, n) {
  const generated = { prefix: 'growth', packages: n, shape: SHAPE, dir: DIR };
  const target = engine === 'sqlite' ? await sqliteCatalog(generated) : await postgresCatalog(generated);
  if (values['generate-only']) {
    await target.catalog.close();
    return undefined;
  }
  const config = configFor(engine, n, target);
  const results = {};
  const record = (op, times) => {
    results[op] = { wall: median(times.map((t) => t.wall)), cpu: median(times.map((t) => t.cpu)) };
  };
  let plan;
  try {
    plan = await timePlan(target.catalog);
    record('audit plan (planAudit)', plan.times);
  } finally {
    await target.catalog.close();
  }
  const rounds = (fn) => Array.from({ length: ROUNDS }, (_, r) => fn(r));
  record(
    'ingest one record (3 files)',
    rounds((r) => cli(config, ['ingest', newRecord(engine, n, r)])),
  );
  record(
    'ls --limit 50',
    rounds(() => cli(config, ['ls', '--limit', '50'])),
  );
  const id = `bench-${String(Math.floor(n / 2)).padStart(8, '0')}`;
  record(
    'show <id>',
    rounds(() => cli(config, ['show', id])),
  );
  // Exit 1: behind policy (the generated verifications are of 2025).
  record(
    'coverage',
    rounds(() => cli(config, ['coverage'], [0, 1])),
  );
  record(
    '--version (process floor)',
    rounds(() => cli(config, ['--version'])),
  );
  log(`${engine} ${n}: ${JSON.stringify(results)}`);
  return { results, plan: { planned: plan.planned, reasons: plan.reasons } };
}

const load = os
  .loadavg()
  .map((l) => l.toFixed(1))
  .join(' ');
const report = {
  at: new Date().toISOString(),
  loadAverageAtStart: load,
  rounds: ROUNDS,
  sizes: SIZES,
  engines: {},
};
fs.mkdirSync(DIR, { recursive: true });
for (const engine of ENGINES) {
  report.engines[engine] = {};
  for (const n of SIZES) report.engines[engine][n] = await benchOne(engine, n);
}
if (values['generate-only']) process.exit(0);
report.loadAverageAtEnd = os
  .loadavg()
  .map((l) => l.toFixed(1))
  .join(' ');

const fmt = (ms) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(ms < 10 ? 1 : 0)} ms`);
console.log(
  `\nGrowth bench: median of ${ROUNDS} rounds, wall (CPU); load average ${report.loadAverageAtStart} at the start, ${report.loadAverageAtEnd} at the end`,
);
for (const engine of ENGINES) {
  const byN = report.engines[engine];
  const first = SIZES[0];
  const last = SIZES.at(-1);
  const ops = Object.keys(byN[first].results);
  console.log(`\n${engine}`);
  console.log(
    `| operation | ${SIZES.map((n) => n.toLocaleString('en')).join(' | ')} | ${last / first}x packages: wall ratio |`,
  );
  console.log(`|---|${SIZES.map(() => '---|').join('')}---|`);
  for (const op of ops) {
    const cells = SIZES.map((n) => `${fmt(byN[n].results[op].wall)} (${fmt(byN[n].results[op].cpu)})`);
    const ratio = byN[last].results[op].wall / byN[first].results[op].wall;
    console.log(`| ${op} | ${cells.join(' | ')} | ${ratio.toFixed(2)} |`);
  }
  console.log(
    `| copies in the plan | ${SIZES.map(
      (n) =>
        `${byN[n].plan.planned} (${Object.entries(byN[n].plan.reasons)
          .map(([k, v]) => `${v} ${k}`)
          .join(', ')})`,
    ).join(' | ')} | |`,
  );
}
const out = resolve(values.out ?? join(ROOT, '.bench', 'growth.json'));
fs.writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
console.log(`\nwritten: ${out}`);
