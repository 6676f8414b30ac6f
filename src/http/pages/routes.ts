/**
 * The console's pages: server-rendered, each from the same services as its API route, forms posting back here
 * (with the session's CSRF token) and redirecting after a change, so a reload never repeats it.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { decideOrphan } from '../../audit/orphan-decisions.js';
import { ValidationError } from '../../errors.js';
import { listJobsWithLastRun } from '../../jobs/job-actions.js';
import { JobSpecError } from '../../jobs/job-spec.js';
import { auditRow } from '../api/audits.js';
import { listRuns, retryRecord } from '../api/jobs-runs.js';
import { who } from '../auth/guard.js';
import { can } from '../auth/roles.js';
import type { ConsoleDeps } from '../deps.js';
import type { Permission } from '../server.js';
import { startedByMarker } from '../services/background.js';
import { coverageTrend } from '../services/coverage-trend.js';
import { changeJob, createJob, runJob } from '../services/jobs.js';
import { unknownObjects } from '../services/orphans.js';
import { overview } from '../services/overview.js';
import { encodeCursor, packageDetail, parseSearch, type SearchParams } from '../services/packages.js';
import { runDetail } from '../services/run-detail.js';
import { auditPage, auditsPage, orphansPage } from './audits.js';
import { pageContext, sendPage } from './context.js';
import { type JobForm, jobsPage } from './jobs.js';
import type { PageContext } from './layout.js';
import { overviewPage } from './overview.js';
import { packagePage, searchPage } from './packages.js';
import { registerQuarantinePages } from './quarantine.js';
import { runPage, runsPage } from './runs.js';

type Fields = Record<string, string | undefined>;

const may = (request: FastifyRequest, permission: Permission) => can(who(request).user.role, permission);

type PageOf = (request: FastifyRequest, reply: FastifyReply) => PageContext;

export function registerPages(app: FastifyInstance, deps: ConsoleDeps): void {
  const { ctx } = deps;
  const page = (request: FastifyRequest, reply: FastifyReply) => pageContext(ctx, request, reply);

  app.get('/', { config: { access: 'read' } }, async (request, reply) =>
    sendPage(reply, overviewPage(page(request, reply), await overview(ctx, deps.storage))),
  );

  registerJobPages(app, deps, page);
  registerRunAndPackagePages(app, deps, page);
  registerAuditPages(app, deps, page);
  registerOrphanPages(app, deps, page);
  registerQuarantinePages(app, deps);
}

/** The job list and form, and the job actions: add, pause, resume, run now. */
function registerJobPages(app: FastifyInstance, deps: ConsoleDeps, page: PageOf): void {
  const { ctx } = deps;
  async function showJobs(request: FastifyRequest, reply: FastifyReply, form?: JobForm, status = 200) {
    const pc = page(request, reply);
    const q = request.query as Fields;
    const notice = q.added
      ? pc.t('jobs.added', { name: q.added })
      : q.paused
        ? pc.t('jobs.pausedMessage', { name: q.paused })
        : q.resumed
          ? pc.t('jobs.resumedMessage', { name: q.resumed })
          : undefined;
    const jobs = await listJobsWithLastRun(ctx);
    return sendPage(
      reply,
      jobsPage(pc, jobs, {
        canChange: may(request, 'jobs'),
        now: ctx.now(),
        ...(form ? { form } : {}),
        ...(notice ? { notice } : {}),
      }),
      status,
    );
  }
  app.get('/jobs', { config: { access: 'read' } }, async (request, reply) => showJobs(request, reply));
  app.post('/jobs', { config: { access: 'jobs' } }, async (request, reply) => {
    const body = (request.body ?? {}) as Fields;
    const values = Object.fromEntries(
      Object.entries(body).filter(([k, v]) => k !== '_csrf' && typeof v === 'string'),
    ) as Record<string, string>;
    const path = body.sourcePath?.trim();
    try {
      const job = await createJob(
        deps,
        { ...body, source: path ? `${body.sourceKind ?? 'folder'}:${path}` : undefined },
        who(request).user.name,
      );
      return reply.redirect(`/jobs?added=${encodeURIComponent(job.name)}`, 303);
    } catch (err) {
      if (err instanceof JobSpecError) return showJobs(request, reply, { values, errors: err.issues }, 422);
      if (err instanceof ValidationError)
        return showJobs(
          request,
          reply,
          { values, errors: [{ field: 'name', rule: err.rule, message: err.message }] },
          422,
        );
      throw err;
    }
  });
  for (const [action, enabled] of [
    ['pause', false],
    ['resume', true],
  ] as const) {
    app.post<{ Params: { name: string } }>(
      `/jobs/:name/${action}`,
      { config: { access: 'jobs' } },
      async (request, reply) => {
        const job = await changeJob(deps, request.params.name, enabled, who(request).user.name);
        return reply.redirect(`/jobs?${enabled ? 'resumed' : 'paused'}=${encodeURIComponent(job.name)}`, 303);
      },
    );
  }
  app.post<{ Params: { name: string } }>(
    '/jobs/:name/run',
    { config: { access: 'jobs' } },
    async (request, reply) => {
      const run = await runJob(deps, request.params.name, who(request).user.name);
      return reply.redirect(`/runs/${encodeURIComponent(run.id)}`, 303);
    },
  );
}

