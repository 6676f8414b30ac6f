/**
 * SQLite catalog: package contents (files), stored copies and PREMIS events.
 * Each write names the package (and file, copy or event) it concerns in its error messages.
 */
import { NotFoundError } from '../errors.js';
import { CatalogError } from './errors.js';
import {
  type CopyRow,
  checkSize,
  type EventRow,
  type FileRow,
  toCopyRecord,
  toEventRecord,
  toFileRecord,
  toIso,
  toIsoOrNull,
} from './rows.js';
import type { SqliteContext } from './sqlite.js';
import type {
  Catalog,
  CopyCheckRecord,
  CopyRecord,
  EventRecord,
  FileRecord,
  PackageRecord,
} from './types.js';

type RecordMethods = Pick<
  Catalog,
  'addPackage' | 'listFiles' | 'putCopy' | 'listCopies' | 'recordCopyChecks' | 'addEvent' | 'listEvents'
>;

/** The methods of the SQLite catalog that read and write files, copies and events. */
export function createSqliteRecords(ctx: SqliteContext): RecordMethods {
  const { sql, guard } = ctx;

  function insertPackage(pkg: PackageRecord): void {
    const what = `package "${pkg.id}"`;
    sql(
      `INSERT INTO packages (id, label, profile, source_kind, source_key, content_digest, size, sha256,
         file_count, state, created_at, archived_at, predecessor_id, metadata_json)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
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
    );
  }

  function insertFile(file: FileRecord): void {
    const what = `file "${file.path}" of package "${file.packageId}"`;
    sql(
      `INSERT INTO files (package_id, path, entry_path, size, sha256, mime_type, modified_at,
         format_puid, format_name, format_version, format_basis)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      file.packageId,
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
    );
  }

  function insertEvent(event: EventRecord): void {
    sql(
      `INSERT INTO events (id, package_id, type, at, outcome, detail, agent, object, run_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      event.id,
      event.packageId,
      event.type,
      toIso(event.at, `event "${event.id}" at`),
      event.outcome,
      event.detail,
      event.agent,
      event.object ?? null,
      event.runId ?? null,
    );
  }

  function checkOwner(pkgId: string, kind: string, name: string, owner: string): void {
    if (owner !== pkgId) {
      throw new CatalogError(
        `[catalog:sqlite] cannot add package "${pkgId}": ${kind} "${name}" belongs to package "${owner}"`,
        { unrecoverable: true },
      );
    }
  }

  function upsertCopy(copy: CopyRecord): void {
    const what = `copy of package "${copy.packageId}" at location "${copy.location}"`;
    guard(`store ${what}`, `package "${copy.packageId}"`, () => {
      sql(
        `INSERT INTO copies (package_id, location, key, size, sha256, version_id, stored_at, status,
           last_verified_at, last_checked_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (package_id, location) DO UPDATE SET key = excluded.key, size = excluded.size,
           sha256 = excluded.sha256, version_id = excluded.version_id, stored_at = excluded.stored_at,
           status = excluded.status, last_verified_at = excluded.last_verified_at,
           last_checked_at = excluded.last_checked_at`,
      ).run(
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
      );
    });
  }

  const addPackage = ctx.db.transaction(
    (pkg: PackageRecord, files: FileRecord[], events: EventRecord[], copies: CopyRecord[]) => {
      const predecessor = `predecessor package "${pkg.predecessorId}"`;
      guard(`add package "${pkg.id}"`, predecessor, () => insertPackage(pkg));
      for (const file of files) {
        checkOwner(pkg.id, 'file', file.path, file.packageId);
        guard(`add file "${file.path}" to package "${pkg.id}"`, `package "${pkg.id}"`, () =>
          insertFile(file),
        );
      }
      for (const event of events) {
        checkOwner(pkg.id, 'event', event.id, event.packageId);
        guard(`add event "${event.id}" to package "${pkg.id}"`, `package "${pkg.id}"`, () =>
          insertEvent(event),
        );
      }
      for (const copy of copies) {
        checkOwner(pkg.id, 'copy', copy.location, copy.packageId);
        upsertCopy(copy);
      }
    },
  );

  const recordChecks = ctx.db.transaction((checks: CopyCheckRecord[]) => {
    for (const { packageId, location, status, at, event } of checks) {
      const what = `copy of package "${packageId}" at location "${location}"`;
      const iso = toIso(at, `check of ${what}`);
      const result =
        status === 'verified'
          ? sql(
              `UPDATE copies SET status = ?, last_checked_at = ?, last_verified_at = ?
               WHERE package_id = ? AND location = ?`,
            ).run(status, iso, iso, packageId, location)
          : sql(
              'UPDATE copies SET status = ?, last_checked_at = ? WHERE package_id = ? AND location = ?',
            ).run(status, iso, packageId, location);
      if (result.changes === 0) {
        throw new NotFoundError(`[catalog:sqlite] cannot record check: ${what} does not exist`);
      }
      if (event) insertEvent(event);
    }
  });

  return {
    async addPackage(pkg, files, events, copies = []) {
      guard(`add package "${pkg.id}"`, `package "${pkg.id}"`, () =>
        addPackage.immediate(pkg, files, events, copies),
      );
    },

    async listFiles(packageId) {
      return guard(`list files of package "${packageId}"`, `package "${packageId}"`, () => {
        const rows = sql('SELECT * FROM files WHERE package_id = ? ORDER BY path').all(
          packageId,
        ) as FileRow[];
        return rows.map(toFileRecord);
      });
    },

    async putCopy(copy: CopyRecord) {
      upsertCopy(copy);
    },

    async listCopies(filter = {}) {
      return guard('list copies', 'a package', () => {
        const rows = sql(
          `SELECT * FROM copies
           WHERE (@packageId IS NULL OR package_id = @packageId) AND (@location IS NULL OR location = @location)
           ORDER BY package_id, location`,
        ).all({ packageId: filter.packageId ?? null, location: filter.location ?? null }) as CopyRow[];
        return rows.map(toCopyRecord);
      });
    },

    async recordCopyChecks(checks) {
      const first = checks[0];
      guard(`record ${checks.length} copy check(s)`, `package "${first?.packageId}"`, () =>
        recordChecks.immediate(checks),
      );
    },

    async addEvent(event) {
      guard(`add event "${event.id}"`, `package "${event.packageId}"`, () => insertEvent(event));
    },

    async listEvents(packageId) {
      return guard(`list events of package "${packageId}"`, `package "${packageId}"`, () => {
        const rows = sql('SELECT * FROM events WHERE package_id = ? ORDER BY at, rowid').all(
          packageId,
        ) as EventRow[];
        return rows.map(toEventRecord);
      });
    },
  };
}
