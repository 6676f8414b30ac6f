/**
 * The timed steps of one benchmark round, run in this order on a warm page cache: the floor
 * (`openssl dgst -sha256` over every file, `zip -0 -r` of the corpus), then `bevara ingest` into a fresh data
 * dir, the audit floor (`openssl dgst -sha256` over the package ZIPs ingest stored, the bytes the audit reads)
 * and `bevara audit --all` of what it stored. Each step is checked (digest count, exit status, summary) so a
 * broken step fails the benchmark instead of producing a fast but meaningless figure.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBagitSteps } from './bagit-steps.mjs';
import { tail, timeCommand } from './measure.mjs';
import { summarizeStep } from './report.mjs';
import { fsLocationRoots, storedZips } from './stored.mjs';

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
export async function runRound({
  cli,
  corpus,
  listFile,
  workDir,
  zipFile,
  round,
  keep,
  keepZip,
  log,
  parallel,
  bagit,
}) {
  const { dir, manifest } = corpus;
  const dataDir = join(workDir, 'bevara-data');
  const results = {};
  const runCmd = (name, argv, cwd, env = bevaraEnv()) => {
    log(`  round ${round}: ${name}`);
    return timeCommand({ name: `${name}-${round}`, argv, cwd, workDir, env });
  };

  const openssl = runOpenssl(runCmd, 'openssl', listFile, dir, manifest.files);
  results.openssl = { run: openssl, bytes: manifest.bytes, files: manifest.files };
  const opensslParallel = runOpenssl(runCmd, 'openssl-parallel', listFile, dir, manifest.files, parallel);
  results.opensslParallel = { run: opensslParallel, bytes: manifest.bytes, files: manifest.files };
  if (bagit?.argv) {
    Object.assign(results, runBagitSteps({ bagit, runCmd, corpusDir: dir, workDir, manifest, parallel }));
    flushWrites(workDir);
  }

  rmSync(zipFile, { force: true });
  const zip = runCmd('zip', ['zip', '-0', '-r', '-q', zipFile, '.'], dir);
  if (zip.status !== 0) throw stepFailed('zip', zip, 'non-zero exit');
  results.zip = { run: zip, bytes: manifest.bytes, files: manifest.files };
  // Removing the zip drops its dirty pages, so ingest does not share the disk with their write-back.
  rmSync(zipFile, { force: true });
  flushWrites(workDir);

  // One ZIP per record, each made durable before the next (coreutils `sync FILE` fsyncs that file): what an
  // archive that counts a package only once it is on disk must do at least, the fair floor for ingest.
  const perRecordDir = join(workDir, 'zip-per-record');
  rmSync(perRecordDir, { recursive: true, force: true });
  mkdirSync(perRecordDir);
  const zipPerRecord = runCmd(
    'zip-per-record',
    [
      'sh',
      '-c',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell parameter expansion, not a template
      'for d in */; do r="${d%/}"; (cd "$r" && zip -0 -r -q "$1/$r.zip" .) && sync "$1/$r.zip" || exit 1; done',
      'sh',
      perRecordDir,
    ],
    dir,
  );
  if (zipPerRecord.status !== 0) throw stepFailed('zip per record + fsync', zipPerRecord, 'non-zero exit');
  results.zipPerRecord = { run: zipPerRecord, bytes: manifest.bytes, files: manifest.files };
  rmSync(perRecordDir, { recursive: true, force: true });
  flushWrites(workDir);

  // What an archive that verifies must do, by C tools on every core: per record, the SHA-256 of each
  // file (for the manifest), the ZIP streamed through a SHA-256 (the digest of what was written), made durable,
  // then read back and hashed again (the check that it was stored). Ingest does the same work per byte; with a
  // process per step per record, small records cost these tools more than ingest: a comparison, not a floor.
  const verifiedDir = join(workDir, 'zip-verified');
  rmSync(verifiedDir, { recursive: true, force: true });
  mkdirSync(verifiedDir);
  const perRecord =
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell parameter expansion, not a template
    'r="${1%/}"; out="$2/$r.zip"; cd "$r" && find . -type f -print0 | xargs -0 -r openssl dgst -sha256 >/dev/null' +
    ' && zip -0 -r -q - . | tee "$out" | openssl dgst -sha256 >/dev/null && sync "$out"' +
    ' && openssl dgst -sha256 "$out" >/dev/null';
  const zipVerified = runCmd(
    'zip-verified',
    [
      'sh',
      '-c',
      'for d in */; do printf "%s\\0" "$d"; done | xargs -0 -P "$2" -I{} sh -c "$3" sh {} "$1"',
      'sh',
      verifiedDir,
      String(parallel),
      perRecord,
    ],
    dir,
  );
  if (zipVerified.status !== 0) throw stepFailed('zip verified per record', zipVerified, 'non-zero exit');
  results.zipVerified = { run: zipVerified, bytes: manifest.bytes, files: manifest.files };
  rmSync(verifiedDir, { recursive: true, force: true });
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

  // The audit floor: the same stored bytes the audit reads, hashed once by openssl.
  const [root] = fsLocationRoots(cli, dataDir, bevaraEnv());
  const stored = await storedZips(root);
  const storedList = join(workDir, 'stored.list');
  writeFileSync(storedList, `${stored.files.join('\0')}\0`);
  const storedOpenssl = runOpenssl(runCmd, 'openssl-stored', storedList, root, stored.files.length);
  results.storedOpenssl = { run: storedOpenssl, bytes: stored.bytes, files: stored.files.length };
  // Right before the audit it is paired with: the same bytes on every core.
  const storedParallel = runOpenssl(
    runCmd,
    'openssl-stored-parallel',
    storedList,
    root,
    stored.files.length,
    parallel,
  );
  results.storedOpensslParallel = { run: storedParallel, bytes: stored.bytes, files: stored.files.length };

  const audit = runCmd('audit', [...bevara, 'audit', '--all'], workDir);
  results.audit = checkAudit('bevara audit --all', audit, manifest, {
    count: stored.files.length,
    bytes: stored.bytes,
  });
  return results;
}

