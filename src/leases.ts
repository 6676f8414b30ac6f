/**
 * Every named catalog lease, in one place: what each one guards, its name and how long it lasts. A lease is taken
 * with `catalog.acquireLease(name, holder, until, now)`, atomic across processes and workers; names are built only
 * here, so that no two parts of the code can disagree on one.
 */
import type { AuditCatalog } from './catalog/types.js';
import { isDeadLocalProcess } from './processes.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export const LEASES = {
  /** One firing of a job's schedule (its slot) starts one run across all workers. */
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
  /** One firing of the audit schedule (its slot, or the minute of a `worker --once`) audits once across workers. */
  auditFire: (slot: string) => `audit-fire:${slot}`,
  /** An audit run: runs never overlap, whichever worker or command starts them. */
  auditRun: 'audit',
  /** Carrying out one disposal proposal (`bevara disposal approve`): one process at a time. */
  disposal: (proposalId: string) => `disposal:${proposalId}`,
  /** `bevara catalog rebuild`: one at a time on a catalog; a dead holder's is taken over at once. */
  catalogRebuild: 'catalog-rebuild',
} as const;

export const LEASE_MS = {
  /** Kept a week: a firing is never started again, even by a worker whose clock is late. */
  jobFire: 7 * DAY,
  jobStart: 30_000,
  runFinish: 600_000,
  /** Kept a day: longer than any skew between the workers' clocks. */
  auditFire: DAY,
  /** The audit's window (a day when it has none) and an hour more; renewed every `auditRenew` while it runs. */
  auditRun: (windowMs: number | undefined) => (windowMs ?? DAY) + HOUR,
  auditRenew: 60_000,
  /** Renewed before each record; a holder that died on this host is taken over at once. */
  disposal: 600_000,
  /** Renewed after every page of packages; a day lets a slow location be listed without renewal. */
  catalogRebuild: DAY,
} as const;

/**
 * Takes lease `name` for `holder` until `until`. A holder that is a process of this host that runs no more (a
 * command killed while it held the lease: its holder names `<host>#<pid>`) is taken over at once rather than left
 * to expire, which for an audit run takes a day. Returns null when taken, else who holds it.
 */
export async function acquireOrTakeOver(
  catalog: Pick<AuditCatalog, 'acquireLease' | 'leaseHolder' | 'releaseLease'>,
  name: string,
  holder: string,
  until: Date,
  now: Date,
): Promise<string | null> {
  if (await catalog.acquireLease(name, holder, until, now)) return null;
  const current = await catalog.leaseHolder(name);
  if (current && current.holder !== holder && isDeadLocalProcess(current.holder)) {
    await catalog.releaseLease(name, current.holder);
    if (await catalog.acquireLease(name, holder, until, now)) return null;
    return (await catalog.leaseHolder(name))?.holder ?? 'unknown';
  }
  return current?.holder ?? 'unknown';
}
