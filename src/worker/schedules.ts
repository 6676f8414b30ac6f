import type { JobRecord } from '../model/job.js';
import type { ScheduleEntry } from './scheduler.js';

/** The scheduler's name of the audit's schedule; jobs' are `job:<name>` (a job may be called "audit"). */
export const AUDIT_SCHEDULE = 'audit';
const JOB_PREFIX = 'job:';

/** What a firing does: the executor's. */
export interface Firings {
  job(job: JobRecord, slot: string): Promise<void>;
  audit(slot: string): Promise<void>;
}

/**
 * The worker's schedules: every enabled job that has a schedule (a changed definition is planned anew; a paused,
 * removed or unscheduled job is dropped) and the audit when `audit.schedule` is set. A firing's slot is its
 * planned time, the same on every worker.
 */
export function workerSchedules(
  jobs: JobRecord[],
  audit: { schedule?: string; timezone: string },
  fire: Firings,
): ScheduleEntry[] {
  const entries: ScheduleEntry[] = [];
  for (const job of jobs) {
    if (!job.enabled || !job.schedule) continue;
    entries.push({
      name: `${JOB_PREFIX}${job.name}`,
      cron: job.schedule.cron,
      timezone: job.schedule.timezone,
      key: JSON.stringify(job),
      fire: (at) => fire.job(job, at.toISOString()),
    });
  }
  if (audit.schedule)
    entries.push({
      name: AUDIT_SCHEDULE,
      cron: audit.schedule,
      timezone: audit.timezone,
      key: audit.schedule,
      fire: (at) => fire.audit(at.toISOString()),
    });
  return entries;
}

/** The job a schedule name stands for, or undefined for the audit's. */
export function scheduledJob(name: string): string | undefined {
  return name.startsWith(JOB_PREFIX) ? name.slice(JOB_PREFIX.length) : undefined;
}

/** How the health file names a schedule: the job's name, or `audit`. */
export const scheduleLabel = (name: string) => scheduledJob(name) ?? name;
