#!/usr/bin/env node
/**
 * `npm run bench`: times `bevara ingest` and `bevara audit --all` on a seeded corpus against the floor on the same
 * bytes (`openssl dgst -sha256` of the corpus for hashing, `zip -0` for packing; for the audit, `openssl dgst
 * -sha256` of the package ZIPs it stored), the same into and from an S3 location on the project's Ceph RGW test
 * cluster against plain SDK uploads of the corpus and plain SDK reads of the stored ZIPs into openssl, the audit's
 * peak RSS for a small and a large package, and node:crypto against hash-wasm.
 *
 *   node scripts/bench.mjs [--quick] [--small N] [--big-mb M] [--seed S] [--repeat R] [--hash-mib H] [--keep]
 *                          [--no-s3] [--rss-mb S,L] [--many-files N]
 *
 *   --quick        1,000 small files + 2 x 50 MB, 128 MiB per digest, 32/256 MiB packages: a smoke test
 *   --small N      number of 4-200 KB files (default 10,000, in records of 20)
 *   --big-mb M     size of each of the two big files in MiB (default 210)
 *   --seed S       corpus seed (default bevara-1); same seed and sizes, same bytes
 *   --repeat R     run every step R times (rounds interleaved) and keep each step's fastest run (default 1)
 *   --hash-mib H   MiB fed to each digest implementation (default 512; 0 skips the comparison)
 *   --keep         keep the bevara data dirs, the zip and the step logs (the corpus is always kept)
 *   --no-s3        skip the S3 steps (default: run them, starting the Ceph test cluster if it is not up)
 *   --rss-mb S,L   file sizes in MiB of the package-size step (default 64,512; quick 32,256; 0 skips it)
 *   --many-files N files in the record of the many-files step (default 20,000; quick 5,000; 0 skips it)
 * Each option can also be set as BENCH_QUICK=1, BENCH_SMALL, BENCH_BIG_MB, BENCH_SEED, BENCH_REPEAT,
 * BENCH_HASH_MIB, BENCH_KEEP=1, BENCH_NO_S3=1, BENCH_RSS_MB; the command line wins.
 *
 * Audit steps: after `bevara ingest`, `openssl dgst -sha256` hashes the package ZIPs it stored (`packages/**.zip`
 * under the fs location's root; one process per 500 files, as the corpus floor), then `bevara audit --all` reads
 * and checks every copy (whole-object and per-file SHA-256). Its ratio to that floor is the audit target (0.6x).
 *
 * S3 steps (per round, after the filesystem ones): `s3 upload` uploads every corpus file as one object with
 * @aws-sdk/lib-storage Upload, as many files at once as bevara ingest has workers (one per core), each with
 * bevara's part size (16 MiB) and parts in flight (4); `s3 upload of one ZIP` uploads the archive of the zip floor
 * step the same way as one object (the same bytes in ~1/16 MiB as many requests; the archive is deleted after it
 * unless --keep); then `bevara ingest` into a location on a fresh bucket, the S3 audit floor (every package ZIP in
 * that bucket read with a plain SDK GetObject and streamed into `openssl dgst -sha256`, as many objects at once as
 * bevara audit has workers: one per core) and `bevara audit --all` of it. Every bucket is emptied and deleted
 * (untimed) right after the steps that use it; RGW's garbage collection of deleted buckets (memstore keeps their
 * data in RAM until then) is awaited before a step that would bring it over 1 GiB (for the default corpus: before
 * every bucket; for --quick: not within a round).
 *
 * Package-size step (after the rounds): one record with a single file of S MiB, then one of L MiB, each ingested
 * into a fresh data dir and audited with `--all`; passes when the larger audit's peak RSS is within +25% (or
 * +30 MB) of the smaller's. Both records and data dirs are deleted right after.
 *
 * The corpus lives in .bench/corpus/<parameters>/ and is reused while its manifest matches. Every step runs as a
 * child process under GNU time (wall seconds, peak RSS of the step and its children) after one untimed `cat` pass
 * over the corpus, so all steps see the same warm page cache. Results: a table on stdout and
 * .bench/results.json. Exit 0 even when a target is missed; 1 when a step fails or the setup is broken.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { corpusParams, ensureCorpus, listCorpusFiles } from './bench/corpus.mjs';
import { compareDigests } from './bench/hash-compare.mjs';
import { requireTools } from './bench/measure.mjs';
import { loadAverage, machineInfo, readOptions } from './bench/options.mjs';
import { findBagit } from './bench/bagit-steps.mjs';
import { addRatios, checkTargets, digestTable, pairedRatios, rssTable, stepTable } from './bench/report.mjs';
import { runManyFilesStep, runRssSteps } from './bench/rss-steps.mjs';
import { S3_PART_MIB, S3_UPLOAD_CONCURRENCY, createGcTracker, ensureCluster } from './bench/s3.mjs';
import { runS3Round } from './bench/s3-steps.mjs';
import { BATCH, bestOf, flushWrites, runRound } from './bench/steps.mjs';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BENCH_DIR = join(REPO, '.bench');
const CLI = join(REPO, 'dist', 'cli', 'main.js');

/** Deleted buckets' data RGW may hold (until its garbage collection) before the next S3 step waits for it. */
const S3_GC_BUDGET = 1024 * 2 ** 20;

