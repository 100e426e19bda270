/**
 * The SQL helper functions the migrations create, checked against the
 * JavaScript semantics the filter AST specifies: `String(n)` for numbers,
 * strict RFC 3339 parsing, ISO formatting, never an error for bad input; and
 * the regular-expression translation against RE2 (re2js).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { re2Search } from "@tekton-results/storage";
import { toPgRegex, type PgStore } from "../src/index.js";
import { createTestStore, destroyTestStore, stopTestPostgres } from "./support/postgres.js";

let store: PgStore;

beforeAll(async () => {
  store = await createTestStore();
});

afterAll(async () => {
  await destroyTestStore(store);
  await stopTestPostgres();
});

async function scalar<T>(sql: string, bindings: unknown[]): Promise<T> {
  const out = (await store.knex.raw(sql, bindings as never)) as { rows: { v: T }[] };
  return out.rows[0]!.v;
}

describe("tr_format_number", () => {
  const numbers = [
    0,
    -0,
    1,
    -1,
    3,
    1.5,
    -2.25,
    0.1,
    0.2 + 0.1,
    1 / 3,
    100,
    123456789,
    2 ** 53,
    2 ** 53 + 2,
    1e15,
    1e16,
    1e20,
    1e21,
    1.5e21,
    123456789012345680000,
    1e-6,
    1e-7,
    1.5e-7,
    0.000001234,
    5e-324,
    Number.MAX_VALUE,
    -Number.MAX_VALUE,
    1e300,
    12345.6789,
    9.95,
    4.35,
    1e100,
  ];
  it("prints every number like JavaScript's String(n)", async () => {
    for (const n of numbers) {
      const got = await scalar<string>("SELECT tr_format_number(?::float8) AS v", [n]);
      expect(got, String(n)).toBe(String(n));
    }
  });
});

describe("tr_timestamp_ms", () => {
  const valid: [string, number][] = [
    ["2024-01-15T10:00:00Z", Date.UTC(2024, 0, 15, 10)],
    ["2024-01-15t10:00:00z", Date.UTC(2024, 0, 15, 10)],
    ["2024-02-29T23:59:59.999999999+05:30", Date.UTC(2024, 1, 29, 23, 59, 59, 999) - 330 * 60_000],
    ["0001-01-01T00:00:00Z", Date.UTC(2000, 0, 1) - 63082281600000],
    [
      "9999-12-31T23:59:59.5-23:59",
      Date.UTC(9999, 11, 31, 23, 59, 59, 500) + (23 * 60 + 59) * 60_000,
    ],
    ["1969-12-31T23:59:59.1Z", -900],
  ];
  const invalid = [
    "2023-02-29T00:00:00Z",
    "2024-04-31T00:00:00Z",
    "0000-01-01T00:00:00Z",
    "2024-01-15T24:00:00Z",
    "2024-01-15T10:60:00Z",
    "2024-01-15T10:00:60Z",
    "2024-01-15T10:00:00+24:00",
    "2024-01-15T10:00:00+05:60",
    "2024-01-15 10:00:00Z",
    "2024-01-15T10:00:00",
    "2024-01-15T10:00:00.Z",
    "2024-13-01T00:00:00Z",
    "20240-01-01T00:00:00Z",
    "",
    "garbage",
  ];
  it("parses valid RFC 3339 text to Unix milliseconds", async () => {
    for (const [text, ms] of valid) {
      const got = await scalar<string | null>("SELECT tr_timestamp_ms(?::text) AS v", [text]);
      expect(got === null ? null : Number(got), text).toBe(ms);
    }
  });
  it("yields NULL, never an error, for anything else", async () => {
    for (const text of invalid) {
      expect(await scalar("SELECT tr_timestamp_ms(?::text) AS v", [text]), text).toBeNull();
    }
  });
});

describe("tr_format_timestamp and tr_format_duration", () => {
  it("format like the reference evaluator", async () => {
    const cases: [number, string][] = [
      [Date.UTC(2024, 0, 15, 10), "2024-01-15T10:00:00Z"],
      [Date.UTC(2024, 0, 15, 10, 0, 0, 500), "2024-01-15T10:00:00.5Z"],
      [Date.UTC(2024, 0, 15, 10, 0, 0, 7), "2024-01-15T10:00:00.007Z"],
      [-1, "1969-12-31T23:59:59.999Z"],
    ];
    for (const [ms, text] of cases) {
      expect(await scalar("SELECT tr_format_timestamp(?::bigint) AS v", [ms])).toBe(text);
    }
    expect(await scalar("SELECT tr_format_duration(?::bigint) AS v", [1500])).toBe("1.5s");
    expect(await scalar("SELECT tr_format_duration(?::bigint) AS v", [3_600_000])).toBe("3600s");
  });
});

describe("tr_arith and conversions never raise", () => {
  it("answers NULL for division by zero, overflow and bad input", async () => {
    expect(await scalar("SELECT tr_arith('/', 1, 0) AS v", [])).toBeNull();
    expect(await scalar("SELECT tr_arith('%', 7, 0) AS v", [])).toBeNull();
    expect(await scalar("SELECT tr_arith('%', 7.5, 2) AS v", [])).toBeNull();
    expect(await scalar("SELECT tr_arith('%', -7, 2) AS v", [])).toBe(-1);
    expect(await scalar("SELECT tr_arith('*', 1e300, 1e300) AS v", [])).toBeNull();
    expect(await scalar("SELECT tr_text_float('1e400') AS v", [])).toBeNull();
    expect(await scalar("SELECT tr_jnum('1e400'::jsonb) AS v", [])).toBeNull();
    expect(await scalar("SELECT tr_try_jsonb('{not json') AS v", [])).toBeNull();
    expect(await scalar("SELECT tr_jsize('\"héllo\"'::jsonb) AS v", [])).toBe(5);
  });
});

describe("toPgRegex", () => {
  const patterns = [
    "^a.c$",
    "a.c",
    "(?s)a.c",
    "\\d{2}",
    "[\\d-]+x",
    "\\w+@\\w+",
    "\\W",
    "\\s",
    "\\S+",
    "\\bfoo\\b",
    "\\Boo",
    "^(TaskRun|PipelineRun)(Timeout|Cancelled)$",
    "[^a]",
    "\\.",
    "\\x{e9}",
    "\\x41",
    "é.",
    "a{2,3}?",
    "(?:ab)+",
    "[a\\]]",
    "\\$",
    "(?i)^pipelinerun",
    "(?i:a)B",
    "(?i)[a-c]+$",
    "(?i)k",
    "(?m)^c$",
    "^c$",
    "\\Aa",
    "b\\z",
    "[[:alpha:]]+\\d",
    "[[:^alpha:]]",
    "[^\\D]",
    "\\Q.*\\E",
    "(?P<x>a)|b",
    "^(a+)+$",
    "^$",
    "x*",
  ];
  const texts = [
    "abc",
    "a\nc",
    "a\rc",
    "x12y",
    "--x",
    "5-x",
    "a@b",
    "é",
    "\u0660\u0661",
    "foo bar",
    "foobar",
    "PipelineRunTimeout",
    "pipelinerunx",
    "\n",
    "a.b",
    "A",
    "aB",
    "AB",
    "éa",
    "aaa",
    "abab",
    "]",
    "$",
    "",
    "\u00a0",
    "\u212a",
    "ab\nc",
    "c\nb",
    "ABC",
    "a1",
    ".*x",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaab",
  ];
  it("matches exactly what RE2 (re2js) matches", async () => {
    const mismatches: string[] = [];
    for (const pattern of patterns) {
      const translated = toPgRegex(pattern);
      for (const text of texts) {
        const got = await scalar<boolean>("SELECT ?::text ~ ?::text AS v", [text, translated]);
        if (got !== re2Search(pattern, text))
          mismatches.push(`${pattern} on ${JSON.stringify(text)}: postgres ${got}`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it("answers a pattern that backtracks exponentially in a JavaScript engine at once", async () => {
    const started = performance.now();
    const got = await scalar<boolean>("SELECT ?::text ~ ?::text AS v", [
      `${"a".repeat(10_000)}b`,
      toPgRegex("^(a+)+$"),
    ]);
    expect(got).toBe(false);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
