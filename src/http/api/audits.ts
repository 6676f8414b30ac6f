/**
 * `/api/audits` (audit runs, one audit now), `/audits/:id/report` (the run's HTML report, under a policy of its
 * own: its inline styles allowed by hash, nothing else, sandboxed) and `/api/orphans` (unknown objects listed
 * now, and the operator's decision on each, recorded with who and why).
 */
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { decideOrphan } from '../../audit/orphan-decisions.js';
import type { RunRecord } from '../../model/run.js';
import { NotFoundError } from '../../errors.js';
import { who } from '../auth/guard.js';
import type { ConsoleDeps } from '../deps.js';
import { HttpProblem } from '../problem.js';
import { sendReportPage } from '../security.js';
import { startedByMarker } from '../services/background.js';
import { unknownObjects } from '../services/orphans.js';

const COUNTS = [
  'copies',
  'verified',
  'failed',
  'missing',
  'repaired',
  'damaged',
  'orphans',
  'deferred',
] as const;

/** The HTML report of a run, when it has one inside the data folder's reports. */
export function reportFile(deps: ConsoleDeps, run: RunRecord): string | undefined {
  const dir = path.resolve(deps.ctx.config.dataDir, 'reports');
  return run.reports
    ?.map((p) => path.resolve(p))
    .find((p) => p.endsWith('.html') && p.startsWith(dir + path.sep));
}

export function auditRow(deps: ConsoleDeps, run: RunRecord) {
  const s = run.summary ?? {};
  const counts = Object.fromEntries(COUNTS.map((k) => [k, typeof s[k] === 'number' ? s[k] : 0]));
  return {
    id: run.id,
    status: run.status,
    startedAt: run.startedAt,
    ...(run.finishedAt ? { finishedAt: run.finishedAt } : {}),
    ...(typeof run.params.orphanDecision === 'string'
      ? { decision: { action: run.params.orphanDecision, object: run.params.object, by: run.params.by } }
      : {}),
    counts,
    ...(reportFile(deps, run) ? { report: `/audits/${encodeURIComponent(run.id)}/report` } : {}),
  };
}

async function auditRun(deps: ConsoleDeps, id: string): Promise<RunRecord> {
  const run = await deps.ctx.catalog.getRun(id);
  if (run?.kind !== 'audit') throw new NotFoundError(`[audits] no audit run "${id}"`);
  return run;
}

export function registerAuditApi(app: FastifyInstance, deps: ConsoleDeps): void {
  const { ctx } = deps;
  app.get<{ Querystring: { limit?: string } }>(
    '/api/audits',
    { config: { access: 'read' } },
    async (request) => {
      const limit = Number(request.query.limit ?? 50);
      if (!Number.isInteger(limit) || limit < 1 || limit > 500)
        throw new HttpProblem(400, 'limit must be an integer from 1 to 500', 'audits-limit');
      return (await ctx.catalog.listRuns({ kind: 'audit', limit })).map((r) => auditRow(deps, r));
    },
  );
  app.get<{ Params: { id: string } }>('/api/audits/:id', { config: { access: 'read' } }, async (request) => {
    const run = await auditRun(deps, request.params.id);
    const items = (await ctx.catalog.listRunItems(run.id)).filter((i) => i.status !== 'ok');
    const startedBy = await ctx.catalog.getMarker(startedByMarker(run.id));
    return { ...auditRow(deps, run), ...(startedBy ? { startedBy } : {}), summary: run.summary ?? {}, items };
  });
  app.post('/api/audits', { config: { access: 'audits' } }, async (request, reply) => {
    const started = await deps.work.runAudit(who(request).user.name);
    return reply.code(202).send(started);
  });
  app.get<{ Params: { id: string } }>(
    '/audits/:id/report',
    { config: { access: 'read' } },
    async (request, reply) => {
      const run = await auditRun(deps, request.params.id);
      const file = reportFile(deps, run);
      if (!file) throw new NotFoundError(`[audits] run ${run.id} has no HTML report`);
      return sendReportPage(reply, file);
    },
  );

  app.get<{ Querystring: { location?: string } }>(
    '/api/orphans',
    { config: { access: 'read' } },
    async (request) => unknownObjects(ctx, request.query.location),
  );
  for (const action of ['remove', 'keep'] as const) {
    app.post(`/api/orphans/${action}`, { config: { access: 'audits' } }, async (request) => {
      const body = (request.body ?? {}) as { object?: unknown; reason?: unknown };
      return decideOrphan(ctx, {
        object: typeof body.object === 'string' ? body.object : '',
        action,
        by: who(request).user.name,
        reason: typeof body.reason === 'string' ? body.reason : '',
      });
    });
  }
}
