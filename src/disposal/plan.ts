/**
 * `bevara disposal plan`: appraises the newest version of every record under the retention rules and writes a
 * proposal of what is due, with why. Nothing is deleted here; a different person approves (approve.ts).
 *
 * Versions: a rule is judged on a record's newest package (its metadata is the current one); when due, the
 * proposal also names every predecessor of it, so a record is disposed of with all its versions. An older
 * version is never judged on its own. A hold on any version holds them all.
 */
import { randomUUID } from 'node:crypto';
import type { Catalog, DisposalItem, DisposalProposal, HoldRecord } from '../catalog/types.js';
import type { RetentionRule } from '../config/retention-schema.js';
import { ValidationError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { PackageRecord } from '../model/package.js';
import { describeHold, holdsCovering } from './holds.js';
import { appraise } from './rules.js';

export interface PlanDeps {
  catalog: Catalog;
  rules: readonly RetentionRule[];
  logger: Logger;
  now: () => Date;
}

export interface PlanResult {
  /** Null when nothing is due, or every due record is held: no proposal is written. */
  proposal: DisposalProposal | null;
  items: DisposalItem[];
  /** Records a rule covers whose date is missing or invalid: they need a person's look. */
  undecidable: { packageId: string; label: string; reason: string }[];
  /** Due records already in an open proposal, left out of this one. */
  alreadyProposed: string[];
}

const PAGE = 500;
const ACTIVE_STATES = new Set(['stored', 'archived', 'damaged']);

/** Every version of a record, newest first: the head and its predecessors. */
export async function versionsOf(catalog: Catalog, head: PackageRecord): Promise<PackageRecord[]> {
  const out = [head];
  const seen = new Set([head.id]);
  let next = head.predecessorId;
  while (next !== undefined && !seen.has(next)) {
    const pkg = await catalog.getPackage(next);
    if (!pkg) break;
    out.push(pkg);
    seen.add(pkg.id);
    next = pkg.predecessorId;
  }
  return out;
}

/** Package ids with an item in a proposal that is still open (proposed or approved). */
async function inOpenProposal(catalog: Catalog, packageId: string): Promise<boolean> {
  for (const item of await catalog.listDisposalItems({ packageId })) {
    if (item.status === 'disposed') continue;
    const proposal = await catalog.getProposal(item.proposalId);
    if (proposal && proposal.status !== 'completed') return true;
  }
  return false;
}

/** The job each package was last written by, when a rule selects by job. */
async function jobsByPackage(
  catalog: Catalog,
  rules: readonly RetentionRule[],
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (!rules.some((r) => r.jobs !== undefined)) return out;
  for (const r of await catalog.listRecordStates({})) if (r.packageId) out.set(r.packageId, r.job);
  return out;
}

export async function planDisposal(deps: PlanDeps, plannedBy: string): Promise<PlanResult> {
  if (plannedBy.trim() === '')
    throw new ValidationError('disposal-planner', '[disposal] a plan needs --planner <who>');
  const { catalog } = deps;
  const at = deps.now();
  const id = `disposal-${at.toISOString().slice(0, 10)}-${randomUUID().slice(0, 8)}`;
  const jobs = await jobsByPackage(catalog, deps.rules);
  const holds = await catalog.listHolds({ active: true });
  const result: PlanResult = { proposal: null, items: [], undecidable: [], alreadyProposed: [] };
  let after: string | undefined;
  for (;;) {
    const page = await catalog.pageRecordHeads({ after, limit: PAGE });
    for (const head of page) {
      if (!ACTIVE_STATES.has(head.state)) continue;
      const verdict = appraise(deps.rules, head.metadata, jobs.get(head.id), at);
      if (verdict.kind === 'undecidable')
        result.undecidable.push({ packageId: head.id, label: head.label, reason: verdict.reason });
      if (verdict.kind !== 'due') continue;
      if (await inOpenProposal(catalog, head.id)) {
        result.alreadyProposed.push(head.id);
        continue;
      }
      const versions = await versionsOf(catalog, head);
      result.items.push(...itemsFor(id, versions, verdict, holdsCovering(holds, versions), at));
    }
    if (page.length < PAGE) break;
    after = page.at(-1)?.id;
  }
  // Held items alone make no proposal: there would be nothing to approve. They are listed all the same.
  if (!result.items.some((i) => i.status !== 'held')) return result;
  result.proposal = { id, status: 'proposed', plannedBy, plannedAt: at };
  await catalog.addProposal(result.proposal, result.items);
  deps.logger.info(
    { proposal: id, items: result.items.length, plannedBy },
    'disposal proposal written; it needs approval by another person',
  );
  return result;
}

function itemsFor(
  proposalId: string,
  versions: PackageRecord[],
  verdict: { rule: RetentionRule; dueAt: Date; reason: string },
  holds: HoldRecord[],
  at: Date,
): DisposalItem[] {
  const head = versions[0] as PackageRecord;
  return versions.map((pkg) => ({
    proposalId,
    packageId: pkg.id,
    ruleId: verdict.rule.id,
    action: verdict.rule.action,
    dueAt: verdict.dueAt,
    reason: pkg.id === head.id ? verdict.reason : `an earlier version of ${head.id}; ${verdict.reason}`,
    status: verdict.rule.action === 'review' ? 'review' : holds.length > 0 ? 'held' : 'proposed',
    ...(holds.length > 0 ? { detail: `held: ${holds.map(describeHold).join('; ')}` } : {}),
    updatedAt: at,
  }));
}
