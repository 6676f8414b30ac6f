import type { Catalog } from '../catalog/types.js';
import type { CopyRecord, PackageRecord } from '../model/package.js';
import type { RunItem } from '../model/run.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import type { SoftwareAgent } from '../metadata/types.js';
import type { Location } from '../storage/index.js';
import { packageKey } from '../storage/keys.js';
import { replicateObject } from '../storage/replicate.js';
import { createEvent, softwareAgentId } from '../metadata/events.js';

export interface CompleteWaitingDeps {
  catalog: Catalog;
  logger: Logger;
  agent: SoftwareAgent;
  now: () => Date;
  locations: Map<string, Location>;
}

/**
 * Completes packages that wait for copies (state `stored`): each missing copy is replicated from a verified
 * copy, read back and checked against the catalog's digest; when the policy's copies are all there the package
 * becomes archived. Returns one run item per package tried; a package that still cannot be completed stays
 * waiting and is tried again by the next run.
 */
export async function completeWaitingPackages(
  deps: CompleteWaitingDeps,
  options: { copies: string[]; runId: string; signal?: AbortSignal },
): Promise<RunItem[]> {
  const items: RunItem[] = [];
  for (const summary of await deps.catalog.listPackages({ state: 'stored' })) {
    if (options.signal?.aborted) break;
    const pkg = await deps.catalog.getPackage(summary.id);
    if (pkg) items.push(await completePackage(deps, pkg, options));
  }
  return items;
}

async function completePackage(
  deps: CompleteWaitingDeps,
  pkg: PackageRecord,
  options: { copies: string[]; runId: string; signal?: AbortSignal },
): Promise<RunItem> {
  const { catalog, now } = deps;
  const logger = deps.logger.child({ packageId: pkg.id, record: pkg.sourceKey });
  const key = packageKey(pkg.id);
  const agentId = softwareAgentId(deps.agent);
  const verified = (await catalog.listCopies({ packageId: pkg.id })).filter((c) => c.status === 'verified');
  // A copy repaired by an audit may live under another key than the package's usual one.
  const sources = verified
    .map((c) => ({ location: deps.locations.get(c.location), key: c.key }))
    .filter((s): s is { location: Location; key: string } => s.location !== undefined);
  const missing = options.copies.filter((name) => !verified.some((c) => c.location === name));
  const added: string[] = [];
  const problems: string[] = [];
  for (const name of missing) {
    const target = deps.locations.get(name);
    if (!target) {
      problems.push(`${name}: location is not configured`);
      continue;
    }
    let lastError: unknown = new Error('no verified copy to copy from');
    for (const source of sources) {
      try {
        const object = await replicateObject(source.location, target, source.key, pkg, {
          signal: options.signal,
          targetKey: key,
        });
        const at = now();
        const copy: CopyRecord = {
          packageId: pkg.id,
          location: name,
          key,
          size: pkg.size,
          sha256: pkg.sha256,
          versionId: object.versionId,
          storedAt: at,
          status: 'verified',
          lastVerifiedAt: at,
          lastCheckedAt: at,
        };
        const event = createEvent({
          type: 'replication',
          packageId: pkg.id,
          at,
          detail: `copied from location "${source.location.name}" to "${name}" and read back: ${pkg.size} bytes, SHA-256 ${pkg.sha256}`,
          agent: agentId,
          object: `${name}:${key}`,
          runId: options.runId,
        });
        await catalog.putCopy(copy);
        await catalog.addEvent(event);
        added.push(name);
        lastError = undefined;
        break;
      } catch (err) {
        lastError = err;
        logger.warn({ from: source.location.name, to: name, err: errorMessage(err) }, 'copy not completed');
      }
    }
    if (lastError !== undefined) problems.push(`${name}: ${errorMessage(lastError)}`);
  }
  if (problems.length === 0) {
    await catalog.setPackageState(pkg.id, 'archived', now());
    logger.info({ added }, 'waiting package completed and archived');
    return {
      runId: options.runId,
      subject: pkg.sourceKey,
      packageId: pkg.id,
      status: 'ok',
      message: `archived: missing copies completed (${added.join(', ') || 'none needed'})`,
      details: { completed: added },
    };
  }
  return {
    runId: options.runId,
    subject: pkg.sourceKey,
    packageId: pkg.id,
    status: 'waiting',
    message: `waiting for copies: ${problems.join('; ')}`,
    details: { completed: added, missing: problems },
  };
}
