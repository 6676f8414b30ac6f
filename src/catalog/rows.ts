/**
 * Conversion between catalog records and table rows: Dates as ISO 8601 UTC text (millisecond precision),
 * objects as JSON text, optional fields as NULL. Rows read back turn NULL into an absent property.
 * Shared by every SQL implementation of the catalog; knows no driver.
 */

import { CatalogError } from './errors.js';
import type {
  CopyRecord,
  CopyStatus,
  EventRecord,
  FileRecord,
  JobRecord,
  JobRecordState,
  PackageRecord,
  PackageState,
  RecordState,
  RunItem,
  RunKind,
  RunRecord,
  RunStatus,
  StoredObjectRecord,
} from './types.js';

/** Largest size accepted: every integer up to 2^53 is exact as a JS number and fits a 64-bit column. */
export const MAX_SIZE = 2 ** 53;

export interface PackageRow {
  id: string;
  label: string;
  profile: string;
  source_kind: string;
  source_key: string;
  content_digest: string;
  size: number;
  sha256: string;
  file_count: number;
  state: string;
  created_at: string;
  archived_at: string | null;
  predecessor_id: string | null;
  metadata_json: string;
}

export interface FileRow {
  package_id: string;
  path: string;
  entry_path: string;
  size: number;
  sha256: string;
  mime_type: string;
  modified_at: string;
  format_puid: string | null;
  format_name: string | null;
  format_version: string | null;
  format_basis: string | null;
}

export interface CopyRow {
  package_id: string;
  location: string;
  key: string;
  size: number;
  sha256: string;
  version_id: string | null;
  stored_at: string;
  status: string;
  last_verified_at: string | null;
  last_checked_at: string | null;
}

export interface EventRow {
  id: string;
  package_id: string;
  type: string;
  at: string;
  outcome: string;
  detail: string;
  agent: string;
  object: string | null;
  run_id: string | null;
}

export interface RunRow {
  id: string;
  kind: string;
  started_at: string;
  finished_at: string | null;
  status: string;
  params_json: string;
  summary_json: string | null;
  reports_json: string | null;
}

export interface RunItemRow {
  run_id: string;
  seq: number;
  subject: string;
  package_id: string | null;
  status: string;
  message: string | null;
  details_json: string | null;
}

/** Date -> ISO 8601 UTC text. Throws `CatalogError` naming `field` for an invalid Date. */
export function toIso(date: Date, field: string): string {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) {
    throw new CatalogError(`[catalog] ${field}: not a valid date: ${String(date)}`, { unrecoverable: true });
  }
  return date.toISOString();
}

export function toIsoOrNull(date: Date | undefined, field: string): string | null {
  return date === undefined ? null : toIso(date, field);
}

/** Checks that a byte size or count is a non-negative integer that round-trips exactly. */
export function checkSize(value: number, field: string): number {
  if (!Number.isInteger(value) || value < 0 || value > MAX_SIZE) {
    throw new CatalogError(`[catalog] ${field}: must be an integer from 0 to 2^53, got ${value}`, {
      unrecoverable: true,
    });
  }
  return value;
}

/** Checks an optional list limit: a positive integer. `context` names the listing, e.g. "list runs". */
export function checkLimit(limit: number | undefined, context: string): void {
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
    throw new CatalogError(`[catalog] ${context}: limit must be a positive integer, got ${limit}`, {
      unrecoverable: true,
    });
  }
}

/** Checks a page offset: a non-negative integer. */
export function checkOffset(offset: number, context: string): void {
  if (!Number.isInteger(offset) || offset < 0) {
    throw new CatalogError(`[catalog] ${context}: offset must be a non-negative integer, got ${offset}`, {
      unrecoverable: true,
    });
  }
}

export function jsonOrNull(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

/** Copies `value` into `target[key]` unless it is NULL, so optional fields stay absent. */
function setOptional<T, K extends keyof T>(target: T, key: K, value: T[K] | null): void {
  if (value !== null && value !== undefined) target[key] = value;
}

function optionalDate(text: string | null): Date | null {
  return text === null ? null : new Date(text);
}

function optionalJson<T>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}

export function toPackageRecord(row: PackageRow): PackageRecord {
  const pkg: PackageRecord = {
    id: row.id,
    label: row.label,
    profile: row.profile,
    sourceKind: row.source_kind,
    sourceKey: row.source_key,
    contentDigest: row.content_digest,
    size: row.size,
    sha256: row.sha256,
    fileCount: row.file_count,
    state: row.state as PackageState,
    createdAt: new Date(row.created_at),
    metadata: JSON.parse(row.metadata_json) as PackageRecord['metadata'],
  };
  setOptional(pkg, 'archivedAt', optionalDate(row.archived_at));
  setOptional(pkg, 'predecessorId', row.predecessor_id);
  return pkg;
}

