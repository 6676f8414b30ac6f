/**
 * What `bevara jobs add|pause|resume` and the console's job forms do, in one place so both refuse the same
 * things with the same rules: a job the config file declares is changed there, a name is taken once, the one-off
 * job of `bevara ingest` has no schedule to pause.
 */
import type { Catalog } from '../catalog/types.js';
import type { JobRecord, RecordState } from '../model/job.js';
import type { RunRecord } from '../model/run.js';
import type { Config } from '../config/schema.js';
import { NotFoundError, ValidationError } from '../errors.js';
import type { Logger } from '../logger.js';
import { type JobFlags, type JobSpecContext, jobFromFlags, jobsFromConfig } from './job-spec.js';
import { syncConfigJobs } from './sync-config.js';

/** What the job actions need (the CLI's and the console's context have it). */
export interface JobActionDeps {
  catalog: Catalog;
  config: Config;
  configFile?: string;
  logger: Logger;
  now: () => Date;
  profile(name?: string): unknown;
}

/** How a definition is checked against the running configuration. */
export function specContext(deps: JobActionDeps): JobSpecContext {
  return {
    defaultProfile: deps.config.profile,
    checkProfile: (name) => void deps.profile(name),
    cwd: process.cwd(),
    now: deps.now(),
  };
}

export const declaredIn = (deps: JobActionDeps) =>
  deps.configFile ?? 'the configuration (BEVARA_JOBS__* variables)';

/**
 * Reads the config file's `jobs:` and brings the catalog in line (see `syncConfigJobs`); every job and run
 * listing starts with it. Returns the declared jobs. Throws `ConfigError` naming each wrong field.
 */
export async function syncJobs(deps: JobActionDeps): Promise<JobRecord[]> {
  const declared = jobsFromConfig(deps.config.jobs, specContext(deps), deps.configFile);
  await syncConfigJobs(deps.catalog, declared, deps.now(), deps.logger);
  return declared;
}

export async function requireJob(deps: JobActionDeps, name: string): Promise<JobRecord> {
  const job = await deps.catalog.getJob(name);
  if (!job) throw new NotFoundError(`[jobs] no job "${name}" (see bevara jobs list)`);
  return job;
}

/** A new job (origin `cli`) from `jobs add` flags. Throws `ValidationError` (`JobSpecError` for the flags). */
export async function addJob(deps: JobActionDeps, name: string, flags: JobFlags): Promise<JobRecord> {
  const declared = await syncJobs(deps);
  if (declared.some((j) => j.name === name)) {
    throw new ValidationError(
      'job-declared',
      `[jobs] job "${name}" is declared in ${declaredIn(deps)}; change it there`,
    );
  }
  if (await deps.catalog.getJob(name)) {
    throw new ValidationError(
      'job-exists',
      `[jobs] job "${name}" exists; remove it first (bevara jobs remove ${name})`,
    );
  }
  const job = jobFromFlags(name, flags, specContext(deps));
  await deps.catalog.putJob(job);
  return job;
}

/** Pauses or resumes a job's schedule. Returns the job as it stands and whether this changed it. */
export async function setJobEnabled(
  deps: JobActionDeps,
  name: string,
  enabled: boolean,
): Promise<{ job: JobRecord; changed: boolean }> {
  const declared = await syncJobs(deps);
  const job = await requireJob(deps, name);
  if (job.origin === 'ingest')
    throw new ValidationError(
      'job-one-off',
      `[jobs] "${name}" is the one-off job of "bevara ingest ${job.source.path}"; it has no schedule to pause or resume (add a job with "bevara jobs add" to run it on a schedule)`,
    );
  if (enabled && declared.find((j) => j.name === name)?.enabled === false) {
    throw new ValidationError(
      'job-declared',
      `[jobs] job "${name}" is disabled in ${declaredIn(deps)} (enabled: false); change it there`,
    );
  }
  const changed = job.enabled !== enabled;
  const next = changed ? { ...job, enabled, updatedAt: deps.now() } : job;
  if (changed) await deps.catalog.putJob(next);
  return { job: next, changed };
}

/** A job with its last run, as `jobs list` shows them. */
export interface JobWithLastRun extends JobRecord {
  lastRun: Pick<RunRecord, 'id' | 'status' | 'startedAt' | 'finishedAt'> | null;
}

/** Every job (after the sync with the config file) with its last run. */
export async function listJobsWithLastRun(deps: JobActionDeps): Promise<JobWithLastRun[]> {
  await syncJobs(deps);
  return Promise.all(
    (await deps.catalog.listJobs()).map(async (job) => {
      const [last] = await deps.catalog.listRuns({ job: job.name, limit: 1 });
      return {
        ...job,
        lastRun: last
          ? { id: last.id, status: last.status, startedAt: last.startedAt, finishedAt: last.finishedAt }
          : null,
      };
    }),
  );
}

/** One job: its definition, its last 5 runs and how many of its records are in each state. */
export async function describeJob(
  deps: JobActionDeps,
  name: string,
): Promise<{ job: JobRecord; runs: RunRecord[]; records: Partial<Record<RecordState, number>> }> {
  await syncJobs(deps);
  const job = await requireJob(deps, name);
  const runs = await deps.catalog.listRuns({ job: name, limit: 5 });
  const records: Partial<Record<RecordState, number>> = {};
  for (const r of await deps.catalog.listRecordStates({ job: name }))
    records[r.state] = (records[r.state] ?? 0) + 1;
  return { job, runs, records };
}
