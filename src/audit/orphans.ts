import type { Catalog, RunItem } from '../catalog/types.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Location } from '../storage/index.js';

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
}

/**
 * Lists each location, when its listing is due, for objects the catalog does not know: neither a copy nor an
 * object the archive stored beside packages (event logs, reports, damaged copies kept). Reports them; never
 * deletes anything. A location that cannot be listed is reported too.
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
    try {
      for await (const object of location.driver.list()) {
        if (known.has(object.key)) continue;
        const message = `object "${object.key}" (${object.size} bytes) in location "${name}" is not in the catalog`;
        deps.logger.warn({ location: name, key: object.key }, 'orphan object');
        items.push({
          runId: options.runId,
          subject: `${name}:${object.key}`,
          status: 'orphan',
          message,
          details: {
            location: name,
            key: object.key,
            size: object.size,
            problems: [{ rule: 'orphan', message }],
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
