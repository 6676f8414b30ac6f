/**
 * The overview of the archive: each location (reachable, copies, share verified within its audit period, the
 * copy that waited longest), the open problems (damaged packages, failed or missing copies, waiting and
 * quarantined records, unknown objects found by the last audit), totals, and the last runs.
 */
import type { AppContext } from '../../app/context.js';
import { listRow, type RunListRow } from '../../jobs/run-list.js';
import { coverageOf } from '../../audit/coverage.js';
import type { CatalogStats } from '../../catalog/types.js';
import type { RunRecord } from '../../model/run.js';
import { locationPolicyFor } from '../../config/audit-schema.js';
import type { StorageCheckReport } from '../../storage/check.js';
import { describeLocation } from '../../storage/index.js';
import { type StorageTrend, storageTrend } from './storage-trend.js';

export interface LocationOverview {
  name: string;
  driver: string;
  /** A folder, or `s3://bucket/prefix at endpoint`; never credentials. */
  where: string;
  inPolicy: boolean;
  /** Whether the last storage check (at most a few seconds old) could reach and write it. */
  reachable: boolean;
  copies: number;
  bytes: number;
  periodDays: number;
  withinPolicy: number;
  /** withinPolicy / copies; 1 with no copies. */
  share: number;
  oldest?: { packageId: string; waitedDays: number };
}

export interface Overview {
  /** Storage used per location over time (running totals by day stored). */
  storageTrend: StorageTrend;
  at: Date;
  locations: LocationOverview[];
  problems: {
    damagedPackages: number;
    failedCopies: number;
    missingCopies: number;
    waitingRecords: number;
    quarantinedRecords: number;
    /** Unknown objects the last audit found, and which audit that was. */
    orphans: number;
    orphansRun?: string;
  };
  archive: { packages: number; files: number; packageBytes: number; fileBytes: number };
  /** The last finished audit that verified copies: what it found, and what it repaired from a healthy copy. */
  lastAudit?: {
    id: string;
    status: RunRecord['status'];
    finishedAt?: Date;
    copies: number;
    verified: number;
    /** Failed or missing copies left as they were (not repaired). */
    failed: number;
    repaired: number;
    damagedPackages: number;
  };
  lastRuns: RunListRow[];
}

const sum = <T>(list: T[], pick: (t: T) => number) => list.reduce((n, t) => n + pick(t), 0);

/** The last finished audit run that listed and verified (not an operator's orphan decision). */
export async function lastAudit(ctx: AppContext): Promise<RunRecord | undefined> {
  const runs = await ctx.catalog.listRuns({ kind: 'audit', limit: 50 });
  return runs.find((r) => r.status !== 'running' && r.params.orphanDecision === undefined);
}

export async function overview(
  ctx: AppContext,
  storage: () => Promise<StorageCheckReport>,
): Promise<Overview> {
  const at = ctx.now();
  const [stats, check, runs, audit, byDay] = await Promise.all([
    ctx.catalog.catalogStats(),
    storage(),
    ctx.catalog.listRuns({ limit: 10 }),
    lastAudit(ctx),
    ctx.catalog.storageByDay(),
  ]);
  const policies = new Map([...ctx.locations.keys()].map((n) => [n, locationPolicyFor(ctx.config.audit, n)]));
  const coverage = await coverageOf(ctx.catalog, policies, at);
  const locations = coverage.map((c): LocationOverview => {
    const checked = check.locations.find((l) => l.location === c.location);
    const config = ctx.config.locations[c.location];
    return {
      name: c.location,
      driver: config?.driver ?? 'unknown',
      where: describeLocation(config),
      inPolicy: check.policy.includes(c.location),
      reachable:
        checked !== undefined &&
        !checked.problems.some((p) => ['reachable', 'credentials', 'bucket', 'write'].includes(p.fact)),
      copies: c.copies,
      bytes: sum(
        stats.copies.filter((s) => s.location === c.location),
        (s) => s.bytes,
      ),
      periodDays: c.periodDays,
      withinPolicy: c.withinPolicy,
      share: c.copies === 0 ? 1 : c.withinPolicy / c.copies,
      ...(c.oldest ? { oldest: { packageId: c.oldest.packageId, waitedDays: c.oldest.waitedDays } } : {}),
    };
  });
  return {
    at,
    locations,
    problems: problemsOf(stats, audit),
    archive: {
      packages: sum(stats.packages, (p) => p.count),
      files: stats.files.count,
      packageBytes: sum(stats.packages, (p) => p.bytes),
      fileBytes: stats.files.bytes,
    },
    storageTrend: storageTrend(byDay),
    ...(audit ? { lastAudit: auditFindings(audit) } : {}),
    lastRuns: runs.map((r) => listRow(r, at)),
  };
}

function auditFindings(audit: RunRecord): NonNullable<Overview['lastAudit']> {
  const s = audit.summary ?? {};
  const n = (key: string) => (typeof s[key] === 'number' ? s[key] : 0);
  return {
    id: audit.id,
    status: audit.status,
    ...(audit.finishedAt ? { finishedAt: audit.finishedAt } : {}),
    copies: n('copies'),
    verified: n('verified'),
    failed: n('failed') + n('missing'),
    repaired: n('repaired'),
    damagedPackages: n('damaged'),
  };
}

function problemsOf(stats: CatalogStats, audit: RunRecord | undefined): Overview['problems'] {
  const copies = (status: string) =>
    sum(
      stats.copies.filter((c) => c.status === status),
      (c) => c.count,
    );
  const records = (state: string) => stats.records.find((r) => r.state === state)?.count ?? 0;
  const orphans = audit?.summary?.orphans;
  return {
    damagedPackages: stats.packages.find((p) => p.state === 'damaged')?.count ?? 0,
    failedCopies: copies('failed'),
    missingCopies: copies('missing'),
    waitingRecords: records('waiting'),
    quarantinedRecords: records('quarantined'),
    orphans: typeof orphans === 'number' ? orphans : 0,
    ...(audit ? { orphansRun: audit.id } : {}),
  };
}
