import { NotFoundError } from '../errors.js';
import type { AppContext } from '../app/context.js';
import { print, printJson, table } from './output.js';

/** `bevara reports list`: past ingest and audit runs, newest first. */
export async function reportsListCommand(
  ctx: AppContext,
  options: { json?: boolean; limit?: number },
): Promise<number> {
  const runs = await ctx.catalog.listRuns({ limit: options.limit ?? 50 });
  if (options.json) printJson(runs);
  else {
    print(
      table(
        ['RUN', 'KIND', 'STATUS', 'STARTED', 'REPORT'],
        runs.map((r) => [
          r.id,
          r.kind,
          r.status,
          r.startedAt.toISOString(),
          r.reports?.find((p) => p.endsWith('.html')) ?? '',
        ]),
      ),
    );
  }
  return 0;
}

/** `bevara reports show <run>`: one run's summary and every item. */
export async function reportsShowCommand(
  ctx: AppContext,
  runId: string,
  options: { json?: boolean },
): Promise<number> {
  const run = await ctx.catalog.getRun(runId);
  if (!run) throw new NotFoundError(`[reports] run ${runId} is not in the catalog`);
  const items = await ctx.catalog.listRunItems(runId);
  if (options.json) printJson({ run, items });
  else {
    print(
      `${run.kind} run ${run.id}: ${run.status}, started ${run.startedAt.toISOString()}, finished ${run.finishedAt?.toISOString() ?? '-'}`,
    );
    print(`Summary: ${JSON.stringify(run.summary ?? {})}`);
    print(
      table(
        ['STATUS', 'SUBJECT', 'PACKAGE', 'MESSAGE'],
        items.map((i) => [i.status, i.subject, i.packageId ?? '', i.message ?? '']),
      ),
    );
    for (const report of run.reports ?? []) print(`Report: ${report}`);
  }
  return 0;
}