export function toFileRecord(row: FileRow): FileRecord {
  return {
    packageId: row.package_id,
    path: row.path,
    entryPath: row.entry_path,
    size: row.size,
    sha256: row.sha256,
    mimeType: row.mime_type,
    ...(row.format_basis !== null
      ? {
          format: {
            basis: row.format_basis,
            ...(row.format_puid !== null ? { puid: row.format_puid } : {}),
            ...(row.format_name !== null ? { name: row.format_name } : {}),
            ...(row.format_version !== null ? { version: row.format_version } : {}),
          },
        }
      : {}),
    modifiedAt: new Date(row.modified_at),
  };
}

export function toCopyRecord(row: CopyRow): CopyRecord {
  const copy: CopyRecord = {
    packageId: row.package_id,
    location: row.location,
    key: row.key,
    size: row.size,
    sha256: row.sha256,
    storedAt: new Date(row.stored_at),
    status: row.status as CopyStatus,
  };
  setOptional(copy, 'versionId', row.version_id);
  setOptional(copy, 'lastVerifiedAt', optionalDate(row.last_verified_at));
  setOptional(copy, 'lastCheckedAt', optionalDate(row.last_checked_at));
  return copy;
}

export function toEventRecord(row: EventRow): EventRecord {
  const event: EventRecord = {
    id: row.id,
    packageId: row.package_id,
    type: row.type,
    at: new Date(row.at),
    outcome: row.outcome as EventRecord['outcome'],
    detail: row.detail,
    agent: row.agent,
  };
  setOptional(event, 'object', row.object);
  setOptional(event, 'runId', row.run_id);
  return event;
}

export function toRunRecord(row: RunRow): RunRecord {
  const run: RunRecord = {
    id: row.id,
    kind: row.kind as RunKind,
    startedAt: new Date(row.started_at),
    status: row.status as RunStatus,
    params: JSON.parse(row.params_json) as Record<string, unknown>,
  };
  setOptional(run, 'finishedAt', optionalDate(row.finished_at));
  setOptional(run, 'summary', optionalJson<Record<string, unknown>>(row.summary_json));
  setOptional(run, 'reports', optionalJson<string[]>(row.reports_json));
  return run;
}

export function toRunItem(row: RunItemRow): RunItem {
  const item: RunItem = { runId: row.run_id, subject: row.subject, status: row.status as RunItem['status'] };
  setOptional(item, 'packageId', row.package_id);
  setOptional(item, 'message', row.message);
  setOptional(item, 'details', optionalJson<Record<string, unknown>>(row.details_json));
  return item;
}

export interface StoredObjectRow {
  location: string;
  key: string;
  kind: string;
  package_id: string | null;
  stored_at: string;
}

export function toStoredObject(row: StoredObjectRow): StoredObjectRecord {
  return {
    location: row.location,
    key: row.key,
    kind: row.kind as StoredObjectRecord['kind'],
    ...(row.package_id ? { packageId: row.package_id } : {}),
    storedAt: new Date(row.stored_at),
  };
}

export interface JobRow {
  name: string;
  definition_json: string;
  enabled: number;
  origin: string;
  created_at: string;
  updated_at: string;
}

export interface JobRecordRow {
  job: string;
  source_key: string;
  run_id: string;
  state: string;
  package_id: string | null;
  holder: string | null;
  lease_until: string | null;
  attempts: number;
  reason: string | null;
  discovered_at: string;
  updated_at: string;
}

/** What a job row keeps as JSON: everything but the columns of its own. */
export type JobDefinition = Omit<JobRecord, 'name' | 'enabled' | 'origin' | 'createdAt' | 'updatedAt'>;

export function toJobRecord(row: JobRow): JobRecord {
  const definition = JSON.parse(row.definition_json) as JobDefinition;
  return {
    name: row.name,
    ...definition,
    enabled: row.enabled !== 0,
    origin: row.origin as JobRecord['origin'],
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

export function toJobRecordState(row: JobRecordRow): JobRecordState {
  return {
    job: row.job,
    sourceKey: row.source_key,
    runId: row.run_id,
    state: row.state as RecordState,
    ...(row.package_id ? { packageId: row.package_id } : {}),
    ...(row.holder ? { holder: row.holder } : {}),
    ...(row.lease_until ? { leaseUntil: new Date(row.lease_until) } : {}),
    attempts: row.attempts,
    ...(row.reason ? { reason: row.reason } : {}),
    discoveredAt: new Date(row.discovered_at),
    updatedAt: new Date(row.updated_at),
  };
}
