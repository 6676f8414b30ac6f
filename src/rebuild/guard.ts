/**
 * When a rebuild may write into a catalog: one at a time (a catalog lease; a holder on this host that died is
 * taken over at once), and only into a catalog that is empty or holds a rebuild begun before (a marker), so that a
 * killed rebuild is resumed and a finished one may run again, but a live catalog is never mixed with a rebuild by
 * mistake. To rebuild beside a live catalog, point `--catalog` at a new SQLite file or PostgreSQL database.
 */
import type { AuditCatalog, RecordCatalog } from '../catalog/types.js';
import { acquireOrTakeOver, LEASE_MS, LEASES } from '../leases.js';
import { processTag } from '../processes.js';
import { RebuildError } from './errors.js';

export const REBUILD_STARTED = 'catalog-rebuild:started';
export const REBUILD_FINISHED = 'catalog-rebuild:finished';

type GuardCatalog = AuditCatalog & Pick<RecordCatalog, 'listPackages'>;

/** Takes the rebuild lease and checks the catalog; returns whether this continues an earlier rebuild. */
export async function beginRebuild(
  catalog: GuardCatalog,
  now: Date,
  holder = processTag(),
): Promise<{ resumed: boolean }> {
  const until = new Date(now.getTime() + LEASE_MS.catalogRebuild);
  const current = await acquireOrTakeOver(catalog, LEASES.catalogRebuild, holder, until, now);
  if (current !== null)
    throw new RebuildError('rebuild-running', `another rebuild holds this catalog (${current})`);
  const started = await catalog.getMarker(REBUILD_STARTED);
  if (!started && (await catalog.listPackages({ limit: 1 })).length > 0) {
    await catalog.releaseLease(LEASES.catalogRebuild, holder);
    throw new RebuildError(
      'catalog-not-empty',
      'the catalog already holds packages and no rebuild was begun in it; rebuild into a new one with ' +
        '--catalog <new.sqlite | postgres://…/new-database>',
    );
  }
  if (!started) await catalog.setMarker(REBUILD_STARTED, now.toISOString(), now);
  return { resumed: started !== null };
}

/** Extends the lease while the rebuild works. */
export async function renewRebuild(catalog: GuardCatalog, now: Date, holder = processTag()): Promise<void> {
  await catalog.acquireLease(
    LEASES.catalogRebuild,
    holder,
    new Date(now.getTime() + LEASE_MS.catalogRebuild),
    now,
  );
}

export async function endRebuild(
  catalog: GuardCatalog,
  now: Date,
  finished: boolean,
  holder = processTag(),
): Promise<void> {
  if (finished) await catalog.setMarker(REBUILD_FINISHED, now.toISOString(), now);
  await catalog.releaseLease(LEASES.catalogRebuild, holder);
}
