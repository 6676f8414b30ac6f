/**
 * Work the console starts and answers for at once: a job run ("run now") and an audit. Each goes on in this
 * process after the response, with the same engine as `bevara jobs run` and `bevara audit` (a job run that is
 * still running is joined, as the CLI does). Who started it is kept in the catalog (marker `started-by:<run>`).
 * On close, work in flight is stopped at a safe point and its run closed with a status and a report.
 */
import type { AppContext } from '../../app/context.js';
import { runConfiguredAudit } from '../../audit/configured.js';
import type { JobRecord } from '../../model/job.js';
import type { RunRecord } from '../../model/run.js';
import { errorMessage, PreservationError } from '../../errors.js';
import { processHolderId } from '../../ingest/holders.js';
import { finishStoppedRun } from '../../ingest/finish-run.js';
import { startOrJoinJobRun, workOnRun, workUntilRunEnds } from '../../ingest/job-run.js';
import { createConfiguredPackageWriter } from '../../ingest/package-writer.js';
import { sleep } from '../../sleep.js';

export const startedByMarker = (runId: string) => `started-by:${runId}`;

export interface BackgroundWork {
  /** Starts (or joins) a run of `job`; resolves with the run once it is recorded, before the work is done. */
  runJob(job: JobRecord, by: string): Promise<RunRecord>;
  /** Starts one planned audit; resolves with its run id once recorded (none when another audit holds the lease). */
  runAudit(by: string): Promise<{ runId?: string }>;
  /** Resolves when nothing started here is still working (for tests and shutdown). */
  idle(): Promise<void>;
  /** Stops the work in flight at a safe point and waits for it. */
  close(): Promise<void>;
}

export function createBackgroundWork(ctx: AppContext): BackgroundWork {
  const controller = new AbortController();
  const working = new Set<Promise<unknown>>();
  const holder = processHolderId('serve');
  const track = (work: Promise<unknown>) => {
    const settled = work.catch((err) => ctx.logger.error({ err: errorMessage(err) }, 'console work failed'));
    working.add(settled);
    void settled.finally(() => working.delete(settled));
  };

  async function jobRun(
    run: RunRecord,
    job: JobRecord,
    writer: ReturnType<typeof createConfiguredPackageWriter>,
  ) {
    const deps = { ...ctx, writer };
    const settings = ctx.config.worker;
    const options = {
      holder,
      leaseMs: settings.leaseSeconds * 1000,
      pollMs: Math.min(settings.pollSeconds * 1000, 1000),
      signal: controller.signal,
    };
    try {
      // Another process finishes the run (its last records, or the report): wait for it, as `bevara ingest` does.
      const status = await workUntilRunEnds(
        deps,
        run,
        job,
        options,
        await workOnRun(deps, run, job, options),
      );
      if (status === 'in-progress') await finishStoppedRun(deps, run, holder);
    } finally {
      await writer.close();
    }
  }

  return {
    async runJob(job, by) {
      const writer = createConfiguredPackageWriter(
        ctx.config.locations,
        ctx.locations,
        ctx.config.ingest.workers,
        ctx.config.ingest.maxRecordFiles,
      );
      let run: RunRecord | undefined;
      try {
        run = await startOrJoinJobRun({ ...ctx, writer }, job, holder, `console-${ctx.now().toISOString()}`);
        if (!run)
          throw new PreservationError(`[jobs] could not start or join a run of job "${job.name}"; try again`);
      } catch (err) {
        await writer.close();
        throw err;
      }
      await ctx.catalog.setMarker(startedByMarker(run.id), by, ctx.now());
      ctx.logger.info({ job: job.name, runId: run.id, user: by }, 'job run started from the console');
      track(jobRun(run, job, writer));
      return run;
    },

    async runAudit(by) {
      const before = new Set(
        (await ctx.catalog.listRuns({ kind: 'audit', status: 'running' })).map((r) => r.id),
      );
      let done = false;
      const audit = runConfiguredAudit(ctx, { signal: controller.signal }).finally(() => {
        done = true;
      });
      track(audit);
      // The run is recorded at its start; its id is what the caller follows.
      for (let i = 0; i < 200 && !done; i++) {
        const started = (await ctx.catalog.listRuns({ kind: 'audit', status: 'running' })).find(
          (r) => !before.has(r.id),
        );
        if (started) {
          await ctx.catalog.setMarker(startedByMarker(started.id), by, ctx.now());
          ctx.logger.info({ runId: started.id, user: by }, 'audit started from the console');
          return { runId: started.id };
        }
        await sleep(25);
      }
      const summary = await audit.catch(() => undefined);
      if (summary) await ctx.catalog.setMarker(startedByMarker(summary.runId), by, ctx.now());
      return summary ? { runId: summary.runId } : {};
    },

    async idle() {
      while (working.size > 0) await Promise.all([...working]);
    },

    async close() {
      controller.abort();
      await this.idle();
    },
  };
}
