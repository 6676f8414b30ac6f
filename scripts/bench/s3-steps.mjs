/**
 * The S3 steps of one benchmark round, against the Ceph RGW test cluster: two floors (`s3-upload.mjs`, with the
 * SDK's Upload: every corpus file as one object, then the `zip -0 -r` archive of the corpus as one object, the same
 * bytes in a few large requests), then `bevara ingest` into an s3 location, the audit floor (`s3-get-hash.mjs`: every
 * package ZIP ingest stored read with a plain GetObject into `openssl dgst -sha256`, as many at once as the audit
 * has workers) and `bevara audit --all` of it. Each step that writes gets a fresh bucket, emptied and deleted
 * (untimed) as soon as the step is measured; before the next bucket, RGW's garbage collection of the deleted ones is
 * awaited when they and the next step would hold more than the tracker's budget (memstore keeps deleted tails in
 * RAM until then).
 */
import { rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { fileURLToPath } from 'node:url';
import { timeCommand } from './measure.mjs';
import {
  S3_PART_MIB,
  S3_UPLOAD_CONCURRENCY,
  benchS3Client,
  bucketMarker,
  createBucket,
  destroyBucket,
  writeS3Config,
} from './s3.mjs';
import { bevaraEnv, checkAudit, flushWrites, parseSummary, stepFailed } from './steps.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));

/** Two timed commands run one after the other, as one step: times and CPU add up, peak RSS is the larger. */
const sequence = (a, b) => ({
  ...b,
  seconds: a.seconds + b.seconds,
  userSeconds: a.userSeconds + b.userSeconds,
  systemSeconds: a.systemSeconds + b.systemSeconds,
  peakRssKb: Math.max(a.peakRssKb, b.peakRssKb),
});
const UPLOADER = join(HERE, 's3-upload.mjs');
const GET_HASH = join(HERE, 's3-get-hash.mjs');

/**
 * One round of the S3 steps; returns `{ s3Upload, s3ZipUpload, s3ZipUploadReadBack, s3Ingest, s3GetHash, s3Audit,
 * location }`, the
 * steps measured like `runRound`'s. `zipFile` (left by `runRound`) is deleted once uploaded unless `keep`.
 * @param {{ cli: string, corpus: { dir: string, manifest: object }, listFile: string, workDir: string,
 *   zipFile: string, round: number, keep: boolean, log: (line: string) => void,
 *   s3: { endpoint: string, region: string, accessKeyId: string, secretAccessKey: string }, parallel: number,
 *   gc: ReturnType<import('./s3.mjs').createGcTracker> }} options
 *   `parallel`: files at once in the upload floor (bevara ingest's workers) and objects at once in the audit floor
 *   (bevara audit's workers). `gc` (`createGcTracker`) decides when to wait for RGW to free deleted buckets.
 */
export async function runS3Round({
  cli,
  corpus,
  listFile,
  workDir,
  zipFile,
  round,
  keep,
  log,
  s3,
  parallel,
  gc,
}) {
  const { dir, manifest } = corpus;
  const client = benchS3Client(s3);
  const results = {};
  const stamp = `${process.pid}-${Date.now().toString(36)}-r${round}`;
  const runCmd = (name, argv, cwd, env) => {
    log(`  round ${round}: ${name}`);
    return timeCommand({ name: `${name}-${round}`, argv, cwd, workDir, env });
  };
  const emptyAndDelete = async (bucket) => {
    const t0 = performance.now();
    const marker = bucketMarker(bucket);
    const n = await destroyBucket(client, bucket);
    const seconds = ((performance.now() - t0) / 1000).toFixed(1);
    log(`  round ${round}: bucket ${bucket} emptied (${n} objects) and deleted in ${seconds} s (untimed)`);
    gc.deleted(marker, manifest.bytes);
  };
  const withBucket = async (bucket, body) => {
    await gc.makeRoom(manifest.bytes);
    await createBucket(client, bucket);
    let value;
    try {
      value = await body();
    } catch (err) {
      // A cleanup failure must not hide the step's own error.
      await emptyAndDelete(bucket).catch((cleanup) =>
        log(`  round ${round}: could not delete bucket ${bucket}: ${cleanup?.name}: ${cleanup?.message}`),
      );
      throw err;
    }
    await emptyAndDelete(bucket);
    return value;
  };

  const uploaderEnv = (bucket) => ({
    ...bevaraEnv(),
    BENCH_S3_ENDPOINT: s3.endpoint,
    BENCH_S3_REGION: s3.region,
    BENCH_S3_BUCKET: bucket,
    BENCH_S3_PART_MIB: String(S3_PART_MIB),
    BENCH_S3_QUEUE: String(S3_UPLOAD_CONCURRENCY),
    BENCH_S3_PARALLEL: String(parallel),
    AWS_ACCESS_KEY_ID: s3.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });

  try {
    const uploadBucket = `bench-upload-${stamp}`;
    await withBucket(uploadBucket, async () => {
      const upload = runCmd('s3-upload', ['node', UPLOADER, listFile], dir, uploaderEnv(uploadBucket));
      const summary = parseSummary(upload);
      if (upload.status !== 0 || summary?.objects !== manifest.files || summary.bytes !== manifest.bytes) {
        throw stepFailed('s3 upload', upload, `${summary?.objects ?? '?'} of ${manifest.files} objects`);
      }
      results.s3Upload = { run: upload, bytes: manifest.bytes, files: manifest.files, summary };
    });

    // The same corpus as one object: as many bytes as the per-file floor (plus the zip's headers), 1/16 MiB as many
    // requests. MB/s counts corpus bytes, as the zip floor does.
    const zipBucket = `bench-zip-upload-${stamp}`;
    try {
      await withBucket(zipBucket, async () => {
        const zipBytes = statSync(zipFile).size;
        const upload = runCmd(
          's3-zip-upload',
          ['node', UPLOADER, '--single', zipFile],
          workDir,
          uploaderEnv(zipBucket),
        );
        const summary = parseSummary(upload);
        const head = await client
          .send(new HeadObjectCommand({ Bucket: zipBucket, Key: `packages/${basename(zipFile)}` }))
          .catch(() => undefined);
        if (upload.status !== 0 || summary?.bytes !== zipBytes || head?.ContentLength !== zipBytes) {
          throw stepFailed(
            's3 zip upload',
            upload,
            `${head?.ContentLength ?? summary?.bytes ?? '?'} of ${zipBytes} bytes stored`,
          );
        }
        results.s3ZipUpload = {
          run: upload,
          bytes: manifest.bytes,
          files: manifest.files,
          summary: { ...summary, parts: Math.ceil(zipBytes / (S3_PART_MIB * 2 ** 20)) },
        };
        // Ingest reads every copy back before it counts: the fair floor adds one GetObject of the same bytes.
        const readBack = runCmd(
          's3-zip-read-back',
          ['node', GET_HASH, join(workDir, 's3-zip-read-back-fifos')],
          workDir,
          uploaderEnv(zipBucket),
        );
        const read = parseSummary(readBack);
        rmSync(join(workDir, 's3-zip-read-back-fifos'), { recursive: true, force: true });
        if (readBack.status !== 0 || read?.objects !== 1 || read.bytes !== zipBytes)
          throw stepFailed('s3 zip read-back', readBack, `${read?.bytes ?? '?'} of ${zipBytes} bytes read`);
        results.s3ZipUploadReadBack = {
          run: sequence(upload, readBack),
          bytes: manifest.bytes,
          files: manifest.files,
        };
      });
    } finally {
      if (!keep) rmSync(zipFile, { force: true });
    }

    const bucket = `bench-bevara-${stamp}`;
    const dataDir = join(workDir, 'bevara-data-s3');
    const configFile = join(workDir, 'bevara-s3.config.json');
    rmSync(dataDir, { recursive: true, force: true });
    try {
      await withBucket(bucket, async () => {
        results.location = writeS3Config(configFile, s3, bucket);
        const bevara = [
          'node',
          cli,
          '-c',
          configFile,
          '--data-dir',
          dataDir,
          '--log-level',
          'warn',
          '--json',
        ];
        const ingest = runCmd('s3-ingest', [...bevara, 'ingest', dir], workDir, bevaraEnv());
        const ingestSummary = parseSummary(ingest);
        if (ingest.status !== 0 || ingestSummary?.archived !== manifest.records) {
          throw stepFailed(
            'bevara ingest (s3)',
            ingest,
            `${ingestSummary?.archived ?? '?'} of ${manifest.records} records archived`,
          );
        }
        results.s3Ingest = {
          run: ingest,
          bytes: manifest.bytes,
          files: manifest.files,
          summary: ingestSummary,
        };
        flushWrites(workDir);

        const getHash = runCmd(
          's3-get-hash',
          ['node', GET_HASH, join(workDir, 's3-get-hash-fifos')],
          workDir,
          uploaderEnv(bucket),
        );
        const stored = parseSummary(getHash);
        if (getHash.status !== 0 || !(stored?.objects > 0) || stored.digests !== stored.objects) {
          throw stepFailed(
            's3 get + openssl',
            getHash,
            `${stored?.digests ?? '?'} of ${stored?.objects ?? '?'} digests`,
          );
        }
        results.s3GetHash = { run: getHash, bytes: stored.bytes, files: stored.objects, summary: stored };
        rmSync(join(workDir, 's3-get-hash-fifos'), { recursive: true, force: true });

        const audit = runCmd('s3-audit', [...bevara, 'audit', '--all'], workDir, bevaraEnv());
        results.s3Audit = checkAudit('bevara audit --all (s3)', audit, manifest, {
          count: stored.objects,
          bytes: stored.bytes,
        });
      });
    } finally {
      // The config holds the secret key: never left behind, not even with --keep.
      rmSync(configFile, { force: true });
      if (!keep) rmSync(dataDir, { recursive: true, force: true });
    }
  } finally {
    client.destroy();
  }
  return results;
}
