import type { AppContext } from '../app/context.js';
import { runConfiguredWorker } from '../worker/configured.js';
import { stopOnSignals } from './shutdown.js';

export interface WorkerCommandOptions {
  once?: boolean;
  id?: string;
  healthFile?: string;
  json?: boolean;
}

/**
 * `bevara worker`: runs the schedules (ingest jobs and audits) unattended until SIGTERM/SIGINT; with `--once`,
 * every enabled job once and one planned audit, then exits. Several workers may share one PostgreSQL catalog.
 */
export async function workerCommand(ctx: AppContext, options: WorkerCommandOptions): Promise<number> {
  const stop = stopOnSignals(ctx.logger);
  try {
    return await runConfiguredWorker(ctx, {
      id: options.id,
      once: options.once,
      healthFile: options.healthFile,
      signal: stop.signal,
    });
  } finally {
    stop.dispose();
    // Work still in flight after the grace period must not keep the process alive.
    if (stop.signal.aborted) setTimeout(() => process.exit(), 2000).unref();
  }
}
