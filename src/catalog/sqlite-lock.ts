/**
 * The in-process lock of the SQLite catalog. better-sqlite3 runs each statement synchronously, but a transaction
 * of the shared SQL spans awaits. While one is open (or waiting to begin), every other statement on the same
 * database file from this process waits its turn: one from the same catalog, which would otherwise run inside
 * the transaction, and one from another catalog on the same file, whose write would otherwise wait for the file
 * lock synchronously (the busy timeout) and so block the event loop the open transaction needs to finish.
 */
import { resolve } from 'node:path';

export interface TurnLock {
  /** Runs `fn` once every turn taken before has settled. */
  take<T>(fn: () => Promise<T>): Promise<T>;
  /** Runs `fn` at once when no turn is taken or waiting, else as a turn of its own. */
  whenFree<T>(fn: () => Promise<T>): Promise<T>;
  /** Tells that this catalog is closed: the lock of a file is dropped with its last catalog. */
  release(): void;
}

interface Turns {
  last: Promise<unknown>;
  queued: number;
  users: number;
}

/** The turns of each database file some catalog of this process has open, by absolute path. */
const FILES = new Map<string, Turns>();

/** The lock of the database at `path`; a private one for an in-memory database. */
export function lockFor(path: string): TurnLock {
  const key = path === '' || path === ':memory:' ? undefined : resolve(path);
  const turns = (key !== undefined ? FILES.get(key) : undefined) ?? {
    last: Promise.resolve(),
    queued: 0,
    users: 0,
  };
  if (key !== undefined) FILES.set(key, turns);
  turns.users++;
  let released = false;
  function take<T>(fn: () => Promise<T>): Promise<T> {
    turns.queued++;
    const result = turns.last.then(fn).finally(() => {
      turns.queued--;
    });
    turns.last = result.catch(() => {});
    return result;
  }
  return {
    take,
    whenFree: (fn) => (turns.queued === 0 ? fn() : take(fn)),
    release() {
      if (released) return;
      released = true;
      turns.users--;
      if (turns.users === 0 && key !== undefined && FILES.get(key) === turns) FILES.delete(key);
    },
  };
}
