/**
 * `bevara disposal approve <proposal> --approver <name>`: the second step. Refuses the planner as approver.
 * Approves a proposed proposal, then carries out each record's items (carry-out.ts). Copies under Object Lock
 * retention stay and keep the proposal open; running approve again later (by any approver other than the
 * planner) resumes and finishes it. Held items do not keep it open: they are listed as held in the certificate
 * and proposed again by a later plan once released. One process at a time per proposal (a catalog lease; a
 * holder that died on this host is taken over at once), never beside an audit run (it holds the audit lease too,
 * so a repair cannot bring back a copy just destroyed). The certificate is rewritten at the end of every pass.
 */
import path from 'node:path';
import type { Catalog, DisposalItem, DisposalProposal } from '../catalog/types.js';
import { LockedError, NotFoundError, ValidationError } from '../errors.js';
import { acquireOrTakeOver, LEASE_MS, LEASES } from '../leases.js';
import type { PackageRecord } from '../model/package.js';
import { processTag } from '../processes.js';
import { type CarryOutDeps, carryOutRecord, type RecordGroup } from './carry-out.js';
import { writeCertificate } from './certificate.js';

export interface ApproveDeps extends CarryOutDeps {
  /** Where certificates are written (`<dataDir>/reports`). */
  reportsDir: string;
}

export interface ApproveResult {
  proposal: DisposalProposal;
  items: DisposalItem[];
  certificate: string[];
  /** Items still waiting (locked copies, failed locations): the proposal stays open. */
  waiting: number;
  failed: number;
}

/** Items a pass works on: not yet decided for good. */
const TO_DO = new Set(['proposed', 'held', 'locked', 'failed']);

const samePerson = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

export async function approveDisposal(
  deps: ApproveDeps,
  id: string,
  approver: string,
): Promise<ApproveResult> {
  const { catalog } = deps;
  if (approver.trim() === '')
    throw new ValidationError('disposal-approver', '[disposal] approve needs --approver <who>');
  let proposal = await catalog.getProposal(id);
  if (!proposal) throw new NotFoundError(`[disposal] no proposal "${id}" (bevara disposal list shows them)`);
  if (samePerson(approver, proposal.plannedBy))
    throw new ValidationError(
      'disposal-four-eyes',
      `[disposal] proposal ${id} was planned by "${proposal.plannedBy}"; another person must approve it`,
    );
  const lease = LEASES.disposal(id);
  await takeLease(catalog, lease, deps.now());
  try {
    // Never beside an audit: a repair could bring back a copy this pass has just destroyed.
    await takeLease(catalog, LEASES.auditRun, deps.now());
  } catch (err) {
    await catalog.releaseLease(lease, processTag());
    throw err;
  }
  try {
    if (proposal.status === 'proposed') {
      await catalog.approveProposal(id, approver, deps.now());
      proposal = (await catalog.getProposal(id)) as DisposalProposal;
      deps.logger.warn(
        { proposal: id, approver, plannedBy: proposal.plannedBy },
        'disposal proposal approved',
      );
    }
    if (proposal.status === 'approved') {
      const activeHolds = await catalog.listHolds({ active: true });
      for (const group of await recordGroups(catalog, id, deps.now())) {
        await takeLease(catalog, lease, deps.now());
        await takeLease(catalog, LEASES.auditRun, deps.now());
        await carryOutRecord(deps, proposal, group, activeHolds);
      }
      const items = await catalog.listDisposalItems({ proposalId: id });
      if (items.some((i) => i.status === 'disposed')) await catalog.purgeDeleted();
      if (!items.some((i) => i.status === 'locked' || i.status === 'failed' || i.status === 'proposed'))
        await catalog.completeProposal(id, deps.now());
    }
    return await finish(deps, id);
  } finally {
    await catalog.releaseLease(LEASES.auditRun, processTag());
    await catalog.releaseLease(lease, processTag());
  }
}

async function takeLease(catalog: Catalog, lease: string, now: Date): Promise<void> {
  const until = new Date(now.getTime() + LEASE_MS.disposal);
  const holder = await acquireOrTakeOver(catalog, lease, processTag(), until, now);
  if (holder === null) return;
  const what = lease === LEASES.auditRun ? 'an audit run' : `another process carrying out ${lease}`;
  throw new LockedError(
    `[disposal] ${what} is in progress (${holder}); disposal and audits never overlap: approve again when it ends`,
  );
}

/** The dispose items still to do, grouped by record (a package with the earlier versions in the proposal). */
async function recordGroups(catalog: Catalog, proposalId: string, now: Date): Promise<RecordGroup[]> {
  const items = (await catalog.listDisposalItems({ proposalId })).filter(
    (i) => i.action === 'dispose' && TO_DO.has(i.status),
  );
  const byId = new Map<string, { item: DisposalItem; pkg: PackageRecord }>();
  for (const item of items) {
    const pkg = await catalog.getPackage(item.packageId);
    if (pkg?.state === 'disposed') {
      const under = (await catalog.getTombstone(pkg.id))?.proposalId;
      const detail = `disposed of already, under proposal ${under}`;
      await catalog.setDisposalItem(proposalId, pkg.id, { status: 'disposed', detail }, now);
    } else if (pkg) byId.set(pkg.id, { item, pkg });
  }
  const predecessors = new Set([...byId.values()].map((v) => v.pkg.predecessorId));
  const groups: RecordGroup[] = [];
  for (const head of byId.values()) {
    if (predecessors.has(head.pkg.id)) continue;
    const versions = [head];
    for (
      let next = byId.get(head.pkg.predecessorId ?? '');
      next;
      next = byId.get(next.pkg.predecessorId ?? '')
    )
      versions.push(next);
    groups.push({ versions });
  }
  return groups;
}

async function finish(deps: ApproveDeps, id: string): Promise<ApproveResult> {
  const { catalog } = deps;
  const proposal = (await catalog.getProposal(id)) as DisposalProposal;
  const items = await catalog.listDisposalItems({ proposalId: id });
  const destroyed = await catalog.listTombstones({ proposalId: id });
  const notDestroyed = items.filter((i) => i.status !== 'disposed');
  const certificate = writeCertificate(path.join(deps.reportsDir), {
    proposal,
    destroyed,
    notDestroyed,
    writtenAt: deps.now(),
  });
  return {
    proposal,
    items,
    certificate,
    waiting: items.filter((i) => i.status === 'locked').length,
    failed: items.filter((i) => i.status === 'failed').length,
  };
}
