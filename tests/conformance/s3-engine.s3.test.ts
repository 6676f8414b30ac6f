import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlreadyExistsError, LockedError, UnavailableError } from '../../src/errors.js';
import { createS3Driver, type S3DriverOptions } from '../../src/storage/s3/driver.js';
import { startFaultProxy } from '../helpers/fault-proxy.js';
import {
  allVersions,
  createTestBucket,
  deleteTestBucket,
  incompleteUploads,
  rawS3Client,
  s3TestEnv,
} from '../helpers/s3-env.js';

// What only a real engine can show: multipart round trips, conditional writes, Object Lock, versioning,
// interrupted uploads and faults between us and the engine.
const MiB = 1024 * 1024;
const env = s3TestEnv();
const raw = rawS3Client();
let plain: string;
let locked: string;

beforeAll(async () => {
  plain = await createTestBucket(raw, 'plain');
  locked = await createTestBucket(raw, 'locked');
});
afterAll(async () => {
  await deleteTestBucket(raw, plain);
  await deleteTestBucket(raw, locked);
  raw.destroy();
});

function driverFor(bucket: string, extra: Partial<S3DriverOptions> = {}) {
  return createS3Driver({
    endpoint: env.endpoint,
    region: env.region,
    forcePathStyle: true,
    credentials: { accessKeyId: env.accessKeyId, secretAccessKey: env.secretAccessKey },
    bucket,
    partSize: 5 * MiB,
    uploadConcurrency: 2,
    requestTimeoutSeconds: 30,
    maxAttempts: 3,
    ...extra,
  });
}

