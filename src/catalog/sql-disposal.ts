/**
 * The SQL catalog's appraisal and disposal: legal holds, proposals and their items, tombstones.
 *
 * A disposed package keeps its row (state `disposed`) and its events, so its history and the PREMIS deletion event
 * stay; its copies, the objects stored beside it and (unless its rule keeps it) its file list are forgotten together
 * with the tombstone's writing, in one transaction, so a disposal is never half-recorded. Deleting a file row also
 * deletes its row of SQLite's file-name index (a trigger, migration 9); SQLite's `secure_delete` overwrites what is
 * deleted (sqlite.ts), PostgreSQL's rows stay in free space until VACUUM.
 */
import { NotFoundError } from '../errors.js';
import type {
  DisposalCatalog,
  DisposalItem,
  DisposalProposal,
  HoldRecord,
  TombstoneRecord,
} from './disposal-types.js';
import { checkLimit, type PackageRow, toIso, toPackageRecord } from './rows.js';
import { type SqlContext, select } from './sql-adapter.js';
import { createWriters } from './sql-writes.js';

interface HoldRow {
  id: string;
  package_id: string | null;
  query_json: string | null;
  reason: string;
  placed_by: string;
  placed_at: string;
  released_by: string | null;
  released_at: string | null;
  release_reason: string | null;
}

interface ProposalRow {
  id: string;
  status: string;
  planned_by: string;
  planned_at: string;
  approved_by: string | null;
  approved_at: string | null;
  completed_at: string | null;
}

interface ItemRow {
  proposal_id: string;
  package_id: string;
  rule_id: string;
  action: string;
  due_at: string;
  reason: string;
  status: string;
  detail: string | null;
  updated_at: string;
}

function toHold(row: HoldRow): HoldRecord {
  const hold: HoldRecord = {
    id: row.id,
    reason: row.reason,
    placedBy: row.placed_by,
    placedAt: new Date(row.placed_at),
  };
  if (row.package_id !== null) hold.packageId = row.package_id;
  if (row.query_json !== null) hold.query = JSON.parse(row.query_json) as HoldRecord['query'];
  if (row.released_by !== null) hold.releasedBy = row.released_by;
  if (row.released_at !== null) hold.releasedAt = new Date(row.released_at);
  if (row.release_reason !== null) hold.releaseReason = row.release_reason;
  return hold;
}

function toProposal(row: ProposalRow): DisposalProposal {
  const proposal: DisposalProposal = {
    id: row.id,
    status: row.status as DisposalProposal['status'],
    plannedBy: row.planned_by,
    plannedAt: new Date(row.planned_at),
  };
  if (row.approved_by !== null) proposal.approvedBy = row.approved_by;
  if (row.approved_at !== null) proposal.approvedAt = new Date(row.approved_at);
  if (row.completed_at !== null) proposal.completedAt = new Date(row.completed_at);
  return proposal;
}

function toItem(row: ItemRow): DisposalItem {
  const item: DisposalItem = {
    proposalId: row.proposal_id,
    packageId: row.package_id,
    ruleId: row.rule_id,
    action: row.action as DisposalItem['action'],
    dueAt: new Date(row.due_at),
    reason: row.reason,
    status: row.status as DisposalItem['status'],
    updatedAt: new Date(row.updated_at),
  };
  if (row.detail !== null) item.detail = row.detail;
  return item;
}

/** Tombstones are stored as JSON (dates as ISO text) and read back with their Dates. */
function toTombstone(json: string): TombstoneRecord {
  const t = JSON.parse(json) as TombstoneRecord;
  // Tombstones written before migration 9 kept the file list.
  t.fileList ??= 'kept';
  return {
    ...t,
    decision: { ...t.decision, approvedAt: new Date(t.decision.approvedAt) },
    disposedAt: new Date(t.disposedAt),
  };
}

export function createDisposalSql(ctx: SqlContext): DisposalCatalog {
  return { ...holdSql(ctx), ...proposalSql(ctx), ...tombstoneSql(ctx) };
}

type HoldPart = Pick<DisposalCatalog, 'addHold' | 'releaseHold' | 'listHolds' | 'pageRecordHeads'>;
type TombstonePart = Pick<
  DisposalCatalog,
  'recordDisposal' | 'getTombstone' | 'listTombstones' | 'purgeDeleted'
