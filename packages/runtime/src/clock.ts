/**
 * Time as the programs see it: the current time and timers, injectable so
 * that tests control backoff, deadlines and leases.
 *
 * @module
 */

/** A cancellable timer. */
export interface TimerHandle {
  /** Stop the timer; its function will not run (a no-op once it ran). */
  cancel(): void;
}

/** The current time and timers. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Run `fn` after `ms` milliseconds (never before). */
  setTimer(fn: () => void, ms: number): TimerHandle;
}

/** The system clock: `Date.now()` and unref'd `setTimeout` (timers do not hold the process open). */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(fn, ms) {
    const handle = setTimeout(fn, Math.max(0, ms));
    handle.unref?.();
    return { cancel: () => clearTimeout(handle) };
  },
};

/** Resolve after `ms` on `clock`, or at once when `signal` aborts (never rejects). */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    const onAbort = () => {
      timer.cancel();
      resolve();
    };
    const timer = clock.setTimer(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
