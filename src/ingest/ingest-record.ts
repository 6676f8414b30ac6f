import { readSpilledFiles, removeSpill } from './file-spill.js';
import type { Catalog } from '../catalog/types.js';
import type { CopyRecord, EventRecord, PackageRecord } from '../model/package.js';
import type { Logger } from '../logger.js';
import type { SoftwareAgent } from '../metadata/types.js';
import { newPackageId } from '../package/package-id.js';
import { sameDescription, withArchivalDescription } from '../package/archival-description.js';
import type { PackageHeader, Profile } from '../package/profile.js';
import type { SourceRecord } from '../sources/types.js';
import { packageKey } from '../storage/keys.js';
import type { PackageWriter, WrittenPackage } from './package-writer.js';
import type { MissingCopy } from './store-copies.js';
import { createEvent, softwareAgentId } from '../metadata/events.js';

export interface IngestDeps {
  catalog: Catalog;
  logger: Logger;
  agent: SoftwareAgent;
  now: () => Date;
  /** Packages and stores (inline or on worker threads); the catalog stays on this thread. */
  writer: PackageWriter;
}

export interface IngestRecordInput {
  record: SourceRecord;
  profile: Profile;
  /** Names of the locations that must each hold a verified copy (the copy policy). */
  copies: string[];
  runId: string;
  onSourceBytes?: (bytes: number) => void;
  signal?: AbortSignal;
  /** The package id reserved for this record before any byte is stored (worker state machine); default: a new one. */
  packageId?: string;
}

export type IngestRecordOutcome =
  | { status: 'archived'; packageId: string; size: number; fileCount: number; predecessorId?: string }
  | { status: 'unchanged'; packageId: string }
  /** Some copies are stored and verified, others are missing: the package waits for a later run. */
  | {
      status: 'waiting';
      packageId: string;
      size?: number;
      fileCount?: number;
      predecessorId?: string;
      missing: MissingCopy[];
    };

/**
 * Ingests one record: package it in one pass while writing every copy, read each copy back and compare its
 * digest, then record the package as archived. The source is never modified.
 * When some locations fail but at least one copy is verified, the package is recorded as `stored` (waiting) with
 * the copies it has, and a later run completes it from a verified copy (`completeWaitingPackages`).
 * Throws when nothing could be stored, after removing what was written; the catalog then holds nothing of it.
 */
export async function ingestRecord(deps: IngestDeps, input: IngestRecordInput): Promise<IngestRecordOutcome> {
  const { catalog, agent, now } = deps;
  const { profile, runId } = input;
  const record = describedRecord(input.record, profile.header);
  const previous = await catalog.latestPackageForSource(record.kind, record.key);
  const unchanged = previous && (await isUnchanged(catalog, previous, input.record, profile.header));
  if (previous && previous.state !== 'failed' && unchanged) {
    if (previous.state === 'archived') return { status: 'unchanged', packageId: previous.id };
    const have = new Set((await catalog.listCopies({ packageId: previous.id })).map((c) => c.location));
    const missing = input.copies
      .filter((name) => !have.has(name))
      .map((location) => ({ location, code: 'E_WAITING', message: 'copy not yet written' }));
    return { status: 'waiting', packageId: previous.id, missing };
  }

  const packageId = input.packageId ?? newPackageId(now());
  const logger = deps.logger.child({ record: record.key, packageId });
  const { built, stored, missing } = await deps.writer.write(
    { record, profile, packageId, agent, runId, copies: input.copies, startedAt: now() },
    input.onSourceBytes,
    input.signal,
  );
  logger.debug(
    { size: built.size, sha256: built.sha256, copies: stored.length },
    'package written and verified',
  );

  const storedAt = now();
  const { pkg, copies, events } = packageRows({
    packageId,
    record,
    profileName: profile.name,
    built,
    stored,
    missing,
    previousId: previous?.id,
    agentId: softwareAgentId(agent),
    runId,
    storedAt,
  });
  // The package enters the catalog with its verified copies in one transaction: archived when every copy the
  // policy asks for is there, otherwise stored and waiting for the missing ones. `relaxed`: the record's
  // `archived`, committed durably next, makes it durable before the source is touched; lost with the power
  // before that, the record is still `packaged` under this id, and its next attempt removes what was stored.
  try {
    await catalog.addPackage(
      pkg,
      built.filesSpill ? readSpilledFiles(built.filesSpill) : built.files,
      events,
      copies,
      'relaxed',
    );
  } finally {
    if (built.filesSpill) removeSpill(built.filesSpill);
  }
  if (missing.length > 0) {
    logger.warn(
      { copies: stored.map((c) => c.location), missing: missing.map((m) => `${m.location}: ${m.message}`) },
      'record stored, waiting for missing copies',
    );
    return {
      status: 'waiting',
      packageId,
      size: built.size,
      fileCount: built.fileCount,
      predecessorId: previous?.id,
      missing,
    };
  }
  logger.info(
    { size: built.size, files: built.fileCount, copies: stored.map((c) => c.location) },
    'record archived',
  );
  return {
    status: 'archived',
    packageId,
    size: built.size,
    fileCount: built.fileCount,
    predecessorId: previous?.id,
  };
}

