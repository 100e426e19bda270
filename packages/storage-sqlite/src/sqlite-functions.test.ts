import { describe, expect, it } from "vitest";
import {
  formatDuration,
  formatNumber,
  formatTimestamp,
  parseDurationMs,
  parseTimestampMs,
  sqlRegexp,
} from "./sqlite-functions.js";

describe("sqlite functions", () => {
  it("parses strict RFC 3339 timestamps with offsets and truncates below a millisecond", () => {
    expect(parseTimestampMs("2024-01-02T03:04:05Z")).toBe(Date.UTC(2024, 0, 2, 3, 4, 5));
    expect(parseTimestampMs("2024-01-02t03:04:05.1239z")).toBe(Date.UTC(2024, 0, 2, 3, 4, 5, 123));
    expect(parseTimestampMs("2024-01-02T03:04:05+05:30")).toBe(Date.UTC(2024, 0, 1, 21, 34, 5));
    expect(parseTimestampMs("0001-01-01T00:00:00Z")).toBe(-62135596800000);
    for (const bad of [
      "2024-02-30T00:00:00Z",
      "2024-01-02",
      "2024-01-02 03:04:05Z",
      "2024-01-02T24:00:00Z",
      "now",
      "",
    ]) {
      expect(parseTimestampMs(bad), bad).toBeNull();
    }
    expect(parseTimestampMs("2024-02-29T00:00:00Z")).toBe(Date.UTC(2024, 1, 29));
  });

  it("parses Go durations", () => {
    expect(parseDurationMs("1h30m")).toBe(5_400_000);
    expect(parseDurationMs("-2.5s")).toBe(-2500);
    expect(parseDurationMs("1ms")).toBe(1);
    expect(parseDurationMs("0")).toBe(0);
    expect(parseDurationMs("1d")).toBeNull();
    expect(parseDurationMs("h")).toBeNull();
  });

  it("formats numbers, timestamps and durations like CEL and JSON", () => {
    expect(formatNumber(2)).toBe("2");
    expect(formatNumber(2.5)).toBe("2.5");
    expect(formatNumber(Number.NaN)).toBeNull();
    expect(formatTimestamp(Date.UTC(2024, 0, 1))).toBe("2024-01-01T00:00:00Z");
    expect(formatTimestamp(Date.UTC(2024, 0, 1, 0, 0, 0, 500))).toBe("2024-01-01T00:00:00.5Z");
    expect(formatDuration(3_600_000)).toBe("3600s");
    expect(formatDuration(1500)).toBe("1.5s");
  });

  it("matches regular expressions unanchored and answers NULL for bad patterns", () => {
    expect(sqlRegexp("b", "abc")).toBe(1);
    expect(sqlRegexp("^b", "abc")).toBe(0);
    expect(sqlRegexp("(", "abc")).toBeNull();
    expect(sqlRegexp(null, "abc")).toBeNull();
    expect(sqlRegexp("^.$", "😀")).toBe(1);
  });
});
