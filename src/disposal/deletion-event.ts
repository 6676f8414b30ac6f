/**
 * The PREMIS deletion event of a disposed package. One small function, so that it can move to the shared event
 * builder (src/metadata/events.ts) when that lands.
 */
import type { EventRecord } from '../model/package.js';
import type { TombstoneRecord } from '../model/disposal.js';

export function deletionEvent(tombstone: TombstoneRecord): EventRecord {
  const { decision, destroyed } = tombstone;
  const objects = destroyed.objects
    .map((o) => `${o.location}:${o.key}${o.sha256 ? ` sha256:${o.sha256}` : ''}`)
    .join(', ');
  return {
    id: `${tombstone.proposalId}-deletion-${tombstone.packageId}`,
    packageId: tombstone.packageId,
    type: 'deletion',
    at: tombstone.disposedAt,
    outcome: 'success',
    detail:
      `disposed of under retention rule "${tombstone.ruleId}" (proposal ${tombstone.proposalId}, planned by ` +
      `${decision.plannedBy}, approved by ${decision.approvedBy}): ${decision.reason}; destroyed ${objects}`,
    agent: `person:${decision.approvedBy}`,
    object: `sha256:${destroyed.packageSha256}`,
  };
}
