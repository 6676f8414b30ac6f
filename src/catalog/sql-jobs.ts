/**
 * The SQL catalog's ingest jobs and the state of each record they found. Claims and advances are single
 * compare-and-set statements: on PostgreSQL (READ COMMITTED) a second worker waits for the first's row, then
 * re-checks the WHERE against the committed row; on SQLite writers take turns. So one record is held by at most
 * one worker at a time.
 */
import { NotFoundError } from '../errors.js';
import {
  type JobDefinition,
  type JobRecordRow,
  type JobRow,
  toIso,
  toJobRecord,
  toJobRecordState,
} from './rows.js';
import { type SqlContext, type SqlValue, select } from './sql-adapter.js';
import { CLAIMABLE_STATES, type JobCatalog, type JobRecord, type RecordState } from './types.js';

/** Record states that end a run's work on a record. */
const RUN_END_STATES: readonly RecordState[] = ['released', 'unchanged', 'quarantined', 'failed', 'waiting'];

const list = (states: readonly string[]) => states.map((s) => `'${s}'`).join(', ');

const UPSERT_JOB = `INSERT INTO jobs (name, definition_json, enabled, origin, created_at, updated_at)
  VALUES (?, ?, ?, ?, ?, ?)
  ON CONFLICT (name) DO UPDATE SET definition_json = excluded.definition_json, enabled = excluded.enabled,
    origin = excluded.origin, updated_at = excluded.updated_at`;

/** New keys, and keys whose last run ended, start as `discovered` in this run; others join it where they stand. */
const DISCOVER_RECORD = `INSERT INTO job_records
    (job, source_key, run_id, state, package_id, holder, lease_until, attempts, reason, discovered_at, updated_at)
  VALUES (?, ?, ?, ?, NULL, NULL, NULL, 0, ?, ?, ?)
  ON CONFLICT (job, source_key) DO UPDATE SET
    run_id = excluded.run_id,
    state = CASE WHEN job_records.state IN (${list(RUN_END_STATES)}) THEN excluded.state
                 WHEN job_records.state = 'stored' THEN 'packaged'
                 ELSE job_records.state END,
    package_id = CASE WHEN job_records.state IN (${list(RUN_END_STATES)}) THEN NULL ELSE job_records.package_id END,
    reason = CASE WHEN job_records.state IN (${list(RUN_END_STATES)}) THEN excluded.reason ELSE job_records.reason END,
    discovered_at = excluded.discovered_at,
    updated_at = excluded.updated_at`;

/** Takes (or, for its own holder, extends) the lease of a record in a claimable state; returns it as taken. */
const CLAIM_RECORD = `UPDATE job_records SET
    attempts = attempts + CASE WHEN holder = ? THEN 0 ELSE 1 END,
    holder = ?, lease_until = ?, updated_at = ?
  WHERE job = ? AND source_key = ? AND state IN (${list(CLAIMABLE_STATES)})
    AND (holder IS NULL OR lease_until <= ? OR holder = ?)
  RETURNING *`;

/** Frees a record's lease held by `holder` (a process known to be dead), leaving its state as it is. */
const FREE_RECORD = `UPDATE job_records SET holder = NULL, lease_until = NULL
  WHERE job = ? AND source_key = ? AND holder = ?`;

/** Compare-and-set on the holder; a state no worker moves on from within the run frees the lease. */
const ADVANCE_RECORD = `UPDATE job_records SET state = ?, package_id = COALESCE(?, package_id), reason = ?,
    holder = CASE WHEN ? IN (${list(CLAIMABLE_STATES)}) THEN holder ELSE NULL END,
    lease_until = CASE WHEN ? IN (${list(CLAIMABLE_STATES)}) THEN lease_until ELSE NULL END,
    updated_at = ?
  WHERE job = ? AND source_key = ? AND holder = ?`;