/**
 * `openssl dgst -sha256` over the files of a NUL-separated list, `BATCH` per process, `parallel` processes at
 * once (xargs -P; default one); checks the digest count.
 */
function runOpenssl(runCmd, name, listFile, cwd, expected, parallel = 1) {
  // With several processes, smaller batches keep them all busy to the end.
  const batch = Math.min(BATCH, Math.max(1, Math.ceil(expected / (parallel * 8))));
  // Each batch writes its own file: processes sharing one stdout could interleave partial lines.
  const outDir = mkdtempSync(join(tmpdir(), `bevara-bench-${name}-`));
  try {
    const run = runCmd(
      name,
      [
        'sh',
        '-c',
        `xargs -0 -P ${parallel} -n ${batch} sh -c 'exec openssl dgst -sha256 "$@" > "$0/$$.out"' "$2" < "$1"`,
        'sh',
        listFile,
        outDir,
      ],
      cwd,
    );
    const digests = readdirSync(outDir)
      .flatMap((file) => readFileSync(join(outDir, file), 'utf8').split('\n'))
      .filter((l) => l.startsWith('SHA2-256(') || l.startsWith('SHA256('));
    if (run.status !== 0 || digests.length !== expected) {
      throw stepFailed(name, run, `${digests.length} of ${expected} digests`);
    }
    return run;
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

/**
 * Checks an `audit --all` step: it succeeded, verified every copy and every corpus file, and read every stored
 * byte (`stored`: the number and total size of the ZIPs its floor hashed). Returns the measurement; MB = package
 * bytes read.
 */
export function checkAudit(name, run, manifest, stored) {
  const summary = parseSummary(run);
  const ok =
    run.status === 0 &&
    summary?.status === 'succeeded' &&
    summary.verified === stored.count &&
    summary.files >= manifest.files &&
    summary.bytes === stored.bytes;
  if (!ok) {
    throw stepFailed(
      name,
      run,
      `status ${summary?.status ?? '?'}, ${summary?.verified ?? '?'} of ${stored.count} copies verified, ` +
        `${summary?.files ?? '?'} files proven, ${summary?.bytes ?? '?'} of ${stored.bytes} bytes read, ` +
        `${summary?.orphans ?? '?'} orphans`,
    );
  }
  return { run, bytes: summary.bytes, files: summary.files, summary };
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
  openssl: 'openssl dgst -sha256, one process (floor)',
  opensslParallel: 'openssl dgst -sha256, one process per core',
  bagitMake: 'bagit-python make (--sha256, a process per core)',
  bagitValidate: 'bagit-python validate of that bag',
  zip: 'zip -0 -r (floor)',
  zipPerRecord: 'zip -0 -r per record, each fsynced',
  zipDurable: 'zip -0 -r, then fsync (floor)',
  zipVerified:
    'per record by C tools, a process per step: SHA-256 of files, zip -0 | SHA-256, fsync, read back + SHA-256',
  ingest: 'bevara ingest',
  storedOpenssl: 'openssl dgst -sha256 of stored ZIPs, one process',
  storedOpensslParallel: 'openssl of stored ZIPs, a process per core (audit floor)',
  audit: 'bevara audit --all',
  s3Upload: 's3 upload, SDK (S3 floor)',
  s3ZipUpload: 's3 upload of one ZIP (SDK)',
  s3ZipUploadReadBack: 's3 upload of one ZIP, then GetObject -> openssl of it',
  s3Ingest: 'bevara ingest -> s3',
  s3GetHash: 's3 GetObject -> openssl dgst -sha256 (s3 audit floor)',
  s3Audit: 'bevara audit --all of s3',
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
