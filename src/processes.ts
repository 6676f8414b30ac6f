import { hostname } from 'node:os';

/**
 * Names of running processes, so that another process on the same host can tell when one has died: a process is
 * `<host>#<pid>`. Used for lease holders (`bevara ingest`) and for the temp files an interrupted write leaves.
 */
export function processTag(pid = process.pid, host = hostname()): string {
  return `${host}#${pid}`;
}

/**
 * Whether the process a tag names (found anywhere in `text`, as `<host>#<pid>`) ran on this host and runs no
 * more. Another host's process, this process, or a pid that runs (or was reused) is not known dead.
 */
export function isDeadLocalProcess(text: string, host = hostname()): boolean {
  const at = text.lastIndexOf(`${host}#`);
  if (at === -1) return false;
  const pid = Number(/^\d+/.exec(text.slice(at + host.length + 1))?.[0]);
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