function jobParams(job: JobRecord): SqlValue[] {
  const { name, enabled, origin, createdAt, updatedAt, ...definition } = job;
  return [
    name,
    JSON.stringify(definition satisfies JobDefinition),
    enabled ? 1 : 0,
    origin,
    toIso(createdAt, `job "${name}" createdAt`),
    toIso(updatedAt, `job "${name}" updatedAt`),
  ];
}

export function createJobSql({ db, guard, context }: SqlContext): JobCatalog {
  return {
    async putJob(job) {
      await guard(`save job "${job.name}"`, 'a job', () => db.query(UPSERT_JOB, jobParams(job)));
    },

    async getJob(name) {
      return guard(`read job "${name}"`, 'a job', async () => {
        const [row] = (await db.query<JobRow>('SELECT * FROM jobs WHERE name = ?', [name])).rows;
        return row ? toJobRecord(row) : null;
      });
    },

    async listJobs() {
      return guard('list jobs', 'a job', async () =>
        (await db.query<JobRow>('SELECT * FROM jobs ORDER BY name COLLATE "C"')).rows.map(toJobRecord),
      );
    },

    async removeJob(name) {
      await guard(`remove job "${name}"`, 'a job', async () => {
        const { changes } = await db.query('DELETE FROM jobs WHERE name = ?', [name]);
        if (changes === 0) throw new NotFoundError(`${context} cannot remove job "${name}": no such job`);
      });
    },

    async discoverRecords(job, runId, found, at) {
      const iso = toIso(at, `run "${runId}" of job "${job}" discovered at`);
      await guard(`record what run "${runId}" of job "${job}" found`, 'a job', () =>
        db.transaction(async (tx) => {
          for (const { sourceKey, quarantined } of found) {
            const state = quarantined === undefined ? 'discovered' : 'quarantined';
            await tx.query(DISCOVER_RECORD, [job, sourceKey, runId, state, quarantined ?? null, iso, iso]);
          }
        }),
      );
    },

    async claimRecord(job, sourceKey, holder, until, now) {
      return guard(`claim record "${sourceKey}" of job "${job}"`, 'a record', async () => {
        const iso = toIso(now, `claim of record "${sourceKey}" now`);
        const leaseUntil = toIso(until, `claim of record "${sourceKey}" until`);
        const [row] = (
          await db.write<JobRecordRow>(
            CLAIM_RECORD,
            [holder, holder, leaseUntil, iso, job, sourceKey, iso, holder],
            'relaxed',
          )
        ).rows;
        return row ? toJobRecordState(row) : null;
      });
    },

    async advanceRecord(job, sourceKey, holder, change, at) {
      const { state, packageId, reason, durability = 'durable' } = change;
      return guard(`move record "${sourceKey}" of job "${job}" to "${state}"`, 'a record', async () => {
        const iso = toIso(at, `record "${sourceKey}" ${state} at`);
        const params = [state, packageId ?? null, reason ?? null, state, state, iso, job, sourceKey, holder];
        return (await db.write(ADVANCE_RECORD, params, durability)).changes > 0;
      });
    },

    async freeRecord(job, sourceKey, holder) {
      return guard(`free record "${sourceKey}" of job "${job}"`, 'a record', async () => {
        return (await db.query(FREE_RECORD, [job, sourceKey, holder])).changes > 0;
      });
    },

    async listRecordStates(filter) {
      return guard('list record states', 'a record', async () => {
        const { sql, params } = select({
          from: 'job_records',
          where: [
            ['job = ?', filter.job],
            ['run_id = ?', filter.runId],
            ['state = ?', filter.state],
          ],
          orderBy: 'job COLLATE "C", source_key COLLATE "C"',
        });
        return (await db.query<JobRecordRow>(sql, params)).rows.map(toJobRecordState);
      });
    },

    async countRecordStates(runId) {
      return guard(`count records of run "${runId}"`, 'a record', async () => {
        const { rows } = await db.query<{ state: RecordState; n: number }>(
          'SELECT state, COUNT(*) AS n FROM job_records WHERE run_id = ? GROUP BY state',
          [runId],
        );
        return Object.fromEntries(rows.map((r) => [r.state, r.n]));
      });
    },
  };
}
