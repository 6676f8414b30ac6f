/**
 * An operator's decision on a quarantined record: `release` gives it back to its source so the next run of its job
 * takes it again; `discard` removes it from quarantine for good. Never silently: each decision names who made it
 * and why, and is recorded as a run with a report (like an orphan decision) and as the catalog marker that takes
 * the entry off the list.
 *
 * What each does, by where the refused record is:
 * - moved to the job's quarantine folder: release moves it back into the inbox under its own name (never over
 *   anything there); discard deletes it from the quarantine folder.
 * - left in place in the inbox: release only records the decision (the next run takes it again anyway); discard
 *   records it too, and never deletes anything from the inbox (the operator removes the record there; while it
 *   is still there, the next run refuses it again and it comes back to the list).
 * - E-ARK SIPs also have a copy with the validation report in `<dataDir>/quarantine/<key>/`: discard removes it.
 *
 * Safe to run twice (a decision already made is reported again, not repeated), at once (a lease per entry) and
 * after a kill (the moves finish what an earlier attempt started).
 */
import { hostname } from 'node:os';
import fs from 'node:fs/promises';
import { newRunId } from '../catalog/run-id.js';
import type { Catalog } from '../catalog/types.js';
import { NotFoundError, ValidationError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { RunItem, RunRecord } from '../model/run.js';
import type { ReportWriter } from '../reports/write-report.js';
import {
  decisionMarker,
  findQuarantined,
  type QuarantineDecisionRecord,
  type QuarantineEntry,
} from './entries.js';
import { moveBack, removeQuarantined } from './move-back.js';

export interface QuarantineDecisionDeps {
  catalog: Catalog;
  dataDir: string;
  logger: Logger;
  reports: ReportWriter;
  now: () => Date;
}

export interface QuarantineDecision {
  id: string;
  action: 'release' | 'discard';
  /** Who decided (a person's name or console account). */
  by: string;
  /** Why; required to discard. */
  reason?: string;
}

export interface QuarantineDecisionResult extends QuarantineDecisionRecord {
  id: string;
  job: string;
  record: string;
  /** False when the decision had been made before (this call changed nothing). */
  changed: boolean;
  reports: string[];
}

const LEASE_MS = 10 * 60_000;

export async function decideQuarantined(
  deps: QuarantineDecisionDeps,
  decision: QuarantineDecision,
): Promise<QuarantineDecisionResult> {
  const by = decision.by.trim();
  const reason = (decision.reason ?? '').trim();
  if (by === '')
    throw new ValidationError('quarantine-decision', '[quarantine] a decision needs who made it (--by)');
  if (decision.action === 'discard' && reason === '')
    throw new ValidationError(
      'quarantine-decision',
      '[quarantine] discarding a record needs a reason (--reason)',
    );
  const lease = `quarantine:${decision.id}`;
  const holder = `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 10)}`;
  const now = deps.now();
  if (!(await deps.catalog.acquireLease(lease, holder, new Date(now.getTime() + LEASE_MS), now)))
    throw new ValidationError(
      'quarantine-busy',
      `[quarantine] ${decision.id}: another decision on this record is being carried out; try again shortly`,
    );
  try {
    const found = await findQuarantined(deps, decision.id);
    if (!found) throw new NotFoundError(`[quarantine] no quarantined record has the id "${decision.id}"`);
    const { entry } = found;
    if (found.decision && found.decision.decision !== decision.action)
      throw new ValidationError(
        'quarantine-decided',
        `[quarantine] ${decision.id}: record "${entry.record}" was already ${found.decision.decision}d by ${found.decision.by} at ${found.decision.at}`,
      );
    if (found.decision)
      return {
        ...found.decision,
        id: entry.id,
        job: entry.job,
        record: entry.record,
        changed: false,
        reports: [],
      };
    const job = await deps.catalog.getJob(entry.job);
    const outcome =
      decision.action === 'release'
        ? await release(entry, job?.quarantine)
        : await discard(entry, job?.quarantine);
    return await record(deps, entry, { decision: decision.action, by, reason, outcome });
  } finally {
    await deps.catalog.releaseLease(lease, holder);
  }
}

async function release(entry: QuarantineEntry, quarantineFolder: string | undefined): Promise<string> {
  if (entry.place.kind === 'in-place')
    return `left in the inbox (${entry.place.path}); the next run of job ${entry.job} takes it again`;
  const sourceRoot = entry.sourceRoot;
  if (!sourceRoot)
    throw new NotFoundError(`[quarantine] record "${entry.record}": job ${entry.job} no longer exists`);
  const to = await moveBack(entry.record, entry.place.path, quarantineFolder, sourceRoot);
  return `moved back to ${to}; the next run of job ${entry.job} takes it again`;
}

async function discard(entry: QuarantineEntry, quarantineFolder: string | undefined): Promise<string> {
  const done: string[] = [];
  if (entry.place.kind === 'moved') {
    const removed = await removeQuarantined(entry.record, entry.place.path, quarantineFolder);
    done.push(removed ? `deleted ${entry.place.path}` : `${entry.place.path} was already gone`);
  } else {
    done.push(
      `the record stays in the inbox (${entry.place.path}), which bevara never deletes from; remove it there, ` +
        'or the next run refuses it again',
    );
  }
  if (entry.sipCopy && (await fs.lstat(entry.sipCopy).catch(() => null))?.isDirectory()) {
    await fs.rm(entry.sipCopy, { recursive: true, force: true });
    done.push(`deleted the SIP's copy and validation report ${entry.sipCopy}`);
  }
  return done.join('; ');
}

async function record(
  deps: QuarantineDecisionDeps,
  entry: QuarantineEntry,
  made: { decision: 'release' | 'discard'; by: string; reason: string; outcome: string },
): Promise<QuarantineDecisionResult> {
  const at = deps.now();
  const runId = newRunId('ingest', at, `quarantine-${made.decision}`);
  // `forJob`, not `job`: a run of the job is what ingest joins; this one only records a decision.
  const params = {
    quarantineDecision: made.decision,
    quarantineId: entry.id,
    forJob: entry.job,
    record: entry.record,
    refusedBy: entry.runId,
    by: made.by,
    reason: made.reason,
  };
  await deps.catalog.startRun({ id: runId, kind: 'ingest', startedAt: at, status: 'running', params });
  const verb = made.decision === 'release' ? 'released' : 'discarded';
  const message = `${verb} by ${made.by}: record "${entry.record}" of job ${entry.job}${made.reason ? `; reason: ${made.reason}` : ''}; ${made.outcome}`;
  const item: RunItem = {
    runId,
    subject: entry.record,
    status: 'ok',
    message,
    details: { quarantineId: entry.id, decision: made.decision, by: made.by, refusedBy: entry.runId },
  };
  await deps.catalog.addRunItems([item]);
  const finishedAt = deps.now();
  const summary = { quarantine: 1, decision: made.decision };
  const run: RunRecord = {
    id: runId,
    kind: 'ingest',
    startedAt: at,
    finishedAt,
    status: 'succeeded',
    params,
    summary,
  };
  const reports = await deps.reports.write(run, [item]);
  await deps.catalog.finishRun(runId, 'succeeded', finishedAt, summary, reports);
  const kept: QuarantineDecisionRecord = { ...made, at: at.toISOString(), runId };
  await deps.catalog.setMarker(decisionMarker(entry.id), JSON.stringify(kept), at);
  deps.logger.warn(
    {
      quarantineId: entry.id,
      job: entry.job,
      record: entry.record,
      by: made.by,
      decision: made.decision,
      runId,
    },
    message,
  );
  return { ...kept, id: entry.id, job: entry.job, record: entry.record, changed: true, reports };
}
