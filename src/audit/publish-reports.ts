import fs from 'node:fs';
import path from 'node:path';
import type { Catalog } from '../catalog/types.js';
import { errorMessage } from '../errors.js';
import { digestStream } from '../fixity/digest.js';
import type { Logger } from '../logger.js';
import type { Location } from '../storage/index.js';
import { validateKey } from '../storage/keys.js';

/**
 * Stores a run's report files under `reports/` in the primary location too, so that they outlive the machine
 * that wrote them, and records them in the catalog (the orphan listing knows them). Returns `location:key` of
 * each. A failure is logged and leaves the local files as the record.
 */
export async function publishReports(
  deps: { catalog: Catalog; locations: Map<string, Location>; logger: Logger; now: () => Date },
  locationName: string | undefined,
  files: string[],
): Promise<string[]> {
  const location = locationName ? deps.locations.get(locationName) : undefined;
  if (!location) return [];
  const stored: string[] = [];
  for (const file of files) {
    const key = validateKey(`reports/${path.basename(file)}`);
    try {
      const { sha256, size } = await digestStream(fs.createReadStream(file));
      await location.driver.put(key, fs.createReadStream(file), { size, sha256: () => sha256 });
      await deps.catalog.addStoredObject({
        location: location.name,
        key,
        kind: 'report',
        storedAt: deps.now(),
      });
      stored.push(`${location.name}:${key}`);
    } catch (err) {
      deps.logger.error(
        { location: location.name, key, err: errorMessage(err) },
        'report not stored in location',
      );
    }
  }
  return stored;
}
