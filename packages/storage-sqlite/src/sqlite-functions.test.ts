import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import {
  StatementTimeoutError,
  formatDuration,
  formatNumber,
  formatTimestamp,
  parseDurationMs,
  parseTimestampMs,
  registerSqliteFunctions,
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

  it("matches with RE2 syntax and semantics, refusing what RE2 refuses", () => {
    expect(sqlRegexp("(?i)^ABC$", "abc")).toBe(1);
    expect(sqlRegexp("(?i:a)b", "Ab")).toBe(1);
    expect(sqlRegexp("(?i:a)b", "AB")).toBe(0);
    expect(sqlRegexp("^a\\z", "a")).toBe(1);
    expect(sqlRegexp("^[[:alpha:]]+$", "abc")).toBe(1);
    expect(sqlRegexp("^\\pL+$", "héllo")).toBe(1);
    expect(sqlRegexp("a.c", "a\nc")).toBe(0);
    expect(sqlRegexp("(?s)a.c", "a\nc")).toBe(1);
    expect(sqlRegexp("^b$", "a\nb")).toBe(0);
    expect(sqlRegexp("(?m)^b$", "a\nb")).toBe(1);
    expect(sqlRegexp("(a)\\1", "aa")).toBeNull();
    expect(sqlRegexp("(?=a)", "a")).toBeNull();
    expect(sqlRegexp("a++", "a")).toBeNull();
  });

  it("matches in linear time: a pattern that backtracks exponentially answers at once", () => {
    const started = performance.now();
    expect(sqlRegexp("^(a+)+$", `${"a".repeat(25)}b`)).toBe(0);
    expect(sqlRegexp("^(a+)+$", `${"a".repeat(10_000)}b`)).toBe(0);
    expect(sqlRegexp("^(a|a)*$", `${"a".repeat(10_000)}!`)).toBe(0);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it("cuts off a statement run under the limit once its functions pass it, and keeps serving", () => {
    const db = new Database(":memory:");
    try {
      const limit = registerSqliteFunctions(db, { statementTimeoutMs: 20 });
      const slow = db.prepare(
        `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n)
         SELECT count(*) AS c FROM n WHERE regexp('^(x+)+y$', printf('%.*c', 200 + i % 7, 'x')) = 1`,
      );
      const started = performance.now();
      let err: unknown;
      try {
        limit(() => slow.get());
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(StatementTimeoutError);
      expect((err as StatementTimeoutError).limitMs).toBe(20);
      expect(performance.now() - started).toBeLessThan(1000);
      // The clock starts again with the next statement under the limit.
      expect(limit(() => db.prepare("SELECT regexp('b', 'abc') AS m").get())).toEqual({ m: 1 });
      const bounded = db.prepare(
        `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100)
         SELECT count(*) AS c FROM n WHERE regexp('^x', 'x' || i) = 1`,
      );
      expect(limit(() => bounded.get())).toEqual({ c: 100 });
    } finally {
      db.close();
    }
  });

  it("does not bound work outside the limit: a long synchronous batch of statements runs to its end", () => {
    const db = new Database(":memory:");
    try {
      registerSqliteFunctions(db, { statementTimeoutMs: 5 });
      const one = db.prepare(
        `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
         SELECT count(*) AS c FROM n WHERE tr_timestamp_ms('2026-01-01T00:00:00Z') > 0`,
      );
      // One synchronous run of JavaScript (a bulk load's transaction) that
      // calls the functions far longer than the limit.
      const started = performance.now();
      let runs = 0;
      while (performance.now() - started < 50) {
        expect(one.get()).toEqual({ c: 2000 });
        runs++;
      }
      expect(runs).toBeGreaterThan(1);
    } finally {
      db.close();
    }
  });
});
