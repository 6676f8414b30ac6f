/**
 * Destroys the stored objects of one package in every location: each copy and each object stored beside it
 * (event logs, damaged copies kept). Each delete is checked by a HEAD afterwards. A copy under Object Lock
 * retention or legal hold is refused by the location (`E_LOCKED`): it is reported as locked and stays, to be
 * tried again by a later `disposal approve`. Deleting an object already gone is no error, so this can run again
 * after a kill at any point.
 */
import type { CopyRecord, StoredObjectRecord } from '../catalog/types.js';
import { errorMessage, LockedError } from '../errors.js';
import type { DestroyedObject } from '../model/disposal.js';
import type { Location } from '../storage/index.js';

export interface DestroyOutcome {
  destroyed: DestroyedObject[];
  /** Objects the location keeps under retention: the proposal stays open for them. */
  locked: { location: string; key: string; message: string }[];
  /** Objects that could not be destroyed now (location down, refused, still there afterwards). */
  failed: { location: string; key: string; message: string }[];
}

export async function destroyPackageObjects(
  locations: Map<string, Location>,
  copies: readonly CopyRecord[],
  stored: readonly StoredObjectRecord[],
): Promise<DestroyOutcome> {
  const out: DestroyOutcome = { destroyed: [], locked: [], failed: [] };
  const targets: DestroyedObject[] = [
    ...copies.map((c) => ({
      location: c.location,
      key: c.key,
      kind: 'copy',
      size: c.size,
      sha256: c.sha256,
      ...(c.versionId ? { versionId: c.versionId } : {}),
    })),
    ...stored.map((o) => ({ location: o.location, key: o.key, kind: o.kind })),
  ];
  for (const target of targets) {
    const location = locations.get(target.location);
    if (!location) {
      const message = `location "${target.location}" is not in the configuration; its objects cannot be destroyed`;
      out.failed.push({ location: target.location, key: target.key, message });
      continue;
    }
    try {
      await location.driver.delete(target.key);
      if (await location.driver.head(target.key))
        throw new Error('the object is still there after its delete');
      out.destroyed.push(target);
    } catch (err) {
      const entry = { location: target.location, key: target.key, message: errorMessage(err) };
      if (err instanceof LockedError) out.locked.push(entry);
      else out.failed.push(entry);
    }
  }
  return out;
}
