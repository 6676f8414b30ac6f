import type { RunRecord } from '../model/run.js';
import { runDuration } from './describe.js';

/** One line of `bevara runs list`. */
export interface RunListRow {
  id: string;
  kind: RunRecord['kind'];
  job?: string;
  status: RunRecord['status'];
  startedAt: Date;
  finishedAt?: Date;
  durationMs: number;
  /** Ingest: records seen (archived, unchanged, rejected, failed, waiting). Audit: copies audited. */
  count?: number;
  /** Of those, how many need attention (ingest: rejected, failed, waiting; audit: failed, missing, orphans). */
  problems?: number;
  bytes?: number;
}

const num = (value: unknown) => (typeof value === 'number' ? value : 0);

/** The list row of one run: counts and problems from its summary. */
export function listRow(run: RunRecord, now: Date): RunListRow {
  const s = run.summary;
  const job = typeof run.params.job === 'string' ? run.params.job : undefined;
  const row: RunListRow = {
    id: run.id,
    kind: run.kind,
    ...(job ? { job } : {}),
    status: run.status,
    startedAt: run.startedAt,
    ...(run.finishedAt ? { finishedAt: run.finishedAt } : {}),
    durationMs: runDuration(run, now),
  };
  if (!s) return row;
  const problems =
    run.kind === 'ingest'
      ? num(s.rejected ?? s.quarantined) + num(s.failed) + num(s.waiting)
      : num(s.failed) + num(s.missing) + num(s.orphans);
  const count = run.kind === 'ingest' ? num(s.archived) + num(s.unchanged) + problems : num(s.copies);
  return { ...row, count, problems, ...(typeof s.bytes === 'number' ? { bytes: s.bytes } : {}) };
}
