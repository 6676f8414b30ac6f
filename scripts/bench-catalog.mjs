#!/usr/bin/env node
/**
 * Times `addPackage` of one package with many files on both catalog engines (a fresh SQLite file in a temporary
 * directory; a fresh schema in the PostgreSQL test cluster), several rounds, and prints each engine's median and
 * fastest time. Reads `dist/`: run `npm run build` first.
 *
 *   node scripts/bench-catalog.mjs [--files N] [--rounds R] [--compare DIR]
 *
 *   --files N      files per package (default 10,000)
 *   --rounds R     packages added per engine (default 7)
 *   --compare DIR  also time the catalog of another build (DIR/dist, e.g. a worktree of an older commit), its
 *                  rounds interleaved with this build's so that load on the machine falls on both alike
 * The PostgreSQL URL is BEVARA_TEST_POSTGRES_URL, else the one `scripts/postgres-test-cluster.sh env` prints.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { pathToFileURL } from 'node:url';

const { values } = parseArgs({
  options: { files: { type: 'string' }, rounds: { type: 'string' }, compare: { type: 'string' } },
});
const FILES = Number(values.files ?? 10_000);
const ROUNDS = Number(values.rounds ?? 7);

async function load(label, dist) {
  const at = (file) => pathToFileURL(join(dist, 'catalog', file)).href;
  const { createSqliteCatalog } = await import(at('sqlite.js'));
  const { createPostgresCatalog } = await import(at('postgres.js'));
  return { label, createSqliteCatalog, createPostgresCatalog };
}
const builds = [await load('this build', join(import.meta.dirname, '..', 'dist'))];
if (values.compare) builds.push(await load(values.compare, join(values.compare, 'dist')));

function postgresUrl() {
  if (process.env.BEVARA_TEST_POSTGRES_URL) return process.env.BEVARA_TEST_POSTGRES_URL;
  const out = execFileSync('bash', ['scripts/postgres-test-cluster.sh', 'env'], { encoding: 'utf8' });
  const match = /BEVARA_TEST_POSTGRES_URL=(\S+)/.exec(out);
  if (!match?.[1])
    throw new Error('no PostgreSQL test URL: start the cluster (scripts/postgres-test-cluster.sh up)');
  return match[1];
}

function makePackage(id) {
  return {
    id,
    label: `Kommunstyrelsens protokoll – ${id}`,
    profile: 'eark-aip-1',
    sourceKind: 'folder',
    sourceKey: `Ärende ${id}`,
    contentDigest: 'c'.repeat(64),
    size: 5 * 1024 ** 3,
    sha256: 'a'.repeat(64),
    fileCount: FILES,
    state: 'stored',
    createdAt: new Date(),
    metadata: { title: `Översiktsplan ${id}` },
  };
}

function makeFiles(packageId) {
  return Array.from({ length: FILES }, (_, i) => ({
    packageId,
    path: `Mapp ${i % 37}/Underlag ${String(i).padStart(6, '0')} – Åtgärd.pdf`,
    entryPath: `${packageId}/representations/rep1/data/Mapp ${i % 37}/Underlag ${i}.pdf`,
    size: 1_000_003 * (i + 1),
    sha256: randomBytes(32).toString('hex'),
    mimeType: 'application/pdf',
    format: { puid: 'fmt/354', name: 'Acrobat PDF/A', version: '1b', basis: 'PDF header and XMP' },
    modifiedAt: new Date(Date.UTC(2024, 3, 30, 22, 1, 2, i % 1000)),
  }));
}

/** Adds ROUNDS packages to each catalog (rounds interleaved); the times in ms per catalog. */
async function time(catalogs) {
  const ms = catalogs.map(() => []);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, catalog] of catalogs.entries()) {
      const id = `bench-${round}`;
      const files = makeFiles(id);
      const start = process.hrtime.bigint();
      await catalog.addPackage(makePackage(id), files, []);
      ms[i].push(Number(process.hrtime.bigint() - start) / 1e6);
      if ((await catalog.listFiles(id)).length !== FILES) throw new Error(`${id}: files missing`);
    }
  }
  return ms.map((times) => times.sort((a, b) => a - b));
}

function print(engine, times) {
  for (const [i, { label }] of builds.entries()) {
    const sorted = times[i];
    const median = sorted[Math.floor(sorted.length / 2)];
    console.log(
      `${engine.padEnd(10)} ${label}: addPackage ${FILES} files: median ${median.toFixed(0)} ms, fastest ${sorted[0].toFixed(0)} ms`,
    );
  }
}

const dir = await mkdtemp(join(tmpdir(), 'bevara-bench-catalog-'));
try {
  const sqlite = builds.map((b, i) => b.createSqliteCatalog({ path: join(dir, `catalog-${i}.sqlite`) }));
  for (const catalog of sqlite) await catalog.migrate();
  print('sqlite', await time(sqlite));
  for (const catalog of sqlite) await catalog.close();
} finally {
  await rm(dir, { recursive: true, force: true });
}

const url = new URL(postgresUrl());
const admin = new pg.Pool({ connectionString: url.toString(), max: 1 });
const schemas = builds.map(() => `bench_${randomBytes(6).toString('hex')}`);
for (const schema of schemas) await admin.query(`CREATE SCHEMA ${schema}`);
try {
  const postgres = builds.map((b, i) => {
    url.searchParams.set('options', `-c search_path=${schemas[i]}`);
    return b.createPostgresCatalog({ url: url.toString() });
  });
  for (const catalog of postgres) await catalog.migrate();
  print('postgres', await time(postgres));
  for (const catalog of postgres) await catalog.close();
} finally {
  for (const schema of schemas) await admin.query(`DROP SCHEMA ${schema} CASCADE`);
  await admin.end();
}
