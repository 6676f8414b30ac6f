/**
 * Job definitions from `bevara jobs add` flags and from the config file's `jobs:` section, into one model
 * (`JobRecord`). Both go through the same checks; only the spelling of the fields in messages differs.
 */
import path from 'node:path';
import type { AfterSuccess, JobRecord, JobSource } from '../model/job.js';
import type { JobConfig } from '../config/schema.js';
import { ConfigError, errorMessage, ValidationError } from '../errors.js';
import {
  DEFAULT_TIMEZONE,
  type IssueSink,
  isInside,
  JOB_NAME,
  type JobIssue,
  parseAfterSuccess,
  parseCron,
  parseMaxBytes,
  parseMaxRecords,
  parseSource,
  parseTimezone,
} from './job-fields.js';

/** `bevara jobs add` options, as commander gives them. */
export interface JobFlags {
  /** `<kind>:<path>`, e.g. `folder:/exports/w3d3`. Required. */
  source?: string;
  profile?: string;
  cron?: string;
  timezone?: string;
  /** `leave` (default), `mark` or `move:<dir>`. */
  afterSuccess?: string;
  quarantine?: string;
  maxRecords?: string | number;
  /** `50GB`, `500GiB` or bytes. */
  maxBytes?: string | number;
  disabled?: boolean;
}

/** What checking a definition needs from its surroundings. */
export interface JobSpecContext {
  /** Profile of a job that names none: the config's `profile`. */
  defaultProfile: string;
  /** Loads a profile by name, throwing when it cannot be used (in the CLI: `ctx.profile(name)`). */
  checkProfile(name: string): void;
  /** Relative paths are resolved against this folder (the working directory, as for the rest of the config). */
  cwd: string;
  /** createdAt and updatedAt of the definitions made. */
  now: Date;
}

/** A definition before checking, whichever way it came. */
interface RawJob {
  source?: string | { kind: string; path: string };
  profile?: string;
  cron?: string;
  timezone?: string;
  afterSuccess?: string;
  quarantine?: string;
  enabled: boolean;
  maxRecords?: string | number;
  maxBytes?: string | number;
}

type FieldName = 'name' | Exclude<keyof RawJob, 'enabled'>;

const FLAG_NAMES: Record<FieldName, string> = {
  name: '<name>',
  source: '--source',
  profile: '--profile',
  cron: '--cron',
  timezone: '--timezone',
  afterSuccess: '--after-success',
  quarantine: '--quarantine',
  maxRecords: '--max-records',
  maxBytes: '--max-bytes',
};

/** Invalid `jobs add` flags: the rule of the first problem, and every problem with its flag (for forms). */
export class JobSpecError extends ValidationError {
  constructor(
    rule: string,
    message: string,
    readonly issues: JobIssue[],
  ) {
    super(rule, message);
  }
}

/**
 * A job from `bevara jobs add` flags (origin `cli`). Throws `ValidationError` naming the job, every wrong flag and
 * the rule each breaks (the rule of the first is the error's `rule`).
 */
export function jobFromFlags(name: string, flags: JobFlags, ctx: JobSpecContext): JobRecord {
  const raw: RawJob = { ...flags, enabled: flags.disabled !== true };
  const issues: JobIssue[] = [];
  const job = buildJob(name, raw, 'cli', ctx, (field) => FLAG_NAMES[field], issues);
  if (!job || issues.length > 0) {
    const lines = issues.map((i) => `${i.field}: ${i.message} [${i.rule}]`);
    const message =
      lines.length === 1
        ? `[jobs] job "${name}": ${lines[0]}`
        : `[jobs] job "${name}" is invalid:\n${lines.map((l) => `  - ${l}`).join('\n')}`;
    throw new JobSpecError(issues[0]?.rule ?? 'job', message, issues);
  }
  return job;
}

/**
 * The jobs the config file declares (origin `config`), in name order. Throws one `ConfigError` listing every
 * problem of every job, each with its path (`jobs.<name>.<field>`) and rule.
 */
