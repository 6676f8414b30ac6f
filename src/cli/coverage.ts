import { coverageOf } from '../audit/coverage.js';
import { locationPolicyFor } from '../config/audit-schema.js';
import type { AppContext } from '../app/context.js';
import { formatBytes, print, printJson, table } from './output.js';

/**
 * `bevara coverage`: per location, the share of copies verified within the audit policy's period and the copy
 * that waited longest. Exit 1 when a location is behind (below the alert threshold, default every copy).
 */
export async function coverageCommand(ctx: AppContext, options: { json?: boolean }): Promise<number> {
  const policies = new Map(
    [...ctx.locations.keys()].map((name) => [name, locationPolicyFor(ctx.config.audit, name)]),
  );
  const at = ctx.now();
  const coverage = await coverageOf(ctx.catalog, policies, at);
  const threshold = ctx.config.audit.alerts?.coverageThreshold ?? 1;
  const rows = coverage.map((c) => {
    const share = c.copies === 0 ? 1 : c.withinPolicy / c.copies;
    return { ...c, share, behind: share < threshold };
  });
  if (options.json) printJson({ at, threshold, locations: rows });
  else {
    print(
      table(
        ['LOCATION', 'PERIOD', 'COPIES', 'WITHIN POLICY', 'SHARE', 'WAITED LONGEST'],
        rows.map((c) => [
          c.location,
          `${c.periodDays} d`,
          String(c.copies),
          String(c.withinPolicy),
          `${(c.share * 100).toFixed(1)} %${c.behind ? ' BEHIND' : ''}`,
          c.oldest ? `${c.oldest.packageId} (${c.oldest.waitedDays.toFixed(1)} d)` : '-',
        ]),
      ),
    );
    const bytes = (await Promise.all(rows.map((c) => ctx.catalog.copyCoverage(c.location, at)))).reduce(
      (sum, c) => sum + c.bytes,
      0,
    );
    print(`${rows.reduce((s, c) => s + c.copies, 0)} copies, ${formatBytes(bytes)} in all`);
  }
  return rows.some((c) => c.behind) ? 1 : 0;
}
