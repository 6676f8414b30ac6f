/**
 * The SQL catalog's runs (one ingest, job or audit pass) and their items, numbered in insertion order.
 *
 * Numbering with several writers: `addRunItems` first locks the rows of the runs it appends to (PostgreSQL
 * `SELECT … FOR UPDATE`, in id order so that two writers never wait on each other crosswise; SQLite holds the
 * database's write lock from `BEGIN IMMEDIATE`), then reads MAX(seq) and inserts. A second writer to the same run
 * waits for the first to commit, so numbers are unique and without gaps, and the items of one call are consecutive.
 */
import { NotFoundError } from '../errors.js';
import {
  checkLimit,
  jsonOrNull,
  type RunItemRow,
  type RunRow,
  toIso,
  toRunItem,
  toRunRecord,
} from './rows.js';
import { placeholders, type SqlColumns, type SqlContext, type SqlSession, select } from './sql-adapter.js';
import type { RunCatalog, RunItem } from './types.js';

const ITEM_COLUMNS: SqlColumns = {
  run_id: 'text',
  seq: 'integer',
  subject: 'text',
  package_id: 'text',
  status: 'text',
  message: 'text',
  details_json: 'text',
};

export function createRunSql({ db, guard, context }: SqlContext): RunCatalog {
  async function insertItems(tx: SqlSession, items: RunItem[]): Promise<void> {
    const runIds = [...new Set(items.map((item) => item.runId))].sort();
    const list = placeholders(runIds.length);
    const locked = await tx.query<{ id: string }>(
      `SELECT id FROM runs WHERE id IN ${list} ORDER BY id COLLATE "C" ${db.dialect.forUpdate}`,
      runIds,
    );
    const found = new Set(locked.rows.map((row) => row.id));
    const missing = runIds.find((id) => !found.has(id));
    if (missing !== undefined) {
      throw new NotFoundError(
        `${context} cannot add ${items.length} item(s) to run "${missing}": run "${missing}" does not exist`,
      );
    }
    const last = await tx.query<{ run_id: string; seq: number }>(
      `SELECT run_id, MAX(seq) AS seq FROM run_items WHERE run_id IN ${list} GROUP BY run_id`,
      runIds,
    );
    const next = new Map(last.rows.map((row) => [row.run_id, row.seq]));
    const rows = items.map((item) => {
      const seq = (next.get(item.runId) ?? 0) + 1;
      next.set(item.runId, seq);
      const { runId, subject, packageId, status, message, details } = item;
      return [runId, seq, subject, packageId ?? null, status, message ?? null, jsonOrNull(details)];
    });
    await tx.insertRows('run_items', ITEM_COLUMNS, rows);
  }

  return {
    async startRun(run) {
      await guard(`start run "${run.id}"`, `run "${run.id}"`, () =>
        db.query(
          `INSERT INTO runs (id, kind, started_at, finished_at, status, params_json, summary_json, reports_json)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
          [
            run.id,
            run.kind,
            toIso(run.startedAt, `run "${run.id}" startedAt`),
            run.finishedAt === undefined ? null : toIso(run.finishedAt, `run "${run.id}" finishedAt`),
            run.status,
            JSON.stringify(run.params),
            jsonOrNull(run.summary),
            jsonOrNull(run.reports),
          ],
        ),
      );
    },

    async addRunItems(items) {
      if (items.length === 0) return;
      const runId = items[0]?.runId;
      await guard(`add ${items.length} item(s) to run "${runId}"`, `run "${runId}"`, () =>
        db.transaction((tx) => insertItems(tx, items), 'write', 'relaxed'),
      );
    },

    async finishRun(id, status, at, summary, reports) {
      const action = `finish run "${id}"`;
      await guard(action, `run "${id}"`, async () => {
        const { changes } = await db.query(
          `UPDATE runs SET status = ?, finished_at = ?, summary_json = ?, reports_json = COALESCE(?, reports_json)
           WHERE id = ?`,
          [status, toIso(at, `run "${id}" finishedAt`), JSON.stringify(summary), jsonOrNull(reports), id],
        );
        if (changes === 0) throw new NotFoundError(`${context} cannot ${action}: run does not exist`);
      });
    },

    async getRun(id) {
      return guard(`get run "${id}"`, `run "${id}"`, async () => {
        const [row] = (await db.query<RunRow>('SELECT * FROM runs WHERE id = ?', [id])).rows;
        return row ? toRunRecord(row) : null;
      });
    },

    async listRunItems(runId) {
      return guard(`list items of run "${runId}"`, `run "${runId}"`, async () => {
        const { rows } = await db.query<RunItemRow>('SELECT * FROM run_items WHERE run_id = ? ORDER BY seq', [
          runId,
        ]);
        return rows.map(toRunItem);
      });
    },

    async listRuns(filter = {}) {
      return guard('list runs', 'a run', async () => {
        const { kind, limit, status, job } = filter;
        checkLimit(limit, 'list runs');
        const { sql, params } = select({
          from: 'runs',
          where: [
            ['kind = ?', kind],
            ['status = ?', status],
            [`${db.dialect.jsonText('params_json', 'job')} = ?`, job],
          ],
          orderBy: `started_at DESC, ${db.dialect.insertionOrder} DESC`,
          limit,
        });
        const { rows } = await db.query<RunRow>(sql, params);
        return rows.map(toRunRecord);
      });
    },
  };
}
