import type { ConsoleCatalog } from './console-types.js';
import type { DisposalCatalog } from './disposal-types.js';
import type { JobRecord, JobRecordState, RecordState } from '../model/job.js';
import type {
  CopyCheckRecord,
  CopyCoverage,
  CopyRecord,
  EventRecord,
  FileRecord,
  PackageRecord,
  PackageState,
  PackageSummary,
  StoredObjectRecord,
} from '../model/package.js';
import type { RunItem, RunKind, RunRecord, RunStatus } from '../model/run.js';

export type * from './console-types.js';
export type * from './disposal-types.js';
export * from '../model/job.js';
export type * from '../model/package.js';
export type * from '../model/run.js';

/**
 * The catalog: what must exist. Storage is what does exist; audits compare the two.
 * Methods are async so that the PostgreSQL implementation (many workers) fits the same interface as SQLite.
 */

/**
 * How a write commits. `durable` (the default of every write): once it returns, it survives a power loss.
 * `relaxed`: it survives the process being killed, but may be lost with the machine's power (or an OS crash) until
 * the next durable commit on the same database, which makes it durable too: commits are kept in order, so what a
 * power loss leaves is always the catalog as it stood at some commit, as after a kill. A writer asks for it only
 * where that holds: no irreversible act (a package written, a source moved) depends on the write before the next
 * durable write of the same record; and what it writes is harmless when lost with every process that wrote it
 * (a claim, a record's write lease, the state a record reached after its last act, run items).
 * SQLite skips such a commit's fsync (each one costs a disk flush: 0.3 ms on a quiet SSD, 7 ms under load);
 * PostgreSQL commits every write durably, because workers on other machines outlive a server restart.
 */
export type Durability = 'durable' | 'relaxed';

export interface PackageFilter {
  state?: PackageState;
  sourceKey?: string;
  limit?: number;
}

/**
 * Packages as archived: the package rows, their files, their stored copies (with the outcomes of copy checks) and
 * their PREMIS events. Used by ingest, the audit (copies) and every listing.
 */
export interface RecordCatalog {
  /**
   * Adds a package together with its files, first events and copies, in one transaction. `relaxed` (default
   * durable) where a durable write follows before anything depends on it (ingest: the record's `archived`).
   * `files` may be streamed (a large record's list, read from disk): it is inserted a batch at a time, still in
   * the one transaction.
   */
  addPackage(
    pkg: PackageRecord,
    files: FileRecord[] | AsyncIterable<FileRecord>,
    events: EventRecord[],
    copies?: CopyRecord[],
    durability?: Durability,
  ): Promise<void>;
  setPackageState(id: string, state: PackageState, at: Date): Promise<void>;
  getPackage(id: string): Promise<PackageRecord | null>;
  listPackages(filter?: PackageFilter): Promise<PackageSummary[]>;
  /** The newest package made from this source key, to detect unchanged or changed records. */
  latestPackageForSource(sourceKind: string, sourceKey: string): Promise<PackageRecord | null>;
  listFiles(packageId: string): Promise<FileRecord[]>;

  /** Inserts or replaces the copy identified by (packageId, location). */
  putCopy(copy: CopyRecord): Promise<void>;
  listCopies(filter?: { packageId?: string; location?: string }): Promise<CopyRecord[]>;
  /**
   * Records the outcomes of copy checks, each with the event that tells of it, in one transaction.
   * `verified` also sets lastVerifiedAt. Fails as a whole if one names a copy that does not exist.
   */
  recordCopyChecks(checks: CopyCheckRecord[]): Promise<void>;

  addEvent(event: EventRecord): Promise<void>;
  listEvents(packageId: string): Promise<EventRecord[]>;
}

/** Runs (one ingest, job or audit pass) and their items: what the run skeleton and the reports use. */
export interface RunCatalog {
  startRun(run: RunRecord): Promise<void>;
  /**
   * Appends items to runs in one transaction, numbering them in the order given. Committed `relaxed`: items lost
   * with the power belong to a run that never finished, and the run's closing commit (durable) keeps them all.
   */
  addRunItems(items: RunItem[]): Promise<void>;
  finishRun(
    id: string,
    status: RunStatus,
    at: Date,
    summary: Record<string, unknown>,
    reports?: string[],
  ): Promise<void>;
  getRun(id: string): Promise<RunRecord | null>;
  listRunItems(runId: string): Promise<RunItem[]>;
  listRuns(filter?: {
    kind?: RunKind;
    limit?: number;
    status?: RunStatus;
    job?: string;
  }): Promise<RunRecord[]>;
}

/**
 * What audit planning and the worker need beyond records: copies by age and coverage, objects stored beside
 * packages (so the orphan listing knows them), leases (a run fires once across workers) and markers.
 */
