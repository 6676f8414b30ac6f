/**
 * `/api/quarantine`: records ingest refused, and the archivist's decision on each (release back to the inbox, or
 * discard), recorded with the account that made it. The page's report link (`/quarantine/:id/report`) serves the
 * refusing run's HTML report under the audit reports' policy.
 */
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { NotFoundError } from '../../errors.js';
import { who } from '../auth/guard.js';
import type { ConsoleDeps } from '../deps.js';
import { sendReportPage } from '../security.js';
import { decideFromConsole, quarantineDetail, quarantineList } from '../services/quarantine.js';

type ById = { Params: { id: string } };

export function registerQuarantineApi(app: FastifyInstance, deps: ConsoleDeps): void {
  const { ctx } = deps;
  app.get<{ Querystring: { job?: string } }>(
    '/api/quarantine',
    { config: { access: 'read' } },
    async (request) => quarantineList(ctx, request.query.job),
  );
  app.get<ById>('/api/quarantine/:id', { config: { access: 'read' } }, async (request) =>
    quarantineDetail(ctx, request.params.id),
  );
  for (const action of ['release', 'discard'] as const) {
    app.post<ById>(`/api/quarantine/:id/${action}`, { config: { access: 'jobs' } }, async (request) => {
      const body = (request.body ?? {}) as { reason?: unknown; confirm?: unknown };
      return decideFromConsole(ctx, {
        id: request.params.id,
        action,
        by: who(request).user.name,
        reason: body.reason,
        confirm: body.confirm,
      });
    });
  }
  app.get<ById>('/quarantine/:id/report', { config: { access: 'read' } }, async (request, reply) => {
    const detail = await quarantineDetail(ctx, request.params.id);
    const dir = path.resolve(ctx.config.dataDir, 'reports');
    const file = detail.reports
      .map((p) => path.resolve(p))
      .find((p) => p.endsWith('.html') && p.startsWith(dir + path.sep));
    if (!file) throw new NotFoundError(`[quarantine] run ${detail.runId} has no HTML report`);
    return sendReportPage(reply, file);
  });
}
