import type { Catalog } from '../catalog/types.js';
import type { CopyRecord } from '../model/package.js';
import type { AuditLevel, LocationAuditPolicy } from '../config/audit-schema.js';

/** Why a copy is in a plan. */
export type PlanReason = 'due' | 'pace' | 'sample' | 'requested';

export interface PlannedCopy {
  copy: CopyRecord;
  level: AuditLevel;
  reason: PlanReason;
  /** Time since the last successful verification (or storage) over the location's period: ≥ 1 is overdue. */
  age: number;
}

export interface PlanOptions {
  /** The locations to plan for, each with its policy. */
  policies: Map<string, LocationAuditPolicy>;
  now: Date;
  /** How often runs start (from the schedule); each run takes at least this share of each period. Default 1 day. */
  runIntervalMs?: number;
  /** At most this many bytes in the plan (sample excluded). */
  budgetBytes?: number;
  /** The run's window: a location with a bandwidth cap gets at most bandwidth × window bytes. */
  windowMs?: number;
  /** A random share of each location's copies added on top, to catch what planning misses. */
  sampleShare?: number;
  /** Random numbers in [0, 1) for the sample; injectable for tests. */
  random?: () => number;
  /** Rows fetched from the catalog at a time. */
  pageSize?: number;
}

export interface AuditPlan {
  copies: PlannedCopy[];
  /** Copies that were due but left out by the byte budget: the next run takes them first. */
  deferred: number;
  bytes: number;
}

const DAY = 86_400_000;

/**
 * Chooses what one audit run verifies. For each location it walks the copies in the order of their last
 * successful verification (oldest first) and takes every copy that is due (verified longer than the location's
 * period ago) plus the location's pace share (its bytes × run interval ÷ period), so that the work of a period
 * spreads evenly over its runs and every copy is verified at least once per period. The locations' lists are
 * merged by how overdue each copy is and cut at the byte budget; a run that stops early leaves the oldest copies
 * oldest, so the next run resumes with them. A random sample of every location is added on top.
 */
export async function planAudit(catalog: Catalog, options: PlanOptions): Promise<AuditPlan> {
  const pageSize = options.pageSize ?? 1000;
  const interval = options.runIntervalMs ?? DAY;
  const now = options.now.getTime();
  const candidates: PlannedCopy[] = [];
  let deferred = 0;
  const sampled: PlannedCopy[] = [];

  for (const [location, policy] of options.policies) {
    const coverage = await catalog.copyCoverage(location, new Date(0));
    const paceBytes = (coverage.bytes * interval) / policy.every;
    // What the bandwidth cap lets through in the window; due copies beyond it wait for the next run.
    const capBytes =
      policy.bandwidth !== undefined && options.windowMs !== undefined
        ? (policy.bandwidth * options.windowMs) / 1000
        : Number.POSITIVE_INFINITY;
    let paced = 0;
    let taken = 0;
    let done = false;
    // Each page follows the last copy of the one before (keyset), so that a long walk costs each page the same.
    let after: CopyRecord | undefined;
    for (let offset = 0; !done && offset < coverage.copies; offset += pageSize) {
      const page = await catalog.listCopiesByAge(location, { offset: 0, limit: pageSize, after });
      if (page.length === 0) break;
      after = page.at(-1);
      for (const copy of page) {
        const anchor = (copy.lastVerifiedAt ?? copy.storedAt).getTime();
        const age = (now - anchor) / policy.every;
        if (taken >= capBytes) {
          if (age < 1) {
            done = true;
            break;
          }
          deferred++;
          continue;
        }
        taken += copy.size;
        if (age >= 1) candidates.push({ copy, level: policy.level, reason: 'due', age });
        else if (paced < paceBytes) {
          candidates.push({ copy, level: policy.level, reason: 'pace', age });
          paced += copy.size;
        } else {
          taken -= copy.size;
          done = true;
          break;
        }
      }
    }
    const sampleCount = Math.ceil(coverage.copies * (options.sampleShare ?? 0));
    const random = options.random ?? Math.random;
    const offsets = new Set<number>();
    for (let i = 0; i < sampleCount * 4 && offsets.size < sampleCount; i++)
      offsets.add(Math.floor(random() * coverage.copies));
    // In order, each from the one before: the sample walks the location's copies once, not once per copy drawn.
    let previous: { copy: CopyRecord; offset: number } | undefined;
    for (const offset of [...offsets].sort((a, b) => a - b)) {
      const [copy] = await catalog.listCopiesByAge(
        location,
        previous
          ? { offset: offset - previous.offset - 1, limit: 1, after: previous.copy }
          : { offset, limit: 1 },
      );
      if (!copy) break;
      sampled.push({ copy, level: 'full', reason: 'sample', age: 0 });
      previous = { copy, offset };
    }
  }

  candidates.sort((a, b) => b.age - a.age || a.copy.packageId.localeCompare(b.copy.packageId));
  const copies: PlannedCopy[] = [];
  let bytes = 0;
  for (const candidate of candidates) {
    if (options.budgetBytes !== undefined && bytes >= options.budgetBytes) {
      if (candidate.reason === 'due') deferred++;
      continue;
    }
    copies.push(candidate);
    bytes += candidate.copy.size;
  }
  const planned = new Set(copies.map((p) => `${p.copy.location}\n${p.copy.packageId}`));
  for (const sample of sampled) {
    const id = `${sample.copy.location}\n${sample.copy.packageId}`;
    if (planned.has(id)) continue;
    planned.add(id);
    copies.push(sample);
  }
  return { copies, deferred, bytes };
}

/** Every copy of the given package or location, without planning: `bevara audit --package`/`--location`. */
export async function planRequested(
  catalog: Catalog,
  filter: { packageId?: string; location?: string },
  policies: Map<string, LocationAuditPolicy>,
  level?: AuditLevel,
): Promise<AuditPlan> {
  const disposing = new Set((await catalog.listPackages({ state: 'disposing' })).map((p) => p.id));
  const copies = (await catalog.listCopies(filter))
    .filter((copy) => !disposing.has(copy.packageId))
    .map(
      (copy): PlannedCopy => ({
        copy,
        level: level ?? policies.get(copy.location)?.level ?? 'full',
        reason: 'requested',
        age: 0,
      }),
    );
  return { copies, deferred: 0, bytes: copies.reduce((sum, p) => sum + p.copy.size, 0) };
}
