import type { ConsoleCatalog } from './console-types.js';

export type * from './console-types.js';

/**
 * The catalog: what must exist. Storage is what does exist; audits compare the two.
 * Methods are async so that the PostgreSQL implementation (many workers) fits the same interface as SQLite.
 */

/**
 * Lifecycle of a package. `archived` only once every required copy is stored and read back verified;
 * `damaged` when an audit found no healthy copy left to repair from.
 */
export type PackageState = 'stored' | 'archived' | 'failed' | 'damaged';

export type CopyStatus = 'stored' | 'verified' | 'failed' | 'missing';

/** Descriptive metadata of a record, as given by `record.json` or derived from the folder name. */
export interface DescriptiveMetadata {
  title: string;
  /** Identifier in the producing system, e.g. the case number "KS 2024/0113". */
  identifier?: string;
  creator?: string;
  /** ISO 8601 dates. */
  dates?: { created?: string; modified?: string; start?: string; end?: string };
  description?: string;
  /** Access restriction, e.g. a reference to the secrecy rule that applies ("OSL 26 kap. 1 §"). */
  accessRestriction?: string;
  /** Classification code from the records classification scheme (klassificeringsstruktur). */
  classification?: string;
  /** Language codes (ISO 639), e.g. ["sv"]. */
  language?: string[];
  subject?: string[];
}

export interface PackageRecord {
  id: string;
  label: string;
  profile: string;
  /** Where the record came from: source kind and its key (e.g. folder name). */
  sourceKind: string;
  sourceKey: string;
  /** SHA-256 over the record's sorted (path, sha256) list: identifies unchanged content. */
  contentDigest: string;
  /** Size of the package ZIP in bytes. */
  size: number;
  /** Hex SHA-256 of the whole package ZIP. */
  sha256: string;
  fileCount: number;
  state: PackageState;
  createdAt: Date;
  archivedAt?: Date;
  /** The package this one supersedes (a new version of the same record). */
  predecessorId?: string;
  metadata: DescriptiveMetadata;
}

export interface FileRecord {
  packageId: string;
  /** Path of the file inside the record, POSIX, as restored by `get`. */
  path: string;
  /** Path of the entry inside the package ZIP. */
  entryPath: string;
  size: number;
  sha256: string;
  /** Identified from the content (never the extension); `application/octet-stream` when unknown. */
  mimeType: string;
  /** Format in the PRONOM registry, when identified, e.g. `{ puid: 'fmt/354', name: 'Acrobat PDF/A …', version: '1b' }`. */
  format?: FileFormat;
  /** Last modification time of the source file. */
  modifiedAt: Date;
}

export interface FileFormat {
  puid?: string;
  name?: string;
  version?: string;
  /** What the identification rests on, e.g. "PDF header %PDF-1.4 and XMP pdfaid:part 1, conformance B". */
  basis: string;
}

export interface CopyRecord {
  packageId: string;
  location: string;
  key: string;
  size: number;
  sha256: string;
  versionId?: string;
  storedAt: Date;
  status: CopyStatus;
  lastVerifiedAt?: Date;
  lastCheckedAt?: Date;
}

/** The outcome of checking one stored copy. */
export interface CopyCheckRecord {
  packageId: string;
  location: string;
  status: CopyStatus;
  at: Date;
  /** The PREMIS event (e.g. "fixity check") recorded with it. */
  event?: EventRecord;
}

/** A PREMIS-shaped event. */
export interface EventRecord {
  id: string;
  packageId: string;
  /** PREMIS event type from the LoC vocabulary, e.g. "ingestion", "message digest calculation", "fixity check". */
  type: string;
  at: Date;
  outcome: 'success' | 'failure';
  detail: string;
  /** Agent identifier, e.g. "bevara/0.1.0". */
  agent: string;
  /** What the event was about beyond the package: a file path or a copy (location:key). */
  object?: string;
  runId?: string;
}

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

/** An object the archive stored beside packages, which the orphan listing must not report. */
export interface StoredObjectRecord {
  location: string;
  key: string;
  /**
   * `event-log`: PREMIS events of a package; `report`: an audit report; `damaged`: a damaged copy kept;
   * `kept-orphan`: an unknown object an operator chose to keep (`bevara orphans keep`).
   */
  kind: 'event-log' | 'report' | 'damaged' | 'kept-orphan';
  packageId?: string;
  storedAt: Date;
}

/** How far one location's copies are within their audit period. */
export interface CopyCoverage {
  location: string;
  copies: number;
  bytes: number;
  /** Copies whose last successful verification is at or after `since`. */
  withinPolicy: number;
  /** The copy whose last successful verification (or storage, if never) is oldest. */
  oldest?: CopyRecord;
}

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

export interface PackageSummary {
  id: string;
  label: string;
  size: number;
  fileCount: number;
  state: PackageState;
  createdAt: Date;
  copies: { location: string; status: CopyStatus }[];
}

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
  /** Adds a package together with its files, first events and copies, in one transaction. */
  addPackage(
    pkg: PackageRecord,
    files: FileRecord[],
    events: EventRecord[],
    copies?: CopyRecord[],
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
  /** Appends items to runs in one transaction, numbering them in the order given. */
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
   * id): the order the audit planner takes them in. Pages with `offset`/`limit`.
   */
  listCopiesByAge(location: string, page: { offset: number; limit: number }): Promise<CopyRecord[]>;
  /** Counts one location's copies and those verified at or after `since`; names the one that waited longest. */
  copyCoverage(location: string, since: Date): Promise<CopyCoverage>;

  /** Records an object stored beside packages (inserts or replaces by location and key). */
  addStoredObject(object: StoredObjectRecord): Promise<void>;
  listStoredObjects(filter: { location?: string; packageId?: string }): Promise<StoredObjectRecord[]>;

  /**
   * Takes the named lease for `holder` until `until` when it is free, expired (at `now`) or already held by
   * `holder` (then it is extended). Returns whether `holder` holds it now. Atomic across processes.
   */
  acquireLease(name: string, holder: string, until: Date, now: Date): Promise<boolean>;
  /** Gives the lease up when `holder` holds it. */
  releaseLease(name: string, holder: string): Promise<void>;
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
   * a restarted worker taking its records back). Returns the record as taken, or null.
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
   */
  advanceRecord(
    job: string,
    sourceKey: string,
    holder: string,
    change: { state: RecordState; packageId?: string; reason?: string },
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
export interface Catalog extends RecordCatalog, RunCatalog, AuditCatalog, JobCatalog, ConsoleCatalog {
  /** Applies pending migrations; safe to call on every start. */
  migrate(): Promise<void>;
  close(): Promise<void>;
}