function chunked(data: Buffer, onChunk?: (offset: number) => void | Promise<void>): Readable {
  return Readable.from(
    (async function* () {
      for (let offset = 0; offset < data.length; offset += 256 * 1024) {
        await onChunk?.(offset);
        yield data.subarray(offset, offset + 256 * 1024);
      }
    })(),
  );
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('S3 driver on a real engine', () => {
  it('round-trips a package larger than the part size as a multipart upload, its SHA-256 kept beside it', async () => {
    const driver = driverFor(plain);
    const data = randomBytes(12 * MiB + 12345);
    const key = `packages/mp-${randomBytes(4).toString('hex')}/p.zip`;
    const stored = await driver.put(key, chunked(data));
    expect(stored).toMatchObject({ size: data.length, sha256: sha256(data) });
    // Multipart: the engine's ETag is not an MD5 of the bytes; our digest is authoritative.
    const rawHead = await raw.send(new HeadObjectCommand({ Bucket: plain, Key: key }));
    expect(rawHead.ETag).toMatch(/-3"$/);
    expect((await driver.head(key))?.sha256).toBe(sha256(data));
    expect((await readAll(await driver.get(key))).equals(data)).toBe(true);
    const ranged = await readAll(await driver.get(key, { range: { start: 5 * MiB - 10, end: 5 * MiB + 9 } }));
    expect(ranged.equals(data.subarray(5 * MiB - 10, 5 * MiB + 10))).toBe(true);
    const listed: string[] = [];
    for await (const object of driver.list('packages/')) listed.push(object.key);
    expect(listed).toEqual([key]); // the digest sidecar is the driver's own and never listed
    expect(await incompleteUploads(raw, plain)).toEqual([]);
  });

  it('refuses a second write to the same key atomically where the engine supports it (412)', async () => {
    const driver = driverFor(plain);
    const key = `packages/race-${randomBytes(4).toString('hex')}/p.zip`;
    const bodies = [randomBytes(1000), randomBytes(1000)];
    const results = await Promise.allSettled(bodies.map((body) => driver.put(key, chunked(body))));
    const won = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r) => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect((refused[0] as PromiseRejectedResult).reason).toBeInstanceOf(AlreadyExistsError);
    const kept = await readAll(await driver.get(key));
    expect(bodies.some((b) => b.equals(kept))).toBe(true);
  });

  it('keeps versions on a versioned bucket and reports the version id', async () => {
    const driver = driverFor(locked);
    const key = `packages/v-${randomBytes(4).toString('hex')}/p.zip`;
    const stored = await driver.put(key, chunked(randomBytes(2000)));
    expect(stored.versionId).toBeTruthy();
    expect((await driver.head(key))?.versionId).toBe(stored.versionId);
    await expect(driver.put(key, chunked(randomBytes(2000)))).rejects.toBeInstanceOf(AlreadyExistsError);
    expect(await allVersions(raw, locked, key)).toEqual([`${key}@${stored.versionId}`]);
  });

  it('sets Object Lock retention; a locked package cannot be deleted, and the refusal is not retried', async () => {
    const driver = driverFor(locked, { objectLock: { mode: 'COMPLIANCE', retainDays: 1 } });
    const key = `packages/lock-${randomBytes(4).toString('hex')}/p.zip`;
    const data = randomBytes(3000);
    await driver.put(key, chunked(data));
    const rawHead = await raw.send(new HeadObjectCommand({ Bucket: locked, Key: key }));
    expect(rawHead.ObjectLockMode).toBe('COMPLIANCE');
    expect(rawHead.ObjectLockRetainUntilDate?.getTime()).toBeGreaterThan(Date.now() + 23 * 3600_000);
    const started = Date.now();
    await expect(driver.delete(key)).rejects.toBeInstanceOf(LockedError);
    expect(Date.now() - started).toBeLessThan(2000);
    expect((await readAll(await driver.get(key))).equals(data)).toBe(true);
  });

  it('sets a legal hold when the location asks for it', async () => {
    const driver = driverFor(locked, { objectLock: { mode: 'GOVERNANCE', retainDays: 1, legalHold: true } });
    const key = `packages/hold-${randomBytes(4).toString('hex')}/p.zip`;
    await driver.put(key, chunked(randomBytes(100)));
    const rawHead = await raw.send(new HeadObjectCommand({ Bucket: locked, Key: key }));
    expect(rawHead.ObjectLockLegalHoldStatus).toBe('ON');
    await expect(driver.delete(key)).rejects.toBeInstanceOf(LockedError);
  });

  it('an upload aborted mid-way leaves no object and no incomplete multipart upload', async () => {
    const driver = driverFor(plain);
    const key = `packages/abort-${randomBytes(4).toString('hex')}/p.zip`;
    const controller = new AbortController();
    const body = chunked(randomBytes(20 * MiB), async (offset) => {
      if (offset >= 12 * MiB) controller.abort();
    });
    await expect(driver.put(key, body, { signal: controller.signal })).rejects.toThrow(/abort/i);
    expect(await driver.head(key)).toBeNull();
    expect(await incompleteUploads(raw, plain, key)).toEqual([]);
  });

  it('a body that breaks mid-way leaves no incomplete multipart upload', async () => {
    const driver = driverFor(plain);
    const key = `packages/broken-${randomBytes(4).toString('hex')}/p.zip`;
    const body = chunked(randomBytes(20 * MiB), (offset) => {
      if (offset >= 11 * MiB) throw new Error('source broke');
    });
    await expect(driver.put(key, body)).rejects.toThrow(/source broke/);
    expect(await driver.head(key)).toBeNull();
    expect(await incompleteUploads(raw, plain, key)).toEqual([]);
  });
});

describe('S3 driver faults (through a proxy in front of the engine)', () => {
  it('retries 503 answers with backoff and succeeds', async () => {
    const proxy = await startFaultProxy(env.endpoint);
    try {
      const driver = driverFor(plain, { endpoint: proxy.endpoint, maxAttempts: 4 });
      const key = `packages/retry-${randomBytes(4).toString('hex')}/p.zip`;
      const data = randomBytes(4000);
      proxy.failNext(2, 503, (method) => method === 'PUT');
      await driver.put(key, chunked(data));
      expect(proxy.seen.filter((r) => r.startsWith('PUT')).length).toBe(3);
      expect((await readAll(await driver.get(key))).equals(data)).toBe(true);
    } finally {
      await proxy.close();
    }
  });

  it('gives up after its attempts with UnavailableError; a multipart upload is aborted, not left behind', async () => {
    const proxy = await startFaultProxy(env.endpoint);
    try {
      const driver = driverFor(plain, { endpoint: proxy.endpoint, maxAttempts: 2 });
      const key = `packages/giveup-${randomBytes(4).toString('hex')}/p.zip`;
      proxy.failNext(100, 500, (method, url) => method === 'PUT' && url.includes('partNumber=2'));
      await expect(driver.put(key, chunked(randomBytes(12 * MiB)))).rejects.toBeInstanceOf(UnavailableError);
      expect(proxy.seen.filter((r) => r.includes('partNumber=2')).length).toBe(2);
      expect(await incompleteUploads(raw, plain, key)).toEqual([]);
      expect(await driver.head(key)).toBeNull();
    } finally {
      await proxy.close();
    }
  });

  it('names an endpoint that is down as unavailable', async () => {
    const proxy = await startFaultProxy(env.endpoint);
    await proxy.down();
    const driver = driverFor(plain, { endpoint: proxy.endpoint, maxAttempts: 2 });
    const error = await driver.head('packages/x/x.zip').catch((err: unknown) => err);
    expect(error).toBeInstanceOf(UnavailableError);
    expect(String(error)).toMatch(/ECONNREFUSED|unavailable/);
  });

  it('times out a request that is never answered', async () => {
    const proxy = await startFaultProxy(env.endpoint);
    try {
      const driver = driverFor(plain, { endpoint: proxy.endpoint, maxAttempts: 1, requestTimeoutSeconds: 1 });
      proxy.stall((method) => method === 'HEAD');
      const started = Date.now();
      await expect(driver.head('packages/x/x.zip')).rejects.toBeInstanceOf(UnavailableError);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      await proxy.close();
    }
  });
});
