/**
 * The PREMIS `dissemination` event of a record handed out (export or console download): who handed it out (the
 * agent), to whom and why (the detail), and the access restriction it was handed out under. Made by the shared event
 * builder (metadata/events.ts); kept in the catalog and, for restricted records, in an
 * event log object beside each copy of the package (`packages/<id>/events-<time>.premis.xml`, as audits write).
 */
import { Readable } from 'node:stream';
import type { Catalog } from '../catalog/types.js';
import { compactTime } from '../catalog/run-id.js';
import { createEvent, personAgentId } from '../metadata/events.js';
import type { CopyRecord, EventRecord, PackageRecord } from '../model/package.js';
import { errorMessage } from '../errors.js';
import { sha256Hex } from '../fixity/digest.js';
import type { Logger } from '../logger.js';
import { renderPremisEventLog } from '../reports/premis-log.js';
import type { Location } from '../storage/index.js';
import { validateKey } from '../storage/keys.js';

/** Who handed a record out, to whom and why. */
export interface HandOut {
  /** The archive's user who hands the record out: the event's agent (`person:<by>`). */
  by: string;
  /** Who asked for it (a person or an organisation), as the request names them. */
  requester?: string;
  /** Why (the request, a decision, a case number). Required for a restricted record. */
  reason?: string;
  /** How it was handed out, e.g. "an E-ARK DIP", "a console download of the package". */
  what: string;
  /** The one file handed out, when not the whole record (the event's object). */
  object?: string;
}

export function disseminationEvent(
  pkg: PackageRecord,
  handOut: HandOut,
  at: Date,
  runId?: string,
): EventRecord {
  const rule = pkg.metadata.accessRestriction?.trim();
  const parts = [
    `handed out as ${handOut.what} by ${handOut.by}`,
    handOut.requester ? `to ${handOut.requester}` : undefined,
    handOut.reason ? `reason: ${handOut.reason}` : undefined,
    rule ? `restricted record (${rule}), released explicitly` : undefined,
  ];
  return createEvent({
    type: 'dissemination',
    packageId: pkg.id,
    at,
    detail: parts.filter(Boolean).join('; '),
    agent: personAgentId(handOut.by),
    object: handOut.object,
    runId,
  });
}

export interface EventLogDeps {
  catalog: Catalog;
  locations: ReadonlyMap<string, Location>;
  logger: Logger;
}

/**
 * Writes the package's whole PREMIS history (the new event included) beside each copy not known to be bad, and
 * registers each object so that orphan listings know it. A location that refuses is logged, not fatal: the
 * catalog holds the event already.
 */
export async function storeEventLogs(
  deps: EventLogDeps,
  packageId: string,
  copies: CopyRecord[],
  runId: string,
  at: Date,
): Promise<string[]> {
  const events = await deps.catalog.listEvents(packageId);
  const xml = Buffer.from(renderPremisEventLog(events, { runId }), 'utf8');
  const sha256 = sha256Hex(xml);
  const key = validateKey(`packages/${packageId}/events-${compactTime(at)}.premis.xml`);
  const stored: string[] = [];
  for (const copy of copies.filter((c) => c.status === 'verified' || c.status === 'stored')) {
    const location = deps.locations.get(copy.location);
    if (!location) continue;
    try {
      await location.driver.put(key, Readable.from([xml]), { size: xml.length, sha256: () => sha256 });
      await deps.catalog.addStoredObject({
        location: copy.location,
        key,
        kind: 'event-log',
        packageId,
        storedAt: at,
      });
      stored.push(`${copy.location}:${key}`);
    } catch (err) {
      deps.logger.error(
        { packageId, location: copy.location, key, err: errorMessage(err) },
        'event log not stored',
      );
    }
  }
  return stored;
}
