import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  HeadObjectCommand,
  type ObjectLockMode,
  ListObjectVersionsCommand,
  paginateListObjectsV2,
  type PutObjectCommandInput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { AlreadyExistsError, NotFoundError } from '../../errors.js';
import { validateKey } from '../keys.js';
import type { GetOptions, PutOptions, StorageDriver, StoredObject } from '../types.js';
import { S3_CAPABILITIES } from './capabilities.js';
import { checkS3Location } from './check.js';
import { abortIncompleteUploads } from './incomplete.js';
import { createS3Client, type S3ConnectionOptions } from './client.js';
import { isAbortError, toStorageError } from './errors.js';
import { type BodyHead, putMultipart, putSingle, readHead } from './upload.js';

export interface S3DriverOptions extends S3ConnectionOptions {
  bucket: string;
  /** Folder-like prefix inside the bucket for everything this location stores, e.g. `bevara/`. */
  prefix?: string;
  /** Retention set on every object written (Object Lock must be enabled on the bucket). */
  objectLock?: { mode: 'GOVERNANCE' | 'COMPLIANCE'; retainDays: number; legalHold?: boolean };
  /** Bodies up to this size go in one PUT with Content-MD5; larger ones in parts of this size (min 5 MiB). */
  partSize: number;
  /** Parts uploaded at once; memory per upload is about `partSize * (uploadConcurrency + 1)`. */
  uploadConcurrency: number;
  now?: () => Date;
}

/** User metadata carrying our SHA-256 of the whole object (`x-amz-meta-bevara-sha256`). */
const SHA256_META = 'bevara-sha256';
/**
 * A multipart object's metadata is fixed before its bytes are sent, so its SHA-256 goes to a small sidecar
 * object written (and locked) right after it, as the fs driver does: `.meta/<key>.json`.
 */
const META_PREFIX = '.meta/';
/** Keys under these are the driver's own and never listed. */
const INTERNAL_PREFIXES = [META_PREFIX, '.bevara/'];

/**
 * An S3-compatible bucket (Ceph RGW, MinIO, AWS S3) as a storage location.
 *
 * Write once: `put` refuses a key that exists (HEAD first, so a large upload fails before it starts) and sends
 * `If-None-Match: *`, which engines that support conditional writes enforce atomically (412). On engines that
 * ignore it for versioned buckets or multipart uploads (Ceph 16), a racing second write becomes a new version and
 * the first is kept. Deletes remove every version; retention makes them fail with `LockedError`.
 */
export function createS3Driver(options: S3DriverOptions): StorageDriver & { readonly bucket: string } {
  // Created on first use: a configured location that a command never touches costs nothing.
  let created: S3Client | undefined;
  const client = (): S3Client => {
    created ??= createS3Client(options);
    return created;
  };
  const prefix = options.prefix ? `${options.prefix.replace(/\/+$/, '')}/` : '';
  let versioned: Promise<boolean> | undefined;
  const b: Bucket = {
    client,
    name: options.bucket,
    prefix,
    label: `[storage:s3 ${options.bucket}${prefix ? `/${prefix}` : ''}]`,
    options,
    now: options.now ?? (() => new Date()),
    versioned() {
      versioned ??= client()
        .send(new GetBucketVersioningCommand({ Bucket: options.bucket }))
        .then((out) => out.Status === 'Enabled' || out.Status === 'Suspended')
        .catch((err) => {
          versioned = undefined;
          throw err;
        });
      return versioned;
    },
  };
  return {
    name: 's3',
    bucket: b.name,
    capabilities: S3_CAPABILITIES,
    put: (key, body, putOptions) => putObject(b, key, body, putOptions),
    get: (key, getOptions) => getObject(b, key, getOptions),
    head: (key) => headObject(b, key),
    list: (listPrefix) => listObjects(b, listPrefix),
    delete: (key) => removeKey(b, key),
    check: () => checkS3Location({ client: client(), bucket: b.name, prefix }),
    removeIncomplete: async (olderThan) => {
      try {
        return await abortIncompleteUploads({ client: client(), bucket: b.name, prefix }, olderThan);
      } catch (err) {
        throw toStorageError(err, `${b.label} abort incomplete uploads`);
      }
    },
    async dispose() {
      created?.destroy();
    },
  };
}

