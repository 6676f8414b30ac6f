import { existsSync, statSync } from 'node:fs';
import type { JobRecord, RecordState } from '../catalog/types.js';
import { NotFoundError, ValidationError } from '../errors.js';
import {
  describeAfterSuccess,
  describeLimits,
  describeSchedule,
  describeSource,
  formatDuration,
  runDuration,
} from '../jobs/describe.js';
import { type JobFlags, type JobSpecContext, jobFromFlags, jobsFromConfig } from '../jobs/job-spec.js';
import { syncConfigJobs } from '../jobs/sync-config.js';
import { runJobNow } from './worker.js';
import type { AppContext } from './context.js';
import { formatBytes, print, printJson, table } from './output.js';

interface OutputOptions {
  json?: boolean;
}

/** How commands check a definition against the running configuration. */
function specContext(ctx: AppContext): JobSpecContext {
  return {
    defaultProfile: ctx.config.profile,
    checkProfile: (name) => void ctx.profile(name),
    cwd: process.cwd(),
    now: ctx.now(),
  };
}

const declaredIn = (ctx: AppContext) => ctx.configFile ?? 'the configuration (BEVARA_JOBS__* variables)';

/**
 * Reads the config file's `jobs:` and brings the catalog in line (see `syncConfigJobs`); every `jobs` and `runs`
 * command starts with it. Returns the declared jobs. Throws `ConfigError` naming each wrong field.
 */
export async function syncJobs(ctx: AppContext): Promise<JobRecord[]> {
  const declared = jobsFromConfig(ctx.config.jobs, specContext(ctx), ctx.configFile);
  await syncConfigJobs(ctx.catalog, declared, ctx.now(), ctx.logger);
  return declared;
}

async function requireJob(ctx: AppContext, name: string): Promise<JobRecord> {
  const job = await ctx.catalog.getJob(name);
  if (!job) throw new NotFoundError(`[jobs] no job "${name}" (see bevara jobs list)`);
  return job;
}

/** `bevara jobs add <name> --source kind:path …`: a new job, origin `cli`. */
export async function jobsAddCommand(
  ctx: AppContext,
  name: string,
  flags: JobFlags & OutputOptions,
): Promise<number> {
  const declared = await syncJobs(ctx);
  if (declared.some((j) => j.name === name)) {
    throw new ValidationError(
      'job-declared',
      `[jobs] job "${name}" is declared in ${declaredIn(ctx)}; change it there`,
    );
  }
  if (await ctx.catalog.getJob(name)) {
    throw new ValidationError(
      'job-exists',
      `[jobs] job "${name}" exists; remove it first (bevara jobs remove ${name})`,
    );
  }
  const { json, ...definition } = flags;
  const job = jobFromFlags(name, definition, specContext(ctx));
  await ctx.catalog.putJob(job);
  const { path } = job.source;
  if (!existsSync(path) || !statSync(path).isDirectory())
    ctx.logger.warn(
      { job: name, source: path },
      'the source folder does not exist (yet); runs will fail until it does',
    );
  if (json) printJson(job);
  else
    print(`Job ${name} added: ${describeSource(job.source)} with ${job.profile}, ${describeSchedule(job)}`);
  return 0;
}

/** `bevara jobs list`: every job with its last run. */
export async function jobsListCommand(ctx: AppContext, options: OutputOptions): Promise<number> {
  await syncJobs(ctx);
  const jobs = await ctx.catalog.listJobs();
  const rows = await Promise.all(
    jobs.map(async (job) => ({ job, lastRun: (await ctx.catalog.listRuns({ job: job.name, limit: 1 }))[0] })),
  );
  if (options.json) {
    printJson(
      rows.map(({ job, lastRun }) => ({
        ...job,
        lastRun: lastRun
          ? {
              id: lastRun.id,
              status: lastRun.status,
              startedAt: lastRun.startedAt,
              finishedAt: lastRun.finishedAt,
            }
          : null,
      })),
    );
    return 0;
  }
  if (rows.length === 0) {
    print(
      'No jobs. Add one with "bevara jobs add <name> --source folder:/path" or under jobs: in the config file.',
    );
    return 0;
  }
  print(
    table(
      ['NAME', 'SOURCE', 'PROFILE', 'SCHEDULE', 'AFTER', 'ENABLED', 'ORIGIN', 'LAST RUN'],
      rows.map(({ job, lastRun }) => [
        job.name,
        describeSource(job.source),
        job.profile,
        describeSchedule(job),
        describeAfterSuccess(job),
        job.enabled ? 'yes' : 'no',
        job.origin,
        lastRun ? `${lastRun.status} ${lastRun.startedAt.toISOString()}` : 'never',
      ]),
    ),
  );
  return 0;
}

