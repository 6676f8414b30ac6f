/**
 * `bevara catalog rebuild`: the catalog made again from what the locations hold (see README "Catalog rebuild").
 *
 * Four passes, each resumable, over a staging file on disk (staging.ts):
 *   1. list    every location, page by page, into the staging file (a location listed to its end is not again)
 *   2. read    each package's metadata entries from one of its copies (ranged reads, never the whole object)
 *   3. logs    the PREMIS event logs beside packages and the audit runs' logs under reports/
 *   4. catalog each package, oldest first (so a predecessor is always there first), in one transaction with its
 *              files, copies and events; then the objects beside it
 * Then the jobs declared in the configuration. A package already in the catalog is never written again, so a
 * rebuild killed at any point and run again ends with the same catalog, and one run twice changes nothing.
 */
import { errorMessage } from '../errors.js';
import type { Catalog } from '../catalog/types.js';
import type { Logger } from '../logger.js';
import type { EventRecord } from '../model/package.js';
import type { Location } from '../storage/index.js';
import { RebuildError } from './errors.js';
import { besideObjects, catalogRows, type FoundCopy } from './catalog-rows.js';
import { newestCopyKey } from './object-keys.js';
import { premisRoot, readPremisEvents } from './premis-read.js';
import { MAX_METADATA_ENTRY_BYTES, type PackageFromStorage, readPackageFromStorage } from './read-package.js';
import type { Staging, StagedObject } from './staging.js';

export interface RebuildDeps {
  catalog: Catalog;
  /** Every configured location, in configuration order (the first readable copy is read). */
  locations: Map<string, Location>;
  staging: Staging;
  logger: Logger;
  now: () => Date;
  /** Names of the locations the copy policy of a profile asks for; undefined for an unknown profile. */
  policyFor(profile: string): string[] | undefined;
  /** Called after each package is catalogued (progress). */
  onPackage?: (id: string) => void;
  /** Packages read at once in pass 2 (default 4). */
  concurrency?: number;
  /** Called between pages (renews the lease); throws to stop the rebuild (a signal), which resumes next time. */
  checkpoint?: () => Promise<void>;
}

export interface RebuildResult {
  objects: number;
  /** Packages catalogued by this run (a resumed run counts those it did not find catalogued). */
  packages: number;
  /** Packages found but not catalogued, each with why (an unreadable package is left for the operator). */
  failed: { id: string; problem: string }[];
  /** Copies whose location reports other bytes than the package's: recorded, for the next audit to judge. */
  disagreements: string[];
  /** Packages whose derived metadata does not give their dc.xml back byte for byte. */
  metadataMismatches: string[];
}

const PAGE = 500;

export async function rebuildCatalog(deps: RebuildDeps): Promise<RebuildResult> {
  const result: RebuildResult = {
    objects: 0,
    packages: 0,
    failed: [],
    disagreements: [],
    metadataMismatches: [],
  };
  for (const location of deps.locations.values()) result.objects += await listLocation(deps, location);
  await readPackages(deps);
  await readLogs(deps);
  for (;;) {
    const batch = deps.staging.nextToCatalogue(PAGE);
    if (batch.length === 0) break;
    await deps.checkpoint?.();
    for (const staged of batch) {
      const read = revive(JSON.parse(staged.json) as PackageFromStorage);
      const outcome = await cataloguePackage(deps, read);
      if (!read.dublinCoreMatches) result.metadataMismatches.push(read.id);
      result.disagreements.push(...outcome.disagreements);
      deps.staging.markCatalogued(read.id);
      if (outcome.added) result.packages++;
      deps.onPackage?.(read.id);
    }
  }
  for (const report of [...stagedByRole(deps.staging, 'report'), ...stagedByRole(deps.staging, 'run-log')]) {
    await deps.catalog.addStoredObject({
      location: report.location,
      key: report.key,
      kind: 'report',
      storedAt: report.mtime ?? deps.now(),
    });
  }
  result.failed = deps.staging.problems();
  return result;
}

/** Pass 1: one location's objects into the staging file, a page per transaction. Returns how many it holds. */
async function listLocation(deps: RebuildDeps, location: Location): Promise<number> {
  if (deps.staging.isListed(location.name)) return 0;
  let page: { key: string; size: number; mtime?: Date }[] = [];
  let count = 0;
  for await (const object of location.driver.list()) {
    page.push({ key: object.key, size: object.size, ...(object.mtime ? { mtime: object.mtime } : {}) });
    if (page.length >= PAGE) {
      await deps.checkpoint?.();
      deps.staging.addObjects(location.name, page);
      count += page.length;
      page = [];
    }
  }
  deps.staging.addObjects(location.name, page);
  deps.staging.markListed(location.name);
  deps.logger.info({ location: location.name, objects: count + page.length }, 'location listed');
  return count + page.length;
}

function* stagedByRole(staging: Staging, role: 'report' | 'run-log' | 'event-log'): Generator<StagedObject> {
  let after = { location: '', key: '' };
  for (;;) {
    const page = staging.objectsByRole(role, after, PAGE);
    if (page.length === 0) return;
    yield* page;
    const last = page.at(-1) as StagedObject;
    after = { location: last.location, key: last.key };
  }
}

