/**
 * The time the scheduler runs on. Production reads the injected `now` and waits with the process's timers; tests
 * pass a fake clock they move by hand (tests/unit/worker/fake-clock.ts), so no test waits for the wall clock.
 */
export interface Clock {
  now(): Date;
  /** Calls `fn` once when the clock has reached `at` (soon, when it has already); returns what cancels the call. */
  setAlarm(at: Date, fn: () => void): () => void;
}

/** setTimeout takes at most 2^31-1 ms (24.8 days); a yearly schedule waits in several steps. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** A clock reading `now` (the app's clock) and waiting with unref'd timers, never calling before `at`. */
export function createTimerClock(now: () => Date): Clock {
  return {
    now,
    setAlarm(at, fn) {
      let timer: NodeJS.Timeout | undefined;
      const wait = () => {
        const ms = at.getTime() - now().getTime();
        timer = setTimeout(ms <= 0 ? fn : wait, Math.min(Math.max(ms, 0), MAX_TIMEOUT_MS));
        timer.unref();
      };
      wait();
      return () => clearTimeout(timer);
    },
  };
}
