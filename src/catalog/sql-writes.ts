/**
 * Writes of package rows, files, events and copies, each checked here first (sizes, dates, owner) so that a bad
 * value is named in the message. Shared by addPackage and the single writes of sql-records.ts.
 */
import { CatalogError } from './errors.js';
import { checkSize, toIso, toIsoOrNull } from './rows.js';
import type { SqlColumns, SqlContext, SqlSession, SqlValue } from './sql-adapter.js';
import type { CopyRecord, EventRecord, FileRecord, PackageRecord } from './types.js';

const INSERT_PACKAGE = `INSERT INTO packages (id, label, profile, source_kind, source_key, content_digest, size,
  sha256, file_count, state, created_at, archived_at, predecessor_id, metadata_json)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

const FILE_COLUMNS: SqlColumns = {
  package_id: 'text',
  path: 'text',
  entry_path: 'text',
  size: 'bigint',
  sha256: 'text',
  mime_type: 'text',
  modified_at: 'text',
  format_puid: 'text',
  format_name: 'text',
  format_version: 'text',
  format_basis: 'text',
};

const INSERT_EVENT = `INSERT INTO events (id, package_id, type, at, outcome, detail, agent, object, run_id)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`;

const UPSERT_COPY = `INSERT INTO copies (package_id, location, key, size, sha256, version_id, stored_at, status,
    last_verified_at, last_checked_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (package_id, location) DO UPDATE SET key = excluded.key, size = excluded.size,
    sha256 = excluded.sha256, version_id = excluded.version_id, stored_at = excluded.stored_at,
    status = excluded.status, last_verified_at = excluded.last_verified_at,
    last_checked_at = excluded.last_checked_at`;

/** Files of a streamed list inserted at a time. */
const FILE_BATCH = 1000;

/** The package's row, its sizes and dates checked. */
function packageValues(pkg: PackageRecord): SqlValue[] {
  const what = `package "${pkg.id}"`;
  return [
    pkg.id,
    pkg.label,
    pkg.profile,
    pkg.sourceKind,
    pkg.sourceKey,
    pkg.contentDigest,
    checkSize(pkg.size, `${what} size`),
    pkg.sha256,
    checkSize(pkg.fileCount, `${what} fileCount`),
    pkg.state,
    toIso(pkg.createdAt, `${what} createdAt`),
    toIsoOrNull(pkg.archivedAt, `${what} archivedAt`),
    pkg.predecessorId ?? null,
    JSON.stringify(pkg.metadata),
  ];
}

/** Hands `insert` the files a batch at a time: a list at once, a stream (a large record's, from disk) in batches. */
async function inBatches(
  files: FileRecord[] | AsyncIterable<FileRecord>,
  insert: (batch: FileRecord[]) => Promise<void>,
): Promise<void> {
  if (Array.isArray(files)) return insert(files);
  let batch: FileRecord[] = [];
  for await (const file of files) {
    batch.push(file);
    if (batch.length >= FILE_BATCH) {
      await insert(batch);
      batch = [];
    }
  }
  await insert(batch);
}

/** The writers of records, for one catalog. */
export function createWriters({ guard, context }: SqlContext) {
  function checkOwner(pkgId: string, kind: string, name: string, owner: string): void {
    if (owner !== pkgId) {
      throw new CatalogError(
        `${context} cannot add package "${pkgId}": ${kind} "${name}" belongs to package "${owner}"`,
        { unrecoverable: true },
      );
    }
  }

  /** The files as rows, checked: each belongs to `pkg`, paths are unique, sizes and dates valid. */
  function fileRows(pkg: PackageRecord, files: FileRecord[], seen: Set<string>): SqlValue[][] {
    return files.map((file) => {
      const what = `file "${file.path}" of package "${file.packageId}"`;
      checkOwner(pkg.id, 'file', file.path, file.packageId);
      if (seen.has(file.path)) {
        throw new CatalogError(
          `${context} cannot add file "${file.path}" to package "${pkg.id}": it already exists`,
          { unrecoverable: true },
        );
      }
      seen.add(file.path);
      return [
        pkg.id,
        file.path,
        file.entryPath,
        checkSize(file.size, `${what} size`),
        file.sha256,
        file.mimeType,
        toIso(file.modifiedAt, `${what} modifiedAt`),
        file.format?.puid ?? null,
        file.format?.name ?? null,
        file.format?.version ?? null,
        file.format?.basis ?? null,
      ];
    });
  }

  async function insertEvent(session: SqlSession, event: EventRecord, action: string): Promise<void> {
    const at = toIso(event.at, `event "${event.id}" at`);
    await guard(action, `package "${event.packageId}"`, () =>
      session.query(INSERT_EVENT, [
        event.id,
        event.packageId,
        event.type,
        at,
        event.outcome,
        event.detail,
        event.agent,
        event.object ?? null,
        event.runId ?? null,
      ]),
    );
  }

  async function upsertCopy(session: SqlSession, copy: CopyRecord): Promise<void> {
    const what = `copy of package "${copy.packageId}" at location "${copy.location}"`;
    await guard(`store ${what}`, `package "${copy.packageId}"`, () =>
      session.query(UPSERT_COPY, [
        copy.packageId,
        copy.location,
        copy.key,
        checkSize(copy.size, `${what} size`),
        copy.sha256,
        copy.versionId ?? null,
        toIso(copy.storedAt, `${what} storedAt`),
        copy.status,
        toIsoOrNull(copy.lastVerifiedAt, `${what} lastVerifiedAt`),
        toIsoOrNull(copy.lastCheckedAt, `${what} lastCheckedAt`),
      ]),
    );
  }

  /** The package, its files, events and copies, in the transaction `tx`. */
  async function insertPackage(
    tx: SqlSession,
    pkg: PackageRecord,
    files: FileRecord[] | AsyncIterable<FileRecord>,
    events: EventRecord[],
    copies: CopyRecord[],
  ): Promise<void> {
    const what = `package "${pkg.id}"`;
    const seen = new Set<string>();
    // Rows are made and checked a batch at a time: a list streamed from disk (a large record's) is never held whole.
    const insertFiles = async (batch: FileRecord[]) => {
      const rows = fileRows(pkg, batch, seen);
      await guard(`add ${rows.length} file(s) to ${what}`, what, () =>
        tx.insertRows('files', FILE_COLUMNS, rows),
      );
    };
    await guard(`add ${what}`, `predecessor package "${pkg.predecessorId}"`, () =>
      tx.query(INSERT_PACKAGE, packageValues(pkg)),
    );
    await inBatches(files, insertFiles);
    for (const event of events) {
      checkOwner(pkg.id, 'event', event.id, event.packageId);
      await insertEvent(tx, event, `add event "${event.id}" to ${what}`);
    }
    for (const copy of copies) {
      checkOwner(pkg.id, 'copy', copy.location, copy.packageId);
      await upsertCopy(tx, copy);
    }
  }

  return { insertPackage, insertEvent, upsertCopy };
}
