import { describeSource, formatDuration } from '../jobs/describe.js';
import { listRow } from '../jobs/run-list.js';
import { syncJobs } from '../jobs/job-actions.js';
import { describeRun, type RunView } from '../jobs/run-view.js';
import { jobToRetry } from '../jobs/retry-record.js';
import { jobsRunCommand } from './jobs.js';
import type { AppContext } from '../app/context.js';
import { formatBytes, print, printableInline, printJson, table } from './output.js';

/** `bevara runs list [--job <name>] [--limit n]`: ingest and audit runs, newest first. */
export async function runsListCommand(
  ctx: AppContext,
  options: { job?: string; limit?: number; json?: boolean },
): Promise<number> {
  await syncJobs(ctx);
  const runs = await ctx.catalog.listRuns({
    limit: options.limit ?? 50,
    ...(options.job ? { job: options.job } : {}),
  });
  const now = ctx.now();
  const rows = runs.map((r) => listRow(r, now));
  if (options.json) {
    printJson(rows);
    return 0;
  }
  if (rows.length === 0) {
    print(options.job ? `No runs of job ${options.job}.` : 'No runs yet.');
    return 0;
  }
  print(
    table(
      ['RUN', 'KIND', 'JOB', 'STATUS', 'STARTED', 'DURATION', 'RECORDS/COPIES', 'BYTES'],
      rows.map((r) => [
        r.id,
        r.kind,
        r.job ?? '-',
        r.status,
        r.startedAt.toISOString(),
        r.finishedAt ? formatDuration(r.durationMs) : `running ${formatDuration(r.durationMs)}`,
        r.count === undefined
          ? '-'
          : r.problems
            ? `${r.count} (${r.problems} need attention)`
            : String(r.count),
        r.bytes === undefined ? '-' : formatBytes(r.bytes),
      ]),
    ),
  );
  return 0;
}

/** `bevara runs show <run>`: what the run did, what needs attention and why, where the packages went. */
export async function runsShowCommand(
  ctx: AppContext,
  runId: string,
  options: { json?: boolean },
): Promise<number> {
  await syncJobs(ctx);
  const view = await describeRun(ctx.catalog, runId, ctx.now());
  if (options.json) printJson(view);
  else printRunView(view);
  return 0;
}

function printRunView(view: RunView): void {
  const field = (label: string, value: string) => print(`${`${label}:`.padEnd(10)}${value}`);
  print(`Run ${view.id} (${view.kind}): ${view.status}`);
  if (view.kind === 'ingest') {
    field('Job', view.job ?? 'none (bevara ingest)');
    field('Source', view.source ? describeSource(view.source) : '-');
    field('Profile', view.profile ?? '-');
  } else {
    const scope = Object.entries(view.params).filter(([, v]) => v !== undefined && v !== false);
    field('Scope', scope.length > 0 ? scope.map(([k, v]) => `${k} ${String(v)}`).join(', ') : 'planned');
  }
  field('Started', view.startedAt.toISOString());
  field('Finished', view.finishedAt?.toISOString() ?? 'still running');
  field('Duration', formatDuration(view.durationMs));
  const counts = Object.entries(view.counts).map(
    ([k, n]) => `${n} ${k === 'rejected' ? 'rejected/quarantined' : k}`,
  );
  field(view.kind === 'ingest' ? 'Records' : 'Copies', counts.join(', ') || '-');
  if (view.bytes !== undefined)
    field('Bytes', `${formatBytes(view.bytes)} ${view.kind === 'ingest' ? 'packaged' : 'read'}`);
  if (view.recordStates) {
    const states = Object.entries(view.recordStates).map(([s, n]) => `${s} ${n}`);
    field('States', states.join(', ') || '-');
  }
  if (view.problems.length > 0) {
    print('');
    print(`Needs attention (${view.problems.length}):`);
    for (const p of view.problems) {
      print(
        `  ${p.status.padEnd(11)} ${printableInline(p.subject)}${p.rules ? `  [${p.rules.join(', ')}]` : ''}`,
      );
      print(`              ${p.reason}`);
    }
  }
  if (view.packages.length > 0) {
    print('');
    print(`Packages (${view.packages.length}):`);
    for (const pkg of view.packages) {
      print(`  ${printableInline(pkg.subject)}  ->  ${pkg.packageId}`);
      for (const c of pkg.copies) print(`              ${c.location}:${c.key}  (${c.status})`);
    }
  }
  for (const report of view.reports) print(`Report: ${report}`);
}

/** `bevara runs retry <run> <record>`: a failed or waiting record of the run, taken again by a run of its job now. */
export async function runsRetryCommand(
  ctx: AppContext,
  runId: string,
  record: string,
  options: { json?: boolean },
): Promise<number> {
  await syncJobs(ctx);
  const job = await jobToRetry(ctx.catalog, runId, record);
  ctx.logger.info({ runId, record, job }, 'record retried');
  return jobsRunCommand(ctx, job, options);
}
