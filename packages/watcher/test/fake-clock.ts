/**
 * A manual clock for tests: time moves only when `advance` is called, and
 * due timers run in order.
 */
import type { Clock, TimerHandle } from "@tekton-results/runtime";

/** A {@link Clock} whose time is moved by hand. */
export interface FakeClock extends Clock {
  /** Move time forward by `ms`, running due timers (and letting their promises settle). */
  advance(ms: number): Promise<void>;
  /** Timers not yet run. */
  pending(): number;
}

/** Create a fake clock starting at `start` (ms since the epoch). */
export function createFakeClock(start = Date.UTC(2026, 0, 1)): FakeClock {
  let now = start;
  let seq = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const settle = async () => {
    for (let i = 0; i < 20; i++) await Promise.resolve();
  };
  return {
    now: () => now,
    setTimer(fn, ms): TimerHandle {
      const id = ++seq;
      timers.set(id, { at: now + Math.max(0, ms), fn });
      return { cancel: () => timers.delete(id) };
    },
    async advance(ms) {
      const until = now + ms;
      for (;;) {
        await settle();
        let next: [number, { at: number; fn: () => void }] | undefined;
        for (const entry of timers) {
          if (entry[1].at <= until && (!next || entry[1].at < next[1].at)) next = entry;
        }
        if (!next) break;
        timers.delete(next[0]);
        now = Math.max(now, next[1].at);
        next[1].fn();
      }
      now = until;
      await settle();
    },
    pending: () => timers.size,
  };
}
