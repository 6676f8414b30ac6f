import { randomBytes } from 'node:crypto';
import {
  AbortMultipartUploadCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectVersionsCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { inject } from 'vitest';

/** The S3 engine the tests run against (the project's Ceph cluster unless BEVARA_TEST_S3_ENDPOINT says otherwise). */
export interface S3TestEnv {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  engine: 'ceph' | 'external';
}

export function s3TestEnv(): S3TestEnv {
  return inject('s3');
}

/** A raw SDK client for test setup and inspection (creating buckets, looking for leftover uploads). */
export function rawS3Client(env = s3TestEnv(), endpoint = env.endpoint): S3Client {
  return new S3Client({
    endpoint,
    region: env.region,
    forcePathStyle: true,
    credentials: { accessKeyId: env.accessKeyId, secretAccessKey: env.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** A fresh bucket; `objectLock` also turns on versioning, as S3 requires. */
export async function createTestBucket(
  client: S3Client,
  kind: 'plain' | 'locked',
  name = `bevara-${kind}-${randomBytes(5).toString('hex')}`,
): Promise<string> {
  await client.send(new CreateBucketCommand({ Bucket: name, ObjectLockEnabledForBucket: kind === 'locked' }));
  return name;
}

/** Incomplete multipart uploads under a prefix: there must never be any left behind. */
export async function incompleteUploads(client: S3Client, bucket: string, prefix = ''): Promise<string[]> {
  const out = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix }));
  return (out.Uploads ?? []).map((u) => `${u.Key} (${u.UploadId})`);
}

/** Every version and delete marker under a prefix, as `key@version`. */
export async function allVersions(client: S3Client, bucket: string, prefix = ''): Promise<string[]> {
  const out = await client.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: prefix }));
  return [...(out.Versions ?? []), ...(out.DeleteMarkers ?? [])].map((v) => `${v.Key}@${v.VersionId}`);
}

/** Removes what a test wrote under a prefix of a bucket without Object Lock. */
export async function emptyPrefix(client: S3Client, bucket: string, prefix: string): Promise<void> {
  const out = await client.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: prefix }));
  for (const v of [...(out.Versions ?? []), ...(out.DeleteMarkers ?? [])]) {
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: v.Key, VersionId: v.VersionId }));
  }
}

/** The environment that gives the CLI the test engine's keys for the named locations, as operators would. */
export function s3CredentialsEnv(locationNames: string[], env = s3TestEnv()): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const name of locationNames) {
    const upper = name.toUpperCase().replace(/-/g, '_');
    out[`BEVARA_LOCATIONS__${upper}__CREDENTIALS__ACCESS_KEY_ID`] = env.accessKeyId;
    out[`BEVARA_LOCATIONS__${upper}__CREDENTIALS__SECRET_ACCESS_KEY`] = env.secretAccessKey;
  }
  return out;
}

/**
 * Removes a test bucket with everything in it, so that repeated runs do not fill the engine (the Ceph test OSD
 * keeps objects in RAM). Objects under COMPLIANCE retention cannot be removed: the bucket then stays, with them.
 */
export async function deleteTestBucket(client: S3Client, bucket: string): Promise<void> {
  const uploads = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
  for (const u of uploads.Uploads ?? []) {
    await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: u.Key, UploadId: u.UploadId }));
  }
  let markers: { KeyMarker?: string; VersionIdMarker?: string } = {};
  for (;;) {
    const page = await client.send(new ListObjectVersionsCommand({ Bucket: bucket, ...markers }));
    for (const v of [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])]) {
      await client
        .send(
          new DeleteObjectCommand({
            Bucket: bucket,
            Key: v.Key,
            VersionId: v.VersionId,
            BypassGovernanceRetention: true,
          }),
        )
        .catch(() => {}); // under COMPLIANCE retention or legal hold
    }
    if (!page.IsTruncated) break;
    markers = { KeyMarker: page.NextKeyMarker, VersionIdMarker: page.NextVersionIdMarker };
  }
  await client.send(new DeleteBucketCommand({ Bucket: bucket })).catch(() => {});
}
