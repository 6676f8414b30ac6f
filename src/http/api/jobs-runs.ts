/** `/api/jobs` and `/api/runs`: what the Jobs and Runs pages show and do. */
import type { FastifyInstance } from 'fastify';
import { listRow } from '../../jobs/run-list.js';
import type { RunKind } from '../../model/run.js';
import { syncJobs } from '../../jobs/job-actions.js';
import { jobToRetry } from '../../jobs/retry-record.js';
import { who } from '../auth/guard.js';
import type { ConsoleDeps } from '../deps.js';
import { HttpProblem } from '../problem.js';
import {
  changeJob,
  createJob,
  describeJob,
  type JobInput,
  listJobsWithLastRun,
  runJob,
} from '../services/jobs.js';
import { runDetail } from '../services/run-detail.js';

type Named = { Params: { name: string } };

export function registerJobApi(app: FastifyInstance, deps: ConsoleDeps): void {
  app.get('/api/jobs', { config: { access: 'read' } }, async () => listJobsWithLastRun(deps.ctx));
  app.post('/api/jobs', { config: { access: 'jobs' } }, async (request, reply) => {
    const job = await createJob(deps, (request.body ?? {}) as JobInput, who(request).user.name);
    return reply
      .code(201)
      .header('location', `/api/jobs/${encodeURIComponent(job.name)}`)
      .send(job);
  });
  app.get<Named>('/api/jobs/:name', { config: { access: 'read' } }, async (request) =>
    describeJob(deps.ctx, request.params.name),
  );
  for (const [action, enabled] of [
    ['pause', false],
    ['resume', true],
  ] as const) {
    app.post<Named>(`/api/jobs/:name/${action}`, { config: { access: 'jobs' } }, async (request) =>
      changeJob(deps, request.params.name, enabled, who(request).user.name),
    );
  }
  app.post<Named>('/api/jobs/:name/run', { config: { access: 'jobs' } }, async (request, reply) => {
    const run = await runJob(deps, request.params.name, who(request).user.name);
    return reply
      .code(202)
      .header('location', `/api/runs/${encodeURIComponent(run.id)}`)
      .send(run);
  });
}

export interface RunListQuery {
  job?: string;
  kind?: string;
  limit?: string;
}

/** The runs a list asks for, newest first (default 50, at most 500). */
export async function listRuns(deps: ConsoleDeps, query: RunListQuery) {
  const limit = query.limit === undefined ? 50 : Number(query.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500)
    throw new HttpProblem(400, 'limit must be an integer from 1 to 500', 'runs-limit');
  if (query.kind !== undefined && query.kind !== 'ingest' && query.kind !== 'audit')
    throw new HttpProblem(400, 'kind must be ingest or audit', 'runs-kind');
  await syncJobs(deps.ctx);
  const runs = await deps.ctx.catalog.listRuns({
    limit,
    ...(query.job ? { job: query.job } : {}),
    ...(query.kind ? { kind: query.kind as RunKind } : {}),
  });
  const now = deps.ctx.now();
  return runs.map((r) => listRow(r, now));
}

/** Retries a failed or waiting record of a run: a new run of its job now (see jobs/retry-record.ts). */
export async function retryRecord(deps: ConsoleDeps, runId: string, record: unknown, by: string) {
  if (typeof record !== 'string' || record === '')
    throw new HttpProblem(400, 'name the record to retry: { "record": "<key>" }', 'retry-record');
  await syncJobs(deps.ctx);
  const job = await jobToRetry(deps.ctx.catalog, runId, record);
  deps.ctx.logger.info({ runId, record, job, user: by }, 'record retried');
  return runJob(deps, job, by);
}

export function registerRunApi(app: FastifyInstance, deps: ConsoleDeps): void {
  app.post<{ Params: { id: string } }>(
    '/api/runs/:id/retry',
    { config: { access: 'jobs' } },
    async (request, reply) => {
      const body = (request.body ?? {}) as { record?: unknown };
      const run = await retryRecord(deps, request.params.id, body.record, who(request).user.name);
      return reply
        .code(202)
        .header('location', `/api/runs/${encodeURIComponent(run.id)}`)
        .send(run);
    },
  );
  app.get<{ Querystring: RunListQuery }>('/api/runs', { config: { access: 'read' } }, async (request) =>
    listRuns(deps, request.query),
  );
  app.get<{ Params: { id: string } }>(
    '/api/runs/:id',
    { config: { access: 'read' } },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return runDetail(deps.ctx, request.params.id);
    },
  );
}
