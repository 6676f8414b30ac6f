/** The SQL catalog's records: packages, their files, stored copies (and copy checks) and PREMIS events. */
import { NotFoundError } from '../errors.js';
import {
  type CopyRow,
  checkLimit,
  type EventRow,
  type FileRow,
  type PackageRow,
  toCopyRecord,
  toEventRecord,
  toFileRecord,
  toIso,
  toPackageRecord,
} from './rows.js';
import { type SelectQuery, type SqlContext, type SqlSession, select } from './sql-adapter.js';
import { createWriters } from './sql-writes.js';
import type {
  CopyCheckRecord,
  CopyStatus,
  PackageFilter,
  PackageState,
  PackageSummary,
  RecordCatalog,
} from './types.js';

type SummaryRow = Pick<PackageRow, 'id' | 'label' | 'size' | 'file_count' | 'state' | 'created_at'>;

export function createRecordSql(ctx: SqlContext): RecordCatalog {
  const { db, guard, context } = ctx;
  const newestFirst = `created_at DESC, ${db.dialect.insertionOrder} DESC`;
  const { insertPackage, insertEvent, upsertCopy } = createWriters(ctx);

  return {
    async addPackage(pkg, files, events, copies = [], durability = 'durable') {
      await guard(`add package "${pkg.id}"`, `package "${pkg.id}"`, () =>
        db.transaction((tx) => insertPackage(tx, pkg, files, events, copies), 'write', durability),
      );
    },

    async setPackageState(id, state, at) {
      const action = `set state of package "${id}" to "${state}"`;
      await guard(action, `package "${id}"`, async () => {
        const iso = toIso(at, `package "${id}" state change`);
        const { changes } =
          state === 'archived'
            ? await db.query('UPDATE packages SET state = ?, archived_at = ? WHERE id = ?', [state, iso, id])
            : await db.query('UPDATE packages SET state = ? WHERE id = ?', [state, id]);
        if (changes === 0) throw new NotFoundError(`${context} cannot ${action}: package does not exist`);
      });
    },

    async getPackage(id) {
      return guard(`get package "${id}"`, `package "${id}"`, async () => {
        const [row] = (await db.query<PackageRow>('SELECT * FROM packages WHERE id = ?', [id])).rows;
        return row ? toPackageRecord(row) : null;
      });
    },

    async listPackages(filter = {}) {
      return guard('list packages', 'a package', () => listPackageSummaries(ctx, filter, newestFirst));
    },

    async latestPackageForSource(sourceKind, sourceKey) {
      const action = `find latest package for source ${sourceKind}:"${sourceKey}"`;
      return guard(action, 'a package', async () => {
        const [row] = (
          await db.query<PackageRow>(
            `SELECT * FROM packages WHERE source_kind = ? AND source_key = ? ORDER BY ${newestFirst} LIMIT 1`,
            [sourceKind, sourceKey],
          )
        ).rows;
        return row ? toPackageRecord(row) : null;
      });
    },

    async listFiles(packageId) {
      return guard(`list files of package "${packageId}"`, `package "${packageId}"`, async () => {
        const { rows } = await db.query<FileRow>(
          'SELECT * FROM files WHERE package_id = ? ORDER BY path COLLATE "C"',
          [packageId],
        );
        return rows.map(toFileRecord);
      });
    },

    async putCopy(copy) {
      await upsertCopy(db, copy);
    },

    async listCopies(filter = {}) {
      return guard('list copies', 'a package', async () => {
        const { sql, params } = select({
          from: 'copies',
          where: [
            ['package_id = ?', filter.packageId],
            ['location = ?', filter.location],
          ],
          orderBy: 'package_id COLLATE "C", location COLLATE "C"',
        });
        return (await db.query<CopyRow>(sql, params)).rows.map(toCopyRecord);
      });
    },

    async recordCopyChecks(checks) {
      if (checks.length === 0) return;
      await guard(`record ${checks.length} copy check(s)`, `package "${checks[0]?.packageId}"`, () =>
        db.transaction((tx) => recordChecks(tx, checks, insertEvent, context)),
      );
    },

    async addEvent(event) {
      await insertEvent(db, event, `add event "${event.id}"`);
    },

    async listEvents(packageId) {
      return guard(`list events of package "${packageId}"`, `package "${packageId}"`, async () => {
        const { rows } = await db.query<EventRow>(
          `SELECT * FROM events WHERE package_id = ? ORDER BY at, ${db.dialect.insertionOrder}`,
          [packageId],
        );
        return rows.map(toEventRecord);
      });
    },
  };
}

/** Packages newest first, each with its copies' locations and states, read in one snapshot. */
async function listPackageSummaries(
  { db }: SqlContext,
  filter: PackageFilter,
  newestFirst: string,
): Promise<PackageSummary[]> {
  checkLimit(filter.limit, 'list packages');
  const query: SelectQuery = {
    from: 'packages',
    where: [
      ['state = ?', filter.state],
      ['source_key = ?', filter.sourceKey],
    ],
    orderBy: newestFirst,
    limit: filter.limit,
  };
  const summary = select({ ...query, columns: 'id, label, size, file_count, state, created_at' });
  const ids = select({ ...query, columns: 'id' });
  // One snapshot for the packages and their copies.
  const [packages, copies] = await db.transaction(
    async (tx) => [
      await tx.query<SummaryRow>(summary.sql, summary.params),
      await tx.query<{ package_id: string; location: string; status: CopyStatus }>(
        `SELECT package_id, location, status FROM copies WHERE package_id IN (${ids.sql})
         ORDER BY package_id COLLATE "C", location COLLATE "C"`,
        ids.params,
      ),
    ],
    'snapshot',
  );
  const summaries = packages.rows.map(
    (row): PackageSummary => ({
      id: row.id,
      label: row.label,
      size: row.size,
      fileCount: row.file_count,
      state: row.state as PackageState,
      createdAt: new Date(row.created_at),
      copies: [],
    }),
  );
  const byId = new Map(summaries.map((s) => [s.id, s]));
  for (const { package_id, location, status } of copies.rows) {
    byId.get(package_id)?.copies.push({ location, status });
  }
  return summaries;
}

/** Each check updates its copy's status (and last verification) and adds its event, in the caller's transaction. */
async function recordChecks(
  tx: SqlSession,
  checks: CopyCheckRecord[],
  insertEvent: ReturnType<typeof createWriters>['insertEvent'],
  context: string,
): Promise<void> {
  for (const { packageId, location, status, at, event } of checks) {
    const what = `copy of package "${packageId}" at location "${location}"`;
    const iso = toIso(at, `check of ${what}`);
    const { changes } =
      status === 'verified'
        ? await tx.query(
            `UPDATE copies SET status = ?, last_checked_at = ?, last_verified_at = ?
             WHERE package_id = ? AND location = ?`,
            [status, iso, iso, packageId, location],
          )
        : await tx.query(
            'UPDATE copies SET status = ?, last_checked_at = ? WHERE package_id = ? AND location = ?',
            [status, iso, packageId, location],
          );
    if (changes === 0) throw new NotFoundError(`${context} cannot record check: ${what} does not exist`);
    if (event) await insertEvent(tx, event, `add event "${event.id}" for check of ${what}`);
  }
}
