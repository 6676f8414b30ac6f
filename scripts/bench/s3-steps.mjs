/**
 * The S3 steps of one benchmark round, against the Ceph RGW test cluster: the floor (`s3-upload.mjs`, every
 * corpus file as one object with the SDK's Upload), then `bevara ingest` into an s3 location and `bevara audit` of
 * it. Each step that writes gets a fresh bucket, emptied and deleted (untimed) as soon as the step is measured, so
 * the cluster never holds more than about one corpus.
 */
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { timeCommand } from './measure.mjs';
import {
  S3_PART_MIB,
  S3_UPLOAD_CONCURRENCY,
  benchS3Client,
  bucketMarker,
  createBucket,
  destroyBucket,
  waitForGc,
  writeS3Config,
} from './s3.mjs';
import { bevaraEnv, flushWrites, parseSummary, stepFailed } from './steps.mjs';

const UPLOADER = join(dirname(fileURLToPath(import.meta.url)), 's3-upload.mjs');

/**
 * One round of the S3 steps; returns `{ s3Upload, s3Ingest, s3Audit }` measured like `runRound`'s steps.
 * @param {{ cli: string, corpus: { dir: string, manifest: object }, listFile: string, workDir: string,
 *   round: number, keep: boolean, log: (line: string) => void,
 *   s3: { endpoint: string, region: string, accessKeyId: string, secretAccessKey: string }, parallel: number }} options
 */
export async function runS3Round({ cli, corpus, listFile, workDir, round, keep, log, s3, parallel }) {
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
    const gc = await waitForGc(marker);
    log(
      gc === undefined
        ? `  round ${round}: could not see RGW garbage collection finish for ${bucket}; going on`
        : `  round ${round}: RGW freed the deleted tails after ${gc.toFixed(0)} s more (untimed)`,
    );
  };
  const withBucket = async (bucket, body) => {
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

  try {
    await withBucket(`bench-upload-${stamp}`, async () => {
      const env = {
        ...bevaraEnv(),
        BENCH_S3_ENDPOINT: s3.endpoint,
        BENCH_S3_REGION: s3.region,
        BENCH_S3_BUCKET: `bench-upload-${stamp}`,
        BENCH_S3_PART_MIB: String(S3_PART_MIB),
        BENCH_S3_QUEUE: String(S3_UPLOAD_CONCURRENCY),
        BENCH_S3_PARALLEL: String(parallel),
        AWS_ACCESS_KEY_ID: s3.accessKeyId,
        AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      };
      const upload = runCmd('s3-upload', ['node', UPLOADER, listFile], dir, env);
      const summary = parseSummary(upload);
      if (upload.status !== 0 || summary?.objects !== manifest.files || summary.bytes !== manifest.bytes) {
        throw stepFailed('s3 upload', upload, `${summary?.objects ?? '?'} of ${manifest.files} objects`);
      }
      results.s3Upload = { run: upload, bytes: manifest.bytes, files: manifest.files, summary };
    });

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

        const audit = runCmd('s3-audit', [...bevara, 'audit'], workDir, bevaraEnv());
        const auditSummary = parseSummary(audit);
        if (
          audit.status !== 0 ||
          auditSummary?.status !== 'succeeded' ||
          auditSummary.files < manifest.files
        ) {
          throw stepFailed(
            'bevara audit (s3)',
            audit,
            `status ${auditSummary?.status ?? '?'}, ${auditSummary?.files ?? '?'} file digests checked`,
          );
        }
        results.s3Audit = {
          run: audit,
          bytes: auditSummary.bytes,
          files: auditSummary.files,
          summary: auditSummary,
        };
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
