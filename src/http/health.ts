/**
 * `/healthz`: the process answers. `/readyz`: the catalog answers a query and every configured location is
 * reachable and writable as `bevara storage check` finds it (the check writes and removes a probe, so its result
 * is kept for `cacheMs` rather than probing storage on every call of a load balancer).
 *
 * Inside `bevara worker --http` both also tell the worker's own health: running and looking for work recently
 * (its last report younger than `staleMs`), else 503, so that a supervisor restarts a worker that hangs.
 */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app/context.js';
import { errorMessage } from '../errors.js';
import { checkStorage, type StorageCheckReport } from '../storage/check.js';
import type { WorkerHealth } from '../worker/health.js';

export interface Readiness {
  ready: boolean;
  catalog: { ok: boolean };
  /** Names and whether each answers; what a location lacks goes to the log, not to unauthenticated callers. */
  locations: { name: string; ok: boolean }[];
  checkedAt: string;
  /** Inside `bevara worker --http`: the worker's health. */
  worker?: WorkerState;
}

/** The worker of this process, for `/healthz` and `/readyz`. */
export interface WorkerProbe {
  /** Its last health report; undefined before the first. */
  health(): WorkerHealth | undefined;
  /** A report older than this means the worker hangs. */
  staleMs: number;
}

/** What unauthenticated callers learn of the worker: no errors, no run ids. */
export interface WorkerState {
  ok: boolean;
  id?: string;
  status: WorkerHealth['status'] | 'starting' | 'stale';
  updatedAt?: string;
  activeRuns: number;
}

export function workerState(probe: WorkerProbe, now: Date): WorkerState {
  const health = probe.health();
  if (!health) return { ok: false, status: 'starting', activeRuns: 0 };
  const stale = now.getTime() - health.updatedAt.getTime() > probe.staleMs;
  const status = health.status === 'running' && stale ? 'stale' : health.status;
  return {
    ok: status === 'running',
    id: health.id,
    status,
    updatedAt: health.updatedAt.toISOString(),
    activeRuns: health.activeRuns.length,
  };
}

/** The storage check of every location, run at most once per `cacheMs` (callers at once share one check). */
export function createStorageProbe(ctx: AppContext, cacheMs: number) {
  let last: { at: number; report: Promise<StorageCheckReport> } | undefined;
  return (): Promise<StorageCheckReport> => {
    const now = ctx.now().getTime();
    if (!last || now - last.at >= cacheMs) {
      const policy = (() => {
        try {
          return ctx.copyPolicy(ctx.profile()).map((l) => l.name);
        } catch {
          return [...ctx.locations.keys()];
        }
      })();
      const report = checkStorage({
        locations: [...ctx.locations.values()],
        configs: ctx.config.locations,
        policy,
      });
      last = { at: now, report };
      report.catch(() => {
        last = undefined;
      });
    }
    return last.report;
  };
}

export async function readiness(
  ctx: AppContext,
  storage: () => Promise<StorageCheckReport>,
  worker?: WorkerProbe,
): Promise<Readiness> {
  let catalog: Readiness['catalog'];
  try {
    await ctx.catalog.listRuns({ limit: 1 });
    catalog = { ok: true };
  } catch (err) {
    ctx.logger.warn({ err: errorMessage(err) }, 'readyz: the catalog does not answer');
    catalog = { ok: false };
  }
  const report = await storage();
  // A location outside the copy policy lacking something is a warning there; here every location must answer.
  const locations = report.locations.map((l) => {
    const blocking = l.problems.filter((p) =>
      ['reachable', 'credentials', 'bucket', 'write'].includes(p.fact),
    );
    if (blocking.length > 0)
      ctx.logger.warn(
        { location: l.location, problems: blocking.map((p) => p.message) },
        'readyz: location not ready',
      );
    return { name: l.location, ok: blocking.length === 0 };
  });
  const workerNow = worker ? workerState(worker, ctx.now()) : undefined;
  return {
    ready: catalog.ok && locations.every((l) => l.ok) && (workerNow?.ok ?? true),
    catalog,
    locations,
    checkedAt: ctx.now().toISOString(),
    ...(workerNow ? { worker: workerNow } : {}),
  };
}

export function registerHealth(
  app: FastifyInstance,
  ctx: AppContext,
  storage: () => Promise<StorageCheckReport>,
  worker?: WorkerProbe,
) {
  app.get('/healthz', { config: { access: 'public' } }, async (_request, reply) => {
    if (!worker) return { status: 'ok' };
    const state = workerState(worker, ctx.now());
    return reply.code(state.ok ? 200 : 503).send({ status: state.ok ? 'ok' : 'unhealthy', worker: state });
  });
  app.get('/readyz', { config: { access: 'public' } }, async (_request, reply) => {
    const result = await readiness(ctx, storage, worker);
    return reply.code(result.ready ? 200 : 503).send(result);
  });
}
