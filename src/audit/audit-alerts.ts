import { alertsFromAudit } from '../alerts/from-audit.js';
import type { Alert } from '../alerts/types.js';
import type { RunItem } from '../model/run.js';
import type { LocationCoverage } from '../reports/write-report.js';
import type { PackageResolution } from './repair.js';

interface ProblemLike {
  rule: string;
}

/** The alerts an audit run raises: failures not repaired and damaged packages (critical), repairs, coverage, orphans. */
export function auditAlerts(
  runId: string,
  items: RunItem[],
  resolutions: PackageResolution[],
  coverage: LocationCoverage[],
  coverageThreshold: number,
  orphans: number,
): Alert[] {
  const location = (item: RunItem) => String(item.details?.location ?? item.subject.split(':')[0]);
  return alertsFromAudit({
    runId,
    failed: items
      .filter((i) => i.status === 'failed' && i.packageId)
      .map((i) => ({
        packageId: i.packageId as string,
        location: location(i),
        rules: ((i.details?.problems as ProblemLike[] | undefined) ?? []).map((p) => p.rule),
      })),
    repaired: resolutions.flatMap((r) =>
      [...r.repaired].map(([name, repair]) => ({
        packageId: r.packageId,
        location: name,
        from: repair.from,
      })),
    ),
    damaged: resolutions
      .filter((r) => r.damaged)
      .map((r) => {
        const label = items.find((i) => i.packageId === r.packageId && i.details?.label)?.details?.label;
        return { packageId: r.packageId, ...(typeof label === 'string' ? { label } : {}) };
      }),
    orphans,
    coverage: coverage.map((c) => ({
      location: c.location,
      withinPolicy: c.withinPolicy,
      copies: c.copies,
      periodDays: c.periodDays,
    })),
    coverageThreshold,
  });
}
