/**
 * A package read from storage, made into the rows ingest would have written: the package (digest and size as
 * the locations hold them, state from the copy policy, predecessor from the record's earlier package), one copy per
 * location with its history taken from the events, and every event known (the package's PREMIS, then the event
 * logs beside it and the audit runs' logs, which also carry run ids).
 */
import type { CopyRecord, EventRecord, PackageRecord, StoredObjectRecord } from '../model/package.js';
import type { StoredObject } from '../storage/types.js';
import type { PackageFromStorage } from './read-package.js';

/** One location's copy as found: the key the catalog names and what the location says of it. */
export interface FoundCopy {
  location: string;
  key: string;
  head: StoredObject;
  /** Other copy objects of the package in that location (a damaged copy kept beside its repair). */
  others: string[];
}

export interface CatalogRows {
  pkg: PackageRecord;
  copies: CopyRecord[];
  events: EventRecord[];
  /** Copies whose location reports another size or SHA-256 than the package's (the next audit judges). */
  disagreements: string[];
}

/** The most frequent value; ties go to the first met (locations in configuration order). */
function mostCommon<T>(values: T[]): T | undefined {
  const counts = new Map<T, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: T | undefined;
  for (const [v, n] of counts) if (best === undefined || n > (counts.get(best) ?? 0)) best = v;
  return best;
}

export function mergeEvents(own: EventRecord[], logged: EventRecord[]): EventRecord[] {
  const byId = new Map(own.map((e) => [e.id, e]));
  // A log names the run and the object; the package's own PREMIS does not.
  for (const e of logged) byId.set(e.id, { ...byId.get(e.id), ...e });
  // Stable: events of the same time keep the order they were recorded in (the package's PREMIS, then the logs).
  return [...byId.values()].sort((a, b) => a.at.getTime() - b.at.getTime());
}

/** An event telling that a copy was written and read back: ingest's read-back, or a replication (repair, waiting). */
function isStoring(e: EventRecord): boolean {
  return (
    e.outcome === 'success' &&
    (e.type === 'replication' ||
      (e.type === 'fixity check' && e.detail.startsWith('copy read back after writing')))
  );
}

/** When a location first held a verified copy of the package (under any key), from the events; undefined if none. */
function firstStoredIn(location: string, events: EventRecord[]): Date | undefined {
  return events.find((e) => isStoring(e) && e.object?.startsWith(`${location}:`))?.at;
}

function copyRecord(
  found: FoundCopy,
  pkg: { id: string; size: number; sha256: string; createdAt: Date },
  events: EventRecord[],
): CopyRecord {
  const subject = `${found.location}:${found.key}`;
  const about = events.filter((e) => e.object === subject);
  const checks = about.filter((e) => e.type === 'fixity check');
  const last = checks.at(-1);
  const lastVerified = checks.filter((e) => e.outcome === 'success').at(-1);
  const copy: CopyRecord = {
    packageId: pkg.id,
    location: found.location,
    key: found.key,
    size: pkg.size,
    sha256: pkg.sha256,
    storedAt: about.find(isStoring)?.at ?? found.head.mtime ?? pkg.createdAt,
    status: !last ? 'stored' : last.outcome === 'success' ? 'verified' : 'failed',
  };
  if (found.head.versionId) copy.versionId = found.head.versionId;
  if (lastVerified) copy.lastVerifiedAt = lastVerified.at;
  if (last) copy.lastCheckedAt = last.at;
  return copy;
}

export function catalogRows(
  read: PackageFromStorage,
  found: FoundCopy[],
  logged: EventRecord[],
  context: { policy: string[]; predecessorId?: string },
): CatalogRows {
  const events = mergeEvents(read.events, logged);
  const sha256 =
    mostCommon(found.map((f) => f.head.sha256).filter((s): s is string => s !== undefined)) ?? '';
  const size = mostCommon(found.map((f) => f.head.size)) ?? 0;
  const copies = found.map((f) =>
    copyRecord(f, { id: read.id, size, sha256, createdAt: read.createdAt }, events),
  );
  const disagreements = found
    .filter((f) => f.head.size !== size || (f.head.sha256 !== undefined && f.head.sha256 !== sha256))
    .map((f) => `${f.location}:${f.key} holds ${f.head.size} bytes, SHA-256 ${f.head.sha256 ?? 'unknown'}`);
  const held = new Map(copies.map((c) => [c.location, c]));
  const archived = context.policy.every((name) => held.has(name));
  const firstHeld = (name: string) => firstStoredIn(name, events) ?? (held.get(name) as CopyRecord).storedAt;
  const archivedAt = archived
    ? new Date(Math.max(...context.policy.map((name) => firstHeld(name).getTime())))
    : undefined;
  const pkg: PackageRecord = {
    id: read.id,
    label: read.label,
    profile: read.profile,
    sourceKind: read.sourceKind,
    sourceKey: read.sourceKey,
    contentDigest: read.contentDigest,
    size,
    sha256,
    fileCount: read.fileCount,
    state: archived ? 'archived' : 'stored',
    createdAt: read.createdAt,
    metadata: read.metadata,
  };
  if (archivedAt && context.policy.length > 0) pkg.archivedAt = archivedAt;
  if (context.predecessorId) pkg.predecessorId = context.predecessorId;
  return { pkg, copies, events, disagreements };
}

/** Objects kept beside the package that the orphan listing must know: its event logs and damaged copies kept. */
export function besideObjects(
  packageId: string,
  found: FoundCopy[],
  logs: { location: string; key: string; mtime?: Date }[],
  at: Date,
): StoredObjectRecord[] {
  return [
    ...logs.map((l) => ({
      location: l.location,
      key: l.key,
      kind: 'event-log' as const,
      packageId,
      storedAt: l.mtime ?? at,
    })),
    ...found.flatMap((f) =>
      f.others.map((key) => ({
        location: f.location,
        key,
        kind: 'damaged' as const,
        packageId,
        storedAt: at,
      })),
    ),
  ];
}
