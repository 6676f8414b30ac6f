import { hostname } from 'node:os';
import path from 'node:path';
import type { AppContext } from '../app/context.js';
import { auditExitCode, runConfiguredAudit } from '../audit/configured.js';
import type { JobRecord } from '../model/job.js';
import type { RunRecord } from '../model/run.js';
import { startOrJoinJobRun, workOnRun } from '../ingest/job-run.js';
import { createConfiguredPackageWriter, type PackageWriter } from '../ingest/package-writer.js';
import { syncJobs } from '../jobs/job-actions.js';
import type { WorkerHealth } from './health.js';
import { runWorker } from './worker.js';

export interface ConfiguredWorkerOptions {
  /** This worker's id; default the config's `worker.id` or the host name. */
  id?: string;
  /** Every enabled job once and one planned audit, then return. */
  once?: boolean;
  /** Default the config's `worker.healthFile`, or `worker-<id>.health.json` in the data folder. */
  healthFile?: string;
  /** Every health report of the worker (see `WorkerOptions.onHealth`). */
  onHealth?: (health: WorkerHealth) => void;
  signal: AbortSignal;
}

function createWriter(ctx: AppContext): PackageWriter {
  const { workers, maxRecordFiles } = ctx.config.ingest;
  return createConfiguredPackageWriter(ctx.config.locations, ctx.locations, workers, maxRecordFiles);
}

/** This worker's id: `id`, the config's `worker.id`, or the host name. */
export function workerId(ctx: AppContext, id?: string): string {
  return id ?? ctx.config.worker.id ?? hostname();
}

/**
 * The worker with the configured schedules, settings, audit and package writer (runWorker); returns its exit
 * code once `signal` stops it (or after one round with `once`).
 */
export async function runConfiguredWorker(
  ctx: AppContext,
  options: ConfiguredWorkerOptions,
): Promise<number> {
  const id = workerId(ctx, options.id);
  const writer = createWriter(ctx);
  const settings = ctx.config.worker;
  try {
    return await runWorker(
      {
        ...ctx,
        writer,
        syncJobs: async () => void (await syncJobs(ctx)),
        audit: async (yieldTo, signal) =>
          auditExitCode(await runConfiguredAudit(ctx, { yieldTo, signal })) === 0,
      },
      {
        id,
        once: options.once ?? false,
        pollMs: settings.pollSeconds * 1000,
        leaseMs: settings.leaseSeconds * 1000,
        graceMs: settings.graceSeconds * 1000,
        healthFile: path.resolve(
          options.healthFile ??
            settings.healthFile ??
            path.join(ctx.config.dataDir, `worker-${id}.health.json`),
        ),
        onHealth: options.onHealth,
        signal: options.signal,
      },
    );
  } finally {
    await writer.close();
  }
}

/**
 * One run of `job` now in this process (or joins the one still running), worked on until no record is left here.
 * Returns the run as recorded at the end; undefined when none could be started or joined.
 */
export async function runJobNow(
  ctx: AppContext,
  job: JobRecord,
  signal: AbortSignal | undefined,
): Promise<RunRecord | undefined> {
  const id = workerId(ctx);
  const writer = createWriter(ctx);
  try {
    const run = await startOrJoinJobRun({ ...ctx, writer }, job, id, `now-${ctx.now().toISOString()}`);
    if (!run) return undefined;
    const settings = ctx.config.worker;
    await workOnRun({ ...ctx, writer }, run, job, {
      holder: id,
      leaseMs: settings.leaseSeconds * 1000,
      pollMs: settings.pollSeconds * 1000,
      signal,
    });
    return (await ctx.catalog.getRun(run.id)) ?? run;
  } finally {
    await writer.close();
  }
}
