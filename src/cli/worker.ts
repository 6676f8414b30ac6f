import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app/context.js';
import type { WorkerHealth } from '../worker/health.js';
import { runConfiguredWorker } from '../worker/configured.js';
import { listenConsole, printConsoleUrl } from './serve.js';
import { stopOnSignals } from './shutdown.js';

export interface WorkerCommandOptions {
  once?: boolean;
  id?: string;
  healthFile?: string;
  /** Serve the console in this process: `true` on the config's `http.listen`, or `host:port`. */
  http?: boolean | string;
  json?: boolean;
}

/**
 * `bevara worker`: runs the schedules (ingest jobs and audits) unattended until SIGTERM/SIGINT; with `--once`,
 * every enabled job once and one planned audit, then exits. Several workers may share one PostgreSQL catalog.
 * With `--http`, the console and API of `bevara serve` run in the same process, started before the worker (a port
 * in use stops the command before any work) and closed after it has stopped; their `/healthz` and `/readyz` then
 * tell the worker's health as well.
 */
export async function workerCommand(ctx: AppContext, options: WorkerCommandOptions): Promise<number> {
  const stop = stopOnSignals(ctx.logger);
  let health: WorkerHealth | undefined;
  let server: FastifyInstance | undefined;
  try {
    if (options.http) {
      const listen = typeof options.http === 'string' ? options.http : ctx.config.http.listen;
      // Three looks missed (and at least 30 s) before the worker counts as hanging.
      const staleMs = Math.max(30_000, 3 * ctx.config.worker.pollSeconds * 1000);
      const started = await listenConsole(ctx, listen, { worker: { health: () => health, staleMs } });
      server = started.app;
      printConsoleUrl(started.url, options.json);
    }
    return await runConfiguredWorker(ctx, {
      id: options.id,
      once: options.once,
      healthFile: options.healthFile,
      onHealth: (report) => {
        health = report;
      },
      signal: stop.signal,
    });
  } finally {
    // Work still in flight after the grace period (or a download the console is still sending) must not keep
    // the process alive.
    if (stop.signal.aborted) setTimeout(() => process.exit(), 2000).unref();
    stop.dispose();
    await server?.close();
  }
}
