import { ValidationError } from '../errors.js';

const MAX_KEY_BYTES = 1024;

/**
 * Every storage key passes here before any driver touches it: a relative POSIX path of non-empty segments,
 * no `.` or `..`, no backslash, no control characters, at most 1024 UTF-8 bytes (the S3 limit).
 */
export function validateKey(key: string): string {
  const fail = (why: string) => {
    throw new ValidationError('storage-key', `[storage] key ${JSON.stringify(key)} rejected: ${why}`);
  };
  if (typeof key !== 'string' || key.length === 0) fail('empty');
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) fail(`longer than ${MAX_KEY_BYTES} bytes`);
  if (key.startsWith('/')) fail('absolute path');
  if (key.includes('\\')) fail('backslash');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what we reject
  if (/[\u0000-\u001f\u007f]/.test(key)) fail('control character');
  for (const segment of key.split('/')) {
    if (segment === '') fail('empty path segment');
    if (segment === '.' || segment === '..') fail(`"${segment}" segment`);
  }
  return key;
}

/** The key of a package's ZIP in every location: `packages/<id>/<id>.zip`, leaving room for sidecars. */
export function packageKey(packageId: string): string {
  return validateKey(`packages/${packageId}/${packageId}.zip`);
}
