/**
 * The S3 side of the benchmark: the project's Ceph RGW test cluster (started when it is not running), its
 * credentials, one fresh bucket per step and the removal of everything in it afterwards (the OSD keeps objects in
 * RAM with a 4 GiB cap shared with everyone), and the bevara config that points a location at that bucket.
 * The secret key is only ever written to a 0600 config file or a child's environment, never to a log.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AbortMultipartUploadCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListMultipartUploadsCommand,
  ListObjectVersionsCommand,
  S3Client,
} from '@aws-sdk/client-s3';

/** Part size and parts in flight per upload: bevara's s3 location defaults, used by both sides of the benchmark. */
export const S3_PART_MIB = 16;
export const S3_UPLOAD_CONCURRENCY = 4;

/**
 * Starts the test cluster when `status` says it is not up, then reads its endpoint and keys from `env`.
 * @returns {{ endpoint: string, region: string, accessKeyId: string, secretAccessKey: string }}
 */
export function ensureCluster(repo, log) {
  const script = join(repo, 'scripts', 'ceph-test-cluster.sh');
  const run = (command, stdio) =>
    spawnSync('bash', [script, command], { cwd: repo, encoding: 'utf8', stdio });
  if (run('status', 'ignore').status !== 0) {
    log('s3: the Ceph test cluster is not up; starting it (scripts/ceph-test-cluster.sh up)');
    const up = run('up', ['ignore', 'ignore', 'inherit']);
    if (up.status !== 0)
      throw new Error('[bench] s3: `scripts/ceph-test-cluster.sh up` failed (use --no-s3 to skip)');
  }
  const env = run('env', ['ignore', 'pipe', 'pipe']);
  const vars = Object.fromEntries(
    [...(env.stdout ?? '').matchAll(/^export (BEVARA_TEST_S3_[A-Z_]+)=(.*)$/gm)].map(([, k, v]) => [
      k,
      unquote(v),
    ]),
  );
  const s3 = {
    endpoint: vars.BEVARA_TEST_S3_ENDPOINT,
    region: vars.BEVARA_TEST_S3_REGION || 'us-east-1',
    accessKeyId: vars.BEVARA_TEST_S3_ACCESS_KEY,
    secretAccessKey: vars.BEVARA_TEST_S3_SECRET_KEY,
  };
  if (env.status !== 0 || !s3.endpoint || !s3.accessKeyId || !s3.secretAccessKey) {
    throw new Error(
      '[bench] s3: `scripts/ceph-test-cluster.sh env` gave no endpoint and keys (use --no-s3 to skip)',
    );
  }
  return s3;
}

/** `'a b'` or `"a b"` (as a shell would print them) to `a b`. */
function unquote(value) {
  const v = value.trim();
  if (v.length >= 2 && (v[0] === "'" || v[0] === '"') && v.at(-1) === v[0]) return v.slice(1, -1);
  return v;
}

/** A raw SDK client with the same request settings bevara uses against S3-compatible engines. */
export function benchS3Client(s3) {
  return new S3Client({
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

export async function createBucket(client, bucket) {
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
}

/**
 * Aborts unfinished multipart uploads, deletes every object version and delete marker, then the bucket itself.
 * A bucket that does not exist is fine. Returns the number of objects deleted.
 */
export async function destroyBucket(client, bucket) {
  let deleted = 0;
  try {
    for (let more = true; more; ) {
      const uploads = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
      for (const u of uploads.Uploads ?? []) {
        await client.send(
          new AbortMultipartUploadCommand({ Bucket: bucket, Key: u.Key, UploadId: u.UploadId }),
        );
      }
      more = Boolean(uploads.IsTruncated) && (uploads.Uploads?.length ?? 0) > 0;
    }
    for (;;) {
      // Deleting the first page each time: what is left is always the first page.
      const page = await client.send(new ListObjectVersionsCommand({ Bucket: bucket, MaxKeys: 1000 }));
      const objects = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])].map((v) => ({
        Key: v.Key,
        VersionId: v.VersionId,
      }));
      if (objects.length === 0) break;
      const out = await client.send(
        new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects, Quiet: true } }),
      );
      if ((out.Errors?.length ?? 0) > 0) {
        const e = out.Errors[0];
        throw new Error(
          `[bench] s3: deleting "${e.Key}" from bucket ${bucket} failed: ${e.Code} ${e.Message}`,
        );
      }
      deleted += objects.length;
    }
    await client.send(new DeleteBucketCommand({ Bucket: bucket }));
  } catch (err) {
    if (err?.name === 'NoSuchBucket') return deleted;
    throw err;
  }
  return deleted;
}

