import { isDeadLocalProcess, processTag } from '../processes.js';

/**
 * Who holds a lease. A worker has a stable id (its restart takes its records back at once); a one-off process
 * such as `bevara ingest` has an id naming its host and process, `ingest@<host>#<pid>`, so that a later process on
 * the same host can tell that it is dead and take over its records at once instead of waiting for its leases.
 */
export function processHolderId(role: string): string {
  return `${role}@${processTag()}`;
}

/**
 * Whether `holder` names a process on this host that no longer runs. A holder of another host, a worker id, or a
 * process that still runs (or whose pid was reused) is not known dead: its leases are left to expire.
 */
export function isDeadLocalHolder(holder: string): boolean {
  return /^[a-z-]+@/.test(holder) && isDeadLocalProcess(holder.slice(holder.indexOf('@') + 1));
}