export interface AuditCatalog {
  /**
   * One location's copies, never-verified first, then by oldest last successful verification (ties by package
   * id): the order the audit planner takes them in. Pages with `offset`/`limit`, counted from the start or, with
   * `after` (the last copy of the previous page), from the copy after that one: a page that follows `after` costs
   * the same wherever it is, where one at a large `offset` walks every copy before it.
   */
  listCopiesByAge(
    location: string,
    page: { offset: number; limit: number; after?: CopyRecord },
  ): Promise<CopyRecord[]>;
  /** Counts one location's copies and those verified at or after `since`; names the one that waited longest. */
  copyCoverage(location: string, since: Date): Promise<CopyCoverage>;

  /** Records an object stored beside packages (inserts or replaces by location and key). */
  addStoredObject(object: StoredObjectRecord): Promise<void>;
  listStoredObjects(filter: { location?: string; packageId?: string }): Promise<StoredObjectRecord[]>;

  /**
   * Takes the named lease for `holder` until `until` when it is free, expired (at `now`) or already held by
   * `holder` (then it is extended). Returns whether `holder` holds it now. Atomic across processes.
   */
  acquireLease(
    name: string,
    holder: string,
    until: Date,
    now: Date,
    durability?: Durability,
  ): Promise<boolean>;
  /** Gives the lease up when `holder` holds it. */
  releaseLease(name: string, holder: string, durability?: Durability): Promise<void>;
  /** Who holds the named lease and until when (expired ones included), or null. */
  leaseHolder(name: string): Promise<{ holder: string; until: Date } | null>;

  /** A small named value (e.g. when a location was last listed), or null. */
  getMarker(name: string): Promise<string | null>;
  setMarker(name: string, value: string, at: Date): Promise<void>;
}

/** Ingest jobs and the state of each record they found: what the worker and `bevara jobs` use. */
export interface JobCatalog {
  /** Inserts or replaces a job by name. */
  putJob(job: JobRecord): Promise<void>;
  getJob(name: string): Promise<JobRecord | null>;
  listJobs(): Promise<JobRecord[]>;
  /** Removes a job; its records' states stay, for the history. Throws NotFoundError. */
  removeJob(name: string): Promise<void>;

  /**
   * Records what a run of `job` found: new keys start `discovered`; keys whose last run ended (released,
   * unchanged, quarantined, failed, waiting) start again as `discovered`; keys an earlier run left in between
   * (packaged, stored, archived) join this run where they stand (`stored` goes back to `packaged`, to be looked at
   * again). `quarantined` gives records refused at scan time with their reason.
   */
  discoverRecords(
    job: string,
    runId: string,
    found: { sourceKey: string; quarantined?: string }[],
    at: Date,
  ): Promise<void>;
  /**
   * Takes one record for `holder` until `until` when it is in a claimable state of a run and not held by another
   * live lease (compare-and-set; atomic across workers); for its own holder it extends the lease (a heartbeat, or
   * a restarted worker taking its records back). Returns the record as taken, or null. Committed `relaxed`: a
   * claim lost with the power was held by processes that died with it, and the record is simply claimed again.
   */
  claimRecord(
    job: string,
    sourceKey: string,
    holder: string,
    until: Date,
    now: Date,
  ): Promise<JobRecordState | null>;
  /**
   * Moves a record on, only while `holder` holds it (else false: the lease was lost and another worker has it).
   * A claimable state keeps the lease; any other state (no worker moves on from it within the run) frees it.
   * `durability` (default durable): `relaxed` for a state no irreversible act depends on (see `Durability`).
   */
  advanceRecord(
    job: string,
    sourceKey: string,
    holder: string,
    change: { state: RecordState; packageId?: string; reason?: string; durability?: Durability },
    at: Date,
  ): Promise<boolean>;
  /** Frees the lease of a record held by `holder` (known dead); its state stays. Returns whether it was held. */
  freeRecord(job: string, sourceKey: string, holder: string): Promise<boolean>;
  listRecordStates(filter: { job?: string; runId?: string; state?: RecordState }): Promise<JobRecordState[]>;
  /** How many records of a run are in each state. */
  countRecordStates(runId: string): Promise<Partial<Record<RecordState, number>>>;
}

/**
 * The whole catalog, as the engines (SQLite, PostgreSQL) provide it. A caller that uses one part can take just
 * that part (`RecordCatalog`, `RunCatalog`, `AuditCatalog`, `JobCatalog`).
 */
export interface Catalog
  extends RecordCatalog,
    RunCatalog,
    AuditCatalog,
    JobCatalog,
    ConsoleCatalog,
    DisposalCatalog {
  /** Applies pending migrations; safe to call on every start. */
  migrate(): Promise<void>;
  close(): Promise<void>;
}
