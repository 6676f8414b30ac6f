/**
 * Retrying one record of an ingest run: allowed when the record ended that run `failed` or `waiting` and stands
 * there still. A retry is a new run of the record's job now, which is what the engine offers: it starts every
 * record that ended its last run (failed, waiting) again as discovered and re-ingests it, first completing the
 * packages that wait for copies (`completeWaitingPackages`); records already archived are found unchanged and
 * cost nothing. A refused record goes through the quarantine instead (release).
 */
import type { JobCatalog, RunCatalog } from '../catalog/types.js';
import { NotFoundError, ValidationError } from '../errors.js';

const RETRYABLE = ['failed', 'waiting'] as const;

/** Checks that `record` of run `runId` can be retried; returns the job to run. */
export async function jobToRetry(
  catalog: Pick<RunCatalog, 'getRun'> & Pick<JobCatalog, 'listRecordStates' | 'getJob'>,
  runId: string,
  record: string,
): Promise<string> {
  const run = await catalog.getRun(runId);
  if (!run) throw new NotFoundError(`[runs] no run "${runId}"`);
  const job = typeof run.params.job === 'string' ? run.params.job : undefined;
  if (run.kind !== 'ingest' || !job)
    throw new ValidationError('retry-not-ingest', `[runs] run ${runId} is not a run of an ingest job`);
  if (!(await catalog.getJob(job)))
    throw new NotFoundError(`[runs] job "${job}" of run ${runId} no longer exists`);
  for (const state of RETRYABLE) {
    const records = await catalog.listRecordStates({ job, runId, state });
    if (records.some((r) => r.sourceKey === record)) return job;
  }
  throw new ValidationError(
    'retry-not-retryable',
    `[runs] record "${record}" does not stand failed or waiting as run ${runId} left it; only such records are ` +
      'retried (a refused record is released from the quarantine)',
    { record },
  );
}
