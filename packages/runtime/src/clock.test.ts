import { describe, expect, it } from "vitest";
import { sleep, systemClock, type Clock, type TimerHandle } from "./clock.js";

/** A clock whose time moves only when the test says so. */
function manualClock(): Clock & { advance(ms: number): void; pending(): number } {
  let now = 0;
  let timers: { at: number; fn: () => void }[] = [];
  return {
    now: () => now,
    setTimer(fn, ms): TimerHandle {
      const timer = { at: now + ms, fn };
      timers.push(timer);
      return { cancel: () => void (timers = timers.filter((t) => t !== timer)) };
    },
    advance(ms) {
      now += ms;
      const due = timers.filter((t) => t.at <= now);
      timers = timers.filter((t) => t.at > now);
      for (const t of due) t.fn();
    },
    pending: () => timers.length,
  };
}

describe("systemClock", () => {
  it("reads the wall clock in milliseconds since the epoch", () => {
    const before = Date.now();
    const now = systemClock.now();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });

  it("runs a timer no earlier than asked, and not after it is cancelled", async () => {
    const start = Date.now();
    const fired = await new Promise<number>((resolve) => {
      systemClock.setTimer(() => resolve(Date.now()), 20);
    });
    expect(fired - start).toBeGreaterThanOrEqual(19);
    let ran = false;
    systemClock.setTimer(() => (ran = true), 5).cancel();
    await new Promise((r) => setTimeout(r, 30));
    expect(ran).toBe(false);
  });
});

describe("sleep", () => {
  it("resolves once the clock reaches the deadline", async () => {
    const clock = manualClock();
    let done = false;
    const slept = sleep(clock, 100).then(() => (done = true));
    clock.advance(99);
    await Promise.resolve();
    expect(done).toBe(false);
    clock.advance(1);
    await slept;
    expect(done).toBe(true);
  });

  it("resolves at once when the signal aborts, and cancels its timer", async () => {
    const clock = manualClock();
    const controller = new AbortController();
    const slept = sleep(clock, 1000, controller.signal);
    expect(clock.pending()).toBe(1);
    controller.abort();
    await slept;
    expect(clock.pending()).toBe(0);
  });

  it("resolves at once for a signal aborted before", async () => {
    const clock = manualClock();
    await sleep(clock, 1000, AbortSignal.abort());
    expect(clock.pending()).toBe(0);
  });
});
