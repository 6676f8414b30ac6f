/**
 * SQLite catalog: runs (one ingest or audit pass) and their items, numbered in insertion order.
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
import type { SqliteContext } from './sqlite.js';
import type { Catalog, RunItem } from './types.js';

type RunMethods = Pick<
  Catalog,
  'startRun' | 'addRunItems' | 'finishRun' | 'getRun' | 'listRunItems' | 'listRuns'
>;

/** The methods of the SQLite catalog that read and write runs and run items. */
export function createSqliteRuns(ctx: SqliteContext): RunMethods {
  const { sql, guard } = ctx;

  // One statement per item: the next seq is computed and inserted atomically under SQLite's write lock.
  const insertItems = ctx.db.transaction((items: RunItem[]) => {
    for (const item of items) {
      sql(
        `INSERT INTO run_items (run_id, seq, subject, package_id, status, message, details_json)
         VALUES (@runId, (SELECT COALESCE(MAX(seq), 0) + 1 FROM run_items WHERE run_id = @runId),
           @subject, @packageId, @status, @message, @details)`,
      ).run({
        runId: item.runId,
        subject: item.subject,
        packageId: item.packageId ?? null,
        status: item.status,
        message: item.message ?? null,
        details: jsonOrNull(item.details),
      });
    }
  });

  return {
    async startRun(run) {
      guard(`start run "${run.id}"`, `run "${run.id}"`, () => {
        sql(
          `INSERT INTO runs (id, kind, started_at, finished_at, status, params_json, summary_json, reports_json)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(
          run.id,
          run.kind,
          toIso(run.startedAt, `run "${run.id}" startedAt`),
          run.finishedAt === undefined ? null : toIso(run.finishedAt, `run "${run.id}" finishedAt`),
          run.status,
          JSON.stringify(run.params),
          jsonOrNull(run.summary),
          jsonOrNull(run.reports),
        );
      });
    },

    async addRunItems(items) {
      guard(`add ${items.length} item(s) to run "${items[0]?.runId}"`, `run "${items[0]?.runId}"`, () =>
        insertItems.immediate(items),
      );
    },

    async finishRun(id, status, at, summary, reports) {
      const action = `finish run "${id}"`;
      guard(action, `run "${id}"`, () => {
        const result = sql(
          `UPDATE runs SET status = ?, finished_at = ?, summary_json = ?, reports_json = COALESCE(?, reports_json)
           WHERE id = ?`,
        ).run(status, toIso(at, `run "${id}" finishedAt`), JSON.stringify(summary), jsonOrNull(reports), id);
        if (result.changes === 0)
          throw new NotFoundError(`[catalog:sqlite] cannot ${action}: run does not exist`);
      });
    },

    async getRun(id) {
      return guard(`get run "${id}"`, `run "${id}"`, () => {
        const row = sql('SELECT * FROM runs WHERE id = ?').get(id) as RunRow | undefined;
        return row ? toRunRecord(row) : null;
      });
    },

    async listRunItems(runId) {
      return guard(`list items of run "${runId}"`, `run "${runId}"`, () => {
        const rows = sql('SELECT * FROM run_items WHERE run_id = ? ORDER BY seq').all(runId) as RunItemRow[];
        return rows.map(toRunItem);
      });
    },

    async listRuns(filter = {}) {
      return guard('list runs', 'a run', () => {
        const { kind, limit, status, job } = filter;
        checkLimit(limit, 'list runs');
        const rows = sql(
          `SELECT * FROM runs WHERE (@kind IS NULL OR kind = @kind) AND (@status IS NULL OR status = @status)
             AND (@job IS NULL OR json_extract(params_json, '$.job') = @job)
           ORDER BY started_at DESC, rowid DESC LIMIT @limit`,
        ).all({
          kind: kind ?? null,
          status: status ?? null,
          job: job ?? null,
          limit: limit ?? -1,
        }) as RunRow[];
        return rows.map(toRunRecord);
      });
    },
  };
}
