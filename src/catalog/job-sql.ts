/**
 * SQL and row mapping of jobs and record states, shared by the SQLite and PostgreSQL catalogs (`?` placeholders;
 * the PostgreSQL catalog numbers them). Portable: upserts with ON CONFLICT, no engine-specific functions.
 */
import type { JobRecord, JobRecordState, RecordState } from './types.js';

/** Record states that end a run's work on a record. */
export const RUN_END_STATES: readonly RecordState[] = [
  'released',
  'unchanged',
  'quarantined',
  'failed',
  'waiting',
];

const list = (states: readonly string[]) => states.map((s) => `'${s}'`).join(', ');
const CLAIMABLE = ['discovered', 'packaged', 'archived'];

export const UPSERT_JOB = `INSERT INTO jobs (name, definition_json, enabled, origin, created_at, updated_at)
  VALUES (?, ?, ?, ?, ?, ?)
  ON CONFLICT (name) DO UPDATE SET definition_json = excluded.definition_json, enabled = excluded.enabled,
    origin = excluded.origin, updated_at = excluded.updated_at`;

/** New keys, and keys whose last run ended, start as `discovered` in this run; others join it where they stand. */
export const DISCOVER_RECORD = `INSERT INTO job_records
    (job, source_key, run_id, state, package_id, holder, lease_until, attempts, reason, discovered_at, updated_at)
  VALUES (?, ?, ?, ?, NULL, NULL, NULL, 0, ?, ?, ?)
  ON CONFLICT (job, source_key) DO UPDATE SET
    run_id = excluded.run_id,
    state = CASE WHEN job_records.state IN (${list(RUN_END_STATES)}) THEN excluded.state
                 WHEN job_records.state = 'stored' THEN 'packaged'
                 ELSE job_records.state END,
    package_id = CASE WHEN job_records.state IN (${list(RUN_END_STATES)}) THEN NULL ELSE job_records.package_id END,
    reason = CASE WHEN job_records.state IN (${list(RUN_END_STATES)}) THEN excluded.reason ELSE job_records.reason END,
    discovered_at = excluded.discovered_at,
    updated_at = excluded.updated_at`;

/** Takes (or, for its own holder, extends) the lease of a record in a claimable state. */
export const CLAIM_RECORD = `UPDATE job_records SET
    attempts = attempts + CASE WHEN holder = ? THEN 0 ELSE 1 END,
    holder = ?, lease_until = ?, updated_at = ?
  WHERE job = ? AND source_key = ? AND state IN (${list(CLAIMABLE)})
    AND (holder IS NULL OR lease_until <= ? OR holder = ?)`;

/** Frees a record's lease held by `holder` (a process known to be dead), leaving its state as it is. */
export const FREE_RECORD = `UPDATE job_records SET holder = NULL, lease_until = NULL
  WHERE job = ? AND source_key = ? AND holder = ?`;

/** Compare-and-set on the holder; a state no worker moves on from within the run frees the lease. */
export const ADVANCE_RECORD = `UPDATE job_records SET state = ?, package_id = COALESCE(?, package_id), reason = ?,
    holder = CASE WHEN ? IN (${list(CLAIMABLE)}) THEN holder ELSE NULL END,
    lease_until = CASE WHEN ? IN (${list(CLAIMABLE)}) THEN lease_until ELSE NULL END,
    updated_at = ?
  WHERE job = ? AND source_key = ? AND holder = ?`;

export interface JobRow {
  name: string;
  definition_json: string;
  enabled: number | boolean;
  origin: string;
  created_at: string;
  updated_at: string;
}

export interface JobRecordRow {
  job: string;
  source_key: string;
  run_id: string;
  state: string;
  package_id: string | null;
  holder: string | null;
  lease_until: string | null;
  attempts: number | string;
  reason: string | null;
  discovered_at: string;
  updated_at: string;
}

type JobDefinition = Omit<JobRecord, 'name' | 'enabled' | 'origin' | 'createdAt' | 'updatedAt'>;

export function jobParams(job: JobRecord): unknown[] {
  const { name, enabled, origin, createdAt, updatedAt, ...definition } = job;
  return [
    name,
    JSON.stringify(definition),
    enabled ? 1 : 0,
    origin,
    createdAt.toISOString(),
    updatedAt.toISOString(),
  ];
}

export function toJobRecord(row: JobRow): JobRecord {
  const definition = JSON.parse(row.definition_json) as JobDefinition;
  return {
    name: row.name,
    ...definition,
    enabled: Boolean(Number(row.enabled)),
    origin: row.origin as JobRecord['origin'],
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

export function toJobRecordState(row: JobRecordRow): JobRecordState {
  return {
    job: row.job,
    sourceKey: row.source_key,
    runId: row.run_id,
    state: row.state as RecordState,
    ...(row.package_id ? { packageId: row.package_id } : {}),
    ...(row.holder ? { holder: row.holder } : {}),
    ...(row.lease_until ? { leaseUntil: new Date(row.lease_until) } : {}),
    attempts: Number(row.attempts),
    ...(row.reason ? { reason: row.reason } : {}),
    discoveredAt: new Date(row.discovered_at),
    updatedAt: new Date(row.updated_at),
  };
}
