import { createHash } from 'node:crypto';
import type { JobRecord, JobSource } from '../model/job.js';
import type { RunItem, RunRecord, RunStatus } from '../model/run.js';
import { PreservationError } from '../errors.js';
import type { Progress } from '../progress.js';
import { sleep } from '../sleep.js';
import { processHolderId } from './holders.js';
import { finishStoppedRun } from './finish-run.js';
import { type JobRunDeps, startJobRun, workOnRun, workUntilRunEnds } from './job-run.js';

export interface OneOffIngestOptions {
  source: JobSource;
  /** Profile name (default: the configuration's). */
  profile?: string;
  signal?: AbortSignal;
  progress?: Progress;
}

export interface IngestRunSummary {
  runId: string;
  status: RunStatus;
  archived: number;
  unchanged: number;
  rejected: number;
  failed: number;
  /** Records waiting for a copy a location could not take, or left by a stop: a later run goes on with them. */
  waiting: number;
  interrupted: number;
  /** Bytes of source content packaged. */
  bytes: number;
  items: RunItem[];
  reports: string[];
}

/**
 * The unnamed job behind `bevara ingest <input>`: one per source kind and folder, never scheduled, never fired by
 * a worker (but joined by one while a run of it is running, like any job).
 */
export function oneOffJob(
  source: JobSource,
  profile: string,
  now: Date,
  existing?: JobRecord | null,
): JobRecord {
  const digest = createHash('sha256').update(`${source.kind}\0${source.path}`).digest('hex').slice(0, 12);
  return {
    name: existing?.name ?? `adhoc-${source.kind}-${digest}`,
    source,
    profile,
    afterSuccess: { action: 'leave' },
    enabled: false,
    origin: 'ingest',
    createdAt: existing?.createdAt ?? now,
    updatedAt: now,
  };
}

/**
 * `bevara ingest` as a one-off run of the same engine as the worker: records are discovered, claimed with leases
 * and moved through their durable states (package id reserved before any byte is stored), so that a run killed at
 * any point goes on where it stood at the next `bevara ingest` of the same input, and runs at once over the same
 * records (two `bevara ingest`, or one beside a worker) never archive a record twice. A stop closes the run with a
 * status and a report unless another process still works on it.
 */
export async function ingestOnce(deps: JobRunDeps, options: OneOffIngestOptions): Promise<IngestRunSummary> {
  const { catalog, now } = deps;
  const profile = deps.profile(options.profile);
  const draft = oneOffJob(options.source, profile.name, now());
  const job = oneOffJob(options.source, profile.name, now(), await catalog.getJob(draft.name));
  await catalog.putJob(job);
  const holder = processHolderId('ingest');
  const run = await startOrJoin(deps, job, holder);
  const settings = deps.config.worker;
  const work = {
    holder,
    leaseMs: settings.leaseSeconds * 1000,
    pollMs: Math.min(settings.pollSeconds * 1000, 1000),
    signal: options.signal,
    progress: options.progress,
  };
  let status: RunStatus | 'in-progress';
  try {
    status = await workOnRun(deps, run, job, work);
  } catch (err) {
    // Not one record's failure (those are refused or failed alone) but the run's: it still ends with a status
    // and a report before the error is told.
    await finishStoppedRun(deps, run, holder, err).catch(() => undefined);
    throw err;
  }
  if (status === 'in-progress' && options.signal?.aborted) status = await finishStoppedRun(deps, run, holder);
  // Another process finishes the run (it works on its last records, or writes the report): wait for it.
  await workUntilRunEnds(deps, run, job, work, status);
  return summarize(deps, run.id);
}

async function startOrJoin(deps: JobRunDeps, job: JobRecord, holder: string): Promise<RunRecord> {
  const { catalog, now } = deps;
  for (let attempt = 0; attempt < 200; attempt++) {
    const started = await startJobRun(deps, job, holder, `${holder}-${now().toISOString()}-${attempt}`);
    if (started) return started;
    const [running] = await catalog.listRuns({ kind: 'ingest', status: 'running', job: job.name, limit: 1 });
    if (running) {
      deps.logger.info({ runId: running.id }, 'joining the run of this input that is still running');
      return running;
    }
    await sleep(50);
  }
  throw new PreservationError(`[ingest] could not start or join a run of "${job.source.path}"`);
}

async function summarize(deps: JobRunDeps, runId: string): Promise<IngestRunSummary> {
  const run = await deps.catalog.getRun(runId);
  const items = await deps.catalog.listRunItems(runId);
  const s = (run?.summary ?? {}) as Record<string, unknown>;
  const n = (name: string) => (typeof s[name] === 'number' ? (s[name] as number) : 0);
  return {
    runId,
    status: run?.status ?? 'failed',
    archived: n('archived'),
    unchanged: n('unchanged'),
    rejected: n('rejected'),
    failed: n('failed'),
    waiting: n('waiting') + n('interrupted'),
    interrupted: n('interrupted'),
    bytes: n('bytes'),
    items,
    reports: run?.reports ?? [],
  };
}
