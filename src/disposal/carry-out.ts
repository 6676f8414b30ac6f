/**
 * Carries out the approved items of one record (all its versions in the proposal): checks the holds again,
 * marks the packages `disposing` (audits leave them alone from then on), destroys every stored object and, once
 * a package has none left, records its tombstone and deletion event in one transaction.
 */
import type { Catalog, DisposalItem, DisposalProposal, HoldRecord } from '../catalog/types.js';
import type { RetentionRule } from '../config/retention-schema.js';
import type { Logger } from '../logger.js';
import type { PackageRecord } from '../model/package.js';
import type { TombstoneRecord } from '../model/disposal.js';
import type { Location } from '../storage/index.js';
import { deletionEvent } from './deletion-event.js';
import { type DestroyOutcome, destroyPackageObjects } from './destroy.js';
import { describeHold, holdsCovering } from './holds.js';

export interface CarryOutDeps {
  catalog: Catalog;
  locations: Map<string, Location>;
  rules: readonly RetentionRule[];
  logger: Logger;
  now: () => Date;
}

/** One record's items in this proposal, newest version first, with their packages. */
export interface RecordGroup {
  versions: { item: DisposalItem; pkg: PackageRecord }[];
}

export async function carryOutRecord(
  deps: CarryOutDeps,
  proposal: DisposalProposal,
  group: RecordGroup,
  activeHolds: readonly HoldRecord[],
): Promise<void> {
  const { catalog } = deps;
  const holds = holdsCovering(
    activeHolds,
    group.versions.map((v) => v.pkg),
  );
  if (holds.length > 0) {
    const detail = `held: ${holds.map(describeHold).join('; ')}`;
    for (const { item } of group.versions)
      await catalog.setDisposalItem(proposal.id, item.packageId, { status: 'held', detail }, deps.now());
    deps.logger.info({ proposal: proposal.id, packageIds: group.versions.map((v) => v.pkg.id) }, detail);
    return;
  }
  for (const { pkg } of group.versions)
    if (pkg.state !== 'disposing') await catalog.setPackageState(pkg.id, 'disposing', deps.now());
  for (const { item, pkg } of group.versions) await disposeOfPackage(deps, proposal, item, pkg);
}

async function disposeOfPackage(
  deps: CarryOutDeps,
  proposal: DisposalProposal,
  item: DisposalItem,
  pkg: PackageRecord,
): Promise<void> {
  const { catalog } = deps;
  const copies = await catalog.listCopies({ packageId: pkg.id });
  const stored = await catalog.listStoredObjects({ packageId: pkg.id });
  const outcome = await destroyPackageObjects(deps.locations, copies, stored);
  const log = { proposal: proposal.id, packageId: pkg.id };
  if (outcome.locked.length > 0 || outcome.failed.length > 0) {
    const status = outcome.failed.length > 0 ? 'failed' : 'locked';
    const detail = describeLeft(outcome);
    await catalog.setDisposalItem(proposal.id, pkg.id, { status, detail }, deps.now());
    deps.logger.warn({ ...log, status }, detail);
    return;
  }
  const tombstone = tombstoneOf(deps, proposal, item, pkg, outcome);
  await catalog.recordDisposal({
    tombstone,
    event: deletionEvent(tombstone),
    forgetFiles: tombstone.fileList === 'forgotten',
  });
  deps.logger.info({ ...log, objects: outcome.destroyed.length }, 'package disposed of');
}

function describeLeft(outcome: DestroyOutcome): string {
  const lines = [
    ...outcome.locked.map(
      (o) => `locked, waits for its retention to end: ${o.location}:${o.key} (${o.message})`,
    ),
    ...outcome.failed.map((o) => `not destroyed yet: ${o.location}:${o.key} (${o.message})`),
  ];
  return `${outcome.destroyed.length} objects destroyed; ${lines.join('; ')}`;
}

/**
 * The tombstone. `outcome.destroyed` holds what this pass deleted: objects an earlier, interrupted pass
 * deleted are gone from storage but still catalogued, so they are listed from the catalog's copies all the same.
 */
function tombstoneOf(
  deps: CarryOutDeps,
  proposal: DisposalProposal,
  item: DisposalItem,
  pkg: PackageRecord,
  outcome: DestroyOutcome,
): TombstoneRecord {
  const rule = deps.rules.find((r) => r.id === item.ruleId);
  const m = pkg.metadata;
  return {
    packageId: pkg.id,
    proposalId: proposal.id,
    ruleId: item.ruleId,
    label: pkg.label,
    ...(m.identifier !== undefined ? { identifier: m.identifier } : {}),
    ...(m.classification !== undefined ? { classification: m.classification } : {}),
    ...(m.dates !== undefined ? { dates: m.dates } : {}),
    decision: {
      plannedBy: proposal.plannedBy,
      approvedBy: proposal.approvedBy ?? '',
      approvedAt: proposal.approvedAt ?? deps.now(),
      reason: rule?.decision ? `${item.reason}; decision: ${rule.decision}` : item.reason,
    },
    destroyed: {
      packageSha256: pkg.sha256,
      packageSize: pkg.size,
      contentDigest: pkg.contentDigest,
      fileCount: pkg.fileCount,
      objects: outcome.destroyed,
    },
    disposedAt: deps.now(),
    // A rule no longer in the config keeps nothing it did not say to keep.
    fileList: rule?.keepFileList ? 'kept' : 'forgotten',
  };
}
