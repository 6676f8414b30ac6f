/**
 * Parsers for the fields of a job definition, shared by `bevara jobs add` flags and the config file's `jobs:`.
 * Each returns the value or records an issue naming the field (as the caller spells it: `--cron` or `cron`) and
 * a stable rule, so that one pass reports every problem of a definition.
 */
import path from 'node:path';
import { validateDetailed } from 'node-cron';
import type { AfterSuccess, JobSource } from '../model/job.js';
import { parseBytes } from '../config/units.js';

/** Job names: what `bevara jobs add` and the config's `jobs:` keys accept. */
export const JOB_NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;

/** Time zone of a schedule that does not name one. */
export const DEFAULT_TIMEZONE = 'Europe/Stockholm';

export const SOURCE_KINDS: readonly JobSource['kind'][] = ['folder', 'bagit', 'eark-sip'];

/** One problem with one field of a job definition. */
export interface JobIssue {
  /** The field as the user wrote it: `--source` on the command line, `source` in the config file. */
  field: string;
  /** Stable identifier of the broken rule, e.g. `job-cron`. */
  rule: string;
  message: string;
}

/** Collects issues while fields are parsed; `field` names the field in the caller's terms. */
export interface IssueSink {
  add(field: string, rule: string, message: string): void;
}

/** `folder:/exports/w3d3` or `{ kind, path }` → a source with an absolute path (resolved against `base`). */
export function parseSource(
  value: string | { kind: string; path: string },
  base: string,
  field: string,
  issues: IssueSink,
): JobSource | undefined {
  const match = typeof value === 'string' ? /^([a-z-]+):(.*)$/.exec(value) : undefined;
  const kind = typeof value === 'string' ? match?.[1] : value.kind;
  const where = typeof value === 'string' ? match?.[2] : value.path;
  const shown = typeof value === 'string' ? value : `${value.kind}:${value.path}`;
  if (kind === undefined || !SOURCE_KINDS.includes(kind as JobSource['kind'])) {
    issues.add(
      field,
      'job-source',
      `expected <kind>:<path> with kind ${SOURCE_KINDS.join(', ')} (e.g. "folder:/exports/w3d3"), got "${shown}"`,
    );
    return undefined;
  }
  if (!where || where.trim() === '') {
    issues.add(field, 'job-source', `"${shown}" names no folder after "${kind}:"`);
    return undefined;
  }
  return { kind: kind as JobSource['kind'], path: path.resolve(base, where) };
}

/** `leave`, `mark` or `move:<dir>` (the folder made absolute). */
export function parseAfterSuccess(
  value: string,
  base: string,
  field: string,
  issues: IssueSink,
): AfterSuccess | undefined {
  if (value === 'leave' || value === 'mark') return { action: value };
  const match = /^move:(.+)$/.exec(value);
  if (match?.[1] && match[1].trim() !== '') return { action: 'move', to: path.resolve(base, match[1]) };
  issues.add(field, 'job-after-success', `expected leave, mark or move:<folder>, got "${value}"`);
  return undefined;
}

/** A cron expression of five or six fields that node-cron accepts, with single spaces between fields. */
export function parseCron(value: string, field: string, issues: IssueSink): string | undefined {
  const cron = value.trim().split(/\s+/).join(' ');
  const fields = cron === '' ? 0 : cron.split(' ').length;
  if (fields !== 5 && fields !== 6) {
    issues.add(
      field,
      'job-cron',
      `expected five fields (minute hour day-of-month month day-of-week) or six (seconds first), got ${fields} in "${value}"`,
    );
    return undefined;
  }
  const result = validateDetailed(cron);
  if (!result.valid) {
    const why = result.errors.map((e) => e.message).join('; ');
    issues.add(
      field,
      'job-cron',
      `"${value}" is not a valid cron expression: ${why || 'rejected by node-cron'}`,
    );
    return undefined;
  }
  return cron;
}

/** An IANA time zone name, in its canonical spelling (`europe/stockholm` → `Europe/Stockholm`). */
export function parseTimezone(value: string, field: string, issues: IssueSink): string | undefined {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: value }).resolvedOptions().timeZone;
  } catch {
    issues.add(field, 'job-timezone', `"${value}" is not an IANA time zone (e.g. Europe/Stockholm, UTC)`);
    return undefined;
  }
}

/** A positive whole number of records. */
export function parseMaxRecords(
  value: string | number,
  field: string,
  issues: IssueSink,
): number | undefined {
  const n = typeof value === 'number' ? value : /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
  if (Number.isSafeInteger(n) && n > 0) return n;
  issues.add(field, 'job-limit', `expected a positive whole number of records, got "${value}"`);
  return undefined;
}

/** A positive size: `50GB`, `500GiB` or a number of bytes. */
export function parseMaxBytes(value: string | number, field: string, issues: IssueSink): number | undefined {
  const n = typeof value === 'number' ? value : parseBytes(value);
  if (n !== undefined && Number.isSafeInteger(n) && n > 0) return n;
  issues.add(field, 'job-limit', `expected a size such as "50GB" or "500GiB", got "${value}"`);
  return undefined;
}

/** Whether `inner` is `outer` or lies inside it (both absolute). */
export function isInside(inner: string, outer: string): boolean {
  const rel = path.relative(outer, inner);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}
