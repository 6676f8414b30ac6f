import type { JobRecord } from '../model/job.js';
import type { RunRecord, RunStatus } from '../model/run.js';
import { errorMessage } from '../errors.js';
import { type JobRunDeps, startJobRun, type WorkOptions, workOnRun } from '../ingest/job-run.js';
import { LEASE_MS, LEASES } from '../leases.js';
import type { Logger } from '../logger.js';

/** How a worker starts and works on job runs: `startJobRun` and `workOnRun`; tests give their own. */
export interface RunFunctions {
  start(job: JobRecord, holder: string, slot: string): Promise<RunRecord | null>;
  workOn(run: RunRecord, job: JobRecord, options: WorkOptions): Promise<RunStatus | 'in-progress'>;
}

export function jobRunFunctions(deps: JobRunDeps): RunFunctions {
  return {
    start: (job, holder, slot) => startJobRun(deps, job, holder, slot),
    workOn: (run, job, options) => workOnRun(deps, run, job, options),
  };
}

/** What went wrong on this worker, for its exit code and health file. */
export interface WorkerTally {
  failures: number;
  lastError?: string;
}

export interface ExecutorOptions {
  /** This worker's id: the holder of its leases. */
  id: string;
  leaseMs: number;
  pollMs: number;
  signal: AbortSignal;
  catalog: JobRunDeps['catalog'];
  now: () => Date;
  logger: Logger;
  runs: RunFunctions;
  /** One planned audit; `yieldTo` is awaited before each copy. Returns whether all was well. */
  audit(yieldTo: () => Promise<void>, signal: AbortSignal): Promise<boolean>;
  tally: WorkerTally;
}

/**
 * The executor does what firings and looks ask for: it starts a scheduled run (once across all workers, by the
 * firing's lease), works on every running run it is given (each once at a time here), and runs a planned audit
 * (once per firing across all workers) after the ingest work in flight. A stop ends taking new work.
 */
export interface Executor {
  /** Starts the job's run for this firing (`slot`) unless another worker did, and works on it. */
  fire(job: JobRecord, slot: string): Promise<void>;
  /** Works on a running run, unless this worker does already or is stopping. */
  work(run: RunRecord, job: JobRecord): void;
  /** One planned audit for this firing, unless another worker took it; it waits for ingest in flight here. */
  audit(slot: string): Promise<void>;
  /** Resolves once no run is in flight here. */
  idle(): Promise<void>;
  /** Ids of the runs in flight here. */
  activeRuns(): string[];
}

export function createExecutor(options: ExecutorOptions): Executor {
  const { catalog, now, logger: log, runs, signal, tally } = options;
  const active = new Map<string, Promise<RunStatus | 'in-progress'>>();
  const failed = (err: unknown) => {
    tally.failures++;
    tally.lastError = errorMessage(err);
    return tally.lastError;
  };

  const work = (run: RunRecord, job: JobRecord) => {
    if (active.has(run.id) || signal.aborted) return;
    log.info({ runId: run.id, job: job.name }, 'working on run');
    const done = runs
      .workOn(run, job, { holder: options.id, leaseMs: options.leaseMs, pollMs: options.pollMs, signal })
      .then((status) => {
        if (status !== 'succeeded' && status !== 'in-progress') tally.failures++;
        return status;
      })
      .catch((err: unknown) => {
        log.error({ runId: run.id, err: failed(err) }, 'run failed on this worker');
        return 'failed' as const;
      })
      .finally(() => active.delete(run.id));
    active.set(run.id, done);
  };

  const idle = async () => {
    while (active.size > 0) await Promise.race(active.values());
  };

  return {
    work,
    idle,
    activeRuns: () => [...active.keys()],
    async fire(job, slot) {
      try {
        const run = await runs.start(job, options.id, slot);
        if (run) work(run, job);
      } catch (err) {
        // Not a failure of work done here: the next firing or look tries again.
        tally.lastError = errorMessage(err);
        log.error({ job: job.name, err: tally.lastError }, 'job could not be started');
      }
    },
    async audit(slot) {
      const until = new Date(now().getTime() + LEASE_MS.auditFire);
      if (!(await catalog.acquireLease(LEASES.auditFire(slot), options.id, until, now()))) return;
      try {
        if (!(await options.audit(idle, signal))) tally.failures++;
      } catch (err) {
        tally.lastError = errorMessage(err);
        log.error({ err: tally.lastError }, 'audit could not run');
      }
    },
  };
}
