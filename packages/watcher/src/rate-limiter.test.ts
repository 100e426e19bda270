import { describe, expect, it } from "vitest";
import { createFakeClock } from "../test/fake-clock.js";
import { createRateLimiter } from "./rate-limiter.js";

describe("token bucket", () => {
  it("allows a burst, then qps per second", async () => {
    const clock = createFakeClock();
    const limiter = createRateLimiter(2, 3, clock);
    expect([limiter.tryTake(), limiter.tryTake(), limiter.tryTake(), limiter.tryTake()]).toEqual([
      true,
      true,
      true,
      false,
    ]);
    let done = false;
    const waiting = limiter.take().then(() => (done = true));
    await clock.advance(499);
    expect(done).toBe(false);
    await clock.advance(1);
    await waiting;
    expect(done).toBe(true);
  });
  it("serves waiters in order", async () => {
    const clock = createFakeClock();
    const limiter = createRateLimiter(1, 1, clock);
    await limiter.take();
    const order: number[] = [];
    const a = limiter.take().then(() => order.push(1));
    const b = limiter.take().then(() => order.push(2));
    await clock.advance(1000);
    await a;
    expect(order).toEqual([1]);
    await clock.advance(1000);
    await b;
    expect(order).toEqual([1, 2]);
  });
  it("qps 0 is unlimited", async () => {
    const limiter = createRateLimiter(0, 1, createFakeClock());
    for (let i = 0; i < 100; i++) expect(limiter.tryTake()).toBe(true);
    await limiter.take();
  });
});
