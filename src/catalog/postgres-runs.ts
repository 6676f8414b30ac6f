/**
 * PostgreSQL catalog: runs (one ingest or audit pass) and their items, numbered in insertion order.
 *
 * Numbering with several writers: `addRunItems` first locks the rows of the runs it appends to
 * (`SELECT … FOR UPDATE`, in id order so that two writers never wait on each other crosswise), then reads
 * MAX(seq) and inserts. A second writer to the same run waits for the first to commit, so numbers are unique and
 * without gaps, and the items of one call are consecutive.
 */
import { NotFoundError } from '../errors.js';
import { CONTEXT, type PgContext, toColumns } from './postgres-context.js';
import {
  checkLimit,
  jsonOrNull,
  type RunItemRow,
  type RunRow,
  toIso,
  toRunItem,
  toRunRecord,
} from './rows.js';
import type { Catalog, RunItem } from './types.js';

type RunMethods = Pick<
  Catalog,
  'startRun' | 'addRunItems' | 'finishRun' | 'getRun' | 'listRunItems' | 'listRuns'
>;

/** The methods of the PostgreSQL catalog that read and write runs and run items. */
export function createPostgresRuns(ctx: PgContext): RunMethods {
  const { guard } = ctx;

  async function insertItems(items: RunItem[]): Promise<void> {
    const runIds = [...new Set(items.map((item) => item.runId))].sort();
    await ctx.transaction(async (client) => {
      const locked = await client.query(
        'SELECT id FROM runs WHERE id = ANY($1::text[]) ORDER BY id COLLATE "C" FOR UPDATE',
        [runIds],
      );
      const found = new Set(locked.rows.map((row) => (row as { id: string }).id));
      const missing = runIds.find((id) => !found.has(id));
      if (missing !== undefined) {
        throw new NotFoundError(
          `${CONTEXT} cannot add ${items.length} item(s) to run "${missing}": run "${missing}" does not exist`,
        );
      }
      const last = await client.query(
        'SELECT run_id, MAX(seq) AS seq FROM run_items WHERE run_id = ANY($1::text[]) GROUP BY run_id',
        [runIds],
      );
      const next = new Map<string, number>();
      for (const row of last.rows as { run_id: string; seq: number }[]) next.set(row.run_id, row.seq);
      const rows = items.map((item) => {
        const seq = (next.get(item.runId) ?? 0) + 1;
        next.set(item.runId, seq);
        return [
          item.runId,
          seq,
          item.subject,
          item.packageId ?? null,
          item.status,
          item.message ?? null,
          jsonOrNull(item.details),
        ];
      });
      await client.query(
        `INSERT INTO run_items (run_id, seq, subject, package_id, status, message, details_json)
         SELECT * FROM unnest($1::text[], $2::integer[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])`,
        toColumns(rows, 7),
      );
    });
  }

  return {
    async startRun(run) {
      await guard(`start run "${run.id}"`, `run "${run.id}"`, async () => {
        await ctx.query(
          `INSERT INTO runs (id, kind, started_at, finished_at, status, params_json, summary_json, reports_json)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
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
        );
      });
    },

    async addRunItems(items) {
      if (items.length === 0) return;
      const runId = items[0]?.runId;
      await guard(`add ${items.length} item(s) to run "${runId}"`, `run "${runId}"`, () =>
        insertItems(items),
      );
    },

    async finishRun(id, status, at, summary, reports) {
      const action = `finish run "${id}"`;
      await guard(action, `run "${id}"`, async () => {
        const updated = await ctx.query(
          `UPDATE runs SET status = $1, finished_at = $2, summary_json = $3, reports_json = COALESCE($4, reports_json)
           WHERE id = $5 RETURNING id`,
          [status, toIso(at, `run "${id}" finishedAt`), JSON.stringify(summary), jsonOrNull(reports), id],
        );
        if (updated.length === 0) throw new NotFoundError(`${CONTEXT} cannot ${action}: run does not exist`);
      });
    },

    async getRun(id) {
      return guard(`get run "${id}"`, `run "${id}"`, async () => {
        const [row] = await ctx.query<RunRow>('SELECT * FROM runs WHERE id = $1', [id]);
        return row ? toRunRecord(row) : null;
      });
    },

    async listRunItems(runId) {
      return guard(`list items of run "${runId}"`, `run "${runId}"`, async () => {
        const rows = await ctx.query<RunItemRow>('SELECT * FROM run_items WHERE run_id = $1 ORDER BY seq', [
          runId,
        ]);
        return rows.map(toRunItem);
      });
    },

    async listRuns(filter = {}) {
      return guard('list runs', 'a run', async () => {
        const { kind, limit, status, job } = filter;
        checkLimit(limit, 'list runs');
        const rows = await ctx.query<RunRow>(
          `SELECT * FROM runs WHERE ($1::text IS NULL OR kind = $1) AND ($2::text IS NULL OR status = $2)
             AND ($3::text IS NULL OR params_json::json ->> 'job' = $3)
           ORDER BY started_at DESC, id COLLATE "C" DESC LIMIT $4`,
          [kind ?? null, status ?? null, job ?? null, limit ?? null],
        );
        return rows.map(toRunRecord);
      });
    },
  };
}
