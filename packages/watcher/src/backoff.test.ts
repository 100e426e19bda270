import { describe, expect, it } from "vitest";
import { createBackoff } from "./backoff.js";

describe("backoff", () => {
  it("doubles from the base up to the cap (without jitter)", () => {
    const b = createBackoff({ baseMs: 100, maxMs: 300_000, jitter: 0 });
    expect([0, 1, 2, 3, 4].map(b)).toEqual([0, 100, 200, 400, 800]);
    expect(b(40)).toBe(300_000);
  });
  it("jitter only shortens the delay", () => {
    const b = createBackoff({ baseMs: 100, jitter: 0.5, random: () => 0.999 });
    expect(b(1)).toBeGreaterThanOrEqual(50);
    expect(b(1)).toBeLessThan(100);
  });
  it("jitters by default: each delay is cut by a random share of up to 20%", () => {
    expect(createBackoff({ random: () => 0.5 })(1)).toBe(90);
    expect(createBackoff({ random: () => 0 })(3)).toBe(400);
    expect(createBackoff({ random: () => 0.999999 })(3)).toBeCloseTo(320, 3);
  });
  it("keys (and replicas) failing together do not retry in lockstep", () => {
    const b = createBackoff({ baseMs: 1000 });
    const delays = Array.from({ length: 50 }, () => b(4));
    expect(new Set(delays).size).toBeGreaterThan(40);
    for (const d of delays) {
      expect(d).toBeGreaterThan(8000 * 0.8 - 1e-9);
      expect(d).toBeLessThanOrEqual(8000);
    }
  });
  it("never exceeds the cap, and the next failure's delay still grows", () => {
    const b = createBackoff({ baseMs: 100, maxMs: 1000 });
    for (let n = 1; n < 30; n++) expect(b(n)).toBeLessThanOrEqual(1000);
    const low = createBackoff({ baseMs: 100, random: () => 0.999999 });
    const high = createBackoff({ baseMs: 100, random: () => 0 });
    expect(low(3)).toBeGreaterThan(high(2));
  });
});
