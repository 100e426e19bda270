import { describe, expect, it } from "vitest";
import { createFakeClock } from "../test/fake-clock.js";
import { createBackoff } from "./backoff.js";
import { createWorkQueue } from "./work-queue.js";

describe("work queue", () => {
  it("dedupes keys while queued and hands them out in order", async () => {
    const depths: number[] = [];
    const q = createWorkQueue({ onDepth: (d) => depths.push(d) });
    q.add("a");
    q.add("b");
    q.add("a");
    expect(q.len()).toBe(2);
    expect(await q.get()).toBe("a");
    expect(await q.get()).toBe("b");
    expect(depths.at(-1)).toBe(0);
  });
  it("never hands a key to two workers: a key added while processed comes back after done", async () => {
    const q = createWorkQueue();
    q.add("a");
    const key = await q.get();
    q.add("a");
    expect(q.len()).toBe(0);
    let second: string | undefined;
    void q.get().then((k) => (second = k));
    await Promise.resolve();
    expect(second).toBeUndefined();
    q.done(key!);
    await Promise.resolve();
    expect(second).toBe("a");
  });
  it("a waiting get receives the next added key", async () => {
    const q = createWorkQueue();
    const pending = q.get();
    q.add("x");
    expect(await pending).toBe("x");
    expect(q.processing()).toBe(1);
  });
  it("backs off per key exponentially and forgets on success", async () => {
    const clock = createFakeClock();
    const q = createWorkQueue({
      clock,
      backoff: createBackoff({ baseMs: 100, maxMs: 1000, jitter: 0 }),
    });
    q.addRateLimited("k");
    expect(q.failures("k")).toBe(1);
    await clock.advance(99);
    expect(q.len()).toBe(0);
    await clock.advance(1);
    expect(q.len()).toBe(1);
    q.done((await q.get())!);
    q.addRateLimited("k");
    await clock.advance(199);
    expect(q.len()).toBe(0);
    await clock.advance(1);
    expect(q.len()).toBe(1);
    q.forget("k");
    expect(q.failures("k")).toBe(0);
  });
  it("addAfter keeps the earliest schedule", async () => {
    const clock = createFakeClock();
    const q = createWorkQueue({ clock });
    q.addAfter("k", 1000);
    q.addAfter("k", 100);
    q.addAfter("k", 5000);
    await clock.advance(100);
    expect(q.len()).toBe(1);
    q.done((await q.get())!);
    await clock.advance(10_000);
    expect(q.len()).toBe(0);
  });
  it("shutDown releases waiters and cancels timers", async () => {
    const clock = createFakeClock();
    const q = createWorkQueue({ clock });
    const pending = q.get();
    q.addAfter("later", 100);
    q.shutDown();
    expect(await pending).toBeUndefined();
    expect(await q.get()).toBeUndefined();
    expect(clock.pending()).toBe(0);
    q.add("x");
    expect(q.len()).toBe(0);
  });
});
