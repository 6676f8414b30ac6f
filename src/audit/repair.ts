import { Readable } from 'node:stream';
import type { BatchWriter } from '../catalog/batch-writer.js';
import type { Catalog } from '../catalog/types.js';
import type { CopyCheckRecord, CopyRecord, EventRecord } from '../model/package.js';
import { errorMessage, PreservationError } from '../errors.js';
import { digestStream } from '../fixity/digest.js';
import type { Logger } from '../logger.js';
import { renderPremisEventLog } from '../reports/premis-log.js';
import type { Location } from '../storage/index.js';
import { validateKey } from '../storage/keys.js';
import { replicateObject } from '../storage/replicate.js';
import type { CheckedCopy, CopyChecker } from './copy-checks.js';
import { createEvent } from '../metadata/events.js';

/** What became of one failed copy. */
export interface CopyRepair {
  /** The location the good bytes came from. */
  from: string;
  /** The key the repaired copy now has (a new key when the damaged object is still there: write-once). */
  key: string;
  previousKey: string;
  at: Date;
  /** The damaged object could not be removed (Object Lock): it stays, known to the catalog. */
  damagedKept?: boolean;
}

export interface PackageResolution {
  packageId: string;
  copies: CheckedCopy[];
  /** Failed copies replaced from a healthy one, by location. */
  repaired: Map<string, CopyRepair>;
  /** Failed copies left as they are, by location, with why (repair off, location unreachable, repair failed). */
  notRepaired: Map<string, string>;
  /** No healthy copy was left to repair from: the package is marked damaged. */
  damaged: boolean;
}

export interface RepairDeps {
  catalog: Catalog;
  locations: Map<string, Location>;
  checker: CopyChecker;
  checks: BatchWriter<CopyCheckRecord>;
  logger: Logger;
  now: () => Date;
  runId: string;
  agentId: string;
  /** Whether failed copies in this location may be replaced. */
  repairAllowed: (location: string) => boolean;
  onEvent: (event: EventRecord) => void;
}

/**
 * When a copy fails, every other copy of the package is checked at once (full); each failed copy is then
 * replaced from a healthy one: streamed location to location, the bytes checked against the catalog's digest on
 * the way and read back after (a bad source never spreads), under a new key when the damaged object is still
 * there. The chain (fixity check failed → replication → fixity check passed) is recorded as PREMIS events in the
 * catalog and in an event log object beside the package. With no healthy copy left the package is marked
 * damaged and nothing is written.
 */
export async function resolvePackage(deps: RepairDeps, packageId: string): Promise<PackageResolution> {
  const copies = await deps.catalog.listCopies({ packageId });
  const checked = await Promise.all(copies.map((copy) => deps.checker.check(copy, 'full')));
  // Quick-checked copies that passed are candidates too: replication checks the source's bytes as it reads.
  const healthy = checked.filter((c) => c.check.status === 'verified');
  const resolution: PackageResolution = {
    packageId,
    copies: checked,
    repaired: new Map(),
    notRepaired: new Map(),
    damaged: false,
  };
  const failed = checked.filter((c) => c.check.status !== 'verified');
  await deps.checks.flush();
  for (const bad of failed) {
    const name = bad.copy.location;
    if (bad.unreachable) resolution.notRepaired.set(name, 'location could not be read');
    else if (!deps.repairAllowed(name)) resolution.notRepaired.set(name, 'repair is off for this location');
    else if (healthy.length === 0) resolution.notRepaired.set(name, 'no healthy copy to repair from');
    else {
      try {
        resolution.repaired.set(name, await repairCopy(deps, bad.copy, healthy));
      } catch (err) {
        resolution.notRepaired.set(name, `repair failed: ${errorMessage(err)}`);
        deps.logger.error({ packageId, location: name, err: errorMessage(err) }, 'repair failed');
      }
    }
  }
  const damagedBytes = failed.filter((c) => !c.unreachable);
  if (healthy.length === 0 && damagedBytes.length > 0) {
    resolution.damaged = true;
    await deps.catalog.setPackageState(packageId, 'damaged', deps.now());
    deps.logger.fatal({ packageId }, 'package damaged: no healthy copy left');
  }
  if (resolution.repaired.size > 0 || resolution.damaged) await writeEventLogs(deps, packageId, resolution);
  return resolution;
}

