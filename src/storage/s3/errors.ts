import {
  AccessError,
  AlreadyExistsError,
  LockedError,
  NotFoundError,
  PreservationError,
  StorageError,
  UnavailableError,
} from '../../errors.js';

/** What the SDK's errors carry; read defensively, since network errors carry less. */
interface SdkErrorShape {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
]);
const UNAVAILABLE_NAMES = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'ServiceUnavailable',
  'InternalError',
]);
/** Error names that mean the credentials were refused or could not be found. */
export const CREDENTIAL_ERROR_NAMES: ReadonlySet<string> = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'CredentialsProviderError',
  'ExpiredToken',
  'InvalidToken',
  'TokenRefreshRequired',
  'AuthorizationHeaderMalformed',
]);
const ACCESS_NAMES = new Set([...CREDENTIAL_ERROR_NAMES, 'AccessDenied', 'NoSuchBucket']);

export function isAbortError(err: unknown): boolean {
  return (err as { name?: string } | null)?.name === 'AbortError';
}

/**
 * Turns whatever the SDK threw into one of our typed errors; no SDK error shape leaves `storage/`.
 * `what` names the operation, location and key, e.g. `[storage:s3 arkiv-a] put "packages/…"`.
 * The SDK's own error is not attached as a cause: the message carries its name, status and text.
 */
export function toStorageError(err: unknown, what: string): Error {
  if (err instanceof PreservationError || isAbortError(err)) return err as Error;
  const e = (err ?? {}) as SdkErrorShape;
  const status = e.$metadata?.httpStatusCode;
  const name = e.name ?? 'Error';
  const code = e.code ?? '';
  const detail = `${name}${status ? ` (HTTP ${status})` : ''}${code && code !== name ? ` ${code}` : ''}: ${e.message ?? String(err)}`;
  const message = `${what} failed: ${detail}`;
  if (name === 'NoSuchBucket') return new AccessError(`${message} (the bucket does not exist)`);
  if (name === 'NotFound' || name === 'NoSuchKey' || status === 404) return new NotFoundError(message);
  if (name === 'PreconditionFailed' || status === 412) {
    return new AlreadyExistsError(`${message} (the key exists; packages are written once)`);
  }
  if (/object ?lock|retention|legal hold/i.test(e.message ?? '') && (status === 403 || status === 400)) {
    return new LockedError(`${message} (the object is under Object Lock retention or legal hold)`);
  }
  if (ACCESS_NAMES.has(name) || status === 401 || status === 403) return new AccessError(message);
  if (
    UNAVAILABLE_NAMES.has(name) ||
    NETWORK_CODES.has(code) ||
    (status !== undefined && (status >= 500 || status === 429)) ||
    (status === undefined && e.$metadata !== undefined)
  ) {
    return new UnavailableError(`${message} (the location is unavailable; a later run retries)`);
  }
  if (status === undefined && /socket|network|connect|timeout/i.test(e.message ?? '')) {
    return new UnavailableError(`${message} (the location is unavailable; a later run retries)`);
  }
  return new StorageError(message);
}
