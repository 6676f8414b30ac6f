import { existsSync, statSync } from 'node:fs';
import type { JobRecord } from '../model/job.js';
import type { RunRecord } from '../model/run.js';
import { ValidationError } from '../errors.js';
import {
  describeAfterSuccess,
  describeLimits,
  describeSchedule,
  describeSource,
  formatDuration,
  runDuration,
} from '../jobs/describe.js';
import {
  addJob,
  declaredIn,
  describeJob,
  listJobsWithLastRun,
  requireJob,
  setJobEnabled,
  syncJobs,
} from '../jobs/job-actions.js';
import type { JobFlags } from '../jobs/job-spec.js';
import type { AppContext } from '../app/context.js';
import { runJobNow } from '../worker/configured.js';
import { formatBytes, print, printJson, table } from './output.js';
import { stopOnSignals } from './shutdown.js';

interface OutputOptions {
  json?: boolean;
}

/** `bevara jobs add <name> --source kind:path …`: a new job, origin `cli`. */
export async function jobsAddCommand(
  ctx: AppContext,
  name: string,
  flags: JobFlags & OutputOptions,
): Promise<number> {
  const { json, ...definition } = flags;
  const job = await addJob(ctx, name, definition);
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
  const rows = await listJobsWithLastRun(ctx);
  if (options.json) {
    printJson(rows);
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
      rows.map((job) => [
        job.name,
        describeSource(job.source),
        job.profile,
        describeSchedule(job),
        describeAfterSuccess(job),
        job.enabled ? 'yes' : 'no',
        job.origin,
        job.lastRun ? `${job.lastRun.status} ${job.lastRun.startedAt.toISOString()}` : 'never',
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
  const { job, runs, records } = await describeJob(ctx, name);
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
  const { job: next, changed } = await setJobEnabled(ctx, name, enabled);
  if (options.json) printJson(next);
  else if (!changed) print(`Job ${name} is already ${enabled ? 'enabled' : 'paused'}`);
  else if (enabled) print(`Job ${name} resumed: runs on its schedule (${describeSchedule(next)})`);
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
  const stop = options.signal ? undefined : stopOnSignals(ctx.logger);
  let done: RunRecord | undefined;
  try {
    done = await runJobNow(ctx, job, options.signal ?? stop?.signal);
  } finally {
    stop?.dispose();
  }
  if (!done) return 1;
  if (options.json) printJson(done);
  else {
    const s = done.summary ?? {};
    print(
      `Job ${job.name}: ${done.status}; ${s.archived ?? 0} archived, ${s.unchanged ?? 0} unchanged, ` +
        `${s.waiting ?? 0} waiting, ${s.rejected ?? 0} quarantined, ${s.failed ?? 0} failed (bevara runs show ${done.id})`,
    );
    if (done.reports?.length) print(`Report: ${done.reports.join('  ')}`);
  }
  return done.status === 'succeeded' ? 0 : 1;
}