/** One location's bucket and prefix, with the client made on first use: what the operations below share. */
interface Bucket {
  client(): S3Client;
  name: string;
  /** `''` or the configured prefix with one trailing slash. */
  prefix: string;
  /** The context of error messages, e.g. `[storage:s3 archive/bevara/]`. */
  label: string;
  options: S3DriverOptions;
  now: () => Date;
  /** Whether the bucket has (or had) versioning, asked once. */
  versioned(): Promise<boolean>;
}

const objectKey = (b: Bucket, key: string) => b.prefix + validateKey(key);
const metaKey = (b: Bucket, key: string) => `${b.prefix}${META_PREFIX}${validateKey(key)}.json`;

function lockParams(b: Bucket): Partial<PutObjectCommandInput> {
  const lock = b.options.objectLock;
  if (!lock) return {};
  return {
    ObjectLockMode: lock.mode as ObjectLockMode,
    ObjectLockRetainUntilDate: new Date(b.now().getTime() + lock.retainDays * 86_400_000),
    ...(lock.legalHold ? { ObjectLockLegalHoldStatus: 'ON' as const } : {}),
  };
}

async function headObject(b: Bucket, key: string): Promise<StoredObject | null> {
  try {
    const out = await b.client().send(new HeadObjectCommand({ Bucket: b.name, Key: objectKey(b, key) }));
    const multipart = out.ETag?.includes('-') ?? false;
    const sha256 = out.Metadata?.[SHA256_META] ?? (multipart ? await readSidecar(b, key) : undefined);
    return { key, size: out.ContentLength ?? 0, mtime: out.LastModified, versionId: out.VersionId, sha256 };
  } catch (err) {
    const error = toStorageError(err, `${b.label} head "${key}"`);
    if (error instanceof NotFoundError) return null;
    throw error;
  }
}

async function readSidecar(b: Bucket, key: string): Promise<string | undefined> {
  try {
    const out = await b.client().send(new GetObjectCommand({ Bucket: b.name, Key: metaKey(b, key) }));
    const meta = JSON.parse((await out.Body?.transformToString()) ?? '{}') as { sha256?: string };
    return meta.sha256;
  } catch (err) {
    if (toStorageError(err, '') instanceof NotFoundError) return undefined;
    throw toStorageError(err, `${b.label} read digest sidecar of "${key}"`);
  }
}

