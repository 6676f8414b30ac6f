/**
 * PostgreSQL driver errors as ours, and the checks on integers read back (`pg` returns BIGINT and NUMERIC as
 * strings; postgres.ts reads them through `toSafeInteger` and `toTotal`).
 *
 * The connection URL's password never appears in a message: every message is masked, and a driver error whose
 * text holds the password is replaced by a masked copy before it becomes a `cause`.
 */
import { maskUrlText, urlPassword } from '../config/mask.js';
import { errorMessage, NotFoundError, PreservationError } from '../errors.js';
import { CatalogError } from './errors.js';

export const CONTEXT = '[catalog:postgres]';

const QUERY_PASSWORD = /([?&](?:ssl)?password=)([^&#]*)/gi;

/** Masks the password of a connection URL (user info, `password=`, `sslpassword=`), even when unparsable. */
export function maskUrl(url: string): string {
  return maskUrlText(url);
}

/** The forms of the URL's passwords that could appear in a message: as written, and percent-decoded. */
export function passwordForms(url: string): string[] {
  const raw = [urlPassword(url) ?? '', ...[...url.matchAll(QUERY_PASSWORD)].map((m) => m[2] ?? '')];
  const forms = new Set<string>();
  for (const text of raw) {
    if (text === '') continue;
    forms.add(text);
    for (const decode of [decodeURIComponent, (t: string) => decodeURIComponent(t.replaceAll('+', ' '))]) {
      try {
        const decoded = decode(text);
        if (decoded !== '') forms.add(decoded);
      } catch {
        // not percent-encoded: the raw form is all there is
      }
    }
  }
  return [...forms].sort((a, b) => b.length - a.length);
}

/** Replaces every form of a secret in `text` by `***`. */
export function maskText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) out = out.replaceAll(secret, '***');
  return out;
}

function holdsSecret(err: unknown, secrets: readonly string[]): boolean {
  if (secrets.length === 0 || typeof err !== 'object' || err === null) return false;
  const texts: string[] = [];
  for (const value of Object.values(err)) if (typeof value === 'string') texts.push(value);
  if (err instanceof Error) texts.push(err.message, err.stack ?? '');
  if (err instanceof AggregateError) for (const inner of err.errors) texts.push(errorMessage(inner));
  return texts.some((text) => secrets.some((secret) => text.includes(secret)));
}

/** The error to keep as `cause`: the driver's own, unless it holds the password (then a masked copy). */
function safeCause(err: unknown, secrets: readonly string[]): unknown {
  return holdsSecret(err, secrets) ? new Error(maskText(describe(err), secrets)) : err;
}

/** A driver error's message; Node's AggregateError (one per address tried) has an empty one of its own. */
function describe(err: unknown): string {
  if (err instanceof AggregateError && err.message === '') {
    return err.errors.map((inner) => errorMessage(inner)).join('; ');
  }
  return errorMessage(err);
}

function codeOf(err: unknown): string {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : '';
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH']);

/**
 * Cannot reach the server, or it went away (SQLSTATE class 08 but 08P01, which is a malformed request;
 * 57P0x shutdown; 53300 too many connections).
 */
function isConnectionFailure(err: unknown): boolean {
  const code = codeOf(err);
  if (NETWORK_CODES.has(code) || code === 'EAI_AGAIN' || (code.startsWith('08') && code !== '08P01'))
    return true;
  if (['57P01', '57P02', '57P03', '53300'].includes(code)) return true;
  return /Connection terminated|timeout exceeded when trying to connect/i.test(errorMessage(err));
}

/** Translates a driver error into one of ours, with the password masked. */
export function translate(
  err: unknown,
  action: string,
  missing: string,
  label: string,
  secrets: readonly string[],
): PreservationError {
  if (err instanceof PreservationError) return err;
  const cause = safeCause(err, secrets);
  const fail = (reason: string, unrecoverable: boolean) =>
    new CatalogError(maskText(`${CONTEXT} cannot ${action}: ${reason}`, secrets), { cause, unrecoverable });
  const code = codeOf(err);
  const text = describe(err);
  switch (code) {
    case '23503':
      return new NotFoundError(maskText(`${CONTEXT} cannot ${action}: ${missing} does not exist`, secrets), {
        cause,
      });
    case '23505':
      return fail('it already exists', true);
    case '42P01':
      return fail(`${text} (call migrate() first)`, true);
    case '28P01':
    case '28000':
    case '3D000':
      return fail(`cannot connect to ${label}: ${text}`, true);
  }
  if (isConnectionFailure(err)) return fail(`cannot connect to ${label}: ${text}`, false);
  // Class 22 (data exception: out of range, NUL in text…) and 23 (other constraints) come from the request itself.
  return fail(text, code.startsWith('22') || code.startsWith('23'));
}

/**
 * A BIGINT (string), INTEGER (number) or NUMERIC (string) value as a JS number, when it is a non-negative integer
 * up to 2^53 (the sizes the catalog accepts); anything else throws a `CatalogError` naming `field`.
 */
export function toSafeInteger(value: unknown, field: string): number {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || !/^\d+$/.test(text) || BigInt(text) > 2n ** 53n) {
    throw new CatalogError(`${CONTEXT} ${field}: ${String(value)} is not an integer from 0 to 2^53`, {
      unrecoverable: true,
    });
  }
  return Number(text);
}

/**
 * A SUM over BIGINT (NUMERIC, as a string) as a JS number. Unlike a stored size, a total may pass 2^53 (a
 * location of more than 8 PiB): it is then rounded to the nearest number, as SQLite's driver does.
 */
export function toTotal(value: unknown, field: string): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
  if (typeof value !== 'string' || !/^\d+$/.test(value)) {
    throw new CatalogError(`${CONTEXT} ${field}: ${String(value)} is not a non-negative integer`, {
      unrecoverable: true,
    });
  }
  return Number(value);
}
