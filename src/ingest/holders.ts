import { hostname } from 'node:os';

/**
 * Who holds a lease. A worker has a stable id (its restart takes its records back at once); a one-off process
 * such as `bevara ingest` has an id naming its host and process, `ingest@<host>#<pid>`, so that a later process on
 * the same host can tell that it is dead and take over its records at once instead of waiting for its leases.
 */
export function processHolderId(role: string, pid = process.pid, host = hostname()): string {
  return `${role}@${host}#${pid}`;
}

const PROCESS_HOLDER = /^[a-z-]+@(.+)#(\d+)$/;

/**
 * Whether `holder` names a process on this host that no longer runs. A holder of another host, a worker id, or a
 * process that still runs (or whose pid was reused) is not known dead: its leases are left to expire.
 */
export function isDeadLocalHolder(holder: string, host = hostname()): boolean {
  const match = PROCESS_HOLDER.exec(holder);
  if (!match || match[1] !== host) return false;
  const pid = Number(match[2]);
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