async function putObject(
  b: Bucket,
  key: string,
  body: Readable,
  putOptions: PutOptions = {},
): Promise<StoredObject> {
  const what = `${b.label} put "${key}"`;
  const { signal } = putOptions;
  if (await headObject(b, key)) {
    body.destroy();
    throw new AlreadyExistsError(`${what}: the key exists; packages are written once`);
  }
  const onAbort = () => body.destroy(Object.assign(new Error(`${what}: aborted`), { name: 'AbortError' }));
  if (signal?.aborted) onAbort();
  signal?.addEventListener('abort', onAbort, { once: true });
  const input: PutInput = {
    Bucket: b.name,
    Key: objectKey(b, key),
    ContentType: contentTypeOf(key),
    IfNoneMatch: '*',
    ...lockParams(b),
  };
  const partSize = partSizeFor(b.options.partSize, putOptions.size);
  try {
    const bodyHead = await readHead(body, partSize);
    if (bodyHead.ended) return await putWhole(b, key, input, bodyHead, putOptions);
    return await putInParts(b, key, input, bodyHead, { ...putOptions, partSize, what });
  } catch (err) {
    body.destroy();
    if (isAbortError(err)) await removeKey(b, key).catch(() => {});
    throw toStorageError(err, what);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

type PutInput = Omit<PutObjectCommandInput, 'Body'>;

/** A body that fits in one part: one PUT, its SHA-256 in the object's metadata. */
async function putWhole(
  b: Bucket,
  key: string,
  input: PutInput,
  bodyHead: BodyHead,
  putOptions: PutOptions,
): Promise<StoredObject> {
  const data = Buffer.concat(bodyHead.chunks, bodyHead.bytes);
  const sha256 = putOptions.sha256?.() ?? createHash('sha256').update(data).digest('hex');
  const { versionId } = await putSingle(
    b.client(),
    { ...input, Metadata: { [SHA256_META]: sha256 } },
    data,
    putOptions.signal,
  );
  return { key, size: data.length, sha256, versionId, mtime: b.now() };
}

/** A larger body: a multipart upload, then its SHA-256 in the sidecar (the object is removed if that fails). */
async function putInParts(
  b: Bucket,
  key: string,
  input: PutInput,
  bodyHead: BodyHead,
  putOptions: PutOptions & { partSize: number; what: string },
): Promise<StoredObject> {
  let size = 0;
  const ownHash = putOptions.sha256 ? undefined : createHash('sha256');
  const { versionId } = await putMultipart(b.client(), input, bodyHead, {
    partSize: putOptions.partSize,
    concurrency: b.options.uploadConcurrency,
    onBytes: (chunk) => {
      size += chunk.length;
      ownHash?.update(chunk);
    },
  });
  const sha256 = putOptions.sha256?.() ?? (ownHash as ReturnType<typeof createHash>).digest('hex');
  const stored = { key, size, sha256, versionId, mtime: b.now() };
  if (putOptions.signal?.aborted)
    throw Object.assign(new Error(`${putOptions.what}: aborted`), { name: 'AbortError' });
  try {
    const meta = Buffer.from(JSON.stringify({ sha256, size, storedAt: stored.mtime.toISOString() }));
    await putSingle(b.client(), { ...input, Key: metaKey(b, key), ContentType: 'application/json' }, meta);
  } catch (err) {
    await removeKey(b, key).catch(() => {});
    throw err;
  }
  return stored;
}

async function getObject(b: Bucket, key: string, getOptions: GetOptions = {}): Promise<Readable> {
  const { range, signal } = getOptions;
  try {
    const out = await b.client().send(
      new GetObjectCommand({
        Bucket: b.name,
        Key: objectKey(b, key),
        Range: range ? `bytes=${range.start}-${range.end}` : undefined,
      }),
      { abortSignal: signal },
    );
    return out.Body as Readable;
  } catch (err) {
    throw toStorageError(err, `${b.label} get "${key}"`);
  }
}

async function* listObjects(b: Bucket, listPrefix = ''): AsyncIterable<StoredObject> {
  try {
    const pages = paginateListObjectsV2(
      { client: b.client() },
      { Bucket: b.name, Prefix: b.prefix + listPrefix },
    );
    for await (const page of pages) {
      for (const object of page.Contents ?? []) {
        const key = (object.Key ?? '').slice(b.prefix.length);
        if (INTERNAL_PREFIXES.some((p) => key.startsWith(p))) continue;
        yield { key, size: object.Size ?? 0, mtime: object.LastModified };
      }
    }
  } catch (err) {
    throw toStorageError(err, `${b.label} list "${listPrefix}"`);
  }
}

/** Removes an object for good: on a versioned bucket every version and delete marker of exactly this key. */
async function removeObject(b: Bucket, fullKey: string): Promise<void> {
  if (!(await b.versioned())) {
    await b.client().send(new DeleteObjectCommand({ Bucket: b.name, Key: fullKey }));
    return;
  }
  let markers: { KeyMarker?: string; VersionIdMarker?: string } = {};
  for (;;) {
    const page = await b
      .client()
      .send(new ListObjectVersionsCommand({ Bucket: b.name, Prefix: fullKey, ...markers }));
    for (const version of [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])]) {
      if (version.Key !== fullKey) continue;
      await b
        .client()
        .send(new DeleteObjectCommand({ Bucket: b.name, Key: fullKey, VersionId: version.VersionId }));
    }
    if (!page.IsTruncated) return;
    markers = { KeyMarker: page.NextKeyMarker, VersionIdMarker: page.NextVersionIdMarker };
  }
}

/** Removes an object and its digest sidecar. */
async function removeKey(b: Bucket, key: string): Promise<void> {
  try {
    await removeObject(b, objectKey(b, key));
    await removeObject(b, metaKey(b, key));
  } catch (err) {
    throw toStorageError(err, `${b.label} delete "${key}"`);
  }
}

/** S3 allows 10,000 parts: a large expected size gets larger parts (whole MiB), with room for estimate errors. */
export function partSizeFor(configured: number, expectedSize?: number): number {
  if (!expectedSize) return configured;
  const MiB = 1024 * 1024;
  return Math.max(configured, Math.ceil(expectedSize / 9_000 / MiB) * MiB);
}

function contentTypeOf(key: string): string {
  if (key.endsWith('.zip')) return 'application/zip';
  if (key.endsWith('.json')) return 'application/json';
  if (key.endsWith('.xml')) return 'application/xml';
  if (key.endsWith('.html')) return 'text/html; charset=utf-8';
  return 'application/octet-stream';
}
