import { describe, expect, it } from "vitest";
import { jitteredAge } from "./connection-age.js";

describe("jitteredAge", () => {
  it("is the age plus or minus up to 10%, as grpc-go's MaxConnectionAge", () => {
    expect(jitteredAge(10_000, () => 0)).toBe(9_000);
    expect(jitteredAge(10_000, () => 0.5)).toBe(10_000);
    expect(jitteredAge(10_000, () => 0.999_999)).toBe(11_000);
    for (let i = 0; i < 100; i++) {
      const age = jitteredAge(300);
      expect(age).toBeGreaterThanOrEqual(270);
      expect(age).toBeLessThanOrEqual(330);
    }
  });

  it("stays within what a timer can wait (1 ms to 2^31-1 ms)", () => {
    expect(jitteredAge(2 ** 31 - 1, () => 0.99)).toBe(2 ** 31 - 1);
    expect(jitteredAge(1, () => 0)).toBe(1);
  });
});
