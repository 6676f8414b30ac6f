/**
 * PostgreSQL catalog: package contents (files), stored copies and PREMIS events.
 * A package's files go in with one statement per FILE_BATCH rows (arrays unnested server-side), after every
 * row was checked here, so a bad row is named in the message without a round trip per file.
 * Text is ordered with COLLATE "C" (byte order, as SQLite), whatever the database's collation.
 */
import { NotFoundError } from '../errors.js';
import { CatalogError } from './errors.js';
import { CONTEXT, type PgContext, type Queryable, toColumns, withNumbers } from './postgres-context.js';
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
import type { Catalog, CopyRecord, EventRecord, FileRecord, PackageRecord } from './types.js';

type RecordMethods = Pick<
  Catalog,
  'addPackage' | 'listFiles' | 'putCopy' | 'listCopies' | 'recordCopyChecks' | 'addEvent' | 'listEvents'
>;

/** Files inserted per statement by `addPackage`. */
export const FILE_BATCH = 1000;

/** Reads a copy row, with its BIGINT size as a number. */
export function copyFromRow(row: Record<string, unknown>): CopyRecord {
  return toCopyRecord(withNumbers<CopyRow>(row, ['size'], `copy of package "${String(row.package_id)}"`));
}

/** The methods of the PostgreSQL catalog that read and write files, copies and events. */
export function createPostgresRecords(ctx: PgContext): RecordMethods {
  const { guard } = ctx;

  async function insertPackage(client: Queryable, pkg: PackageRecord): Promise<void> {
    const what = `package "${pkg.id}"`;
    const values = [
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
    await guard(`add package "${pkg.id}"`, `predecessor package "${pkg.predecessorId}"`, () =>
      client.query(
        `INSERT INTO packages (id, label, profile, source_kind, source_key, content_digest, size, sha256,
           file_count, state, created_at, archived_at, predecessor_id, metadata_json)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
        values,
      ),
    );
  }

  /** The files as column arrays, checked: each belongs to `pkg`, paths are unique, sizes and dates valid. */
  function fileColumns(pkg: PackageRecord, files: FileRecord[]): unknown[][] {
    const seen = new Set<string>();
    const rows = files.map((file) => {
      const what = `file "${file.path}" of package "${file.packageId}"`;
      checkOwner(pkg.id, 'file', file.path, file.packageId);
      if (seen.has(file.path)) {
        throw new CatalogError(
          `${CONTEXT} cannot add file "${file.path}" to package "${pkg.id}": it already exists`,
          { unrecoverable: true },
        );
      }
      seen.add(file.path);
      return [
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
    return toColumns(rows, 10);
  }

  async function insertFiles(client: Queryable, pkg: PackageRecord, files: FileRecord[]): Promise<void> {
    const columns = fileColumns(pkg, files);
    for (let start = 0; start < files.length; start += FILE_BATCH) {
      const batch = columns.map((column) => column.slice(start, start + FILE_BATCH));
      await guard(`add ${batch[0]?.length} file(s) to package "${pkg.id}"`, `package "${pkg.id}"`, () =>
        client.query(
          `INSERT INTO files (package_id, path, entry_path, size, sha256, mime_type, modified_at,
             format_puid, format_name, format_version, format_basis)
           SELECT $1, * FROM unnest($2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::text[],
             $8::text[], $9::text[], $10::text[], $11::text[])`,
          [pkg.id, ...batch],
        ),
      );
    }
  }

  async function insertEvent(client: Queryable, event: EventRecord, action: string): Promise<void> {
    const at = toIso(event.at, `event "${event.id}" at`);
    await guard(action, `package "${event.packageId}"`, () =>
      client.query(
        `INSERT INTO events (id, package_id, type, at, outcome, detail, agent, object, run_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [
          event.id,
          event.packageId,
          event.type,
          at,
          event.outcome,
          event.detail,
          event.agent,
          event.object ?? null,
          event.runId ?? null,
        ],
      ),
    );
  }

  function checkOwner(pkgId: string, kind: string, name: string, owner: string): void {
    if (owner !== pkgId) {
      throw new CatalogError(
        `${CONTEXT} cannot add package "${pkgId}": ${kind} "${name}" belongs to package "${owner}"`,
        { unrecoverable: true },
      );
    }
  }

  async function upsertCopy(client: Queryable, copy: CopyRecord): Promise<void> {
    const what = `copy of package "${copy.packageId}" at location "${copy.location}"`;
    await guard(`store ${what}`, `package "${copy.packageId}"`, async () =>
      client.query(
        `INSERT INTO copies (package_id, location, key, size, sha256, version_id, stored_at, status,
           last_verified_at, last_checked_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (package_id, location) DO UPDATE SET key = excluded.key, size = excluded.size,
           sha256 = excluded.sha256, version_id = excluded.version_id, stored_at = excluded.stored_at,
           status = excluded.status, last_verified_at = excluded.last_verified_at,
           last_checked_at = excluded.last_checked_at`,
        [
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
        ],
      ),
    );
  }

  return {
    async addPackage(pkg, files, events, copies = []) {
      await guard(`add package "${pkg.id}"`, `package "${pkg.id}"`, () =>
        ctx.transaction(async (client) => {
          await insertPackage(client, pkg);
          await insertFiles(client, pkg, files);
          for (const event of events) {
            checkOwner(pkg.id, 'event', event.id, event.packageId);
            await insertEvent(client, event, `add event "${event.id}" to package "${pkg.id}"`);
          }
          for (const copy of copies) {
            checkOwner(pkg.id, 'copy', copy.location, copy.packageId);
            await upsertCopy(client, copy);
          }
        }),
      );
    },

    async listFiles(packageId) {
      return guard(`list files of package "${packageId}"`, `package "${packageId}"`, async () => {
        const rows = await ctx.query<Record<string, unknown>>(
          'SELECT * FROM files WHERE package_id = $1 ORDER BY path COLLATE "C"',
          [packageId],
        );
        return rows.map((row) =>
          toFileRecord(
            withNumbers<FileRow>(row, ['size'], `file "${String(row.path)}" of package "${packageId}"`),
          ),
        );
      });
    },

    async putCopy(copy) {
      await upsertCopy(ctx.pool, copy);
    },

    async listCopies(filter = {}) {
      return guard('list copies', 'a package', async () => {
        const rows = await ctx.query<Record<string, unknown>>(
          `SELECT * FROM copies WHERE ($1::text IS NULL OR package_id = $1) AND ($2::text IS NULL OR location = $2)
           ORDER BY package_id COLLATE "C", location COLLATE "C"`,
          [filter.packageId ?? null, filter.location ?? null],
        );
        return rows.map(copyFromRow);
      });
    },

    async recordCopyChecks(checks) {
      if (checks.length === 0) return;
      await guard(`record ${checks.length} copy check(s)`, `package "${checks[0]?.packageId}"`, () =>
        ctx.transaction(async (client) => {
          for (const { packageId, location, status, at, event } of checks) {
            const what = `copy of package "${packageId}" at location "${location}"`;
            const iso = toIso(at, `check of ${what}`);
            const result =
              status === 'verified'
                ? await client.query(
                    `UPDATE copies SET status = $1, last_checked_at = $2, last_verified_at = $2
                     WHERE package_id = $3 AND location = $4`,
                    [status, iso, packageId, location],
                  )
                : await client.query(
                    'UPDATE copies SET status = $1, last_checked_at = $2 WHERE package_id = $3 AND location = $4',
                    [status, iso, packageId, location],
                  );
            if (result.rowCount === 0) {
              throw new NotFoundError(`${CONTEXT} cannot record check: ${what} does not exist`);
            }
            if (event) await insertEvent(client, event, `add event "${event.id}" for check of ${what}`);
          }
        }),
      );
    },

    async addEvent(event) {
      await insertEvent(ctx.pool, event, `add event "${event.id}"`);
    },

    async listEvents(packageId) {
      return guard(`list events of package "${packageId}"`, `package "${packageId}"`, async () => {
        const rows = await ctx.query<EventRow>(
          'SELECT * FROM events WHERE package_id = $1 ORDER BY at, id COLLATE "C"',
          [packageId],
        );
        return rows.map(toEventRecord);
      });
    },
  };
}
