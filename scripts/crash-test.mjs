#!/usr/bin/env node
/**
 * Crash test of the ingest engine: kills `bevara worker --once` (or, with `--mode ingest`, `bevara ingest`) with
 * SIGKILL again and again during a run over a corpus of records, restarts it each time, then lets it finish and
 * checks that
 *   - every record was archived exactly once (one package per record, all archived) and released (the worker's
 *     job moves it; `bevara ingest` leaves it in place, and a last `bevara ingest` finds every record unchanged);
 *   - every package passes a full audit, and no orphan object or temp file is left in any location;
 *   - no record was released before its package was archived (every copy verified), across all restarts.
 * Kill points: right after a record is reserved (`packaged`: mid-upload), right after it is archived (before its
 * release), right after discovery, and at random times.
 * `--power-cut`: each kill also cuts the power to the catalog: every commit not flushed to disk is lost (the
 * catalog's WAL is put back as it was at its last fsync, copied then by an LD_PRELOAD shim,
 * scripts/power-cut/wal-snapshot.c, built with cc), as for the commits ingest makes `relaxed` (see `Durability`
 * in src/catalog/types.ts). The stored packages and the source folders stay as the kill left them (their writes
 * are flushed before they count, or are renames the record's next attempt finds done).
 *
 *   node scripts/crash-test.mjs [--mode worker|ingest] [--records N] [--kills K] [--seed S] [--power-cut] [--keep]
 * Prints a JSON summary on stdout; exit 0 when every check holds, 1 otherwise.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';

const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli', 'main.js');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const mode = option('mode', 'worker');
if (!['worker', 'ingest'].includes(mode)) throw new Error(`--mode is worker or ingest, not ${mode}`);
const records = Number(option('records', 30));
const kills = Number(option('kills', 22));
let seed =
  createHash('sha256')
    .update(String(option('seed', 'crash-1')))
    .digest()
    .readUInt32LE(0) || 1;
const random = () => {
  seed = (seed * 16807) % 2147483647;
  return seed / 2147483647;
};

const powerCut = args.includes('--power-cut');

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bevara-crash-'));
const walCopy = path.join(work, 'wal-as-flushed');
const shim = powerCut ? buildShim() : undefined;

/** Builds the WAL snapshot shim into the work folder; refuses to run without a C compiler. */
function buildShim() {
  const source = path.join(path.dirname(fileURLToPath(import.meta.url)), 'power-cut', 'wal-snapshot.c');
  const library = path.join(work, 'wal-snapshot.so');
  const built = spawnSync('cc', ['-shared', '-fPIC', '-O2', '-o', library, source, '-ldl'], {
    encoding: 'utf8',
  });
  if (built.status !== 0)
    throw new Error(`--power-cut needs cc to build ${source}: ${built.stderr || built.error}`);
  return library;
}

const cuts = { cuts: 0, lostCommits: 0 };

/** The power goes: the catalog keeps only what was flushed (its WAL as at its last fsync; no shared memory). */
function cutPower() {
  const catalog = path.join(data, 'catalog.sqlite');
  cuts.cuts++;
  if (!fs.existsSync(`${catalog}-wal`)) return;
  const before = walCommits(`${catalog}-wal`);
  if (fs.existsSync(walCopy)) fs.copyFileSync(walCopy, `${catalog}-wal`);
  else fs.rmSync(`${catalog}-wal`, { force: true });
  fs.rmSync(`${catalog}-shm`, { force: true });
  const after = fs.existsSync(`${catalog}-wal`) ? walCommits(`${catalog}-wal`) : { salt: '', commits: 0 };
  // Commits lost: those past the flushed copy in the same WAL generation (a reset WAL starts a new one).
  cuts.lostCommits += before.salt === after.salt ? before.commits - after.commits : before.commits;
}