const log = (line) => process.stderr.write(`${line}\n`);
const out = (line = '') => process.stdout.write(`${line}\n`);

function ensureBuilt() {
  if (existsSync(CLI)) return;
  log('dist/ is missing: building with tsc -p tsconfig.build.json');
  const build = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: REPO, stdio: 'inherit' });
  if (build.status !== 0 || !existsSync(CLI))
    throw new Error('[bench] build failed; fix it or run `npm run build`');
}

async function main() {
  const options = readOptions();
  requireTools(['openssl', 'zip', 'xargs', 'cat']);
  ensureBuilt();
  const startedAt = new Date();
  const loadAtStart = loadAverage();
  const machine = machineInfo();
  log(
    `bench: ${machine.cores} cores, ${machine.cpu}, ${machine.node}, ${machine.openssl}; load average ${loadAtStart}`,
  );

  const bagit = findBagit(log);
  log(bagit.argv ? `bagit-python: ${bagit.argv.join(' ')}` : `bagit-python rows skipped: ${bagit.reason}`);

  const params = corpusParams({ seed: options.seed, small: options.small, bigMiB: options.bigMiB });
  log(
    `corpus: ${params.small} files of 4-200 KB + ${params.bigCount} x ${options.bigMiB} MB, seed "${params.seed}"`,
  );
  const corpus = await ensureCorpus(join(BENCH_DIR, 'corpus'), params, log);
  const { manifest } = corpus;
  log(
    corpus.generated
      ? `corpus generated in ${corpus.seconds.toFixed(1)} s: ${corpus.dir}`
      : `corpus reused (manifest matches): ${corpus.dir}`,
  );

  const workDir = join(BENCH_DIR, `run-${process.pid}`);
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  const listFile = join(workDir, 'files.list');
  const zipFile = join(workDir, 'corpus.zip');
  const files = await listCorpusFiles(corpus.dir);
  writeFileSync(listFile, `${files.join('\0')}\0`);

  flushWrites(corpus.dir);
  log('warming the page cache (untimed cat over the corpus)');
  spawnSync('sh', ['-c', `xargs -0 -n ${BATCH} cat < "$1" > /dev/null`, 'sh', listFile], { cwd: corpus.dir });

  let rows;
  let failure;
  const rounds = [];
  let s3Location;
  let rss;
  let manyFiles;
  try {
    // The SDK warns on Node < 22 (in every process, bevara's steps included); the warning would bury the
    // step logs that the error of a failed step quotes.
    if (options.s3) process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    const s3 = options.s3 ? ensureCluster(REPO, log) : undefined;
    if (s3) log(`s3: ${s3.endpoint}, ${machine.cores} files at once in the SDK upload`);
    const gc = createGcTracker({ budgetBytes: S3_GC_BUDGET, log });
    for (let round = 1; round <= options.repeat; round++) {
      const common = { cli: CLI, corpus, listFile, workDir, zipFile, round, keep: options.keep, log };
      const measured = await runRound({ ...common, keepZip: Boolean(s3), parallel: machine.cores, bagit });
      if (s3) {
        const { location, ...s3Steps } = await runS3Round({ ...common, s3, parallel: machine.cores, gc });
        Object.assign(measured, s3Steps);
        s3Location = location;
      }
      rounds.push(measured);
    }
    if (gc.pendingBytes() > 0) {
      log(
        `s3: RGW frees the deleted buckets (~${(gc.pendingBytes() / 2 ** 20).toFixed(0)} MB) within a minute or so`,
      );
    }
    rows = addRatios(bestOf(rounds));
    if (options.rssMiB.length > 0) {
      log(`package size: audit peak RSS for one file of ${options.rssMiB.join(' and ')} MiB`);
      rss = await runRssSteps({ cli: CLI, workDir, seed: options.seed, sizesMiB: options.rssMiB, log });
    }
    if (options.manyFiles > 0) {
      log(`many files: ingest and audit peak RSS for one record of ${options.manyFiles} files`);
      manyFiles = runManyFilesStep({ cli: CLI, workDir, seed: options.seed, files: options.manyFiles, log });
    }
  } catch (err) {
    failure = err;
  }
  const loadAfterSteps = loadAverage();

  let digests = [];
  if (!failure && options.hashMiB > 0) {
    log(`digests in-process: ${options.hashMiB} MiB per implementation in 1 MiB chunks`);
    digests = await compareDigests({ totalMiB: options.hashMiB });
  }
  const loadAtEnd = loadAverage();

  if (!options.keep) rmSync(workDir, { recursive: true, force: true });
  if (failure) {
    if (options.keep) log(`logs kept in ${workDir}`);
    throw failure;
  }

  const paired = pairedRatios(rounds);
  const targets = checkTargets(rows, { s3: Boolean(s3Location), rss, paired });
  out();
  out(
    `Corpus: ${manifest.records} records, ${manifest.files} files (${manifest.smallFiles} of 4-200 KB, ` +
      `${params.bigCount} of ${options.bigMiB} MB), ${(manifest.bytes / 2 ** 20).toFixed(1)} MB, seed "${params.seed}"`,
  );
  out(
    `Machine: ${machine.cores} cores, ${machine.cpu}, ${machine.memoryMiB} MB RAM; ${machine.node}; ${machine.openssl}`,
  );
  out(`Load average (1/5/15 min): ${loadAtStart} at start, ${loadAfterSteps} after the steps`);
  out(
    `Page cache warm for every step (one untimed cat pass first). openssl runs in batches of ${BATCH} files ` +
      '(peak RSS = largest batch process).',
  );
  out(options.repeat > 1 ? `Fastest of ${options.repeat} rounds per step.` : 'One round per step.');
  out('Dirty pages are flushed (sync -f, untimed) after the corpus is written and after zip and ingest.');
  if (s3Location) {
    out(
      `S3: Ceph RGW test cluster at ${s3Location.endpoint} (memstore OSD, same machine). "s3 upload" = every corpus ` +
        `file as one object with @aws-sdk/lib-storage Upload, ${machine.cores} files at once (= bevara's ingest ` +
        `workers), part size ${S3_PART_MIB} MiB, ${S3_UPLOAD_CONCURRENCY} parts in flight per file, as bevara's ` +
        'location (partSizeMiB 16, uploadConcurrency 4). Fresh bucket per step, emptied and deleted untimed.',
    );
    const zipUpload = rounds.at(-1)?.s3ZipUpload?.summary;
    if (zipUpload) {
      out(
        `"s3 upload of one ZIP" = the zip -0 -r archive of the corpus (${(zipUpload.bytes / 2 ** 20).toFixed(1)} MB) ` +
          `as one object with the same Upload settings: the same bytes in ${zipUpload.parts} parts (one process, ` +
          `${S3_UPLOAD_CONCURRENCY} parts in flight); its MB and MB/s count corpus bytes, like the zip floor.`,
      );
    }
    out(
      `"s3 GetObject -> openssl" = every package ZIP of bevara's bucket read with a plain SDK GetObject and ` +
        `streamed into openssl dgst -sha256, ${machine.cores} objects at once (= bevara audit's workers).`,
    );
  }
  out(
    '"audit floor" = openssl dgst -sha256 over the same stored ZIPs the audit reads (fs: one process per core ' +
      `with xargs -P ${machine.cores}; s3: see above); bevara audit --all (level full) reads and hashes every ` +
      `byte once on ${machine.cores} worker threads. bagit-python: ${bagit.argv ? `${bagit.argv.join(' ')}, ` + `--processes ${machine.cores}, over a hard-linked copy of the corpus` : bagit.reason}.`,
  );
  out(
    'MB = 2^20 bytes. "vs" = MB/s divided by that step\'s MB/s; "per CPU s" uses MB per CPU second (user+sys) ' +
      'instead, less disturbed by other load. Audit MB = package bytes read.',
  );
  out();
  out(stepTable(rows));
  out();
  for (const [step, pair] of Object.entries(paired)) {
    out(
      `Paired: ${step} / ${pair.floor} in each round: ${pair.perRound.map((r) => `${r.toFixed(2)}x`).join(', ')}` +
        ` (median ${pair.median.toFixed(2)}x)`,
    );
  }
  if (rss) {
    out();
    out('Audit peak RSS by package size (one record, one file, fresh data dir, audit --all):');
    out(rssTable(rss));
  }
  if (manyFiles) {
    out();
    out(
      `One record of ${manyFiles.files} files of 4–16 KB (fresh data dir): ingest peak RSS ` +
        `${manyFiles.ingestPeakRssMiB.toFixed(1)} MB in ${manyFiles.ingestSeconds.toFixed(1)} s, audit --all ` +
        `${manyFiles.auditPeakRssMiB.toFixed(1)} MB in ${manyFiles.auditSeconds.toFixed(1)} s`,
    );
  }
  out();
  for (const t of targets) out(`${t.pass ? 'PASS' : 'FAIL'}  ${t.target}: ${t.actual}`);
  const missed = targets.filter((t) => !t.pass);
  if (missed.length > 0) out(`\n${missed.length} of ${targets.length} targets MISSED.`);
  if (digests.length > 0) {
    out();
    out(`In-process digests, ${options.hashMiB} MiB each in 1 MiB chunks (load average ${loadAtEnd}):`);
    out(digestTable(digests));
  }

  const results = {
    startedAt: startedAt.toISOString(),
    options,
    machine,
    loadAverage: { start: loadAtStart, afterSteps: loadAfterSteps, end: loadAtEnd },
    corpus: { dir: corpus.dir, generated: corpus.generated, generationSeconds: corpus.seconds, ...manifest },
    units: { mb: 'MiB (2^20 bytes)', seconds: 'wall clock', peakRss: 'MiB, from GNU time %M' },
    steps: rows,
    paired,
    bagit: bagit.argv ? { command: bagit.argv } : { skipped: bagit.reason },
    targets,
    digests,
    ingestSummary: pick(rounds.at(-1)?.ingest.summary, SUMMARY_KEYS.ingest),
    auditSummary: pick(rounds.at(-1)?.audit.summary, SUMMARY_KEYS.audit),
    s3: s3Location
      ? {
          location: s3Location,
          uploadParallelFiles: machine.cores,
          uploadSummary: rounds.at(-1)?.s3Upload?.summary,
          zipUploadSummary: rounds.at(-1)?.s3ZipUpload?.summary,
          ingestSummary: pick(rounds.at(-1)?.s3Ingest?.summary, SUMMARY_KEYS.ingest),
          auditFloorParallelObjects: machine.cores,
          auditFloorSummary: rounds.at(-1)?.s3GetHash?.summary,
          auditSummary: pick(rounds.at(-1)?.s3Audit?.summary, SUMMARY_KEYS.audit),
        }
      : undefined,
    packageSize: rss,
  };
  const resultsFile = join(BENCH_DIR, 'results.json');
  writeFileSync(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
  out();
  out(`Results: ${resultsFile}${options.keep ? `; data dir, zip and logs kept in ${workDir}` : ''}`);
}

const SUMMARY_KEYS = {
  ingest: ['status', 'archived', 'unchanged', 'rejected', 'failed', 'bytes'],
  audit: [
    'status',
    'copies',
    'verified',
    'failed',
    'missing',
    'repaired',
    'orphans',
    'files',
    'bytes',
    'durationMs',
  ],
};

function pick(object, keys) {
  if (!object) return undefined;
  return Object.fromEntries(keys.filter((k) => k in object).map((k) => [k, object[k]]));
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
