/** Short texts for jobs and runs, as the CLI tables show them; the same syntax `bevara jobs add` takes. */
import type { JobRecord } from '../model/job.js';
import { formatBytes } from '../reports/format-bytes.js';

/** `folder:/exports/w3d3`. */
export function describeSource(source: { kind: string; path: string }): string {
  return `${source.kind}:${source.path}`;
}

/** `0 2 * * * Europe/Stockholm`, or `on demand` when the job has no schedule. */
export function describeSchedule(job: JobRecord): string {
  return job.schedule ? `${job.schedule.cron} ${job.schedule.timezone}` : 'on demand';
}

/** `leave`, `mark` or `move:/exports/done`. */
export function describeAfterSuccess(job: JobRecord): string {
  return job.afterSuccess.action === 'move' ? `move:${job.afterSuccess.to}` : job.afterSuccess.action;
}

/** `100 records, 50000000000 bytes (46.6 GB) per run`, or `none`. */
export function describeLimits(job: JobRecord): string {
  const parts: string[] = [];
  if (job.limits?.maxRecords !== undefined) parts.push(`${job.limits.maxRecords} records`);
  if (job.limits?.maxBytes !== undefined)
    parts.push(`${job.limits.maxBytes} bytes (${formatBytes(job.limits.maxBytes)})`);
  return parts.length > 0 ? `${parts.join(', ')} per run` : 'none';
}

/** `850 ms`, `12.3 s`, `4m 05s`, `2h 03m 09s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}h ${String(m).padStart(2, '0')}m ${s}s` : `${m}m ${s}s`;
}

/** Milliseconds from start to finish; for a run still going, to `now`. */
export function runDuration(run: { startedAt: Date; finishedAt?: Date }, now: Date): number {
  return (run.finishedAt ?? now).getTime() - run.startedAt.getTime();
}
