/**
 * `/healthz`: the process answers. `/readyz`: the catalog answers a query and every configured location is
 * reachable and writable as `bevara storage check` finds it (the check writes and removes a probe, so its result
 * is kept for `cacheMs` rather than probing storage on every call of a load balancer).
 */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app/context.js';
import { errorMessage } from '../errors.js';
import { checkStorage, type StorageCheckReport } from '../storage/check.js';

export interface Readiness {
  ready: boolean;
  catalog: { ok: boolean };
  /** Names and whether each answers; what a location lacks goes to the log, not to unauthenticated callers. */
  locations: { name: string; ok: boolean }[];
  checkedAt: string;
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
  return {
    ready: catalog.ok && locations.every((l) => l.ok),
    catalog,
    locations,
    checkedAt: ctx.now().toISOString(),
  };
}

export function registerHealth(
  app: FastifyInstance,
  ctx: AppContext,
  storage: () => Promise<StorageCheckReport>,
) {
  app.get('/healthz', { config: { access: 'public' } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { config: { access: 'public' } }, async (_request, reply) => {
    const result = await readiness(ctx, storage);
    return reply.code(result.ready ? 200 : 503).send(result);
  });
}