/** `bevara jobs show <name>`: the definition, its last 5 runs and how many of its records are in each state. */
export async function jobsShowCommand(
  ctx: AppContext,
  name: string,
  options: OutputOptions,
): Promise<number> {
  await syncJobs(ctx);
  const job = await requireJob(ctx, name);
  const runs = await ctx.catalog.listRuns({ job: name, limit: 5 });
  const records: Partial<Record<RecordState, number>> = {};
  for (const r of await ctx.catalog.listRecordStates({ job: name }))
    records[r.state] = (records[r.state] ?? 0) + 1;
  if (options.json) {
    printJson({ job, runs, records });
    return 0;
  }
  const now = ctx.now();
  print(`Job ${job.name} (${job.enabled ? 'enabled' : 'paused'})`);
  const fields: [string, string][] = [
    ['Source', describeSource(job.source)],
    ['Profile', job.profile],
    ['Schedule', describeSchedule(job)],
    ['After success', describeAfterSuccess(job)],
    ['Quarantine', job.quarantine ?? 'none (rejected records stay in place)'],
    ['Limits', describeLimits(job)],
    ['Origin', describeOrigin(job, declaredIn(ctx))],
    ['Created', job.createdAt.toISOString()],
    ['Updated', job.updatedAt.toISOString()],
  ];
  for (const [label, value] of fields) print(`  ${`${label}:`.padEnd(15)}${value}`);
  const states = Object.entries(records).map(([state, n]) => `${state} ${n}`);
  print(`Records by state: ${states.length > 0 ? states.join(', ') : 'none yet'}`);
  if (runs.length === 0) print('Runs: none yet');
  else {
    print('Last runs:');
    print(
      table(
        ['RUN', 'STATUS', 'STARTED', 'DURATION', 'BYTES'],
        runs.map((r) => [
          r.id,
          r.status,
          r.startedAt.toISOString(),
          formatDuration(runDuration(r, now)),
          typeof r.summary?.bytes === 'number' ? formatBytes(r.summary.bytes) : '-',
        ]),
      ),
    );
  }
  return 0;
}

/** `bevara jobs pause|resume <name>`: whether the job runs on its schedule. */
export async function jobsSetEnabledCommand(
  ctx: AppContext,
  name: string,
  enabled: boolean,
  options: OutputOptions,
): Promise<number> {
  const declared = await syncJobs(ctx);
  const job = await requireJob(ctx, name);
  if (job.origin === 'ingest')
    throw new ValidationError(
      'job-one-off',
      `[jobs] "${name}" is the one-off job of "bevara ingest ${job.source.path}"; it has no schedule to pause or resume (add a job with "bevara jobs add" to run it on a schedule)`,
    );
  if (enabled && declared.find((j) => j.name === name)?.enabled === false) {
    throw new ValidationError(
      'job-declared',
      `[jobs] job "${name}" is disabled in ${declaredIn(ctx)} (enabled: false); change it there`,
    );
  }
  const changed = job.enabled !== enabled;
  const next = changed ? { ...job, enabled, updatedAt: ctx.now() } : job;
  if (changed) await ctx.catalog.putJob(next);
  if (options.json) printJson(next);
  else if (!changed) print(`Job ${name} is already ${enabled ? 'enabled' : 'paused'}`);
  else if (enabled) print(`Job ${name} resumed: runs on its schedule (${describeSchedule(job)})`);
  else print(`Job ${name} paused: no scheduled runs until "bevara jobs resume ${name}"`);
  return 0;
}

function describeOrigin(job: JobRecord, configFile: string): string {
  if (job.origin === 'config') return `config file ${configFile}`;
  if (job.origin === 'ingest') return `bevara ingest ${job.source.path} (one-off, never scheduled)`;
  return 'cli (bevara jobs add)';
}

/** `bevara jobs remove <name>`: removes a job added with `jobs add`; its runs and record states stay. */
export async function jobsRemoveCommand(
  ctx: AppContext,
  name: string,
  options: OutputOptions,
): Promise<number> {
  await syncJobs(ctx);
  const job = await requireJob(ctx, name);
  if (job.origin === 'config') {
    throw new ValidationError(
      'job-declared',
      `[jobs] job "${name}" is declared in ${declaredIn(ctx)}; remove it there`,
    );
  }
  await ctx.catalog.removeJob(name);
  if (options.json) printJson({ removed: name });
  else print(`Job ${name} removed; its runs stay in "bevara runs list --job ${name}"`);
  return 0;
}

/** `bevara jobs run <name>`: one run of the job now, whatever its schedule. Returns the run's exit code. */
export async function jobsRunCommand(
  ctx: AppContext,
  name: string,
  options: OutputOptions & { signal?: AbortSignal },
): Promise<number> {
  await syncJobs(ctx);
  const job = await requireJob(ctx, name);
  return runJobNow(ctx, job, options);
}