/** `radosgw-admin` against the test cluster's config; stdout, or undefined when it fails or is not there. */
function rgwAdmin(args) {
  const conf = join(process.env.CEPH_TEST_DIR || '/tmp/bevara-ceph', 'ceph.conf');
  const run = spawnSync('radosgw-admin', ['-c', conf, ...args], { encoding: 'utf8', timeout: 30_000 });
  return run.status === 0 ? run.stdout : undefined;
}

/** The RGW marker of a bucket (the prefix of its RADOS objects), or undefined when it cannot be read. */
export function bucketMarker(bucket) {
  try {
    return JSON.parse(rgwAdmin(['bucket', 'stats', `--bucket=${bucket}`]) ?? 'null')?.marker;
  } catch {
    return undefined;
  }
}

/**
 * Waits until RGW's garbage collector has freed the tails (everything past the first 4 MiB) of deleted buckets'
 * objects: memstore holds them in RAM until then (the test cluster collects 10-40 s after a delete).
 * Returns the seconds waited, or undefined when the GC queue cannot be read or `timeoutSeconds` passes.
 */
export async function waitForGc(markers, timeoutSeconds = 120) {
  const wanted = markers.filter(Boolean);
  if (wanted.length === 0) return undefined;
  const t0 = performance.now();
  while ((performance.now() - t0) / 1000 < timeoutSeconds) {
    const listing = rgwAdmin(['gc', 'list', '--include-all']);
    if (listing === undefined) return undefined;
    if (!wanted.some((marker) => listing.includes(`"${marker}_`))) return (performance.now() - t0) / 1000;
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
  return undefined;
}

/**
 * Keeps what deleted buckets leave in memstore until RGW's garbage collection under `budgetBytes`: before a step
 * writes `bytes` more, `makeRoom` waits for the collection of the buckets deleted so far when the two together
 * would exceed the budget. A small corpus so runs its S3 steps back to back; a large one waits after each bucket.
 */
export function createGcTracker({ budgetBytes, log }) {
  let pending = [];
  return {
    /** A bucket holding about `bytes` was deleted; `marker` is its RADOS prefix (undefined when unknown). */
    deleted(marker, bytes) {
      pending.push({ marker, bytes });
    },
    async makeRoom(bytes) {
      const held = pending.reduce((sum, p) => sum + p.bytes, 0);
      if (pending.length === 0 || held + bytes <= budgetBytes) return;
      const seconds = await waitForGc(pending.map((p) => p.marker));
      log(
        seconds === undefined
          ? '  could not see RGW garbage collection finish for the deleted buckets; going on'
          : `  RGW freed the deleted buckets' tails after ${seconds.toFixed(0)} s (untimed)`,
      );
      pending = [];
    },
    /** Bytes of deleted buckets not yet known to be collected. */
    pendingBytes: () => pending.reduce((sum, p) => sum + p.bytes, 0),
  };
}

/**
 * Writes (mode 0600) a bevara config whose only location, `s3`, is `bucket`, and whose copy policy is that one
 * location. Returns what the report may show of it (no keys).
 */
export function writeS3Config(file, s3, bucket) {
  const location = {
    driver: 's3',
    endpoint: s3.endpoint,
    bucket,
    region: s3.region,
    forcePathStyle: true,
    partSizeMiB: S3_PART_MIB,
    uploadConcurrency: S3_UPLOAD_CONCURRENCY,
  };
  const config = {
    locations: {
      s3: { ...location, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } },
    },
    copies: ['s3'],
  };
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  return location;
}
