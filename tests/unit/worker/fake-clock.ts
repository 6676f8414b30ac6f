import type { Clock } from '../../../src/worker/clock.js';

/** A clock that moves only when a test moves it: no test of scheduling waits for, or reads, the wall clock. */
export interface FakeClock extends Clock {
  /**
   * Moves the clock to `to`, ringing every alarm due on the way in time order (the clock reads each alarm's time
   * while it rings) and letting the work it starts take its next steps before the next one.
   */
  advanceTo(to: Date | string): Promise<void>;
  /** Times of the alarms set and neither rung nor cancelled, earliest first. */
  pending(): Date[];
}

export function createFakeClock(start: Date | string): FakeClock {
  let now = new Date(start).getTime();
  let next = 0;
  const alarms = new Map<number, { at: number; fn: () => void }>();
  return {
    now: () => new Date(now),
    setAlarm(at, fn) {
      const id = next++;
      alarms.set(id, { at: at.getTime(), fn });
      return () => alarms.delete(id);
    },
    pending: () =>
      [...alarms.values()]
        .map((a) => a.at)
        .sort((a, b) => a - b)
        .map((t) => new Date(t)),
    async advanceTo(to) {
      const end = new Date(to).getTime();
      for (;;) {
        const due = [...alarms.entries()]
          .filter(([, a]) => a.at <= end)
          .sort(([i, a], [j, b]) => a.at - b.at || i - j)[0];
        if (!due) break;
        alarms.delete(due[0]);
        now = Math.max(now, due[1].at);
        due[1].fn();
        await new Promise((resolve) => setImmediate(resolve));
      }
      now = Math.max(now, end);
    },
  };
}