/** The WAL's salt (its generation) and how many commit frames it holds (frames whose "database size" is set). */
function walCommits(file) {
  const wal = fs.readFileSync(file);
  if (wal.length < 32) return { salt: '', commits: 0 };
  const pageSize = wal.readUInt32BE(8);
  const salt = wal.subarray(16, 24).toString('hex');
  let commits = 0;
  for (let at = 32; at + 24 + pageSize <= wal.length; at += 24 + pageSize) {
    if (wal.subarray(at + 8, at + 16).toString('hex') !== salt) break;
    if (wal.readUInt32BE(at + 4) !== 0) commits++;
  }
  return { salt, commits };
}
const exports = path.join(work, 'exports');
const done = path.join(work, 'done');
const data = path.join(work, 'data');
const config = path.join(work, 'bevara.config.json');
fs.mkdirSync(exports);
for (let i = 0; i < records; i++) {
  const folder = path.join(exports, `Ärende ${String(i).padStart(4, '0')}`);
  fs.mkdirSync(path.join(folder, 'bilagor'), { recursive: true });
  fs.writeFileSync(path.join(folder, 'beslut.txt'), `Beslut i ärende ${i}\n`.repeat(20));
  // Some records are large enough that a kill lands in the middle of their upload.
  const size = i % 5 === 0 ? 3 * 1024 * 1024 : 20_000 + i * 100;
  const bytes = Buffer.alloc(size);
  for (let j = 0; j < size; j += 4) bytes.writeUInt32LE(Math.floor(random() * 2 ** 32), j);
  fs.writeFileSync(path.join(folder, 'bilagor', 'data.bin'), bytes);
}
fs.writeFileSync(
  config,
  JSON.stringify({
    dataDir: data,
    locations: { primary: { driver: 'fs' }, offsite: { driver: 'fs' } },
    copies: ['primary', 'offsite'],
    ingest: { workers: 1, incompleteUploadsMaxAgeMinutes: 0 },
    audit: { workers: 1 },
    worker: { pollSeconds: 0.1, leaseSeconds: 30 },
    jobs: { crash: { source: `folder:${exports}`, afterSuccess: `move:${done}` } },
  }),
);

