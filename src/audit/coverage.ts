import type { Catalog } from '../catalog/types.js';
import type { LocationAuditPolicy } from '../config/audit-schema.js';
import type { LocationCoverage, TrendPoint } from '../reports/write-report.js';

const DAY = 86_400_000;

/** For each location: how many copies were verified within its period as of `at`, and which waited longest. */
export async function coverageOf(
  catalog: Catalog,
  policies: Map<string, LocationAuditPolicy>,
  at: Date,
): Promise<LocationCoverage[]> {
  const result: LocationCoverage[] = [];
  for (const [location, policy] of policies) {
    const coverage = await catalog.copyCoverage(location, new Date(at.getTime() - policy.every));
    const oldest = coverage.oldest;
    const anchor = oldest ? (oldest.lastVerifiedAt ?? oldest.storedAt) : undefined;
    result.push({
      location,
      periodDays: policy.every / DAY,
      copies: coverage.copies,
      withinPolicy: coverage.withinPolicy,
      ...(oldest && anchor
        ? {
            oldest: {
              packageId: oldest.packageId,
              key: oldest.key,
              ...(oldest.lastVerifiedAt ? { lastVerifiedAt: oldest.lastVerifiedAt } : {}),
              waitedDays: Math.max(0, (at.getTime() - anchor.getTime()) / DAY),
            },
          }
        : {}),
    });
  }
  return result;
}

/** The earlier finished audit runs, newest first, for the report's trend table. */
export async function trendOf(catalog: Catalog, runId: string, count = 10): Promise<TrendPoint[]> {
  const runs = await catalog.listRuns({ kind: 'audit', limit: count + 1 });
  return runs
    .filter((run) => run.id !== runId && run.status !== 'running')
    .slice(0, count)
    .map((run) => ({
      runId: run.id,
      startedAt: run.startedAt,
      ...(run.finishedAt ? { finishedAt: run.finishedAt } : {}),
      status: run.status,
      summary: run.summary ?? {},
    }));
}
