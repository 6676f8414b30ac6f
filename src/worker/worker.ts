import fs from 'node:fs/promises';
import cron, { type ScheduledTask } from 'node-cron';
import type { JobRecord, RunRecord, RunStatus } from '../catalog/types.js';
import { errorMessage } from '../errors.js';
import { LEASE_MS, LEASES } from '../leases.js';
import { sleep } from '../sleep.js';
import { type JobRunDeps, startJobRun, workOnRun } from '../ingest/job-run.js';

export interface WorkerDeps extends JobRunDeps {
  /** Brings the config file's jobs into the catalog (on start and on every look). */
  syncJobs(): Promise<void>;
  /** One planned audit run; `yieldTo` is awaited before each copy (ingest goes first). Returns whether all was well. */
  audit(yieldTo: () => Promise<void>, signal: AbortSignal): Promise<boolean>;
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
  signal: AbortSignal;
}

/**
 * The unattended worker: schedules each enabled job (node-cron, in the job's time zone) and the audit, starts a
 * scheduled run once across all workers, and works on every running job run together with the other workers.
 * Audits wait while ingest work is in flight here. A stop (SIGTERM/SIGINT) stops taking work, lets records in
 * flight reach a safe point (an interrupted upload is aborted; the record goes on at the next start) and exits
 * within the grace period. Returns the exit code.
 */
export async function runWorker(deps: WorkerDeps, options: WorkerOptions): Promise<number> {
  const { catalog, now } = deps;
  const log = deps.logger.child({ worker: options.id });
  const active = new Map<string, Promise<RunStatus | 'in-progress'>>();
  const tasks = new Map<string, { task: ScheduledTask; definition: string }>();
  const startedAt = now();
  let lastError: string | undefined;
  let failures = 0;

  const health = async (status: 'running' | 'stopping' | 'stopped') => {
    if (!options.healthFile) return;
    const body = {
      id: options.id,
      pid: process.pid,
      status,
      startedAt,
      updatedAt: now(),
      activeRuns: [...active.keys()],
      schedules: [...tasks.keys()],
      lastError,
    };
    await fs.writeFile(`${options.healthFile}.tmp`, `${JSON.stringify(body)}\n`);
    await fs.rename(`${options.healthFile}.tmp`, options.healthFile);
  };

  const work = (run: RunRecord, job: JobRecord) => {
    if (active.has(run.id) || options.signal.aborted) return;
    log.info({ runId: run.id, job: job.name }, 'working on run');
    const done = workOnRun(deps, run, job, {
      holder: options.id,
      leaseMs: options.leaseMs,
      pollMs: options.pollMs,
      signal: options.signal,
    })
      .then((status) => {
        if (status !== 'succeeded' && status !== 'in-progress') failures++;
        return status;
      })
      .catch((err: unknown) => {
        failures++;
        lastError = errorMessage(err);
        log.error({ runId: run.id, err: lastError }, 'run failed on this worker');
        return 'failed' as const;
      })
      .finally(() => active.delete(run.id));
    active.set(run.id, done);
  };

  const fire = async (job: JobRecord, slot: string) => {
    try {
      const run = await startJobRun(deps, job, options.id, slot);
      if (run) work(run, job);
    } catch (err) {
      lastError = errorMessage(err);
      log.error({ job: job.name, err: lastError }, 'job could not be started');
    }
  };

  /** Reloads the jobs, reschedules what changed, and joins every running job run. */
  const look = async () => {
    await deps.syncJobs();
    const jobs = new Map((await catalog.listJobs()).map((j) => [j.name, j]));
    if (!options.once) {
      for (const [name, entry] of tasks) {
        const job = jobs.get(name);
        if (
          name !== 'audit' &&
          (!job?.enabled || !job.schedule || JSON.stringify(job) !== entry.definition)
        ) {
          await entry.task.destroy();
          tasks.delete(name);
        }
      }
      for (const job of jobs.values()) {
        if (!job.enabled || !job.schedule || tasks.has(job.name)) continue;
        const task = cron.schedule(job.schedule.cron, (ctx) => fire(job, ctx.date.toISOString()), {
          name: job.name,
          timezone: job.schedule.timezone,
          noOverlap: true,
        });
        tasks.set(job.name, { task, definition: JSON.stringify(job) });
        log.info({ job: job.name, cron: job.schedule.cron, next: task.getNextRun() }, 'job scheduled');
      }
    }
    for (const run of await catalog.listRuns({ kind: 'ingest', status: 'running' })) {
      const job = jobs.get(String(run.params.job ?? ''));
      if (job) work(run, job);
    }
    await health('running');
  };

  const idle = async () => {
    while (active.size > 0) await Promise.race(active.values());
  };
  const runAudit = async (slot: string) => {
    if (
      !(await catalog.acquireLease(
        LEASES.auditFire(slot),
        options.id,
        new Date(now().getTime() + LEASE_MS.auditFire),
        now(),
      ))
    )
      return;
    try {
      if (!(await deps.audit(idle, options.signal))) failures++;
    } catch (err) {
      lastError = errorMessage(err);
      log.error({ err: lastError }, 'audit could not run');
    }
  };

  log.info({ once: options.once }, 'worker started');
  await look();
  if (options.once) {
    const slot = `once-${now().toISOString().slice(0, 16)}`;
    for (const job of await catalog.listJobs()) if (job.enabled) await fire(job, slot);
    await look();
    await idle();
    if (!options.signal.aborted) await runAudit(slot);
  } else {
    const schedule = deps.config.audit.schedule;
    if (schedule) {
      const task = cron.schedule(schedule, (ctx) => runAudit(ctx.date.toISOString()), {
        name: 'audit',
        timezone: deps.config.audit.timezone,
        noOverlap: true,
      });
      tasks.set('audit', { task, definition: schedule });
    }
    while (!options.signal.aborted) {
      await sleep(options.pollMs, options.signal);
      if (options.signal.aborted) break;
      await look().catch((err: unknown) => {
        lastError = errorMessage(err);
        log.error({ err: lastError }, 'could not look for work');
      });
    }
  }

  for (const { task } of tasks.values()) await task.destroy();
  if (options.signal.aborted) {
    await health('stopping');
    log.warn(
      { activeRuns: [...active.keys()], graceMs: options.graceMs },
      'stopping: letting work in flight settle',
    );
    const graceOver = new AbortController();
    const settled = await Promise.race([
      idle().then(() => true),
      sleep(options.graceMs, graceOver.signal).then(() => false),
    ]);
    graceOver.abort();
    if (!settled)
      log.error({ activeRuns: [...active.keys()] }, 'grace period over; exiting with work in flight');
  }
  await health('stopped');
  log.info({ failures }, 'worker stopped');
  // A `--once` run that was stopped did not do all its work: cron-driven deployments must be able to tell.
  return failures > 0 || (options.once && options.signal.aborted) ? 1 : 0;
}
