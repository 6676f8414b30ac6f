#!/usr/bin/env node
/**
 * Where the threads of a bevara command spend their time, per category, from V8 CPU profiles of every thread
 * (a synchronous call such as readSync, fsync or a SQLite commit counts while it blocks):
 *
 *   node scripts/bench/cpu-profile.mjs <profile dir>           summarize profiles written by --cpu-prof
 *   node scripts/bench/cpu-profile.mjs --run <dir> -- <bevara args…>   run `node --cpu-prof dist/cli/main.js …` first
 *   --top N (before --): also the N functions with the most self time, with their script and line
 *
 * Self time of each sampled function is put in one category by its name and script: hashing (node:crypto's
 * Hash update/digest), CRC-32, file system calls (read/write/fsync/open/stat: the JS side of the syscall,
 * kernel time shows as the sys of GNU time instead), ZIP, format identification, XML, catalog (SQLite),
 * garbage collection, module loading/compiling, idle (waiting), and the rest. Printed as a table and JSON.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const CATEGORIES = [
  ['idle', (f) => f.functionName === '(idle)' || f.functionName === '(program)'],
  ['garbage collection', (f) => f.functionName === '(garbage collector)'],
  ['hashing (SHA-256)', (f) => /^(update|digest|hex)$/.test(f.functionName) && /crypto|digest/.test(f.url)],
  ['CRC-32', (f) => /crc32/i.test(f.functionName)],
  [
    'file system calls',
    (f) =>
      /^(readSync|writeSync|writevSync|fsyncSync|fdatasyncSync|openSync|closeSync|fstatSync|statSync|lstatSync|readdirSync|read|write|writev|writeBuffers|writeBuffer|writeString|fsync|fdatasync|open|openFileHandle|close|stat|fstat|lstat|readdir|rename|renameSync|linkSync|link|unlink|unlinkSync|mkdir|mkdirSync|opendir)$/.test(
        f.functionName,
      ),
  ],
  ['ZIP', (f) => /\/zip\//.test(f.url)],
  ['format identification', (f) => /\/formats\//.test(f.url)],
  ['XML, METS, PREMIS', (f) => /\/metadata\/|xml|fast-xml-parser|xmllint/.test(f.url)],
  [
    'catalog (SQLite)',
    (f) =>
      /\/catalog\/|better-sqlite3/.test(f.url) ||
      (/^(run|all|get|prepare|exec)$/.test(f.functionName) && f.url === ''),
  ],
  [
    'module loading, compiling',
    (f) =>
      /^node:internal\/modules|internal\/modules/.test(f.url) ||
      f.functionName === 'compileFunction' ||
      /\(compile/.test(f.functionName),
  ],
  [
    'streams, buffers, copying',
    (f) =>
      /node:internal\/streams|node:buffer|internal\/streams|node:stream/.test(f.url) ||
      /^(copy|concat|subarray|slice|set)$/.test(f.functionName),
  ],
];

function categorize(frame) {
  for (const [name, test] of CATEGORIES) if (test(frame)) return name;
  return 'other';
}

/** Milliseconds of self time per category, and per function (name, script, line), in one .cpuprofile. */
function summarize(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const totals = new Map();
  const functions = new Map();
  const { samples, timeDeltas } = profile;
  for (let i = 0; i < samples.length; i++) {
    const node = byId.get(samples[i]);
    const ms = (timeDeltas[i + 1] ?? timeDeltas[i] ?? 0) / 1000;
    const category = categorize(node.callFrame);
    totals.set(category, (totals.get(category) ?? 0) + ms);
    if (category === 'idle') continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const key = `${functionName || '(anonymous)'}  ${url.replace(/^.*\/(dist|node_modules)\//, '$1/')}:${lineNumber + 1}`;
    functions.set(key, (functions.get(key) ?? 0) + ms);
  }
  return { totals, functions };
}

export function summarizeDir(dir) {
  const threads = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => ({ file: f, ...summarize(JSON.parse(readFileSync(join(dir, f), 'utf8'))) }));
  const all = new Map();
  const functions = new Map();
  for (const t of threads) {
    for (const [k, v] of t.totals) all.set(k, (all.get(k) ?? 0) + v);
    for (const [k, v] of t.functions) functions.set(k, (functions.get(k) ?? 0) + v);
  }
  const busy = [...all].filter(([k]) => k !== 'idle').reduce((s, [, v]) => s + v, 0);
  const rows = [...all]
    .filter(([k]) => k !== 'idle')
    .sort((a, b) => b[1] - a[1])
    .map(([category, ms]) => ({ category, seconds: ms / 1000, share: ms / busy }));
  const top = [...functions]
    .sort((a, b) => b[1] - a[1])
    .map(([fn, ms]) => ({ function: fn, seconds: ms / 1000, share: ms / busy }));
  return { threads: threads.length, busySeconds: busy / 1000, rows, top };
}

function main() {
  const all = process.argv.slice(2);
  // --top N: also print the N functions with the most self time (name, script, line), all threads summed.
  const topAt = all.indexOf('--top');
  const topN =
    topAt >= 0 && (all.indexOf('--') < 0 || topAt < all.indexOf('--')) ? Number(all[topAt + 1]) : 0;
  const args = topAt >= 0 && topN ? all.filter((_, i) => i !== topAt && i !== topAt + 1) : all;
  let dir = args[0];
  if (args[0] === '--run') {
    dir = resolve(args[1]);
    const rest = args.slice(args.indexOf('--') + 1);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const cli = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'cli', 'main.js');
    const run = spawnSync(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${dir}`, cli, ...rest], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    if (run.status !== 0 && run.status !== 3)
      throw new Error(`bevara ${rest.join(' ')} exited ${run.status}`);
  }
  if (!dir) throw new Error('usage: cpu-profile.mjs <dir> | --run <dir> -- <bevara args>');
  const summary = summarizeDir(dir);
  process.stdout.write(
    `${summary.threads} threads, ${summary.busySeconds.toFixed(2)} s of thread time sampled (running JS or native code, or blocked in a synchronous call; not idle)\n`,
  );
  for (const r of summary.rows) {
    process.stdout.write(
      `${r.category.padEnd(28)} ${r.seconds.toFixed(2).padStart(7)} s ${(r.share * 100).toFixed(1).padStart(5)} %\n`,
    );
  }
  if (topN > 0) process.stdout.write(`\ntop ${topN} functions by self time:\n`);
  for (const f of summary.top.slice(0, topN)) {
    process.stdout.write(
      `${f.seconds.toFixed(3).padStart(7)} s ${(f.share * 100).toFixed(1).padStart(5)} %  ${f.function}\n`,
    );
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
