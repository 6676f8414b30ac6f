import { hostname } from 'node:os';
import path from 'node:path';
import type { JobRecord, RunRecord } from '../catalog/types.js';
import { createConfiguredPackageWriter, type PackageWriter } from '../ingest/package-writer.js';
import { startJobRun, workOnRun } from '../ingest/job-run.js';
import { runWorker } from '../worker/worker.js';
import { auditExitCode, runConfiguredAudit } from './audit.js';
import type { AppContext } from './context.js';
import { syncJobs } from './jobs.js';
import { print, printJson } from './output.js';
import { stopOnSignals } from './shutdown.js';

export interface WorkerCommandOptions {
  once?: boolean;
  id?: string;
  healthFile?: string;
  json?: boolean;
}

function createWriter(ctx: AppContext): PackageWriter {
  const { workers, maxRecordFiles } = ctx.config.ingest;
  return createConfiguredPackageWriter(ctx.config.locations, ctx.locations, workers, maxRecordFiles);
}

/** This worker's id: `--id`, the config's `worker.id`, or the host name. */
export function workerId(ctx: AppContext, id?: string): string {
  return id ?? ctx.config.worker.id ?? hostname();
}

/**
 * `bevara worker`: runs the schedules (ingest jobs and audits) unattended until SIGTERM/SIGINT; with `--once`,
 * every enabled job once and one planned audit, then exits. Several workers may share one PostgreSQL catalog.
 */
export async function workerCommand(ctx: AppContext, options: WorkerCommandOptions): Promise<number> {
  const id = workerId(ctx, options.id);
  const writer = createWriter(ctx);
  const stop = stopOnSignals(ctx.logger);
  const settings = ctx.config.worker;
  try {
    return await runWorker(
      {
        ...ctx,
        writer,
        syncJobs: async () => void (await syncJobs(ctx)),
        audit: async (yieldTo, signal) =>
          auditExitCode(await runConfiguredAudit(ctx, { yieldTo, signal, json: true })) === 0,
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
        signal: stop.signal,
      },
    );
  } finally {
    stop.dispose();
    await writer.close();
    // Work still in flight after the grace period must not keep the process alive.
    if (stop.signal.aborted) setTimeout(() => process.exit(), 2000).unref();
  }
}

/** `bevara jobs run <name>`: one run of the job now in this process (or joins the one still running). */
export async function runJobNow(
  ctx: AppContext,
  job: JobRecord,
  options: { signal?: AbortSignal; json?: boolean },
): Promise<number> {
  const id = workerId(ctx);
  const writer = createWriter(ctx);
  const stop = options.signal ? undefined : stopOnSignals(ctx.logger);
  const signal = options.signal ?? stop?.signal;
  try {
    let run: RunRecord | null | undefined = await startJobRun(
      { ...ctx, writer },
      job,
      id,
      `now-${ctx.now().toISOString()}`,
    );
    run ??= (await ctx.catalog.listRuns({ kind: 'ingest', status: 'running', job: job.name, limit: 1 }))[0];
    if (!run) return 1;
    const settings = ctx.config.worker;
    await workOnRun({ ...ctx, writer }, run, job, {
      holder: id,
      leaseMs: settings.leaseSeconds * 1000,
      pollMs: settings.pollSeconds * 1000,
      signal,
    });
    const done = (await ctx.catalog.getRun(run.id)) ?? run;
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
  } finally {
    stop?.dispose();
    await writer.close();
  }
}
