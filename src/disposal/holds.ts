/** Legal holds: placed on a package (every version of its record) or a query, released by a named person. */
import { randomUUID } from 'node:crypto';
import type { DisposalCatalog, HoldQuery, HoldRecord, RecordCatalog } from '../catalog/types.js';
import { NotFoundError, ValidationError } from '../errors.js';
import type { PackageRecord } from '../model/package.js';
import { queryCovers } from './rules.js';

export interface HoldDeps {
  catalog: DisposalCatalog & Pick<RecordCatalog, 'getPackage'>;
  now: () => Date;
}

export interface HoldRequest {
  packageId?: string;
  query?: HoldQuery;
  by: string;
  reason: string;
}

function requirePerson(by: string, reason: string, what: string): void {
  if (by.trim() === '' || reason.trim() === '')
    throw new ValidationError('hold-decision', `[hold] ${what} needs --by <who> and --reason <why>`);
}

/** Places a hold. Refuses an unknown package, a query with no field, or both or neither given. */
export async function placeHold(deps: HoldDeps, request: HoldRequest): Promise<HoldRecord> {
  requirePerson(request.by, request.reason, 'a hold');
  const query =
    request.query && Object.values(request.query).some((v) => v !== undefined) ? request.query : undefined;
  if ((request.packageId === undefined) === (query === undefined))
    throw new ValidationError(
      'hold-target',
      '[hold] name one package (<id>) or a query (--classification, --identifier, --record-type), not both',
    );
  if (request.packageId !== undefined && !(await deps.catalog.getPackage(request.packageId)))
    throw new NotFoundError(`[hold] package "${request.packageId}" does not exist`);
  const at = deps.now();
  const hold: HoldRecord = {
    id: `hold-${at.toISOString().slice(0, 10)}-${randomUUID().slice(0, 8)}`,
    ...(request.packageId !== undefined ? { packageId: request.packageId } : {}),
    ...(query ? { query } : {}),
    reason: request.reason,
    placedBy: request.by,
    placedAt: at,
  };
  await deps.catalog.addHold(hold);
  return hold;
}

export async function releaseHold(
  deps: HoldDeps,
  id: string,
  release: { by: string; reason: string },
): Promise<HoldRecord> {
  requirePerson(release.by, release.reason, 'a release');
  return deps.catalog.releaseHold(id, { ...release, at: deps.now() });
}

/** The active holds that cover a record, given every version of it (newest first). */
export function holdsCovering(
  active: readonly HoldRecord[],
  versions: readonly PackageRecord[],
): HoldRecord[] {
  const ids = new Set(versions.map((p) => p.id));
  return active.filter(
    (hold) =>
      (hold.packageId !== undefined && ids.has(hold.packageId)) ||
      (hold.query !== undefined && versions.some((p) => queryCovers(hold.query as HoldQuery, p.metadata))),
  );
}

/** A hold in one line, for plans, certificates and `hold list`. */
export function describeHold(hold: HoldRecord): string {
  const target = hold.packageId ?? JSON.stringify(hold.query);
  return `${hold.id} on ${target} by ${hold.placedBy}: ${hold.reason}`;
}
