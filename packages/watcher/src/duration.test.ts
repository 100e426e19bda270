import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration } from "./duration.js";

describe("parseDuration", () => {
  it("reads Go-style durations with every unit", () => {
    expect(parseDuration("10m")).toBe(600_000);
    expect(parseDuration("1h30m")).toBe(5_400_000);
    expect(parseDuration("15s")).toBe(15_000);
    expect(parseDuration("500ms")).toBe(500);
    expect(parseDuration("1.5s")).toBe(1500);
    expect(parseDuration("2000us")).toBe(2);
    expect(parseDuration("0")).toBe(0);
  });
  it("reads signs", () => {
    expect(parseDuration("-1s")).toBe(-1000);
    expect(parseDuration("+2m")).toBe(120_000);
  });
  it("rejects anything else", () => {
    for (const bad of ["", "10", "m", "1d", "1h 30m", "abc", "-"]) {
      expect(() => parseDuration(bad), bad).toThrow(RangeError);
    }
  });
  it("formats durations back", () => {
    expect(formatDuration(0)).toBe("0s");
    expect(formatDuration(5_400_000)).toBe("1h30m");
    expect(formatDuration(-1000)).toBe("-1s");
    expect(formatDuration(61_500)).toBe("1m1.5s");
  });
});
