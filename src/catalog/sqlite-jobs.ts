/** SQLite catalog: ingest jobs and the state of each record they found. */
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
import type { SqliteContext } from './sqlite.js';
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

export function createSqliteJobs(ctx: SqliteContext): JobMethods {
  const { sql, guard } = ctx;
  const discover = ctx.db.transaction(
    (job: string, runId: string, found: { sourceKey: string; quarantined?: string }[], at: string) => {
      for (const f of found) {
        sql(DISCOVER_RECORD).run(
          job,
          f.sourceKey,
          runId,
          f.quarantined === undefined ? 'discovered' : 'quarantined',
          f.quarantined ?? null,
          at,
          at,
        );
      }
    },
  );
  return {
    async putJob(job) {
      guard(`save job "${job.name}"`, 'a job', () => sql(UPSERT_JOB).run(...jobParams(job)));
    },
    async getJob(name) {
      return guard(`read job "${name}"`, 'a job', () => {
        const row = sql('SELECT * FROM jobs WHERE name = ?').get(name) as JobRow | undefined;
        return row ? toJobRecord(row) : null;
      });
    },
    async listJobs() {
      return guard('list jobs', 'a job', () =>
        (sql('SELECT * FROM jobs ORDER BY name').all() as JobRow[]).map(toJobRecord),
      );
    },
    async removeJob(name) {
      guard(`remove job "${name}"`, 'a job', () => {
        if (sql('DELETE FROM jobs WHERE name = ?').run(name).changes === 0)
          throw new NotFoundError(`[catalog:sqlite] cannot remove job "${name}": no such job`);
      });
    },
    async discoverRecords(job, runId, found, at) {
      guard(`record what run "${runId}" of job "${job}" found`, 'a job', () =>
        discover(job, runId, found, at.toISOString()),
      );
    },
    async claimRecord(job, sourceKey, holder, until, now) {
      return guard(`claim record "${sourceKey}" of job "${job}"`, 'a record', () => {
        const iso = now.toISOString();
        const result = sql(CLAIM_RECORD).run(
          holder,
          holder,
          until.toISOString(),
          iso,
          job,
          sourceKey,
          iso,
          holder,
        );
        if (result.changes === 0) return null;
        const row = sql('SELECT * FROM job_records WHERE job = ? AND source_key = ?').get(job, sourceKey);
        return toJobRecordState(row as JobRecordRow);
      });
    },
    async advanceRecord(job, sourceKey, holder, change, at) {
      return guard(`move record "${sourceKey}" of job "${job}" to "${change.state}"`, 'a record', () => {
        const result = sql(ADVANCE_RECORD).run(
          change.state,
          change.packageId ?? null,
          change.reason ?? null,
          change.state,
          change.state,
          at.toISOString(),
          job,
          sourceKey,
          holder,
        );
        return result.changes > 0;
      });
    },
    async freeRecord(job, sourceKey, holder) {
      return guard(`free record "${sourceKey}" of job "${job}"`, 'a record', () => {
        return sql(FREE_RECORD).run(job, sourceKey, holder).changes > 0;
      });
    },
    async listRecordStates(filter) {
      return guard('list record states', 'a record', () =>
        (
          sql(
            `SELECT * FROM job_records WHERE (@job IS NULL OR job = @job) AND (@runId IS NULL OR run_id = @runId)
               AND (@state IS NULL OR state = @state) ORDER BY job, source_key`,
          ).all({
            job: filter.job ?? null,
            runId: filter.runId ?? null,
            state: filter.state ?? null,
          }) as JobRecordRow[]
        ).map(toJobRecordState),
      );
    },
    async countRecordStates(runId) {
      return guard(`count records of run "${runId}"`, 'a record', () => {
        const rows = sql('SELECT state, COUNT(*) AS n FROM job_records WHERE run_id = ? GROUP BY state').all(
          runId,
        ) as { state: RecordState; n: number }[];
        return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
      });
    },
  };
}