interface RowsInput {
  packageId: string;
  record: SourceRecord;
  profileName: string;
  built: WrittenPackage['built'];
  stored: WrittenPackage['stored'];
  missing: WrittenPackage['missing'];
  previousId: string | undefined;
  agentId: string;
  runId: string | undefined;
  storedAt: Date;
}

/** The catalog's rows of a package just written: the package, its verified copies, and their events. */
function packageRows(input: RowsInput): { pkg: PackageRecord; copies: CopyRecord[]; events: EventRecord[] } {
  const { packageId, record, built, stored, missing, previousId, agentId, runId, storedAt } = input;
  const key = packageKey(packageId);
  const pkg: PackageRecord = {
    id: packageId,
    label: record.metadata.title,
    profile: input.profileName,
    sourceKind: record.kind,
    sourceKey: record.key,
    contentDigest: built.contentDigest,
    size: built.size,
    sha256: built.sha256,
    fileCount: built.fileCount,
    state: missing.length === 0 ? 'archived' : 'stored',
    createdAt: built.description.createdAt,
    archivedAt: missing.length === 0 ? storedAt : undefined,
    predecessorId: previousId,
    metadata: record.metadata,
  };
  const copyEvents: EventRecord[] = stored.map((copy) =>
    createEvent({
      type: 'fixity check',
      packageId,
      at: storedAt,
      detail: `copy read back after writing; ${built.size} bytes, SHA-256 ${built.sha256} as written`,
      agent: agentId,
      object: `${copy.location}:${key}`,
      runId,
    }),
  );
  const copies: CopyRecord[] = stored.map((copy) => ({
    packageId,
    location: copy.location,
    key,
    size: built.size,
    sha256: built.sha256,
    versionId: copy.object.versionId,
    storedAt,
    status: 'verified',
    lastVerifiedAt: storedAt,
    lastCheckedAt: storedAt,
  }));
  const missingEvents: EventRecord[] = missing.map((copy) =>
    createEvent({
      type: 'replication',
      packageId,
      at: storedAt,
      outcome: 'failure',
      detail: `copy to location "${copy.location}" not stored (${copy.code}): ${copy.message}; a later run completes it`,
      agent: agentId,
      object: `${copy.location}:${key}`,
      runId,
    }),
  );
  return { pkg, copies, events: [...built.description.events, ...copyEvents, ...missingEvents] };
}

/**
 * The record with the archive creator and classification its package is described with (the config's archive
 * creator when the record names none): what the METS says and what the catalog records.
 */
function describedRecord(record: SourceRecord, header: PackageHeader | undefined): SourceRecord {
  return { ...record, metadata: withArchivalDescription(record.metadata, header) };
}

/**
 * The record is the one its last archived package was made from (see `isUnchanged`): a run can skip it without
 * reading anything, and it does not count against a job's limits.
 */
export async function unchangedSinceLastPackage(
  catalog: Catalog,
  record: SourceRecord,
  header: PackageHeader | undefined,
): Promise<boolean> {
  const previous = await catalog.latestPackageForSource(record.kind, record.key);
  return previous?.state === 'archived' && (await isUnchanged(catalog, previous, record, header));
}

/**
 * Unchanged means: the same file paths with the same sizes and modification times, and the same descriptive
 * metadata, as the package last archived for this record. Decided without reading any file's content.
 */
async function isUnchanged(
  catalog: Catalog,
  previous: PackageRecord,
  record: SourceRecord,
  header: PackageHeader | undefined,
): Promise<boolean> {
  const known = new Map((await catalog.listFiles(previous.id)).map((f) => [f.path, f]));
  const current = [...record.files.map((f) => ({ path: f.path, size: f.size, modifiedAt: f.modifiedAt }))];
  for (const producerFile of record.metadataFiles) {
    current.push({
      path: producerFile.name,
      size: producerFile.bytes.length,
      modifiedAt: producerFile.modifiedAt,
    });
  }
  if (known.size !== current.length) return false;
  const same = current.every((f) => {
    const k = known.get(f.path);
    return k !== undefined && k.size === f.size && k.modifiedAt.getTime() === f.modifiedAt.getTime();
  });
  return same && sameDescription(previous.metadata, record.metadata, header);
}
