/**
 * `check()` of the S3 driver: what a bucket supports, probed with as few requests as possible.
 *
 * Requests, in order: GetBucketVersioning (reachable, credentials, bucket, versioning), GetObjectLockConfiguration,
 * then one probe key `<prefix>.bevara/check-<random>` PUT twice with `If-None-Match: *` (the first proves writes,
 * the second must be refused with 412), and the probe's versions deleted. Under a default retention the probe
 * cannot be deleted: it stays (hidden from `list`, a few bytes) and the `delete` fact says so.
 */
import { randomBytes } from 'node:crypto';
import {
  DeleteObjectCommand,
  GetBucketVersioningCommand,
  GetObjectLockConfigurationCommand,
  type PutObjectCommandInput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { AlreadyExistsError, LockedError, NotFoundError, UnavailableError } from '../../errors.js';
import type { LocationFact, LocationFacts } from '../types.js';
import { CREDENTIAL_ERROR_NAMES, toStorageError } from './errors.js';
import { putSingle } from './upload.js';

export interface S3CheckTarget {
  client: S3Client;
  bucket: string;
  /** The location's prefix inside the bucket, empty or ending in `/`. */
  prefix: string;
}

const yes = (detail?: string): LocationFact => ({ status: 'yes', detail });
const no = (detail?: string): LocationFact => ({ status: 'no', detail });
const unknown = (detail: string): LocationFact => ({ status: 'unknown', detail });

interface SdkFailure {
  /** The engine answered with an HTTP status (it is reachable). */
  answered: boolean;
  status?: number;
  name: string;
  /** Our translated error: its message is the detail people see. */
  error: Error;
}

function failure(err: unknown, what: string): SdkFailure {
  const e = (err ?? {}) as { name?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  return {
    answered: status !== undefined,
    status,
    name: e.name ?? 'Error',
    error: toStorageError(err, what),
  };
}

/**
 * The translated message, for a fact's detail: without the SDK's placeholder text for bodiless errors and without
 * the translation's trailing hints, which the fact itself states (and a check is not retried by a later run).
 */
function detailOf(error: Error): string {
  return error.message
    .replace(/: UnknownError\b/, '')
    .replace(/ \((the location is unavailable|the bucket does not exist)[^)]*\)$/, '');
}

/** Probes one bucket; never throws. */
export async function checkS3Location(target: S3CheckTarget): Promise<LocationFacts> {
  const { client, bucket } = target;
  const facts: LocationFacts = {};
  try {
    const out = await client.send(new GetBucketVersioningCommand({ Bucket: bucket }));
    facts.reachable = yes('the endpoint answered');
    facts.credentials = yes('request signature accepted');
    facts.bucket = yes(`bucket "${bucket}" exists`);
    facts.versioning =
      out.Status === 'Enabled'
        ? yes('enabled')
        : no(
            out.Status === 'Suspended' ? 'suspended: new writes replace the current version' : 'not enabled',
          );
  } catch (err) {
    const f = failure(err, 'GetBucketVersioning');
    const detail = detailOf(f.error);
    if (f.name === 'CredentialsProviderError') {
      return {
        reachable: unknown('not contacted without credentials'),
        credentials: no(`none configured or found: ${detail}`),
      };
    }
    if (!f.answered || f.error instanceof UnavailableError) return { reachable: no(detail) };
    facts.reachable = yes('the endpoint answered');
    if (CREDENTIAL_ERROR_NAMES.has(f.name) || f.status === 401) {
      return { ...facts, credentials: no(detail) };
    }
    if (f.name === 'NoSuchBucket') {
      return {
        ...facts,
        credentials: yes('request signature accepted'),
        bucket: no(`no bucket "${bucket}": ${detail}`),
      };
    }
    if (f.name === 'AccessDenied') {
      facts.credentials = yes(`accepted, but ${detail}`);
      facts.bucket = unknown(detail);
      facts.versioning = unknown(detail);
    } else {
      // Something unexpected: nothing more can be trusted.
      return { ...facts, credentials: unknown(detail) };
    }
  }
  facts.objectLock = await checkObjectLock(client, bucket);
  Object.assign(facts, await probeWrites(target));
  if (facts.bucket?.status === 'unknown' && facts.write?.status === 'yes') {
    facts.bucket = yes('a probe could be written to it');
  }
  return facts;
}

async function checkObjectLock(client: S3Client, bucket: string): Promise<LocationFact> {
  try {
    const out = await client.send(new GetObjectLockConfigurationCommand({ Bucket: bucket }));
    const config = out.ObjectLockConfiguration;
    if (config?.ObjectLockEnabled !== 'Enabled') return no('not enabled on the bucket');
    const retention = config.Rule?.DefaultRetention;
    if (!retention) return yes('enabled, no default retention');
    const [count, unit] = retention.Days ? [retention.Days, 'day'] : [retention.Years ?? 0, 'year'];
    const period = `${count} ${unit}${count === 1 ? '' : 's'}`;
    return yes(`enabled, default retention ${retention.Mode} ${period}`);
  } catch (err) {
    const f = failure(err, 'GetObjectLockConfiguration');
    // 404 ObjectLockConfigurationNotFoundError: the bucket was created without Object Lock.
    if (f.error instanceof NotFoundError) return no('not enabled on the bucket');
    return unknown(detailOf(f.error));
  }
}

/** Writes the probe twice with `If-None-Match: *`, then removes every version it made. */
async function probeWrites(target: S3CheckTarget): Promise<LocationFacts> {
  const { client, bucket, prefix } = target;
  const key = `${prefix}.bevara/check-${randomBytes(8).toString('hex')}`;
  const body = Buffer.from(`${JSON.stringify({ probe: 'bevara storage check', at: new Date() })}\n`);
  const input: Omit<PutObjectCommandInput, 'Body'> = {
    Bucket: bucket,
    Key: key,
    ContentType: 'application/json',
    IfNoneMatch: '*',
  };
  const versions: (string | undefined)[] = [];
  const facts: LocationFacts = {};
  try {
    versions.push((await putSingle(client, input, body)).versionId);
    facts.write = yes(`wrote probe ${key}`);
  } catch (err) {
    const f = failure(err, `PutObject ${key}`);
    const refusedHeader = f.answered && (f.name === 'NotImplemented' || f.name === 'InvalidArgument');
    if (!refusedHeader) {
      const detail = detailOf(f.error);
      return { write: no(detail), delete: unknown(detail), conditionalWrites: unknown(detail) };
    }
    // The engine refuses the header itself: every package write sends it, so this is a failed write.
    return {
      write: no(`the engine refuses If-None-Match, which every package write sends: ${detailOf(f.error)}`),
      delete: unknown('nothing was written'),
      conditionalWrites: no(detailOf(f.error)),
    };
  }
  try {
    versions.push((await putSingle(client, input, body)).versionId);
    facts.conditionalWrites = no(
      'a second If-None-Match: * write of the probe was accepted, not refused (412)',
    );
  } catch (err) {
    const error = toStorageError(err, `PutObject ${key} again`);
    facts.conditionalWrites =
      error instanceof AlreadyExistsError
        ? yes('a second If-None-Match: * write was refused (412)')
        : unknown(detailOf(error));
  }
  facts.delete = await removeProbe(client, bucket, key, versions);
  return facts;
}

async function removeProbe(
  client: S3Client,
  bucket: string,
  key: string,
  versions: (string | undefined)[],
): Promise<LocationFact> {
  try {
    for (const versionId of versions) {
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }));
    }
    return yes('probe removed');
  } catch (err) {
    const error = toStorageError(err, `DeleteObject ${key}`);
    if (error instanceof LockedError) {
      return no(
        `probe ${key} is kept by Object Lock retention (hidden from listings; removable once it expires)`,
      );
    }
    return no(`probe ${key} left behind: ${detailOf(error)}`);
  }
}
