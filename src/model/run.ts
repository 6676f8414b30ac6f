/** Ingest and audit runs and their outcomes, as recorded and reported. */

export type RunKind = 'ingest' | 'audit';
export type RunStatus = 'running' | 'succeeded' | 'completed-with-failures' | 'failed';

export interface RunRecord {
  id: string;
  kind: RunKind;
  startedAt: Date;
  finishedAt?: Date;
  status: RunStatus;
  /** Free-form parameters of the run (source, profile, locations). */
  params: Record<string, unknown>;
  /** Counters and totals written at the end. */
  summary?: Record<string, unknown>;
  /** Paths of reports written for this run. */
  reports?: string[];
}

/** One outcome inside a run: a record ingested or rejected, a copy audited. */
export interface RunItem {
  runId: string;
  /** Record key (ingest) or "location:key" (audit). */
  subject: string;
  packageId?: string;
  /** `repaired`: an audited copy failed and was replaced from a healthy copy (see `details.repair`). */
  status: 'ok' | 'rejected' | 'failed' | 'skipped' | 'orphan' | 'waiting' | 'repaired';
  message?: string;
  details?: Record<string, unknown>;
}
