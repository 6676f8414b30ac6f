/**
 * The PREMIS deletion event of a disposed package, made by the shared event builder (metadata/events.ts) with
 * one difference: its id is fixed by the proposal and the package, so that an approve resumed after a kill
 * records the same event again rather than a second one.
 */
import { createEvent, personAgentId } from '../metadata/events.js';
import type { EventRecord } from '../model/package.js';
import type { TombstoneRecord } from '../model/disposal.js';

export function deletionEvent(tombstone: TombstoneRecord): EventRecord {
  const { decision, destroyed } = tombstone;
  const objects = destroyed.objects
    .map((o) => `${o.location}:${o.key}${o.sha256 ? ` sha256:${o.sha256}` : ''}`)
    .join(', ');
  const event = createEvent({
    type: 'deletion',
    packageId: tombstone.packageId,
    at: tombstone.disposedAt,
    detail:
      `disposed of under retention rule "${tombstone.ruleId}" (proposal ${tombstone.proposalId}, planned by ` +
      `${decision.plannedBy}, approved by ${decision.approvedBy}): ${decision.reason}; destroyed ${objects}`,
    agent: personAgentId(decision.approvedBy),
    object: `sha256:${destroyed.packageSha256}`,
  });
  return { ...event, id: `${tombstone.proposalId}-deletion-${tombstone.packageId}` };
}