const log = [];
const points = { packaged: 0, archived: 0, discovered: 0, random: 0 };
function startWorker(killAt) {
  return new Promise((resolve) => {
    const command = mode === 'worker' ? ['worker', '--once', '--id', 'crash-worker'] : ['ingest', exports];
    const child = spawn(process.execPath, [CLI, '-c', config, ...command], {
      env: {
        ...process.env,
        BEVARA_LOG__FORMAT: 'json',
        BEVARA_LOG__LEVEL: 'info',
        ...(shim ? { LD_PRELOAD: shim, CRASH_TEST_WAL_COPY: walCopy } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let buffer = '';
    let killed = false;
    const kill = (why) => {
      if (killed) return;
      killed = true;
      points[why]++;
      child.kill('SIGKILL');
    };
    // A targeted point that does not come soon (e.g. discovery, done once per run) falls back to a random time.
    const timer =
      killAt.kind === 'none'
        ? undefined
        : setTimeout(() => kill('random'), killAt.kind === 'random' ? killAt.ms : 6000);
    child.stderr.setEncoding('utf8').on('data', (chunk) => {
      buffer += chunk;
      let nl = buffer.indexOf('\n');
      while (nl >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        nl = buffer.indexOf('\n');
        let entry;
        try {
          entry = JSON.parse(line);
        } catch {
          continue;
        }
        log.push(entry);
        if (killed) continue;
        if (killAt.kind === 'packaged' && entry.msg === 'record state' && entry.to === 'packaged')
          setTimeout(() => kill('packaged'), killAt.ms);
        if (killAt.kind === 'archived' && entry.msg === 'record state' && entry.to === 'archived')
          kill('archived');
        if (killAt.kind === 'discovered' && entry.msg === 'records discovered') kill('discovered');
      }
    });
    child.stdout.resume();
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (killed && powerCut) cutPower();
      resolve({ code, signal, killed });
    });
  });
}

// Discovery happens once per run: the first start is killed right after it, the others at the other points.
const kinds = ['packaged', 'archived', 'random'];
let restarts = 0;
for (let i = 0; i < kills * 3 && Object.values(points).reduce((a, b) => a + b, 0) < kills; i++) {
  const kind = i === 0 ? 'discovered' : kinds[i % kinds.length];
  const killAt = { kind, ms: Math.floor(random() * (kind === 'random' ? 1000 : 40)) };
  const result = await startWorker(killAt);
  restarts++;
  if (!result.killed && result.code === 0) {
    // The run finished before the kill point came: a new run of the job starts with nothing left in the source.
    if (mode === 'ingest' || fs.readdirSync(exports).length === 0) break;
  }
}
const final = await startWorker({ kind: 'none', ms: 0 });

const cli = (...a) =>
  spawnSync(process.execPath, [CLI, '-c', config, '--json', ...a], { encoding: 'utf8', maxBuffer: 1 << 26 });
const db = new Database(path.join(data, 'catalog.sqlite'), { readonly: true });
const packages = db.prepare('SELECT id, source_key AS sourceKey, state FROM packages').all();
const states = new Map(packages.map((p) => [p.sourceKey, p.state]));
db.close();
const audit = cli('audit', '--all');
const auditJson = JSON.parse(audit.stdout);
const problems = [];
const bySource = new Map();
for (const p of packages) {
  bySource.set(p.sourceKey, [...(bySource.get(p.sourceKey) ?? []), p.id]);
  if (p.state !== 'archived') problems.push(`package ${p.id} of "${p.sourceKey}" is ${p.state}`);
}
if (bySource.size !== records) problems.push(`${bySource.size} records have packages, expected ${records}`);
for (const [key, ids] of bySource)
  if (ids.length !== 1) problems.push(`record "${key}" has ${ids.length} packages`);
const left = fs.readdirSync(exports);
if (mode === 'worker') {
  if (left.length > 0) problems.push(`not released: ${left.join(', ')}`);
  const moved = fs.existsSync(done) ? fs.readdirSync(done) : [];
  if (moved.length !== records) problems.push(`${moved.length} records moved to done, expected ${records}`);
} else {
  if (left.length !== records)
    problems.push(`${left.length} records left in the source, expected ${records}`);
  if (final.code !== 0) problems.push(`the last bevara ingest exited ${final.code}`);
  const again = cli('ingest', exports);
  const rerun = again.stdout.startsWith('{') ? JSON.parse(again.stdout) : {};
  if (again.status !== 0 || rerun.unchanged !== records)
    problems.push(
      `ingest after the crashes: exit ${again.status}, ${rerun.unchanged} unchanged of ${records}`,
    );
}
if (audit.status !== 0)
  problems.push(
    `audit exit ${audit.status}: ${auditJson.failed} failed, ${auditJson.missing} missing, ${auditJson.orphans} orphans`,
  );
for (const name of ['primary', 'offsite']) {
  const tmp = path.join(data, 'store', name, '.tmp');
  const temps = fs.existsSync(tmp) ? fs.readdirSync(tmp) : [];
  if (temps.length > 0) problems.push(`${temps.length} temp files left in ${name}`);
}
// No release before archived: in log order across every start, each release follows its record's archiving.
const archived = new Set();
for (const entry of log) {
  if (entry.msg !== 'record state') continue;
  if (entry.to === 'archived') archived.add(entry.record);
  if (entry.to === 'released' && !archived.has(entry.record)) {
    // An archived state recorded by a killed process may have been logged by it just before the kill; the
    // catalog then holds it. What must never happen is a release whose package is not archived in the catalog.
    if (states.get(entry.record) !== 'archived')
      problems.push(`"${entry.record}" released before its package was archived`);
  }
}
const summary = {
  mode,
  powerCut: powerCut ? cuts : false,
  records,
  restarts,
  killPoints: points,
  finalExit: final.code,
  packages: packages.length,
  audit: { status: audit.status, verified: auditJson.verified, orphans: auditJson.orphans },
  problems,
  work,
};
process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
if (problems.length === 0 && !args.includes('--keep')) fs.rmSync(work, { recursive: true, force: true });
process.exit(problems.length === 0 ? 0 : 1);
