import { ConfigError, type Issue } from '../errors.js';
import type { Alert, AuditAlertInput, AuditCoverage, AuditFailedCopy } from './types.js';

export interface AlertsFromAuditOptions {
  /**
   * Most entries one alert lists in its `details` (packages, copies, locations); the rest are counted in
   * `omitted`, so a run with thousands of failures still makes a small webhook body. Default 100.
   */
  maxListed?: number;
  /** Most names a title mentions before "and N more". Default 3. */
  maxInTitle?: number;
}

/** Longest title, in characters; longer ones end in an ellipsis. */
const TITLE_MAX = 200;

/**
 * Turns an audit outcome into alerts, most urgent first, at most one per kind:
 * - `damaged` (critical): packages with no healthy copy left; each lists its unrepaired failed copies.
 * - `failure` (critical): failed copies that were not repaired, of packages not already reported as damaged.
 * - `repair` (warning): copies rewritten from a good copy.
 * - `coverage` (warning): locations where fewer than `coverageThreshold` of the copies were verified within
 *   the policy period (locations without copies are never behind).
 * - `orphans` (warning): objects in storage the catalog does not know.
 * A clean run gives no alerts. Pure: no I/O, no clock.
 *
 * @throws ConfigError when `coverageThreshold` is outside 0..1 or `maxListed` is negative.
 */
export function alertsFromAudit(summary: AuditAlertInput, options: AlertsFromAuditOptions = {}): Alert[] {
  const threshold = summary.coverageThreshold ?? 1;
  const maxListed = options.maxListed ?? 100;
  const maxInTitle = options.maxInTitle ?? 3;
  const issues: Issue[] = [];
  if (!(threshold >= 0 && threshold <= 1))
    issues.push({ path: 'coverageThreshold', message: 'must be in 0..1' });
  if (!(Number.isInteger(maxListed) && maxListed >= 0)) {
    issues.push({ path: 'maxListed', message: 'must be an integer >= 0' });
  }
  if (issues.length > 0) throw new ConfigError('alerts', issues);

  const { runId } = summary;
  const alerts: Alert[] = [];
  const list = <T>(items: T[]) => ({
    listed: items.slice(0, maxListed),
    omitted: Math.max(0, items.length - maxListed),
  });
  const names = (items: string[]) => nameList(items, maxInTitle);

  const repairedCopies = new Set(summary.repaired.map((r) => copyKey(r.packageId, r.location)));
  const unrepaired = new Map<string, AuditFailedCopy[]>();
  for (const failure of summary.failed) {
    if (repairedCopies.has(copyKey(failure.packageId, failure.location))) continue;
    const copies = unrepaired.get(failure.packageId) ?? [];
    copies.push(failure);
    unrepaired.set(failure.packageId, copies);
  }

  const damaged = [...new Map(summary.damaged.map((d) => [d.packageId, d])).values()];
  if (damaged.length > 0) {
    const { listed, omitted } = list(damaged);
    const packages = listed.map((d) => ({
      packageId: d.packageId,
      ...(d.label !== undefined ? { label: d.label } : {}),
      failures: (unrepaired.get(d.packageId) ?? []).map((f) => ({ location: f.location, rules: f.rules })),
    }));
    const shown = damaged.map((d) => (d.label ? `${d.packageId} (${d.label})` : d.packageId));
    const title = `${count(damaged.length, 'package has', 'packages have')} no healthy copy left: ${names(shown)}`;
    alerts.push(alert('damaged', 'critical', runId, title, { count: damaged.length, packages, omitted }));
  }

  const damagedIds = new Set(damaged.map((d) => d.packageId));
  const failed = [...unrepaired.entries()]
    .filter(([id]) => !damagedIds.has(id))
    .flatMap(([, copies]) => copies);
  if (failed.length > 0) {
    const { listed, omitted } = list(failed);
    const copies = listed.map((f) => ({ packageId: f.packageId, location: f.location, rules: f.rules }));
    const shown = failed.map((f) => `${f.packageId} at ${f.location}`);
    const verb = failed.length === 1 ? 'was' : 'were';
    const title = `${count(failed.length, 'copy', 'copies')} failed the audit and ${verb} not repaired: ${names(shown)}`;
    alerts.push(alert('failure', 'critical', runId, title, { count: failed.length, copies, omitted }));
  }

  if (summary.repaired.length > 0) {
    const { listed, omitted } = list(summary.repaired);
    const copies = listed.map((r) => ({ packageId: r.packageId, location: r.location, from: r.from }));
    const shown = summary.repaired.map((r) => `${r.packageId} at ${r.location} from ${r.from}`);
    const verb = summary.repaired.length === 1 ? 'was' : 'were';
    const title = `${count(summary.repaired.length, 'copy', 'copies')} ${verb} repaired from a good copy: ${names(shown)}`;
    alerts.push(
      alert('repair', 'warning', runId, title, { count: summary.repaired.length, copies, omitted }),
    );
  }

  const behind = summary.coverage.filter((c) => c.copies > 0 && c.withinPolicy / c.copies < threshold);
  if (behind.length > 0) {
    const { listed, omitted } = list(behind);
    const locations = listed.map((c) => ({ ...pick(c), ratio: c.withinPolicy / c.copies }));
    const shown = behind.map(
      (c) => `${c.location} ${percent(c.withinPolicy / c.copies)} of ${c.copies} within ${c.periodDays} days`,
    );
    const title = `Audit coverage behind policy at ${count(behind.length, 'location', 'locations')}: ${names(shown)}`;
    const details = { count: behind.length, threshold, locations, omitted };
    alerts.push(alert('coverage', 'warning', runId, title, details));
  }

  if (summary.orphans > 0) {
    const verb = summary.orphans === 1 ? 'is' : 'are';
    const title = `${count(summary.orphans, 'object', 'objects')} in storage ${verb} not in the catalog (orphans)`;
    alerts.push(alert('orphans', 'warning', runId, title, { count: summary.orphans }));
  }
  return alerts;
}

function alert(
  kind: Alert['kind'],
  severity: Alert['severity'],
  runId: string,
  title: string,
  details: Record<string, unknown>,
): Alert {
  const line = title.replace(/\s+/g, ' ').trim();
  const short = line.length > TITLE_MAX ? `${line.slice(0, TITLE_MAX - 1)}…` : line;
  return { kind, severity, runId, title: short, details };
}

function copyKey(packageId: string, location: string): string {
  return JSON.stringify([packageId, location]);
}

function count(n: number, singular: string, plural: string): string {
  return `${n} ${n === 1 ? singular : plural}`;
}

function nameList(items: string[], max: number): string {
  const shown = items.slice(0, max).join(', ');
  return items.length > max ? `${shown} and ${items.length - max} more` : shown;
}

/** Rounded down, so a location that is behind never shows as 100%. */
function percent(ratio: number): string {
  return `${(Math.floor(ratio * 1000 + 1e-9) / 10).toFixed(1)}%`;
}

function pick(c: AuditCoverage): AuditCoverage {
  return { location: c.location, withinPolicy: c.withinPolicy, copies: c.copies, periodDays: c.periodDays };
}