async function repairCopy(deps: RepairDeps, bad: CopyRecord, healthy: CheckedCopy[]): Promise<CopyRepair> {
  const target = deps.locations.get(bad.location) as Location;
  const damagedThere = (await target.driver.head(bad.key)) !== null;
  const started = deps.now();
  const key = damagedThere ? repairKey(bad.key, started) : bad.key;
  let lastError: unknown;
  for (const source of healthy) {
    const from = deps.locations.get(source.copy.location) as Location;
    try {
      const stored = await replicateObject(
        from,
        target,
        source.copy.key,
        { size: bad.size, sha256: bad.sha256 },
        { targetKey: key },
      );
      const at = deps.now();
      const repair: CopyRepair = { from: from.name, key, previousKey: bad.key, at };
      await deps.catalog.putCopy({
        ...bad,
        key,
        versionId: stored.versionId,
        storedAt: at,
        status: 'verified',
        lastVerifiedAt: at,
        lastCheckedAt: at,
      });
      for (const event of repairEvents(deps, bad, repair)) {
        deps.onEvent(event);
        await deps.catalog.addEvent(event);
      }
      if (damagedThere) repair.damagedKept = await removeDamaged(deps, target, bad, at);
      deps.logger.warn(
        { packageId: bad.packageId, location: bad.location, from: from.name, key },
        'copy repaired',
      );
      return repair;
    } catch (err) {
      lastError = err;
      deps.logger.warn(
        { packageId: bad.packageId, location: bad.location, from: from.name, err: errorMessage(err) },
        'repair from this copy failed; trying the next',
      );
    }
  }
  throw lastError instanceof Error ? lastError : new PreservationError(String(lastError));
}

function repairEvents(deps: RepairDeps, bad: CopyRecord, repair: CopyRepair): EventRecord[] {
  const object = `${bad.location}:${repair.key}`;
  const base = { packageId: bad.packageId, agent: deps.agentId, object, runId: deps.runId, at: repair.at };
  return [
    createEvent({
      ...base,
      type: 'replication',
      detail:
        `damaged copy "${bad.location}:${bad.key}" replaced from the healthy copy in "${repair.from}"` +
        (repair.key !== bad.key ? ` under the new key "${repair.key}"` : ''),
    }),
    createEvent({
      ...base,
      type: 'fixity check',
      detail: `repaired copy read back: ${bad.size} bytes, SHA-256 ${bad.sha256} matches the catalog`,
    }),
  ];
}

/** Removes the damaged object once the repaired copy is safe; under Object Lock it stays, recorded. */
async function removeDamaged(
  deps: RepairDeps,
  target: Location,
  bad: CopyRecord,
  at: Date,
): Promise<boolean> {
  try {
    await target.driver.delete(bad.key);
    return false;
  } catch (err) {
    deps.logger.warn({ location: target.name, key: bad.key, err: errorMessage(err) }, 'damaged object kept');
    await deps.catalog.addStoredObject({
      location: target.name,
      key: bad.key,
      kind: 'damaged',
      packageId: bad.packageId,
      storedAt: at,
    });
    return true;
  }
}

/** `packages/<id>/<id>.zip` → `packages/<id>/<id>.r20261128T010203Z.zip`. */
export function repairKey(key: string, at: Date): string {
  const stamp = at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return validateKey(key.replace(/(\.zip)?$/, (ext) => `.r${stamp}${ext}`));
}

/** The package's whole PREMIS event history as an XML object beside each copy that is healthy now. */
async function writeEventLogs(deps: RepairDeps, packageId: string, resolution: PackageResolution) {
  const events = await deps.catalog.listEvents(packageId);
  const xml = Buffer.from(renderPremisEventLog(events, { runId: deps.runId }), 'utf8');
  const at = deps.now();
  const stamp = at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  for (const checked of resolution.copies) {
    const name = checked.copy.location;
    if (checked.check.status !== 'verified' && !resolution.repaired.has(name)) continue;
    const location = deps.locations.get(name) as Location;
    const key = validateKey(`packages/${packageId}/events-${stamp}.premis.xml`);
    try {
      const { sha256 } = await digestStream(Readable.from([xml]));
      await location.driver.put(key, Readable.from([xml]), { size: xml.length, sha256: () => sha256 });
      await deps.catalog.addStoredObject({ location: name, key, kind: 'event-log', packageId, storedAt: at });
    } catch (err) {
      deps.logger.error({ packageId, location: name, key, err: errorMessage(err) }, 'event log not stored');
    }
  }
}
