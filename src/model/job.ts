/** Ingest jobs and where each of their records stands. */

/** Where an ingest job takes records from. */
export interface JobSource {
  kind: 'folder' | 'bagit' | 'eark-sip';
  /** Folder holding the records (bags, SIPs). */
  path: string;
}

/** What happens to a record in the source once its package is archived (every copy verified). */
export type AfterSuccess = { action: 'leave' } | { action: 'move'; to: string } | { action: 'mark' };

/** An ingest job: what archivists schedule ("every night at 02:00, take what w3d3 exported, package with fgs"). */
export interface JobRecord {
  name: string;
  source: JobSource;
  profile: string;
  /** Cron expression (five fields) and IANA time zone; no schedule: runs only when asked (`jobs run`). */
  schedule?: { cron: string; timezone: string };
  afterSuccess: AfterSuccess;
  /** Move records that fail validation here (default: leave them in place). */
  quarantine?: string;
  enabled: boolean;
  limits?: { maxRecords?: number; maxBytes?: number };
  /**
   * `config`: declared in the config file (the file wins on every start); `cli`: added with `bevara jobs add`;
   * `ingest`: the unnamed one-off job of `bevara ingest <input>` (one per source kind and folder; never scheduled).
   */
  origin: 'config' | 'cli' | 'ingest';
  createdAt: Date;
  updatedAt: Date;
}

/**
 * Where one record of a job stands. Each step is made durable before the next starts:
 * discovered → packaged (package id reserved, before any byte is stored) → stored (package catalogued with its
 * verified copies, some still missing) → archived (every copy read back verified) → released (the after-success
 * action done). Ends of a run: `unchanged`, `quarantined` (failed validation), `failed`, `waiting` (a location
 * was unavailable; the next run tries again).
 */
export type RecordState =
  | 'discovered'
  | 'packaged'
  | 'stored'
  | 'archived'
  | 'released'
  | 'unchanged'
  | 'quarantined'
  | 'failed'
  | 'waiting';

/** States a worker can take a record in and move it on from, within a run. */
export const CLAIMABLE_STATES: readonly RecordState[] = ['discovered', 'packaged', 'archived'];

export interface JobRecordState {
  job: string;
  sourceKey: string;
  runId: string;
  state: RecordState;
  packageId?: string;
  /** The worker holding the record, and until when. */
  holder?: string;
  leaseUntil?: Date;
  /** How often a worker took it on. */
  attempts: number;
  /** Why it is quarantined, failed or waiting. */
  reason?: string;
  discoveredAt: Date;
  updatedAt: Date;
}
