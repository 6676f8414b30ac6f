import fs from 'node:fs/promises';

/** What the health file says; supervisors read `updatedAt` (fresh means alive) and `status`. */
export interface WorkerHealth {
  id: string;
  pid: number;
  status: 'running' | 'stopping' | 'stopped';
  startedAt: Date;
  /** Rewritten on every look (every `pollMs`). */
  updatedAt: Date;
  /** Ids of the runs this worker works on. */
  activeRuns: string[];
  /** Names of the scheduled jobs, and `audit` when audits are scheduled. */
  schedules: string[];
  lastError?: string;
}

/**
 * A writer of the worker's health file: one JSON line, replaced atomically (written beside it, then renamed), so
 * that a reader never sees half of it. Without a file it writes nothing. `onReport` gets every report too (the
 * console of `bevara worker --http` answers `/healthz` from it).
 */
export function createHealthFile(
  file: string | undefined,
  report: (status: WorkerHealth['status']) => WorkerHealth,
  onReport?: (health: WorkerHealth) => void,
): (status: WorkerHealth['status']) => Promise<void> {
  return async (status) => {
    if (onReport) onReport(report(status));
    if (!file) return;
    await fs.writeFile(`${file}.tmp`, `${JSON.stringify(report(status))}\n`);
    await fs.rename(`${file}.tmp`, file);
  };
}
