/** Jobs as the console lists and changes them: the CLI's job actions, with who did it logged. */
import { addJob, requireJob, setJobEnabled, syncJobs } from '../../jobs/job-actions.js';

export { describeJob, listJobsWithLastRun } from '../../jobs/job-actions.js';
import { type JobFlags, JobSpecError } from '../../jobs/job-spec.js';
import type { ConsoleDeps } from '../deps.js';

/** A job definition as a form or JSON body gives it; the same fields as `bevara jobs add`. */
export interface JobInput {
  name?: unknown;
  /** `folder:/path`, or `{ kind, path }`. */
  source?: unknown;
  profile?: unknown;
  cron?: unknown;
  timezone?: unknown;
  afterSuccess?: unknown;
  quarantine?: unknown;
  maxRecords?: unknown;
  maxBytes?: unknown;
  disabled?: unknown;
}

/** The `jobs add` flag a problem names, as the field of the JSON body (and the form). */
const FIELD_OF_FLAG: Record<string, string> = {
  '<name>': 'name',
  '--source': 'source',
  '--profile': 'profile',
  '--cron': 'cron',
  '--timezone': 'timezone',
  '--after-success': 'afterSuccess',
  '--quarantine': 'quarantine',
  '--max-records': 'maxRecords',
  '--max-bytes': 'maxBytes',
};

const text = (value: unknown) =>
  typeof value === 'string' && value.trim() !== ''
    ? value.trim()
    : typeof value === 'number'
      ? String(value)
      : undefined;

function flagsOf(input: JobInput): JobFlags {
  const source =
    typeof input.source === 'object' && input.source !== null
      ? `${String((input.source as { kind?: unknown }).kind ?? '')}:${String((input.source as { path?: unknown }).path ?? '')}`
      : text(input.source);
  const flags: JobFlags = {};
  if (source !== undefined) flags.source = source;
  for (const key of [
    'profile',
    'cron',
    'timezone',
    'afterSuccess',
    'quarantine',
    'maxRecords',
    'maxBytes',
  ] as const) {
    const value = text(input[key]);
    if (value !== undefined) flags[key] = value;
  }
  if (input.disabled === true || input.disabled === 'on' || input.disabled === 'true') flags.disabled = true;
  return flags;
}

/** Adds a job as `bevara jobs add` does; a problem names the body's fields (`cron`, not `--cron`). */
export async function createJob(deps: ConsoleDeps, input: JobInput, by: string) {
  const name = text(input.name) ?? '';
  try {
    const job = await addJob(deps.ctx, name, flagsOf(input));
    deps.ctx.logger.info({ job: job.name, user: by }, 'job added from the console');
    return job;
  } catch (err) {
    if (!(err instanceof JobSpecError)) throw err;
    throw new JobSpecError(
      err.rule,
      err.message,
      err.issues.map((i) => ({ ...i, field: FIELD_OF_FLAG[i.field] ?? i.field })),
    );
  }
}

export async function changeJob(deps: ConsoleDeps, name: string, enabled: boolean, by: string) {
  const result = await setJobEnabled(deps.ctx, name, enabled);
  if (result.changed)
    deps.ctx.logger.info({ job: name, user: by, enabled }, enabled ? 'job resumed' : 'job paused');
  return result.job;
}

export async function runJob(deps: ConsoleDeps, name: string, by: string) {
  await syncJobs(deps.ctx);
  return deps.work.runJob(await requireJob(deps.ctx, name), by);
}
