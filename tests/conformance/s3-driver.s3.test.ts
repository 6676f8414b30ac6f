import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { createS3Driver } from '../../src/storage/s3/driver.js';
import {
  createTestBucket,
  deleteTestBucket,
  emptyPrefix,
  rawS3Client,
  s3TestEnv,
} from '../helpers/s3-env.js';
import { testStorageDriver } from './storage-driver-suite.js';

// The same conformance suite as the fs driver, on a real engine (Ceph RGW from scripts/ceph-test-cluster.sh),
// against a plain bucket and a versioned bucket with Object Lock. Part size 5 MiB (the S3 minimum) so that the
// suite's larger bodies go through multipart uploads.
const raw = rawS3Client();
const buckets: Record<'plain' | 'locked', string> = { plain: '', locked: '' };

beforeAll(async () => {
  buckets.plain = await createTestBucket(raw, 'plain');
  buckets.locked = await createTestBucket(raw, 'locked');
});
afterAll(async () => {
  await deleteTestBucket(raw, buckets.plain);
  await deleteTestBucket(raw, buckets.locked);
  raw.destroy();
});

for (const kind of ['plain', 'locked'] as const) {
  testStorageDriver(
    `s3 on ${s3TestEnv().engine === 'ceph' ? 'Ceph RGW' : 'S3'} (${kind} bucket)`,
    async () => {
      const env = s3TestEnv();
      const prefix = `t-${randomBytes(4).toString('hex')}`;
      const driver = createS3Driver({
        endpoint: env.endpoint,
        region: env.region,
        forcePathStyle: true,
        credentials: { accessKeyId: env.accessKeyId, secretAccessKey: env.secretAccessKey },
        bucket: buckets[kind],
        prefix,
        partSize: 5 * 1024 * 1024,
        uploadConcurrency: 2,
        requestTimeoutSeconds: 30,
        maxAttempts: 3,
      });
      return {
        driver,
        cleanup: async () => {
          await emptyPrefix(raw, buckets[kind], prefix);
          await driver.dispose?.();
        },
      };
    },
  );
}
