import { errorMessage } from '../errors.js';
import type { JobRunDeps } from '../ingest/job-run.js';
import { sleep } from '../sleep.js';
import { type Clock, createTimerClock } from './clock.js';
import { createExecutor, jobRunFunctions, type RunFunctions, type WorkerTally } from './executor.js';
import { settleWithin } from './grace.js';
import { createHealthFile, type WorkerHealth } from './health.js';
import { createScheduler } from './scheduler.js';
import { scheduledJob, scheduleLabel, workerSchedules } from './schedules.js';

export interface WorkerDeps extends JobRunDeps {
  /** Brings the config file's jobs into the catalog (on start and on every look). */
  syncJobs(): Promise<void>;
  /** One planned audit run; `yieldTo` is awaited before each copy (ingest goes first). Returns whether all was well. */
  audit(yieldTo: () => Promise<void>, signal: AbortSignal): Promise<boolean>;
  /** The clock the schedules run on. Default: `now`, waiting with the process's timers. */
  clock?: Clock;
  /** How job runs are started and worked on. Default: `startJobRun` and `workOnRun` with these deps. */
  runs?: RunFunctions;
}

export interface WorkerOptions {
  /** Unique among live workers; a restarted worker with the same id takes its records back at once. */
  id: string;
  /** Run every enabled job once and one planned audit, then exit (for cron-driven deployments). */
  once: boolean;
  pollMs: number;
  leaseMs: number;
  /** How long a stop waits for work in flight to reach a safe point. */
  graceMs: number;
  /** A JSON file rewritten on every look, for supervisors: fresh `updatedAt` means alive. */
  healthFile?: string;
  /** Every health report as it is written (for a console in the same process). */
  onHealth?: (health: WorkerHealth) => void;
  signal: AbortSignal;
}

/**
 * The unattended worker: schedules each enabled job (in the job's time zone) and the audit, starts a scheduled run
 * once across all workers, and works on every running job run together with the other workers. Audits wait while
 * ingest work is in flight here. A stop (SIGTERM/SIGINT) stops taking work, lets records in flight reach a safe
 * point (an interrupted upload is aborted; the record goes on at the next start) and exits within the grace
 * period. Returns the exit code. What fires when is the scheduler's (./scheduler.ts); starting and working on runs
 * and audits is the executor's (./executor.ts).
 */
export async function runWorker(deps: WorkerDeps, options: WorkerOptions): Promise<number> {
  const { catalog, now } = deps;
  const log = deps.logger.child({ worker: options.id });
  const tally: WorkerTally = { failures: 0 };
  const executor = createExecutor({
    ...options,
    catalog,
    now,
    logger: log,
    runs: deps.runs ?? jobRunFunctions(deps),
    audit: deps.audit,
    tally,
  });
  const scheduler = createScheduler(deps.clock ?? createTimerClock(now), log);
  const startedAt = now();
  const health = createHealthFile(
    options.healthFile,
    (status) => ({
      id: options.id,
      pid: process.pid,
      status,
      startedAt,
      updatedAt: now(),
      activeRuns: executor.activeRuns(),
      schedules: scheduler.names().map(scheduleLabel),
      lastError: tally.lastError,
    }),
    options.onHealth,
  );

  /** Reloads the jobs, reschedules what changed, and joins every running job run. */
  const look = async () => {
    await deps.syncJobs();
    const jobs = await catalog.listJobs();
    if (!options.once) {
      const entries = workerSchedules(jobs, deps.config.audit, { job: executor.fire, audit: executor.audit });
      for (const { name, next } of scheduler.set(entries)) {
        const job = jobs.find((j) => j.name === scheduledJob(name));
        if (job) log.info({ job: job.name, cron: job.schedule?.cron, next }, 'job scheduled');
      }
    }
    const byName = new Map(jobs.map((j) => [j.name, j]));
    for (const run of await catalog.listRuns({ kind: 'ingest', status: 'running' })) {
      const job = byName.get(String(run.params.job ?? ''));
      if (job) executor.work(run, job);
    }
    await health('running');
  };

  log.info({ once: options.once }, 'worker started');
  await look();
  if (options.once) {
    const slot = `once-${now().toISOString().slice(0, 16)}`;
    for (const job of await catalog.listJobs()) if (job.enabled) await executor.fire(job, slot);
    await look();
    await executor.idle();
    if (!options.signal.aborted) await executor.audit(slot);
  } else {
    while (!options.signal.aborted) {
      await sleep(options.pollMs, options.signal);
      if (options.signal.aborted) break;
      await look().catch((err: unknown) => {
        tally.lastError = errorMessage(err);
        log.error({ err: tally.lastError }, 'could not look for work');
      });
    }
  }

  scheduler.stop();
  if (options.signal.aborted) {
    await health('stopping');
    log.warn(
      { activeRuns: executor.activeRuns(), graceMs: options.graceMs },
      'stopping: letting work in flight settle',
    );
    if (!(await settleWithin(executor.idle(), options.graceMs)))
      log.error({ activeRuns: executor.activeRuns() }, 'grace period over; exiting with work in flight');
  }
  await health('stopped');
  log.info({ failures: tally.failures }, 'worker stopped');
  // A `--once` run that was stopped did not do all its work: cron-driven deployments must be able to tell.
  return tally.failures > 0 || (options.once && options.signal.aborted) ? 1 : 0;
}
