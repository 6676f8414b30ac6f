import type { Catalog } from '../catalog/types.js';
import type { RunItem } from '../model/run.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Location } from '../storage/index.js';
import { packageKey } from '../storage/keys.js';

export interface OrphanDeps {
  catalog: Catalog;
  locations: Map<string, Location>;
  logger: Logger;
  now: () => Date;
}

export interface OrphanOptions {
  runId: string;
  /** The locations of this run. */
  names: string[];
  /** List now, whenever the location was last listed. */
  force: boolean;
  /** List a location at most this often. */
  everyMs: number;
  /** Do not list at all (a run narrowed to one package). */
  skip: boolean;
  /** Only report uncatalogued reservations instead of removing them (`bevara orphans list`). Default false. */
  keepReservations?: boolean;
}

/**
 * Lists each location, when its listing is due, for objects the catalog does not know: neither a copy nor an
 * object the archive stored beside packages (event logs, reports, damaged copies kept, orphans an operator chose
 * to keep). Reports them and deletes none, with one exception: a package this archive reserved for a record and
 * never catalogued (an ingest killed mid-write) whose record no process holds now is removed, and the removal
 * reported: the catalog's reservation proves it is ours and incomplete. A location that cannot be listed is
 * reported too.
 */
export async function listOrphans(deps: OrphanDeps, options: OrphanOptions): Promise<RunItem[]> {
  if (options.skip) return [];
  const items: RunItem[] = [];
  for (const name of options.names) {
    const location = deps.locations.get(name);
    if (!location) continue;
    const marker = `audit:orphans-listed:${name}`;
    const last = await deps.catalog.getMarker(marker);
    if (!options.force && last && deps.now().getTime() - new Date(last).getTime() < options.everyMs) continue;
    const known = new Set((await deps.catalog.listCopies({ location: name })).map((c) => c.key));
    for (const object of await deps.catalog.listStoredObjects({ location: name })) known.add(object.key);
    const reserved = await reservations(deps);
    try {
      for await (const object of location.driver.list()) {
        if (known.has(object.key)) continue;
        const reservation = reserved.get(object.key);
        if (
          reservation &&
          !options.keepReservations &&
          !(await deps.catalog.getPackage(reservation.packageId))
        ) {
          await location.driver.delete(object.key);
          const message =
            `removed "${object.key}" (${object.size} bytes) from location "${name}": package ${reservation.packageId} ` +
            `was reserved for record "${reservation.record}" of job "${reservation.job}" and never catalogued ` +
            '(an interrupted ingest); the record is written again by its next run';
          deps.logger.warn({ location: name, key: object.key, record: reservation.record }, message);
          items.push({
            runId: options.runId,
            subject: `${name}:${object.key}`,
            status: 'ok',
            message,
            details: {
              location: name,
              key: object.key,
              size: object.size,
              removed: 'uncatalogued reservation',
            },
          });
          continue;
        }
        const disposed = await disposedPackageOf(deps, object.key);
        const rule = disposed ? 'disposed-reappeared' : 'orphan';
        const message = disposed
          ? `object "${object.key}" (${object.size} bytes) in location "${name}" belongs to package ${disposed.packageId}, disposed of on ${disposed.disposedAt.toISOString()} under proposal ${disposed.proposalId}: it should be gone and has reappeared`
          : `object "${object.key}" (${object.size} bytes) in location "${name}" is not in the catalog`;
        deps.logger.warn({ location: name, key: object.key, rule }, 'orphan object');
        items.push({
          runId: options.runId,
          subject: `${name}:${object.key}`,
          status: 'orphan',
          message,
          details: {
            location: name,
            key: object.key,
            size: object.size,
            problems: [{ rule, message }],
          },
        });
      }
      await deps.catalog.setMarker(marker, deps.now().toISOString(), deps.now());
    } catch (err) {
      const message = `location "${name}" could not be listed for unknown objects: ${errorMessage(err)}`;
      deps.logger.error({ location: name, err: errorMessage(err) }, 'orphan listing failed');
      items.push({
        runId: options.runId,
        subject: `${name}:`,
        status: 'failed',
        message,
        details: { location: name, problems: [{ rule: 'read-error', message }] },
      });
    }
  }
  return items;
}

interface Reservation {
  packageId: string;
  job: string;
  record: string;
}

/** Package keys reserved for records that no live process holds now, by key. */
async function reservations(deps: OrphanDeps): Promise<Map<string, Reservation>> {
  const out = new Map<string, Reservation>();
  const now = deps.now().getTime();
  for (const r of await deps.catalog.listRecordStates({})) {
    if (!r.packageId) continue;
    if (r.holder && (r.leaseUntil?.getTime() ?? 0) > now) continue;
    out.set(packageKey(r.packageId), { packageId: r.packageId, job: r.job, record: r.sourceKey });
  }
  return out;
}

/** The tombstone of the disposed package an object's key names (`packages/<id>/…`), if that package was disposed of. */
async function disposedPackageOf(deps: OrphanDeps, key: string) {
  const id = /^packages\/([^/]+)\//.exec(key)?.[1];
  return id === undefined ? null : deps.catalog.getTombstone(id);
}
