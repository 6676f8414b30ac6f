#!/usr/bin/env node
/**
 * Rebuild rate: `bevara catalog rebuild` over N packages (default 10,000) in an fs location, timed under GNU time
 * for its peak RSS. Reads `dist/`: run `npm run build` first.
 *
 *   node scripts/bench-rebuild.mjs [--packages N] [--keep DIR] [--catalog postgres://…]
 *
 * How the packages are made, quickly and honestly: N small folder records (a record.json and one text file each)
 * are scanned by the real folder source and packaged by the real package builder (the code ingest runs: every
 * file digested and identified, METS, PREMIS, DC, schemas, the E-ARK checks of every package), then stored through
 * the real fs driver with their SHA-256 sidecars, two packages at a time. What this skips is ingest's catalogue
 * and read-back, which the rebuild does not need: each package is real and self-consistent, only made faster.
 * `--keep DIR` keeps (or reuses) the store in DIR, so that the rebuild can be timed again without making it anew.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';

const { values } = parseArgs({
  options: { packages: { type: 'string' }, keep: { type: 'string' }, catalog: { type: 'string' } },
});
const COUNT = Number(values.packages ?? 10_000);
const dist = path.join(import.meta.dirname, '..', 'dist');
const load = (file) => import(pathToFileURL(path.join(dist, file)).href);

const work = values.keep ?? fs.mkdtempSync(path.join(tmpdir(), 'bevara-bench-rebuild-'));
const records = path.join(work, 'records');
const data = path.join(work, 'data');
const store = path.join(data, 'store', 'local');
const configFile = path.join(work, 'bevara.yaml');

async function makePackages() {
  const { createFolderSource } = await load('sources/folder.js');
  const { buildPackage } = await load('package/build.js');
  const { loadProfile } = await load('package/profile.js');
  const { newPackageId } = await load('package/package-id.js');
  const { createLocation } = await load('storage/index.js');
  const { packageKey } = await load('storage/keys.js');
  fs.mkdirSync(records, { recursive: true });
  for (let i = 0; i < COUNT; i++) {
    const dir = path.join(records, `KS 2026-${String(i).padStart(5, '0')}`);
    fs.mkdirSync(dir);
    const meta = { title: `Protokoll ${i}`, identifier: `KS 2026/${i}`, dates: { created: '2026-01-15' } };
    fs.writeFileSync(path.join(dir, 'record.json'), JSON.stringify(meta));
    fs.writeFileSync(path.join(dir, 'protokoll.txt'), `Protokoll nummer ${i}\n`.repeat(20));
  }
  const location = createLocation('local', { driver: 'fs', root: store });
  const profile = loadProfile('eark-aip');
  const agent = { name: 'bevara', version: 'bench' };
  const started = Date.now();
  let made = 0;
  const inFlight = new Set();
  for await (const scanned of createFolderSource({ root: records }).scan()) {
    if (!scanned.ok) throw new Error(`record refused: ${scanned.rejected.errors[0]?.message}`);
    const packageId = newPackageId();
    const build = buildPackage({ record: scanned.record, profile, packageId, agent, now: () => new Date() });
    const task = Promise.all([
      location.driver.put(packageKey(packageId), build.stream, { sha256: () => build.sha256() }),
      build.done,
    ]).then(() => {
      inFlight.delete(task);
      if (++made % 1000 === 0) console.error(`${made} packages made`);
    });
    inFlight.add(task);
    if (inFlight.size >= 2) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  return { made, seconds: (Date.now() - started) / 1000 };
}

const reuse = values.keep && fs.existsSync(store);
const making = reuse ? { made: 'reused', seconds: 0 } : await makePackages();
console.error(`packages: ${making.made} in ${making.seconds} s`);
fs.writeFileSync(configFile, 'locations:\n  local: { driver: fs, root: store/local }\ncopies: [local]\n');
fs.rmSync(path.join(data, 'catalog.sqlite'), { force: true });
for (const suffix of ['-wal', '-shm']) fs.rmSync(path.join(data, `catalog.sqlite${suffix}`), { force: true });
const bin = path.join(dist, 'cli', 'main.js');
const catalogArgs = values.catalog ? ['--catalog', values.catalog] : [];
const timeFile = path.join(work, 'time.txt');

/** One `bevara catalog rebuild --json` under GNU time: its summary, wall seconds and peak RSS. */
function timedRebuild() {
  const argv = ['--config', configFile, '--data-dir', data, ...catalogArgs, '--log-level', 'warn', '--json'];
  const out = execFileSync(
    '/usr/bin/time',
    ['-f', '%e %M', '-o', timeFile, process.execPath, bin, ...argv, 'catalog', 'rebuild'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 << 20 },
  );
  const [seconds, kib] = fs.readFileSync(timeFile, 'utf8').trim().split(/\s+/).slice(-2).map(Number);
  return { summary: JSON.parse(out), seconds, peakMiB: Math.round((kib ?? 0) / 1024) };
}

const first = timedRebuild();
const again = timedRebuild();
const result = {
  packages: first.summary.packages,
  failed: first.summary.failed.length,
  seconds: first.seconds,
  packagesPerSecond: Math.round((first.summary.packages / (first.seconds ?? 1)) * 10) / 10,
  peakMiB: first.peakMiB,
  secondRun: { packages: again.summary.packages, seconds: again.seconds, peakMiB: again.peakMiB },
};
console.log(JSON.stringify(result, null, 2));
if (!values.keep) fs.rmSync(work, { recursive: true, force: true });
