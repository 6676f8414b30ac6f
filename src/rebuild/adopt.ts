/**
 * `bevara orphans adopt <location>:<key>`: one package found among the unknown objects (an ingest killed between
 * storing and cataloguing, a catalog restored from an old backup) taken into the catalog after every copy of it is
 * verified in full (whole-object SHA-256 and every file's SHA-256 against the package's own PREMIS). Read back by
 * the same code as the rebuild; copies that fail verification are left out (and stay orphans for the operator).
 */
import { verifyCopy } from '../audit/verify-copy.js';
import type { Catalog } from '../catalog/types.js';
import { NotFoundError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { CopyRecord, EventRecord } from '../model/package.js';
import type { Location } from '../storage/index.js';
import { besideObjects, catalogRows, type FoundCopy } from './catalog-rows.js';
import { RebuildError } from './errors.js';
import { classifyKey, newestCopyKey } from './object-keys.js';
import { premisRoot, readPremisEvents } from './premis-read.js';
import { readPackageFromStorage } from './read-package.js';

export interface AdoptDeps {
  catalog: Catalog;
  locations: Map<string, Location>;
  logger: Logger;
  now: () => Date;
  /** Identifier of the agent recorded in the events ("bevara/0.1.0"). */
  agentId: string;
  policyFor(profile: string): string[] | undefined;
}

export interface AdoptResult {
  packageId: string;
  copies: { location: string; key: string; status: 'verified' | 'failed'; problems: string[] }[];
}

export async function adoptOrphan(
  deps: AdoptDeps,
  target: { location: string; key: string; by: string; reason: string },
): Promise<AdoptResult> {
  const where = `${target.location}:${target.key}`;
  const location = deps.locations.get(target.location);
  if (!location) throw new NotFoundError(`[adopt] no location "${target.location}" in the configuration`);
  const { role, packageId } = classifyKey(target.key);
  if (role !== 'copy' || !packageId)
    throw new RebuildError('not-a-package', `${where} is not named like a package`);
  if (await deps.catalog.getPackage(packageId)) {
    throw new RebuildError('not-an-orphan', `${where}: package ${packageId} is in the catalog already`);
  }
  const head = await location.driver.head(target.key);
  if (!head) throw new NotFoundError(`[adopt] ${where} does not exist`);
  const read = await readPackageFromStorage(location.driver, target.key, head.size, packageId);
  const { found, logs } = await findCopies(deps, packageId);
  const logged = await readEventLogs(deps, logs);
  const draft = catalogRows(read, found, logged, { policy: [] });
  const at = deps.now();
  const result: AdoptResult = { packageId, copies: [] };
  const verified: FoundCopy[] = [];
  const events: EventRecord[] = [];
  for (const copy of found) {
    const record = draft.copies.find((c) => c.location === copy.location) as CopyRecord;
    const check = await verifyCopy(deps.locations.get(copy.location) as Location, record, read.files);
    const problems = check.problems.map((p) => `${p.rule}: ${p.message}`);
    result.copies.push({
      location: copy.location,
      key: copy.key,
      status: check.status === 'verified' ? 'verified' : 'failed',
      problems,
    });
    if (check.status !== 'verified') continue;
    verified.push(copy);
    events.push({
      id: `${packageId}-fixity-check-${copy.location}-${at.getTime()}`,
      packageId,
      type: 'fixity check',
      at,
      outcome: 'success',
      detail: `adopted from the unknown objects by ${target.by} (${target.reason}): ${check.bytes} bytes and ${check.filesVerified} file(s) verified`,
      agent: deps.agentId,
      object: `${copy.location}:${copy.key}`,
    });
  }
  if (!verified.some((c) => c.location === target.location && c.key === target.key)) {
    const problems = result.copies.find((c) => c.location === target.location)?.problems ?? [];
    throw new RebuildError(
      'adopt-not-verified',
      `${where} failed verification, not adopted: ${problems.join('; ')}`,
    );
  }
  const earlier = await deps.catalog.latestPackageForSource(read.sourceKind, read.sourceKey);
  const predecessorId = earlier && earlier.createdAt < read.createdAt ? earlier.id : undefined;
  const policy = deps.policyFor(read.profile) ?? verified.map((c) => c.location);
  const rows = catalogRows(read, verified, [...logged, ...events], {
    policy,
    ...(predecessorId ? { predecessorId } : {}),
  });
  await deps.catalog.addPackage(rows.pkg, read.files, rows.events, rows.copies);
  for (const object of besideObjects(packageId, verified, logs, at))
    await deps.catalog.addStoredObject(object);
  deps.logger.info(
    { packageId, copies: verified.map((c) => c.location), by: target.by },
    'orphan package adopted',
  );
  return result;
}

/** Every location's copy of the package (the newest copy key there) and the event logs beside it. */
async function findCopies(deps: AdoptDeps, packageId: string) {
  const found: FoundCopy[] = [];
  const logs: { location: string; key: string; mtime?: Date }[] = [];
  for (const location of deps.locations.values()) {
    const copies: string[] = [];
    for await (const object of location.driver.list(`packages/${packageId}/`)) {
      const { role } = classifyKey(object.key);
      if (role === 'copy') copies.push(object.key);
      if (role === 'event-log')
        logs.push({
          location: location.name,
          key: object.key,
          ...(object.mtime ? { mtime: object.mtime } : {}),
        });
    }
    const key = newestCopyKey(copies);
    const head = key ? await location.driver.head(key) : null;
    if (key && head)
      found.push({ location: location.name, key, head, others: copies.filter((k) => k !== key) });
  }
  return { found, logs };
}

async function readEventLogs(
  deps: AdoptDeps,
  logs: { location: string; key: string }[],
): Promise<EventRecord[]> {
  const out: EventRecord[] = [];
  for (const log of logs) {
    const chunks: Buffer[] = [];
    const driver = (deps.locations.get(log.location) as Location).driver;
    for await (const chunk of await driver.get(log.key)) chunks.push(chunk as Buffer);
    const where = `${log.location}:${log.key}`;
    out.push(...readPremisEvents(premisRoot(Buffer.concat(chunks).toString('utf8'), where), where));
  }
  return out;
}