>;
type ProposalPart = Omit<DisposalCatalog, keyof HoldPart | keyof TombstonePart>;

function holdSql({ db, guard, context }: SqlContext): HoldPart {
  return {
    async addHold(hold) {
      await guard(`add hold "${hold.id}"`, `package "${hold.packageId}"`, () =>
        db.query(
          `INSERT INTO holds (id, package_id, query_json, reason, placed_by, placed_at) VALUES (?, ?, ?, ?, ?, ?)`,
          [
            hold.id,
            hold.packageId ?? null,
            hold.query ? JSON.stringify(hold.query) : null,
            hold.reason,
            hold.placedBy,
            toIso(hold.placedAt, `hold "${hold.id}" placedAt`),
          ],
        ),
      );
    },

    async releaseHold(id, release) {
      return guard(`release hold "${id}"`, `hold "${id}"`, () =>
        db.transaction(async (tx) => {
          await tx.query(
            `UPDATE holds SET released_by = ?, released_at = ?, release_reason = ?
             WHERE id = ? AND released_at IS NULL`,
            [release.by, toIso(release.at, `hold "${id}" releasedAt`), release.reason, id],
          );
          const [row] = (await tx.query<HoldRow>('SELECT * FROM holds WHERE id = ?', [id])).rows;
          if (!row) throw new NotFoundError(`${context} cannot release hold "${id}": no such hold`);
          return toHold(row);
        }),
      );
    },

    async listHolds(filter = {}) {
      return guard('list holds', 'a hold', async () => {
        const { sql, params } = select({
          from: 'holds',
          where: [
            ['released_at IS NULL AND 1 = ?', filter.active ? 1 : undefined],
            ['package_id = ?', filter.packageId],
          ],
          orderBy: 'placed_at, id COLLATE "C"',
        });
        return (await db.query<HoldRow>(sql, params)).rows.map(toHold);
      });
    },

    async pageRecordHeads(page) {
      checkLimit(page.limit, 'page record heads');
      return guard('page the newest version of each record', 'a package', async () => {
        const { rows } = await db.query<PackageRow>(
          `SELECT * FROM packages p WHERE p.id > ?
             AND NOT EXISTS (SELECT 1 FROM packages s WHERE s.predecessor_id = p.id)
           ORDER BY p.id COLLATE "C" LIMIT ?`,
          [page.after ?? '', page.limit],
        );
        return rows.map(toPackageRecord);
      });
    },
  };
}

