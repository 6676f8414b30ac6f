/**
 * The timed steps of one benchmark round, run in this order on a warm page cache: the floor
 * (`openssl dgst -sha256` over every file, `zip -0 -r` of the corpus), then `bevara ingest` into a fresh data
 * dir and `bevara audit` of what it stored. Each step is checked (digest count, exit status, summary) so a
 * broken step fails the benchmark instead of producing a fast but meaningless figure.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tail, timeCommand } from './measure.mjs';
import { summarizeStep } from './report.mjs';

/** Files per `openssl` (or `cat`) process: xargs starts one process per batch. */
export const BATCH = 500;

/** Environment for bevara: no BEVARA_* from the caller's shell, so only the flags below configure it. */
export function bevaraEnv() {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('BEVARA_')));
}

/** The error for a step that ran but failed its check, with the end of its stderr. */
export function stepFailed(name, run, why) {
  return new Error(`[bench] step "${name}" failed (${why}, exit ${run.status}):\n${tail(run.stderrFile)}`);
}

/**
 * Flushes dirty pages of the filesystem holding `dir` (untimed), so a step does not pay for the write-back of
 * what the step before it (or the corpus generator) wrote.
 */
export function flushWrites(dir) {
  spawnSync('sync', ['-f', dir], { stdio: 'ignore' });
}

/**
 * One round of the timed steps; returns the measurement of each. The archive of the last zip step is left at
 * `zipFile` when `keep` or `keepZip` is set (the S3 round uploads it, then deletes it), else deleted.
 * @param {{ cli: string, corpus: { dir: string, manifest: object }, listFile: string, workDir: string,
 *   zipFile: string, round: number, keep: boolean, keepZip?: boolean, log: (line: string) => void }} options
 */
export function runRound({ cli, corpus, listFile, workDir, zipFile, round, keep, keepZip, log }) {
  const { dir, manifest } = corpus;
  const dataDir = join(workDir, 'bevara-data');
  const results = {};
  const runCmd = (name, argv, cwd) => {
    log(`  round ${round}: ${name}`);
    return timeCommand({ name: `${name}-${round}`, argv, cwd, workDir, env: bevaraEnv() });
  };

  const openssl = runCmd(
    'openssl',
    ['sh', '-c', `xargs -0 -n ${BATCH} openssl dgst -sha256 < "$1"`, 'sh', listFile],
    dir,
  );
  const digests = readFileSync(openssl.stdoutFile, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('SHA2-256(') || l.startsWith('SHA256('));
  if (openssl.status !== 0 || digests.length !== manifest.files) {
    throw stepFailed('openssl', openssl, `${digests.length} of ${manifest.files} digests`);
  }
  results.openssl = { run: openssl, bytes: manifest.bytes, files: manifest.files };

  rmSync(zipFile, { force: true });
  const zip = runCmd('zip', ['zip', '-0', '-r', '-q', zipFile, '.'], dir);
  if (zip.status !== 0) throw stepFailed('zip', zip, 'non-zero exit');
  results.zip = { run: zip, bytes: manifest.bytes, files: manifest.files };
  // Removing the zip drops its dirty pages, so ingest does not share the disk with their write-back.
  rmSync(zipFile, { force: true });
  flushWrites(workDir);

  // The same packing made durable (its data on disk, as every bevara package is before it counts): the floor for
  // a writer that must not lose what it reported written.
  const zipDurable = runCmd(
    'zip-fsync',
    ['sh', '-c', 'zip -0 -r -q "$1" . && sync -f "$1"', 'sh', zipFile],
    dir,
  );
  if (zipDurable.status !== 0) throw stepFailed('zip + fsync', zipDurable, 'non-zero exit');
  results.zipDurable = { run: zipDurable, bytes: manifest.bytes, files: manifest.files };
  if (!keep && !keepZip) rmSync(zipFile, { force: true });
  rmSync(dataDir, { recursive: true, force: true });
  flushWrites(workDir);

  const bevara = ['node', cli, '--data-dir', dataDir, '--log-level', 'warn', '--json'];
  const ingest = runCmd('ingest', [...bevara, 'ingest', dir], workDir);
  const ingestSummary = parseSummary(ingest);
  if (ingest.status !== 0 || ingestSummary?.archived !== manifest.records) {
    throw stepFailed(
      'bevara ingest',
      ingest,
      `${ingestSummary?.archived ?? '?'} of ${manifest.records} records archived`,
    );
  }
  results.ingest = { run: ingest, bytes: manifest.bytes, files: manifest.files, summary: ingestSummary };
  flushWrites(workDir);

  const audit = runCmd('audit', [...bevara, 'audit'], workDir);
  const auditSummary = parseSummary(audit);
  if (audit.status !== 0 || auditSummary?.status !== 'succeeded' || auditSummary.files < manifest.files) {
    throw stepFailed(
      'bevara audit',
      audit,
      `status ${auditSummary?.status ?? '?'}, ${auditSummary?.files ?? '?'} file digests checked`,
    );
  }
  // Audit reads the packages: the content plus METS/PREMIS/DC, a little more than the corpus.
  results.audit = { run: audit, bytes: auditSummary.bytes, files: auditSummary.files, summary: auditSummary };
  return results;
}

/** The JSON a step printed on stdout, or undefined. */
export function parseSummary(run) {
  try {
    return JSON.parse(readFileSync(run.stdoutFile, 'utf8'));
  } catch {
    return undefined;
  }
}

const LABELS = {
  openssl: 'openssl dgst -sha256 (floor)',
  zip: 'zip -0 -r (floor)',
  zipDurable: 'zip -0 -r, then fsync (floor)',
  ingest: 'bevara ingest',
  audit: 'bevara audit',
  s3Upload: 's3 upload, SDK (S3 floor)',
  s3ZipUpload: 's3 upload of one ZIP (SDK)',
  s3Ingest: 'bevara ingest -> s3',
  s3Audit: 'bevara audit of s3',
};

/** Each step's fastest round; peak RSS is the highest seen in any round. */
export function bestOf(rounds) {
  return Object.keys(LABELS)
    .filter((id) => rounds.every((r) => r[id]))
    .map((id) => {
      const all = rounds.map((r) => r[id]);
      const best = all.reduce((a, b) => (b.run.seconds < a.run.seconds ? b : a));
      const peakRssKb = Math.max(...all.map((m) => m.run.peakRssKb));
      return summarizeStep({
        id,
        label: LABELS[id],
        bytes: best.bytes,
        files: best.files,
        run: { ...best.run, peakRssKb },
        runs: all.map((m) => ({ seconds: m.run.seconds, peakRssKb: m.run.peakRssKb })),
      });
    });
}
