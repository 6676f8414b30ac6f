/**
 * PostgreSQL catalog: ingest jobs and the state of each record they found, with the SQL shared with SQLite
 * (job-sql.ts, `?` placeholders numbered here). Claims and advances are single compare-and-set UPDATEs: under
 * READ COMMITTED a second worker waits for the first's row, then re-checks the WHERE against the committed row,
 * so one record is held by at most one worker at a time.
 */
import { NotFoundError } from '../errors.js';
import {
  ADVANCE_RECORD,
  CLAIM_RECORD,
  DISCOVER_RECORD,
  FREE_RECORD,
  type JobRecordRow,
  type JobRow,
  jobParams,
  toJobRecord,
  toJobRecordState,
  UPSERT_JOB,
} from './job-sql.js';
import { CONTEXT, numbered, type PgContext, toSafeInteger } from './postgres-context.js';
import { toIso } from './rows.js';
import type { Catalog, RecordState } from './types.js';

type JobMethods = Pick<
  Catalog,
  | 'putJob'
  | 'getJob'
  | 'listJobs'
  | 'removeJob'
  | 'discoverRecords'
  | 'claimRecord'
  | 'advanceRecord'
  | 'freeRecord'
  | 'listRecordStates'
  | 'countRecordStates'
>;

const PG_UPSERT_JOB = numbered(UPSERT_JOB);
const PG_DISCOVER_RECORD = numbered(DISCOVER_RECORD);
/** The claim returns the row as taken, in the same statement. */
const PG_CLAIM_RECORD = `${numbered(CLAIM_RECORD)} RETURNING *`;
const PG_ADVANCE_RECORD = numbered(ADVANCE_RECORD);
const PG_FREE_RECORD = numbered(FREE_RECORD);

/** The methods of the PostgreSQL catalog for jobs and record states. */
export function createPostgresJobs(ctx: PgContext): JobMethods {
  const { guard } = ctx;
  return {
    async putJob(job) {
      await guard(`save job "${job.name}"`, 'a job', () => ctx.query(PG_UPSERT_JOB, jobParams(job)));
    },

    async getJob(name) {
      return guard(`read job "${name}"`, 'a job', async () => {
        const [row] = await ctx.query<JobRow>('SELECT * FROM jobs WHERE name = $1', [name]);
        return row ? toJobRecord(row) : null;
      });
    },

    async listJobs() {
      return guard('list jobs', 'a job', async () =>
        (await ctx.query<JobRow>('SELECT * FROM jobs ORDER BY name COLLATE "C"')).map(toJobRecord),
      );
    },

    async removeJob(name) {
      await guard(`remove job "${name}"`, 'a job', async () => {
        const removed = await ctx.query('DELETE FROM jobs WHERE name = $1 RETURNING name', [name]);
        if (removed.length === 0)
          throw new NotFoundError(`${CONTEXT} cannot remove job "${name}": no such job`);
      });
    },

    async discoverRecords(job, runId, found, at) {
      const iso = toIso(at, `run "${runId}" of job "${job}" discovered at`);
      await guard(`record what run "${runId}" of job "${job}" found`, 'a job', () =>
        ctx.transaction(async (client) => {
          for (const f of found) {
            const state = f.quarantined === undefined ? 'discovered' : 'quarantined';
            await client.query(PG_DISCOVER_RECORD, [
              job,
              f.sourceKey,
              runId,
              state,
              f.quarantined ?? null,
              iso,
              iso,
            ]);
          }
        }),
      );
    },

    async claimRecord(job, sourceKey, holder, until, now) {
      return guard(`claim record "${sourceKey}" of job "${job}"`, 'a record', async () => {
        const iso = toIso(now, `claim of record "${sourceKey}" now`);
        const [row] = await ctx.query<JobRecordRow>(PG_CLAIM_RECORD, [
          holder,
          holder,
          toIso(until, `claim of record "${sourceKey}" until`),
          iso,
          job,
          sourceKey,
          iso,
          holder,
        ]);
        return row ? toJobRecordState(row) : null;
      });
    },

    async advanceRecord(job, sourceKey, holder, change, at) {
      return guard(
        `move record "${sourceKey}" of job "${job}" to "${change.state}"`,
        'a record',
        async () => {
          const updated = await ctx.pool.query(PG_ADVANCE_RECORD, [
            change.state,
            change.packageId ?? null,
            change.reason ?? null,
            change.state,
            change.state,
            toIso(at, `record "${sourceKey}" ${change.state} at`),
            job,
            sourceKey,
            holder,
          ]);
          return (updated.rowCount ?? 0) > 0;
        },
      );
    },

    async freeRecord(job, sourceKey, holder) {
      return guard(`free record "${sourceKey}" of job "${job}"`, 'a record', async () => {
        const updated = await ctx.pool.query(PG_FREE_RECORD, [job, sourceKey, holder]);
        return (updated.rowCount ?? 0) > 0;
      });
    },

    async listRecordStates(filter) {
      return guard('list record states', 'a record', async () => {
        const rows = await ctx.query<JobRecordRow>(
          `SELECT * FROM job_records WHERE ($1::text IS NULL OR job = $1) AND ($2::text IS NULL OR run_id = $2)
             AND ($3::text IS NULL OR state = $3) ORDER BY job COLLATE "C", source_key COLLATE "C"`,
          [filter.job ?? null, filter.runId ?? null, filter.state ?? null],
        );
        return rows.map(toJobRecordState);
      });
    },

    async countRecordStates(runId) {
      return guard(`count records of run "${runId}"`, 'a record', async () => {
        const rows = await ctx.query<{ state: RecordState; n: string }>(
          'SELECT state, COUNT(*) AS n FROM job_records WHERE run_id = $1 GROUP BY state',
          [runId],
        );
        return Object.fromEntries(
          rows.map((r) => [r.state, toSafeInteger(r.n, `records "${r.state}" of run "${runId}"`)]),
        );
      });
    },
  };
}
