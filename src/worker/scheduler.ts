import { errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Clock } from './clock.js';
import { type CronTimes, cronTimes } from './cron-time.js';

/**
 * The scheduler decides what fires when, and nothing else (as graphile-worker keeps its crontab apart from running
 * tasks): it holds a set of cron schedules, sets one alarm per schedule on the injected clock, and calls the
 * schedule's `fire` with the planned time. What a firing does (start a run once across workers, audit) is the
 * executor's business.
 */
export interface ScheduleEntry {
  /** Unique among the entries: a job's name, or `audit`. */
  name: string;
  /** Five or six fields, as node-cron reads them. */
  cron: string;
  /** IANA time zone the cron expression is read in. */
  timezone: string;
  /** What the entry stands for (e.g. the job's definition): an entry given with another key is planned anew. */
  key: string;
  /**
   * Called at each firing with the planned time, the same on every worker (the firing's slot). While the promise
   * of one firing is pending, the next firings of the entry are skipped, never run side by side.
   */
  fire(at: Date): Promise<void>;
}

export interface Scheduler {
  /**
   * Makes `entries` the schedules: new entries and entries with another key are planned (from now), entries not
   * given any more are dropped with their alarms. Returns the entries planned, with their next firing.
   */
  set(entries: ScheduleEntry[]): { name: string; next: Date | null }[];
  /** Names of the schedules, in the order they were planned. */
  names(): string[];
  /** When a schedule fires next; undefined for an unknown name, null for one that never fires again. */
  next(name: string): Date | null | undefined;
  /** Drops every schedule and alarm. */
  stop(): void;
}

interface Planned {
  entry: ScheduleEntry;
  times: CronTimes;
  next: Date | null;
  cancel: () => void;
  busy: boolean;
}

export function createScheduler(clock: Clock, logger?: Logger): Scheduler {
  const planned = new Map<string, Planned>();

  const arm = (p: Planned, after: Date) => {
    p.next = p.times(after);
    const at = p.next;
    p.cancel = at ? clock.setAlarm(at, () => ring(p, at)) : () => {};
  };

  const ring = (p: Planned, at: Date) => {
    if (planned.get(p.entry.name) !== p) return;
    // After a pause of the process the clock may be far past `at`: one firing, then the next one from now.
    const now = clock.now();
    arm(p, now > at ? now : at);
    if (p.busy) {
      logger?.warn({ schedule: p.entry.name, at }, 'the last firing is still busy; this one is skipped');
      return;
    }
    p.busy = true;
    p.entry
      .fire(at)
      .catch((err: unknown) =>
        logger?.error({ schedule: p.entry.name, at, err: errorMessage(err) }, 'scheduled firing failed'),
      )
      .finally(() => {
        p.busy = false;
      });
  };

  const drop = (name: string) => {
    planned.get(name)?.cancel();
    planned.delete(name);
  };

  return {
    set(entries) {
      const given = new Map(entries.map((e) => [e.name, e]));
      for (const [name, p] of planned) if (given.get(name)?.key !== p.entry.key) drop(name);
      const added: { name: string; next: Date | null }[] = [];
      for (const entry of given.values()) {
        if (planned.has(entry.name)) continue;
        const p: Planned = {
          entry,
          times: cronTimes(entry.cron, entry.timezone),
          next: null,
          cancel: () => {},
          busy: false,
        };
        planned.set(entry.name, p);
        arm(p, clock.now());
        added.push({ name: entry.name, next: p.next });
      }
      return added;
    },
    names: () => [...planned.keys()],
    next: (name) => planned.get(name)?.next,
    stop() {
      for (const name of [...planned.keys()]) drop(name);
    },
  };
}