/** Runs, package search and one package. */
function registerRunAndPackagePages(app: FastifyInstance, deps: ConsoleDeps, page: PageOf): void {
  const { ctx } = deps;
  app.get('/runs', { config: { access: 'read' } }, async (request, reply) =>
    sendPage(reply, runsPage(page(request, reply), await listRuns(deps, request.query as Fields))),
  );
  app.get<{ Params: { id: string } }>('/runs/:id', { config: { access: 'read' } }, async (request, reply) =>
    sendPage(
      reply,
      runPage(page(request, reply), await runDetail(ctx, request.params.id), may(request, 'jobs')),
    ),
  );
  app.post<{ Params: { id: string } }>(
    '/runs/:id/retry',
    { config: { access: 'jobs' } },
    async (request, reply) => {
      const body = (request.body ?? {}) as Fields;
      const run = await retryRecord(deps, request.params.id, body.record, who(request).user.name);
      return reply.redirect(`/runs/${encodeURIComponent(run.id)}`, 303);
    },
  );

  app.get('/packages', { config: { access: 'read' } }, async (request, reply) => {
    const params = request.query as SearchParams;
    const pc = page(request, reply);
    let query: ReturnType<typeof parseSearch>;
    try {
      query = parseSearch(params);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return sendPage(reply, searchPage(pc, params, undefined, `${err.message} [${err.rule}]`), 422);
    }
    const result = await ctx.catalog.searchPackages(query);
    return sendPage(
      reply,
      searchPage(pc, params, {
        packages: result.packages,
        ...(result.next ? { next: encodeCursor(result.next) } : {}),
      }),
    );
  });
  app.get<{ Params: { id: string } }>(
    '/packages/:id',
    { config: { access: 'read' } },
    async (request, reply) => {
      const detail = await packageDetail(ctx, request.params.id);
      const mayDownload = may(request, detail.restricted ? 'restricted' : 'download');
      return sendPage(reply, packagePage(page(request, reply), detail, mayDownload));
    },
  );
}

/** Audit runs, and starting one. */
function registerAuditPages(app: FastifyInstance, deps: ConsoleDeps, page: PageOf): void {
  const { ctx } = deps;
  app.get('/audits', { config: { access: 'read' } }, async (request, reply) => {
    const runs = await ctx.catalog.listRuns({ kind: 'audit', limit: 50 });
    return sendPage(
      reply,
      auditsPage(
        page(request, reply),
        runs.map((r) => auditRow(deps, r)),
        may(request, 'audits'),
        coverageTrend(runs),
      ),
    );
  });
  app.post('/audits', { config: { access: 'audits' } }, async (request, reply) => {
    const { runId } = await deps.work.runAudit(who(request).user.name);
    return reply.redirect(runId ? `/audits/${encodeURIComponent(runId)}` : '/audits', 303);
  });
  app.get<{ Params: { id: string } }>(
    '/audits/:id',
    { config: { access: 'read' } },
    async (request, reply) => {
      const run = await ctx.catalog.getRun(request.params.id);
      if (run?.kind !== 'audit') return reply.callNotFound();
      const startedBy = await ctx.catalog.getMarker(startedByMarker(run.id));
      return sendPage(
        reply,
        auditPage(page(request, reply), { ...auditRow(deps, run), ...(startedBy ? { startedBy } : {}) }),
      );
    },
  );
}

/** Unknown objects and the decisions on them. */
function registerOrphanPages(app: FastifyInstance, deps: ConsoleDeps, page: PageOf): void {
  const { ctx } = deps;
  app.get('/orphans', { config: { access: 'read' } }, async (request, reply) => {
    const pc = page(request, reply);
    const q = request.query as Fields;
    const notice =
      q.decided && q.object && q.action
        ? pc.t('orphans.decided', {
            object: q.object,
            action: pc.t(q.action === 'remove' ? 'orphans.remove' : 'orphans.keep'),
            run: q.decided,
          })
        : undefined;
    return sendPage(reply, orphansPage(pc, await unknownObjects(ctx), may(request, 'audits'), notice));
  });
  for (const action of ['remove', 'keep'] as const) {
    app.post(`/orphans/${action}`, { config: { access: 'audits' } }, async (request, reply) => {
      const body = (request.body ?? {}) as Fields;
      const object = body.object ?? '';
      const result = await decideOrphan(ctx, {
        object,
        action,
        by: who(request).user.name,
        reason: body.reason ?? '',
      });
      const query = new URLSearchParams({ decided: result.runId, object, action });
      return reply.redirect(`/orphans?${query.toString()}`, 303);
    });
  }
}