export function jobsFromConfig(
  jobs: Record<string, JobConfig>,
  ctx: JobSpecContext,
  file?: string,
): JobRecord[] {
  const issues: JobIssue[] = [];
  // Every job of a deployment often shares one profile: load each once.
  const profiles = new Map<string, unknown>();
  const cachedCtx: JobSpecContext = {
    ...ctx,
    checkProfile(name) {
      if (!profiles.has(name)) {
        try {
          ctx.checkProfile(name);
          profiles.set(name, undefined);
        } catch (err) {
          profiles.set(name, err);
        }
      }
      const err = profiles.get(name);
      if (err !== undefined) throw err;
    },
  };
  const out: JobRecord[] = [];
  for (const name of Object.keys(jobs).sort()) {
    const spec = jobs[name] as JobConfig;
    const raw: RawJob = {
      ...spec,
      enabled: spec.enabled !== false,
      maxRecords: spec.limits?.maxRecords,
      maxBytes: spec.limits?.maxBytes,
    };
    const label = (field: FieldName) =>
      field === 'name'
        ? `jobs.${name}`
        : `jobs.${name}.${field === 'maxRecords' || field === 'maxBytes' ? `limits.${field}` : field}`;
    const job = buildJob(name, raw, 'config', cachedCtx, label, issues);
    if (job) out.push(job);
  }
  if (issues.length > 0) {
    throw new ConfigError(
      `jobs in ${file ?? 'the configuration'}`,
      issues.map((i) => ({ path: i.field, message: `${i.message} [${i.rule}]` })),
    );
  }
  return out;
}

function buildJob(
  name: string,
  raw: RawJob,
  origin: JobRecord['origin'],
  ctx: JobSpecContext,
  label: (field: FieldName) => string,
  found: JobIssue[],
): JobRecord | undefined {
  const before = found.length;
  const sink: IssueSink = { add: (field, rule, message) => found.push({ field, rule, message }) };
  if (!JOB_NAME.test(name)) {
    sink.add(
      label('name'),
      'job-name',
      `"${name}" is not a job name: 1-63 lower-case letters, digits, ".", "_" or "-", starting with a letter or digit`,
    );
  }
  let source: JobSource | undefined;
  if (raw.source === undefined)
    sink.add(label('source'), 'job-source', 'required, e.g. folder:/exports/w3d3');
  else source = parseSource(raw.source, ctx.cwd, label('source'), sink);

  const profile = raw.profile ?? ctx.defaultProfile;
  try {
    ctx.checkProfile(profile);
  } catch (err) {
    sink.add(label('profile'), 'job-profile', `profile "${profile}" cannot be used: ${errorMessage(err)}`);
  }

  let schedule: JobRecord['schedule'];
  if (raw.cron !== undefined) {
    const cron = parseCron(raw.cron, label('cron'), sink);
    const timezone = parseTimezone(raw.timezone ?? DEFAULT_TIMEZONE, label('timezone'), sink);
    if (cron && timezone) schedule = { cron, timezone };
  } else if (raw.timezone !== undefined) {
    sink.add(label('timezone'), 'job-timezone', `has no effect without ${label('cron')}`);
  }

  const afterSuccess: AfterSuccess | undefined =
    raw.afterSuccess === undefined
      ? { action: 'leave' }
      : parseAfterSuccess(raw.afterSuccess, ctx.cwd, label('afterSuccess'), sink);
  let quarantine: string | undefined;
  if (raw.quarantine?.trim() === '') sink.add(label('quarantine'), 'job-quarantine', 'names no folder');
  else if (raw.quarantine !== undefined) quarantine = path.resolve(ctx.cwd, raw.quarantine);
  // A folder inside the source would be scanned as a record on the next run.
  const inSource = (folder: string | undefined, field: FieldName) => {
    if (source && folder && isInside(folder, source.path)) {
      sink.add(
        label(field),
        field === 'quarantine' ? 'job-quarantine' : 'job-after-success',
        `${folder} is inside the source folder ${source.path}; it would be taken as a record on the next run`,
      );
    }
  };
  inSource(afterSuccess?.action === 'move' ? afterSuccess.to : undefined, 'afterSuccess');
  inSource(quarantine, 'quarantine');

  const limits: NonNullable<JobRecord['limits']> = {};
  if (raw.maxRecords !== undefined)
    limits.maxRecords = parseMaxRecords(raw.maxRecords, label('maxRecords'), sink);
  if (raw.maxBytes !== undefined) limits.maxBytes = parseMaxBytes(raw.maxBytes, label('maxBytes'), sink);

  if (found.length > before || !source || !afterSuccess) return undefined;
  return {
    name,
    source,
    profile,
    ...(schedule ? { schedule } : {}),
    afterSuccess,
    ...(quarantine ? { quarantine } : {}),
    enabled: raw.enabled,
    ...(Object.keys(limits).length > 0 ? { limits } : {}),
    origin,
    createdAt: ctx.now,
    updatedAt: ctx.now,
  };
}
