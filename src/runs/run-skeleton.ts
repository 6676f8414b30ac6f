/**
 * The skeleton every run (ingest, job run, audit) follows, written once:
 *
 *   openRun → runLanes (the work, several lanes at once) → runStatus (from the counts) → closeRun (report, finish)
 *
 * with `withRun` around the work of a run that lives in one process: a run the work throws out of still ends,
 * failed, with a report that says why (`failureItem`), before the error goes on. A job run worked on by several
 * workers opens and closes with the same steps, each under its own lease (see ingest/job-run.ts).
 * Every time comes from the injected clock.
 */
import type { RunCatalog } from '../catalog/types.js';
import type { RunItem, RunKind, RunRecord, RunStatus } from '../model/run.js';
import { newRunId } from '../catalog/run-id.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import type { ReportExtras, ReportWriter } from '../reports/write-report.js';

/** How the log names a run of each kind. */
const RUN_NAMES: Record<RunKind, string> = { ingest: 'job run', audit: 'audit run' };

/** What the skeleton needs; `logger` carries the run's bindings (job, worker) into the start and finish lines. */
export interface RunDeps {
  catalog: RunCatalog;
  reports: ReportWriter;
  logger: Logger;
  now: () => Date;
}

/** What a new run is. */
export interface RunStart {
  kind: RunKind;
  params: Record<string, unknown>;
  /** Part of the run id after the kind, e.g. the job's name. */
  label?: string;
  /** The run id, when the caller made it already (e.g. to name its lease). */
  id?: string;
}

/** Makes the run record and starts it in the catalog. */
export async function openRun(deps: RunDeps, start: RunStart): Promise<RunRecord> {
  const startedAt = deps.now();
  const run: RunRecord = {
    id: start.id ?? newRunId(start.kind, startedAt, start.label),
    kind: start.kind,
    startedAt,
    status: 'running',
    params: start.params,
  };
  await deps.catalog.startRun(run);
  const message: string = `${RUN_NAMES[run.kind]} started`;
  deps.logger.info({ ...withRunId(deps.logger, run.id), ...start.params }, message);
  return run;
}

/** What a run's counts say about it. */
export interface RunCounts {
  /** Items that did not end well (rejected, failed, waiting, missing, damaged …). */
  problems: number;
  /** The run was stopped before its work was done. */
  interrupted?: boolean;
  /** The run itself could not go on. */
  failed?: boolean;
}

/** failed when the run could not go on; completed-with-failures when an item had a problem or it was stopped. */
export function runStatus(counts: RunCounts): RunStatus {
  if (counts.failed) return 'failed';
  return counts.problems > 0 || counts.interrupted ? 'completed-with-failures' : 'succeeded';
}

/** What a run ends with. */
export interface RunOutcome<S extends Record<string, unknown>> {
  items: RunItem[];
  /** Counts and totals; the skeleton adds `durationMs`. */
  summary: S;
  status: RunStatus;
  /** Taken from the clock by the caller when something of the outcome (e.g. coverage) is as of that time. */
  finishedAt?: Date;
  reportExtras?: ReportExtras;
  /** Stores the report files elsewhere too (e.g. beside the packages); returns what it stored. */
  publish?: (files: string[]) => Promise<string[]>;
}

export interface ClosedRun<S> {
  status: RunStatus;
  finishedAt: Date;
  summary: S & { durationMs: number };
  reports: string[];
}

/** Writes the run's reports and finishes it in the catalog. */
export async function closeRun<S extends Record<string, unknown>>(
  deps: RunDeps,
  run: RunRecord,
  outcome: RunOutcome<S>,
): Promise<ClosedRun<S>> {
  const finishedAt = outcome.finishedAt ?? deps.now();
  const summary = { ...outcome.summary, durationMs: finishedAt.getTime() - run.startedAt.getTime() };
  const { status } = outcome;
  const files = await deps.reports.write(
    { ...run, finishedAt, status, summary },
    outcome.items,
    outcome.reportExtras,
  );
  const reports = outcome.publish ? [...files, ...(await outcome.publish(files))] : files;
  await deps.catalog.finishRun(run.id, status, finishedAt, summary, reports);
  const message: string = `${RUN_NAMES[run.kind]} finished`;
  const fields: Record<string, unknown> = { ...withRunId(deps.logger, run.id), ...summary, status, reports };
  deps.logger.info(fields, message);
  return { status, finishedAt, summary, reports };
}

/** The run item that tells why a run could not go on. */
export function failureItem(runId: string, failure: unknown): RunItem {
  return {
    runId,
    subject: runId,
    status: 'failed',
    message: `the run could not go on: ${errorMessage(failure)}`,
    details: { rule: 'run-failed' },
  };
}

/**
 * Runs `work` for a run that lives in this process. When it throws and the run is still running, the run is
 * closed as failed, its report holding the items recorded so far and why it stopped; then the error goes on.
 */
export async function withRun<T>(deps: RunDeps, run: RunRecord, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    await closeFailed(deps, run, err).catch((closeErr: unknown) =>
      deps.logger.error({ runId: run.id, err: errorMessage(closeErr) }, 'failed run could not be closed'),
    );
    throw err;
  }
}

async function closeFailed(deps: RunDeps, run: RunRecord, failure: unknown): Promise<void> {
  const current = await deps.catalog.getRun(run.id);
  if (current && current.status !== 'running') return;
  const failed = failureItem(run.id, failure);
  await deps.catalog.addRunItems([failed]);
  const items = await deps.catalog.listRunItems(run.id);
  await closeRun(deps, run, {
    items,
    summary: { items: items.length - 1, error: errorMessage(failure) },
    status: runStatus({ problems: 1, failed: true }),
  });
}

/** How {@link runLanes} takes and does its work. */
export interface Lanes<T> {
  /** How many items are worked on at once. */
  lanes: number;
  /** The next item, or undefined when there is none; never called twice at once (an async iterator is safe). */
  next: () => T | undefined | Promise<T | undefined>;
  work: (item: T) => Promise<void>;
  /** Asked before each item is taken: true stops every lane (a stop signal, a closing window). */
  stop?: () => boolean;
}

/**
 * Works on items in `lanes` lanes until there is none left or `stop` says so. Returns how many items were taken.
 * The first error of a lane's work rejects the whole (the other lanes take no new item after it).
 */
export async function runLanes<T>(options: Lanes<T>): Promise<number> {
  let taken = 0;
  let done = false;
  let pulling: Promise<unknown> = Promise.resolve();
  const pull = (): Promise<T | undefined> => {
    const next = pulling.then(async () => {
      if (done || options.stop?.()) return undefined;
      const item = await options.next();
      if (item === undefined) done = true;
      else taken++;
      return item;
    });
    pulling = next.catch(() => undefined);
    return next;
  };
  const lane = async () => {
    for (let item = await pull(); item !== undefined; item = await pull()) {
      try {
        await options.work(item);
      } catch (err) {
        done = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.lanes) }, lane));
  return taken;
}

/** `{ runId }`, unless the logger carries it already (a JSON line with the key twice is not what a reader expects). */
function withRunId(logger: Logger, runId: string): { runId?: string } {
  return logger.bindings().runId === runId ? {} : { runId };
}
