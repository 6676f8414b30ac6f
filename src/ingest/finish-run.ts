/** The end of a job run: its report and status, written once, also for a run this process was stopped in. */
import { CLAIMABLE_STATES, type JobRecordState, type RecordState } from '../model/job.js';
import type { RunItem, RunRecord, RunStatus } from '../model/run.js';
import { closeRun, failureItem, runStatus } from '../runs/run-skeleton.js';
import { LEASE_MS, LEASES } from '../leases.js';
import type { Logger } from '../logger.js';
import type { JobRunDeps } from './job-run.js';

const isClaimable = (state: RecordState) => CLAIMABLE_STATES.includes(state);

/**
 * Closes a run this process was stopped in (SIGTERM, SIGINT) with a status and a report, unless another process
 * still works on it (then it is left to that one). Records not yet done are reported as interrupted; the next run
 * goes on with each from where it stands.
 */
export async function finishStoppedRun(
  deps: JobRunDeps,
  run: RunRecord,
  holder: string,
  failure?: unknown,
): Promise<RunStatus | 'in-progress'> {
  const { catalog, now } = deps;
  const records = await catalog.listRecordStates({ runId: run.id });
  const othersWork = records.some(
    (r) =>
      isClaimable(r.state) &&
      r.holder &&
      r.holder !== holder &&
      (r.leaseUntil?.getTime() ?? 0) > now().getTime(),
  );
  if (othersWork) return 'in-progress';
  return finishRun(deps, run, holder, deps.logger.child({ runId: run.id }), failure);
}

/** Writes the run's report and closes it, once: the worker that takes the finishing lease does it. */
export async function finishRun(
  deps: JobRunDeps,
  run: RunRecord,
  holder: string,
  log: Logger,
  failure?: unknown,
): Promise<RunStatus | 'in-progress'> {
  const { catalog, now } = deps;
  const lease = LEASES.runFinish(run.id);
  if (!(await catalog.acquireLease(lease, holder, new Date(now().getTime() + LEASE_MS.runFinish), now())))
    return 'in-progress';
  const current = await catalog.getRun(run.id);
  if (current?.status !== 'running') return current?.status ?? 'failed';
  const items = await catalog.listRunItems(run.id);
  const records = await catalog.listRecordStates({ runId: run.id });
  // Records whose worker was killed between their last state and their run item: the report tells of them too.
  const itemized = new Set(items.map((i) => i.subject));
  const standIns = records.filter((r) => !itemized.has(r.sourceKey)).map((r) => standInItem(run.id, r));
  if (failure !== undefined) standIns.push(failureItem(run.id, failure));
  if (standIns.length > 0) {
    await catalog.addRunItems(standIns);
    items.push(...standIns);
  }
  // Counts come from the records' states, which are durable; items carry the details.
  const states = await catalog.countRecordStates(run.id);
  const summary = {
    archived: states.released ?? 0,
    unchanged: states.unchanged ?? 0,
    rejected: states.quarantined ?? 0,
    failed: states.failed ?? 0,
    waiting: (states.waiting ?? 0) + (states.stored ?? 0),
    /** Records a stop left before their end: the next run goes on with each. */
    interrupted: CLAIMABLE_STATES.reduce((n, state) => n + (states[state] ?? 0), 0),
    /** Bytes of source content packaged, as `bevara ingest` counts them. */
    bytes: items.reduce(
      (s, i) => s + (typeof i.details?.sourceBytes === 'number' ? i.details.sourceBytes : 0),
      0,
    ),
    records: states,
  };
  const status = runStatus({
    problems: summary.rejected + summary.failed + summary.waiting + summary.interrupted,
    failed: failure !== undefined,
  });
  return (await closeRun({ ...deps, logger: log }, run, { items, summary, status })).status;
}

const STAND_IN_STATUS: Partial<Record<JobRecordState['state'], RunItem['status']>> = {
  released: 'ok',
  unchanged: 'skipped',
  quarantined: 'rejected',
  failed: 'failed',
  waiting: 'waiting',
  stored: 'waiting',
  discovered: 'waiting',
  packaged: 'waiting',
  archived: 'waiting',
};

function standInItem(runId: string, record: JobRecordState): RunItem {
  return {
    runId,
    subject: record.sourceKey,
    ...(record.packageId ? { packageId: record.packageId } : {}),
    status: STAND_IN_STATUS[record.state] ?? 'failed',
    message: isClaimable(record.state)
      ? `interrupted while ${record.state}; the next run goes on with it`
      : `${record.state}${record.reason ? `: ${record.reason}` : ''} (from the record's state)`,
    details: { state: record.state },
  };
}