/** The copies of a package as the staging file lists them: per location, the newest copy key and the others. */
function copiesIn(
  deps: RebuildDeps,
  packageId: string,
): { location: Location; key: string; size: number; others: string[] }[] {
  const objects = deps.staging.objectsOf(packageId).filter((o) => o.role === 'copy');
  const out = [];
  for (const location of deps.locations.values()) {
    const here = objects.filter((o) => o.location === location.name);
    const key = newestCopyKey(here.map((o) => o.key));
    const chosen = here.find((o) => o.key === key);
    if (chosen)
      out.push({
        location,
        key: chosen.key,
        size: chosen.size,
        others: here.filter((o) => o !== chosen).map((o) => o.key),
      });
  }
  return out;
}

/** Pass 2: each package found, read from its first readable copy into the staging file. */
async function readPackages(deps: RebuildDeps): Promise<void> {
  let after = '';
  const concurrency = deps.concurrency ?? 4;
  for (;;) {
    const ids = deps.staging.packageIds(after, PAGE);
    if (ids.length === 0) return;
    after = ids.at(-1) as string;
    await deps.checkpoint?.();
    const todo = ids.filter((id) => !deps.staging.isStaged(id));
    let next = 0;
    const worker = async () => {
      while (next < todo.length) await stageOne(deps, todo[next++] as string);
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
  }
}

async function stageOne(deps: RebuildDeps, id: string): Promise<void> {
  // In the catalog already (a rebuild run again, or one resumed after the staging file was lost): nothing to read.
  if (await deps.catalog.getPackage(id)) return;
  const problems: string[] = [];
  for (const copy of copiesIn(deps, id)) {
    try {
      const read = await readPackageFromStorage(copy.location.driver, copy.key, copy.size, id);
      deps.staging.stagePackage(id, {
        createdAt: read.createdAt,
        kind: read.sourceKind,
        key: read.sourceKey,
        json: JSON.stringify(read),
      });
      return;
    } catch (err) {
      problems.push(`${copy.location.name}:${copy.key}: ${errorMessage(err)}`);
    }
  }
  deps.logger.error({ packageId: id, problems }, 'package could not be read from any location');
  deps.staging.stagePackage(id, { problem: problems.join('; ') || 'no copy found' });
}

/** Pass 3: the events of every event log and run log, by package, once per key (logs are alike in each location). */
async function readLogs(deps: RebuildDeps): Promise<void> {
  for (const role of ['event-log', 'run-log'] as const) {
    for (const log of stagedByRole(deps.staging, role)) {
      if (deps.staging.isLogRead(log.key)) continue;
      const where = `${log.location}:${log.key}`;
      try {
        if (log.size > MAX_METADATA_ENTRY_BYTES)
          throw new RebuildError('log-too-big', `${where}: ${log.size} bytes`);
        const location = deps.locations.get(log.location) as Location;
        const chunks: Buffer[] = [];
        for await (const chunk of await location.driver.get(log.key)) chunks.push(chunk as Buffer);
        const events = readPremisEvents(premisRoot(Buffer.concat(chunks).toString('utf8'), where), where);
        deps.staging.addLogEvents(log.key, events);
      } catch (err) {
        deps.logger.warn(
          { location: log.location, key: log.key, err: errorMessage(err) },
          'event log not read',
        );
      }
    }
  }
}

/** Pass 4 for one package: its rows in one transaction, unless it is in the catalog already (a resumed run). */
async function cataloguePackage(
  deps: RebuildDeps,
  read: PackageFromStorage,
): Promise<{ added: boolean; disagreements: string[] }> {
  if (await deps.catalog.getPackage(read.id)) return { added: false, disagreements: [] };
  const found: FoundCopy[] = [];
  for (const copy of copiesIn(deps, read.id)) {
    const head = await copy.location.driver.head(copy.key);
    if (head) found.push({ location: copy.location.name, key: copy.key, head, others: copy.others });
  }
  const logged: EventRecord[] = deps.staging.eventsOf(read.id);
  const predecessorId = await predecessorOf(deps, read);
  const policy = deps.policyFor(read.profile) ?? found.map((f) => f.location);
  const rows = catalogRows(read, found, logged, { policy, ...(predecessorId ? { predecessorId } : {}) });
  await deps.catalog.addPackage(rows.pkg, read.files, rows.events, rows.copies);
  const logs = deps.staging.objectsOf(read.id).filter((o) => o.role === 'event-log');
  for (const object of besideObjects(read.id, found, logs, deps.now()))
    await deps.catalog.addStoredObject(object);
  if (rows.disagreements.length > 0)
    deps.logger.warn({ packageId: read.id, copies: rows.disagreements }, 'copies differ');
  return { added: true, disagreements: rows.disagreements };
}

/**
 * The package made from the same source just before this one, as ingest named it: among the packages this rebuild
 * read, or the newest one in the catalog when that is older (packages catalogued before this rebuild began).
 */
async function predecessorOf(deps: RebuildDeps, read: PackageFromStorage): Promise<string | undefined> {
  const staged = deps.staging.predecessorOf(read.sourceKind, read.sourceKey, read.createdAt, read.id);
  const latest = await deps.catalog.latestPackageForSource(read.sourceKind, read.sourceKey);
  if (!latest || latest.createdAt >= read.createdAt) return staged;
  const stagedPackage = staged ? await deps.catalog.getPackage(staged) : null;
  return stagedPackage && stagedPackage.createdAt > latest.createdAt ? staged : latest.id;
}

/** Dates come back from the staging file's JSON as strings. */
function revive(read: PackageFromStorage): PackageFromStorage {
  return {
    ...read,
    createdAt: new Date(read.createdAt),
    files: read.files.map((f) => ({ ...f, modifiedAt: new Date(f.modifiedAt) })),
    events: read.events.map((e) => ({ ...e, at: new Date(e.at) })),
  };
}
