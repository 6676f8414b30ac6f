/**
 * The named catalog leases of ingest, in one place: what each one guards and how long it lasts. A lease is taken
 * with `catalog.acquireLease(name, holder, until, now)`, atomic across processes and workers.
 */
export const INGEST_LEASES = {
  /** One firing of a job's schedule (its slot) starts one run across all workers. Kept a week. */
  jobFire: (job: string, slot: string) => `job-fire:${job}:${slot}`,
  /** Starting a run of a job: the look for a running one and the start happen under it, so two never start. */
  jobStart: (job: string) => `job-start:${job}`,
  /** Discovery of a run's records, by one worker. */
  runDiscover: (runId: string) => `run-discover:${runId}`,
  /** The report and close of a run, by one worker. */
  runFinish: (runId: string) => `run-finish:${runId}`,
  /**
   * Writing a package for one record of one source, whichever job or run found it: two runs over the same
   * records (two `bevara ingest`, or one beside a worker's job) never archive a record twice.
   */
  recordWrite: (sourceKind: string, sourceKey: string) => `record:${sourceKind}:${sourceKey}`,
} as const;

export const INGEST_LEASE_MS = {
  jobFire: 7 * 86_400_000,
  jobStart: 30_000,
  runFinish: 600_000,
} as const;