function proposalSql({ db, guard, context }: SqlContext): ProposalPart {
  return {
    async addProposal(proposal, items) {
      await guard(`add disposal proposal "${proposal.id}"`, 'a package', () =>
        db.transaction(async (tx) => {
          await tx.query(
            `INSERT INTO disposal_proposals (id, status, planned_by, planned_at) VALUES (?, ?, ?, ?)`,
            [proposal.id, proposal.status, proposal.plannedBy, toIso(proposal.plannedAt, 'plannedAt')],
          );
          for (const item of items) {
            await tx.query(
              `INSERT INTO disposal_items (proposal_id, package_id, rule_id, action, due_at, reason, status,
                 detail, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
              [
                proposal.id,
                item.packageId,
                item.ruleId,
                item.action,
                toIso(item.dueAt, `item "${item.packageId}" dueAt`),
                item.reason,
                item.status,
                item.detail ?? null,
                toIso(item.updatedAt, `item "${item.packageId}" updatedAt`),
              ],
            );
          }
        }),
      );
    },

    async getProposal(id) {
      return guard(`get disposal proposal "${id}"`, 'a proposal', async () => {
        const [row] = (await db.query<ProposalRow>('SELECT * FROM disposal_proposals WHERE id = ?', [id]))
          .rows;
        return row ? toProposal(row) : null;
      });
    },

    async listProposals(filter = {}) {
      return guard('list disposal proposals', 'a proposal', async () => {
        const { sql, params } = select({
          from: 'disposal_proposals',
          where: [['status = ?', filter.status]],
          orderBy: 'planned_at DESC, id COLLATE "C" DESC',
        });
        return (await db.query<ProposalRow>(sql, params)).rows.map(toProposal);
      });
    },

    async listDisposalItems(filter) {
      return guard('list disposal items', 'a proposal', async () => {
        const { sql, params } = select({
          from: 'disposal_items',
          where: [
            ['proposal_id = ?', filter.proposalId],
            ['package_id = ?', filter.packageId],
          ],
          orderBy: 'proposal_id COLLATE "C", package_id COLLATE "C"',
        });
        return (await db.query<ItemRow>(sql, params)).rows.map(toItem);
      });
    },

    async approveProposal(id, approvedBy, at) {
      return guard(`approve disposal proposal "${id}"`, 'a proposal', async () => {
        const { changes } = await db.query(
          `UPDATE disposal_proposals SET status = 'approved', approved_by = ?, approved_at = ?
           WHERE id = ? AND status = 'proposed'`,
          [approvedBy, toIso(at, 'approvedAt'), id],
        );
        return changes > 0;
      });
    },

    async setDisposalItem(proposalId, packageId, change, at) {
      const action = `set disposal item "${packageId}" of proposal "${proposalId}"`;
      await guard(action, 'a proposal', async () => {
        const { changes } = await db.query(
          `UPDATE disposal_items SET status = ?, detail = ?, updated_at = ? WHERE proposal_id = ? AND package_id = ?`,
          [change.status, change.detail ?? null, toIso(at, 'updatedAt'), proposalId, packageId],
        );
        if (changes === 0) throw new NotFoundError(`${context} cannot ${action}: no such item`);
      });
    },

    async completeProposal(id, at) {
      await guard(`complete disposal proposal "${id}"`, 'a proposal', () =>
        db.query(
          `UPDATE disposal_proposals SET status = 'completed', completed_at = COALESCE(completed_at, ?)
           WHERE id = ?`,
          [toIso(at, 'completedAt'), id],
        ),
      );
    },
  };
}

function tombstoneSql(ctx: SqlContext): TombstonePart {
  const { db, guard, context } = ctx;
  const { insertEvent } = createWriters(ctx);
  return {
    async recordDisposal({ tombstone, event, forgetFiles }) {
      const id = tombstone.packageId;
      const at = toIso(tombstone.disposedAt, `tombstone "${id}" disposedAt`);
      await guard(`record disposal of package "${id}"`, `package "${id}"`, () =>
        db.transaction(async (tx) => {
          await tx.query(
            `INSERT INTO tombstones (package_id, proposal_id, rule_id, tombstone_json, disposed_at)
             VALUES (?, ?, ?, ?, ?)`,
            [id, tombstone.proposalId, tombstone.ruleId, JSON.stringify(tombstone), at],
          );
          await tx.query('DELETE FROM copies WHERE package_id = ?', [id]);
          await tx.query('DELETE FROM stored_objects WHERE package_id = ?', [id]);
          if (forgetFiles) await tx.query('DELETE FROM files WHERE package_id = ?', [id]);
          const { changes } = await tx.query("UPDATE packages SET state = 'disposed' WHERE id = ?", [id]);
          if (changes === 0)
            throw new NotFoundError(`${context} cannot dispose of package "${id}": no such package`);
          await insertEvent(tx, event, `add deletion event to package "${id}"`);
          await tx.query(
            `UPDATE disposal_items SET status = 'disposed', detail = NULL, updated_at = ?
             WHERE proposal_id = ? AND package_id = ?`,
            [at, tombstone.proposalId, id],
          );
        }),
      );
    },

    async purgeDeleted() {
      await guard('purge deleted rows', 'a table', () => db.script(db.dialect.purgeDeleted));
    },

    async getTombstone(packageId) {
      return guard(`get tombstone of package "${packageId}"`, 'a package', async () => {
        const [row] = (
          await db.query<{ tombstone_json: string }>(
            'SELECT tombstone_json FROM tombstones WHERE package_id = ?',
            [packageId],
          )
        ).rows;
        return row ? toTombstone(row.tombstone_json) : null;
      });
    },

    async listTombstones(filter) {
      return guard('list tombstones', 'a proposal', async () => {
        const { sql, params } = select({
          from: 'tombstones',
          columns: 'tombstone_json',
          where: [['proposal_id = ?', filter.proposalId]],
          orderBy: 'package_id COLLATE "C"',
        });
        return (await db.query<{ tombstone_json: string }>(sql, params)).rows.map((r) =>
          toTombstone(r.tombstone_json),
        );
      });
    },
  };
}
