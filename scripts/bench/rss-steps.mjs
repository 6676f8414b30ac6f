/**
 * Peak RSS of `bevara audit --all` against package size: one record holding a single file of `sizesMiB[0]`, then
 * one of `sizesMiB[1]`, each generated (seeded keystream, as the corpus), ingested into a fresh data dir and
 * audited under GNU time. The audit streams every package, so its peak RSS must not grow with the package: the
 * check passes when the larger one's is within +25% or +30 MB of the smaller one's. Every record and data dir is
 * deleted as soon as it is measured (also with --keep: they are only big).
 */
import { createCipheriv, createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { corpusParams, ensureCorpus } from './corpus.mjs';
import { timeCommand } from './measure.mjs';
import { bevaraEnv, checkAudit, flushWrites, parseSummary, stepFailed } from './steps.mjs';
import { fsLocationRoots, storedZips } from './stored.mjs';

/** The larger package's audit may use this much more memory than the smaller one's: +25%, or +30 MB. */
export const RSS_GROWTH = { share: 0.25, mib: 30 };

/**
 * Ingests and audits one single-file record per size, smallest first.
 * @param {{ cli: string, workDir: string, seed: string, sizesMiB: number[], log: (line: string) => void }} options
 * @returns {Promise<{ sizes: Array<{ fileMiB: number, packageMiB: number, auditPeakRssMiB: number,
 *   auditSeconds: number, ingestPeakRssMiB: number }>, allowedMiB: number, pass: boolean }>}
 */
export async function runRssSteps({ cli, workDir, seed, sizesMiB, log }) {
  const sizes = [];
  for (const fileMiB of [...sizesMiB].sort((a, b) => a - b)) {
    const name = `rss-${fileMiB}m`;
    const corpusBase = join(workDir, `${name}-corpus`);
    const dataDir = join(workDir, `${name}-data`);
    try {
      const params = corpusParams({ seed, small: 0, bigCount: 1, bigMiB: fileMiB });
      const corpus = await ensureCorpus(corpusBase, params);
      flushWrites(workDir);
      const bevara = ['node', cli, '--data-dir', dataDir, '--log-level', 'warn', '--json'];
      const run = (step, args) => {
        log(`  package size: ${step}, one file of ${fileMiB} MiB`);
        return timeCommand({
          name: `${name}-${step}`,
          argv: [...bevara, ...args],
          cwd: workDir,
          workDir,
          env: bevaraEnv(),
        });
      };
      const ingest = run('ingest', ['ingest', corpus.dir]);
      if (ingest.status !== 0 || parseSummary(ingest)?.archived !== 1) {
        throw stepFailed(`bevara ingest (${fileMiB} MiB file)`, ingest, 'the record was not archived');
      }
      flushWrites(workDir);
      const [root] = fsLocationRoots(cli, dataDir, bevaraEnv());
      const stored = await storedZips(root);
      const audit = run('audit', ['audit', '--all']);
      checkAudit(`bevara audit --all (${fileMiB} MiB file)`, audit, corpus.manifest, {
        count: stored.files.length,
        bytes: stored.bytes,
      });
      sizes.push({
        fileMiB,
        packageMiB: stored.bytes / 2 ** 20,
        auditPeakRssMiB: audit.peakRssKb / 1024,
        auditSeconds: audit.seconds,
        ingestPeakRssMiB: ingest.peakRssKb / 1024,
      });
    } finally {
      rmSync(corpusBase, { recursive: true, force: true });
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  const small = sizes[0].auditPeakRssMiB;
  const allowedMiB = Math.max(small * (1 + RSS_GROWTH.share), small + RSS_GROWTH.mib);
  return { sizes, allowedMiB, pass: sizes.every((s) => s.auditPeakRssMiB <= allowedMiB) };
}

/**
 * Peak RSS of ingest and `audit --all` for one record of `files` files of 4–16 KB (seeded keystream; the
 * configuration raises `ingest.maxRecordFiles` to `files`): the shape where memory grows with the file count.
 * The record and data dir are deleted once measured.
 * @param {{ cli: string, workDir: string, seed: string, files: number, log: (line: string) => void }} options
 * @returns {{ files: number, ingestPeakRssMiB: number, ingestSeconds: number, auditPeakRssMiB: number,
 *   auditSeconds: number }}
 */
export function runManyFilesStep({ cli, workDir, seed, files, log }) {
  const name = `many-${files}`;
  const source = join(workDir, `${name}-source`);
  const dataDir = join(workDir, `${name}-data`);
  const config = join(workDir, `${name}.yaml`);
  try {
    writeManyFiles(join(source, 'record'), files, seed);
    writeFileSync(config, `ingest:\n  maxRecordFiles: ${Math.max(files, 20_000)}\n`);
    flushWrites(workDir);
    const bevara = ['node', cli, '--config', config, '--data-dir', dataDir, '--log-level', 'warn', '--json'];
    const run = (step, args) => {
      log(`  many files: ${step}, one record of ${files} files`);
      return timeCommand({
        name: `${name}-${step}`,
        argv: [...bevara, ...args],
        cwd: workDir,
        workDir,
        env: bevaraEnv(),
      });
    };
    const ingest = run('ingest', ['ingest', source]);
    if (ingest.status !== 0 || parseSummary(ingest)?.archived !== 1) {
      throw stepFailed(`bevara ingest (${files} files)`, ingest, 'the record was not archived');
    }
    flushWrites(workDir);
    const audit = run('audit', ['audit', '--all']);
    if (audit.status !== 0)
      throw stepFailed(`bevara audit --all (${files} files)`, audit, 'the audit failed');
    return {
      files,
      ingestPeakRssMiB: ingest.peakRssKb / 1024,
      ingestSeconds: ingest.seconds,
      auditPeakRssMiB: audit.peakRssKb / 1024,
      auditSeconds: audit.seconds,
    };
  } finally {
    rmSync(source, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(config, { force: true });
  }
}

/** `count` files of 4–16 KB in folders of 1,000, content from an AES-128-CTR keystream keyed by the seed. */
function writeManyFiles(dir, count, seed) {
  const key = createHash('sha256').update(`bevara-bench-many:${seed}`).digest();
  const stream = createCipheriv('aes-128-ctr', key.subarray(0, 16), key.subarray(16, 32));
  const zeros = Buffer.alloc(16 << 10);
  for (let i = 0; i < count; i++) {
    const folder = join(dir, `d${String(Math.floor(i / 1000)).padStart(3, '0')}`);
    if (i % 1000 === 0) mkdirSync(folder, { recursive: true });
    const size = 4096 + (((key.readUInt32LE(i % 28) ^ Math.imul(i, 2654435761)) >>> 0) % 12289);
    writeFileSync(join(folder, `f${String(i).padStart(6, '0')}.bin`), stream.update(zeros.subarray(0, size)));
  }
}
