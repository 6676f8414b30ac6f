/**
 * Reads an audit run's items and summary for the HTML report: groups the items (failures, repairs, damaged
 * packages, orphans, fine copies) and takes the counts from `run.summary`, counting items where the summary
 * lacks a number. Items come from JSON as often as from code, so every detail is read defensively.
 */
import type { RunItem, RunRecord } from '../model/run.js';
import { numberOf, stringOf } from './html-page.js';
import { millisBetween } from './report-format.js';

/** One thing wrong with a copy or record, as items carry it in `details.problems`. */
export interface ReportProblem {
  rule?: string;
  message?: string;
  file?: string;
  expected?: string;
  actual?: string;
}

/** `details.repair` of a repaired copy: where the good bytes came from and where they went. */
export interface ReportRepair {
  /** Location the healthy copy was read from. */
  from?: string;
  /** Key the repaired copy now has. */
  key?: string;
  /** Key of the damaged copy, when the repair wrote a new key (the damaged one is kept). */
  previousKey?: string;
  at?: Date | string;
}

/** A package with no healthy copy left, and the items that tell of it. */
export interface DamagedPackage {
  packageId: string;
  label?: string;
  items: RunItem[];
}

export interface AuditGroups {
  /** Copies that failed or are missing (status `failed`), damaged packages' copies included. */
  failures: RunItem[];
  repaired: RunItem[];
  damaged: DamagedPackage[];
  orphans: RunItem[];
  /** Everything else: copies that verified (and any other status). */
  fine: RunItem[];
}

/** The numbers the report shows; from `run.summary` where it has them, else counted from the items. */
export interface AuditCounts {
  copies: number;
  verified: number;
  failed: number;
  missing: number;
  repaired: number;
  damaged: number;
  orphans: number;
  /** Copies planned but not reached within the run's window; undefined when the run has no window. */
  deferred?: number;
  files?: number;
  bytes: number;
  durationMs?: number;
  interrupted: boolean;
}

export function problemsOf(item: RunItem): ReportProblem[] {
  const raw = item.details?.problems;
  if (!Array.isArray(raw)) return item.message ? [{ message: item.message }] : [];
  return raw
    .filter((p): p is Record<string, unknown> => typeof p === 'object' && p !== null)
    .map((p) => ({
      rule: stringOf(p.rule),
      message: stringOf(p.message),
      file: stringOf(p.file),
      expected: stringOf(p.expected),
      actual: stringOf(p.actual),
    }));
}

export function repairOf(item: RunItem): ReportRepair {
  const raw = item.details?.repair;
  if (typeof raw !== 'object' || raw === null) return {};
  const r = raw as Record<string, unknown>;
  const at = r.at instanceof Date ? r.at : stringOf(r.at);
  return { from: stringOf(r.from), key: stringOf(r.key), previousKey: stringOf(r.previousKey), at };
}

/** The item's location: `details.location`, else the part of the subject ("location:key") before the colon. */
export function locationOf(item: RunItem): string {
  const location = stringOf(item.details?.location);
  if (location) return location;
  const colon = item.subject.indexOf(':');
  return colon > 0 ? item.subject.slice(0, colon) : '';
}

/** The stored object's key: the subject after "location:". */
export function keyOf(item: RunItem): string {
  const location = locationOf(item);
  return location && item.subject.startsWith(`${location}:`)
    ? item.subject.slice(location.length + 1)
    : item.subject;
}

export function labelOf(item: RunItem): string | undefined {
  return stringOf(item.details?.label);
}

/** A failed item whose copy was not there at all. */
export function isMissing(item: RunItem): boolean {
  return item.status === 'failed' && problemsOf(item).some((p) => p.rule === 'copy-missing');
}

export function isDamaged(item: RunItem): boolean {
  return item.details?.damaged === true;
}

export function groupAuditItems(items: RunItem[]): AuditGroups {
  const groups: AuditGroups = { failures: [], repaired: [], damaged: [], orphans: [], fine: [] };
  const damaged = new Map<string, DamagedPackage>();
  for (const item of items) {
    if (isDamaged(item)) {
      const id = item.packageId ?? item.subject;
      const entry = damaged.get(id) ?? { packageId: id, label: labelOf(item), items: [] };
      entry.label ??= labelOf(item);
      entry.items.push(item);
      damaged.set(id, entry);
    }
    if (item.status === 'failed') groups.failures.push(item);
    else if (item.status === 'repaired') groups.repaired.push(item);
    else if (item.status === 'orphan') groups.orphans.push(item);
    else if (!isDamaged(item)) groups.fine.push(item);
  }
  groups.damaged = [...damaged.values()];
  return groups;
}

export function auditCounts(run: RunRecord, items: RunItem[], groups: AuditGroups): AuditCounts {
  const s = run.summary ?? {};
  const missing = groups.failures.filter(isMissing).length;
  return {
    copies: numberOf(s.copies) ?? items.filter((i) => i.status !== 'orphan').length,
    verified: numberOf(s.verified) ?? items.filter((i) => i.status === 'ok').length,
    failed: numberOf(s.failed) ?? groups.failures.length - missing,
    missing: numberOf(s.missing) ?? missing,
    repaired: numberOf(s.repaired) ?? groups.repaired.length,
    damaged: numberOf(s.damaged) ?? groups.damaged.length,
    orphans: numberOf(s.orphans) ?? groups.orphans.length,
    deferred: numberOf(s.deferred),
    files: numberOf(s.files),
    bytes: numberOf(s.bytes) ?? 0,
    durationMs: numberOf(s.durationMs) ?? millisBetween(run.startedAt, run.finishedAt),
    interrupted: s.interrupted === true,
  };
}
