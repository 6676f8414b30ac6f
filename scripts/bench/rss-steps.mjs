/**
 * Peak RSS of `bevara audit --all` against package size: one record holding a single file of `sizesMiB[0]`, then
 * one of `sizesMiB[1]`, each generated (seeded keystream, as the corpus), ingested into a fresh data dir and
 * audited under GNU time. The audit streams every package, so its peak RSS must not grow with the package: the
 * check passes when the larger one's is within +25% or +30 MB of the smaller one's. Every record and data dir is
 * deleted as soon as it is measured (also with --keep: they are only big).
 */
import { rmSync } from 'node:fs';
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
