import {
  compileFilter,
  FilterError,
  type FilterExpr,
  type StoredRecord,
  type StoredResult,
} from "@tekton-results/storage";
import { describe, expect, it } from "vitest";
import { filterCases, invalidFilterCases } from "./filter-cases.js";
import { filterFixtures } from "./filter-fixtures.js";
import {
  evaluateFilter,
  type FilterRow,
  matchesFilter,
  recordRow,
  resultRow,
} from "./memory-filter.js";

const fixtures = filterFixtures();

/** A row with only a `data` document. */
function dataRow(data: unknown): FilterRow {
  return { columns: {}, json: { data: data as never } };
}

/** Compile a records filter and evaluate it over `data`. */
function evalData(filter: string, data: unknown): unknown {
  const expr = compileFilter(filter, { target: "records" });
  if (expr === undefined) throw new Error("empty filter");
  return evaluateFilter(expr, dataRow(data));
}

describe("filter fixtures", () => {
  it("has globally unique record names and uids", () => {
    const names = fixtures.records.map((r) => r.name);
    expect(new Set(names).size).toBe(names.length);
    const uids = [...fixtures.results, ...fixtures.records].map((r) => r.uid);
    expect(new Set(uids).size).toBe(uids.length);
  });

  it("puts every record under an existing result of the same parent", () => {
    for (const r of fixtures.records) {
      expect(
        fixtures.results.some((x) => x.parent === r.parent && x.name === r.resultName),
        r.name,
      ).toBe(true);
    }
  });

  it("is deterministic and returns fresh objects", () => {
    const again = filterFixtures();
    expect(again).toEqual(fixtures);
    expect(again.results[0]).not.toBe(fixtures.results[0]);
  });

  it("stores valid JSON documents", () => {
    for (const r of fixtures.records) expect(() => JSON.parse(r.data) as unknown).not.toThrow();
  });
});

describe("filter cases", () => {
  it("have unique names per target, sorted expectations and enough coverage", () => {
    const keys = filterCases.map((c) => `${c.target}:${c.name}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const c of filterCases) expect(c.expected, c.name).toEqual([...c.expected].sort());
    expect(filterCases.length).toBeGreaterThanOrEqual(70);
    expect(invalidFilterCases.length).toBeGreaterThanOrEqual(12);
  });

  for (const c of filterCases) {
    it(`${c.target}: ${c.name}: ${c.filter.slice(0, 80)}`, () => {
      const expr = compileFilter(c.filter, { target: c.target });
      const names =
        c.target === "results"
          ? fixtures.results.filter((r) => matchesFilter(expr, resultRow(r))).map((r) => r.name)
          : fixtures.records.filter((r) => matchesFilter(expr, recordRow(r))).map((r) => r.name);
      expect(names.sort()).toEqual(c.expected);
    });
  }

  for (const c of invalidFilterCases) {
    it(`rejects ${c.target}: ${c.name}`, () => {
      let error: unknown;
      try {
        compileFilter(c.filter, { target: c.target });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(FilterError);
      expect((error as FilterError).message).toContain(c.messageIncludes);
    });
  }
});

describe("resultRow and recordRow", () => {
  const withSummary = fixtures.results.find((r) => r.name === "deploy-42") as StoredResult;
  const without = fixtures.results.find((r) => r.name === "nightly") as StoredResult;

  it("exposes summary columns, null times and annotations", () => {
    const row = resultRow(withSummary);
    expect(row.columns["summary.status"]).toBe(4);
    expect(row.columns["summary.start_time"]).toBe(Date.parse("2026-02-01T08:15:00Z"));
    expect(row.columns["summary.end_time"]).toBeNull();
    expect(row.columns.create_time).toBe(Date.parse("2026-02-01T08:15:00.250Z"));
    expect(row.json.annotations).toEqual({ env: "prod", ticket: "OPS-42" });
    expect(row.json["summary.annotations"]).toEqual({ reason: "manual" });
  });

  it("makes every summary column null without a summary", () => {
    const row = resultRow(without);
    for (const c of [
      "summary.record",
      "summary.type",
      "summary.status",
      "summary.start_time",
      "summary.end_time",
    ] as const) {
      expect(row.columns[c]).toBeNull();
    }
    expect(row.json["summary.annotations"]).toBeUndefined();
  });

  it("parses record data and leaves invalid JSON absent", () => {
    const record = fixtures.records[0] as StoredRecord;
    const row = recordRow(record);
    expect(row.columns.name).toBe("pr-build-main-1");
    expect(row.columns.result_name).toBe("build-main");
    expect(row.columns.data_type).toBe("tekton.dev/v1.PipelineRun");
    expect((row.json.data as { kind: string }).kind).toBe("PipelineRun");
    const broken = recordRow({ ...record, data: "{not json" });
    expect(broken.json.data).toBeUndefined();
    const expr = compileFilter("!has(data.kind)", { target: "records" });
    expect(matchesFilter(expr, broken)).toBe(false);
  });
});

describe("evaluateFilter semantics", () => {
  it("implements three-valued and/or/not", () => {
    expect(evalData("data.a == 1 && data.missing == 1", { a: 1 })).toBeUndefined();
    expect(evalData("data.a == 2 && data.missing == 1", { a: 1 })).toBe(false);
    expect(evalData("data.a == 1 || data.missing == 1", { a: 1 })).toBe(true);
    expect(evalData("data.a == 2 || data.missing == 1", { a: 1 })).toBeUndefined();
    expect(evalData("!(data.missing == 1)", {})).toBeUndefined();
    expect(evalData("data.flag && true", { flag: "yes" })).toBeUndefined();
  });

  it("compares values of different kinds as unequal (CEL's heterogeneous equality), and null equality as a test", () => {
    expect(evalData('data.n == "1"', { n: 1 })).toBe(false);
    expect(evalData('data.n != "1"', { n: 1 })).toBe(true);
    expect(evalData("data.l == 1", { l: [1] })).toBe(false);
    expect(evalData("data.f != true", { f: "true" })).toBe(true);
    expect(evalData("data.l == data.m", { l: [1], m: [1] })).toBeUndefined();
    expect(evalData('data.n < "1"', { n: 1 })).toBeUndefined();
    expect(evalData("data.n == null", { n: null })).toBe(true);
    expect(evalData("data.n == null", { n: 0 })).toBe(false);
    expect(evalData("data.n != null", { n: "x" })).toBe(true);
    expect(evalData("data.n == null", {})).toBeUndefined();
    expect(evalData("data.a == data.b", { a: 1, b: 1.0 })).toBe(true);
    expect(evalData("data.a < data.b", { a: false, b: true })).toBe(true);
  });

  it("orders strings by code point, not UTF-16 units", () => {
    // U+FF5E (fullwidth tilde) < U+1F600 (emoji), though its UTF-16 unit is larger than the emoji's high surrogate.
    expect(evalData("data.a < data.b", { a: "\uFF5E", b: "😀" })).toBe(true);
    expect(evalData("data.a < data.b", { a: "ab", b: "abc" })).toBe(true);
    expect(evalData("data.a > data.b", { a: "b", b: "abc" })).toBe(true);
  });

  it("reads JSON strings as RFC 3339 timestamps next to a timestamp", () => {
    const t = 'data.t == timestamp("2026-01-02T03:04:05.678Z")';
    expect(evalData(t, { t: "2026-01-02T03:04:05.678Z" })).toBe(true);
    expect(evalData(t, { t: "2026-01-02T04:34:05.678999+01:30" })).toBe(true);
    expect(evalData(t, { t: "2026-01-02t03:04:05.678z" })).toBe(true);
    expect(evalData(t, { t: "2026-01-02 03:04:05.678Z" })).toBeUndefined();
    expect(evalData(t, { t: "2026-02-30T03:04:05Z" })).toBeUndefined();
    expect(evalData(t, { t: "2026-01-02T24:00:00Z" })).toBeUndefined();
    expect(evalData(t, { t: 1767323045678 })).toBeUndefined();
    expect(evalData(t, {})).toBeUndefined();
  });

  it("computes timestamp parts in UTC or a fixed offset", () => {
    const data = { t: "2024-12-31T23:30:00Z" };
    expect(evalData("data.t.getDayOfYear() == 365", data)).toBe(true); // leap year
    expect(evalData('data.t.getFullYear("+01:00") == 2025', data)).toBe(true);
    expect(evalData('data.t.getDayOfYear("+01:00") == 0', data)).toBe(true);
    expect(evalData('data.t.getMinutes("-00:45") == 45', data)).toBe(true);
    expect(evalData('data.t.getHours("UTC") == 23', data)).toBe(true);
    expect(evalData("data.t.getDayOfWeek() == 2", data)).toBe(true); // a Tuesday
  });

  it("gives whole units of durations", () => {
    expect(evalData('duration("1h30m").getMinutes() == 90', {})).toBe(true);
    expect(evalData('duration("-1.5s").getSeconds() == -1', {})).toBe(true);
    expect(evalData('duration("1500ms").getMilliseconds() == 1500', {})).toBe(true);
  });

  it("makes division by zero, bad modulo and overflow absent", () => {
    expect(evalData("data.n / 0 == 1", { n: 1 })).toBeUndefined();
    expect(evalData("data.n % 0 == 1", { n: 1 })).toBeUndefined();
    expect(evalData("data.n % 2 == 1", { n: 1.5 })).toBeUndefined();
    expect(evalData("int(data.n) % 4 == -3", { n: -7 })).toBe(true);
    // CEL: a JSON number is a double; double % int and double + int have no overload.
    expect(evalData("data.n % 4 == -3", { n: -7 })).toBeUndefined();
    expect(evalData("data.n + 1 > 0.0", { n: 4 })).toBeUndefined();
    expect(evalData("data.n + 1.0 > 0.0", { n: 4 })).toBe(true);
    expect(evalData("7 / 2 == 3 && -7 / 2 == -3", {})).toBe(true);
    expect(evalData("9007199254740991 + 1 > 0", {})).toBeUndefined();
    expect(evalData("int(data.n) == 0", { n: 1e300 })).toBeUndefined();
  });

  it("adds numbers and concatenates strings for dyn + dyn", () => {
    expect(evalData("data.a + data.b == 3", { a: 1, b: 2 })).toBe(true);
    expect(evalData('data.a + data.b == "xy"', { a: "x", b: "y" })).toBe(true);
    expect(evalData('data.a + data.b == "x1"', { a: "x", b: 1 })).toBeUndefined();
    expect(evalData('data.a + "!" == "x!"', { a: "x" })).toBe(true);
    expect(evalData('data.a + "!" == "1!"', { a: 1 })).toBeUndefined();
  });

  it("has: present, missing, and absent under a non-object", () => {
    expect(evalData("has(data.a.b)", { a: { b: null } })).toBe(true);
    expect(evalData("has(data.a.c)", { a: { b: 1 } })).toBe(false);
    expect(evalData("has(data.a.b)", { a: [1] })).toBeUndefined();
    expect(evalData("has(data.a.b)", {})).toBeUndefined();
  });

  it("in: lists, JSON arrays, object keys, absent values", () => {
    expect(evalData('data.a in ["x", "y"]', { a: "y" })).toBe(true);
    expect(evalData('data.a in ["x", "y"]', { a: "z" })).toBe(false);
    // CEL: `in` on a missing value, or over a list with a missing item, is an error.
    expect(evalData('data.a in ["x", "y"]', {})).toBeUndefined();
    expect(evalData('!(data.zz in ["x"])', {})).toBeUndefined();
    expect(evalData('"x" in [data.missing, "x"]', {})).toBeUndefined();
    expect(evalData("data.a in data.o", { a: [], o: {} })).toBeUndefined();
    expect(evalData("data.a in data.o", { a: 1, o: { "1": 1 } })).toBe(false);
    expect(evalData("2 in data.l", { l: [1, 2.0] })).toBe(true);
    expect(evalData('"k" in data.o', { o: { k: 1 } })).toBe(true);
    expect(evalData('"k" in data.o', { o: "k" })).toBeUndefined();
    expect(evalData('"k" in data.o', {})).toBeUndefined();
    expect(
      evalData('data.t in [timestamp("2026-01-01T00:00:00Z")]', { t: "2026-01-01T01:00:00+01:00" }),
    ).toBe(true);
  });

  it("comprehensions: exists, all, exists_one with absent elements", () => {
    expect(evalData("data.l.exists(x, x > 1)", { l: [1, "a", 2] })).toBe(true);
    expect(evalData("data.l.exists(x, x > 5)", { l: [1, "a", 2] })).toBeUndefined();
    expect(evalData("data.l.exists(x, x > 5)", { l: [1, 2] })).toBe(false);
    expect(evalData("data.l.all(x, x > 1)", { l: [1, "a"] })).toBe(false);
    expect(evalData("data.l.all(x, x > 0)", { l: [1, "a"] })).toBeUndefined();
    expect(evalData("data.l.all(x, x > 0)", { l: [] })).toBe(true);
    expect(evalData("data.l.exists_one(x, x > 1)", { l: [1, 2] })).toBe(true);
    expect(evalData("data.l.exists_one(x, x > 0)", { l: [1, 2] })).toBe(false);
    expect(evalData("data.l.exists_one(x, x > 1)", { l: [2, "a"] })).toBeUndefined();
    expect(evalData("data.l.exists(x, x > 1)", { l: 5 })).toBeUndefined();
    expect(evalData('data.o.exists(k, k == "b")', { o: { a: 1, b: 2 } })).toBe(true);
    expect(
      evalData("data.l.exists(x, x.l.exists(x, x == 3))", { l: [{ l: [1] }, { l: [3] }] }),
    ).toBe(true);
  });

  it("conversions and string functions", () => {
    expect(evalData('string(data.n) == "1.5"', { n: 1.5 })).toBe(true);
    expect(evalData('string(data.b) == "true"', { b: true })).toBe(true);
    expect(evalData('string(data.o) == "x"', { o: {} })).toBeUndefined();
    expect(evalData("int(data.s) == -12", { s: "-12" })).toBe(true);
    expect(evalData("int(data.s) == 1", { s: "1.5" })).toBeUndefined();
    expect(evalData("int(data.n) == -1", { n: -1.9 })).toBe(true);
    expect(evalData('int(timestamp("1969-12-31T23:59:59.500Z")) == -1', {})).toBe(true);
    expect(evalData("double(data.s) == 1500.0", { s: "1.5e3" })).toBe(true);
    expect(evalData("double(data.s) == 1.0", { s: "one" })).toBeUndefined();
    expect(evalData('data.s.lowerAscii() == "abcÄ"', { s: "ABCÄ" })).toBe(true);
    expect(evalData("size(data.s) == 2", { s: "😀é" })).toBe(true);
    expect(evalData("size(data.s) == 2", { s: 12 })).toBeUndefined();
    expect(evalData('data.s.matches("^a.c$")', { s: "a😀c" })).toBe(true);
    expect(evalData('data.s.startsWith("a")', { s: 1 })).toBeUndefined();
  });

  it("ternary picks a branch and is absent on an absent test", () => {
    expect(evalData('(data.a ? "y" : "n") == "y"', { a: true })).toBe(true);
    expect(evalData('(data.a ? "y" : "n") == "n"', { a: false })).toBe(true);
    expect(evalData('(data.a ? "y" : "n") == "n"', {})).toBeUndefined();
  });

  it("reads column nulls as absent and matchesFilter needs exactly true", () => {
    const expr: FilterExpr = {
      kind: "compare",
      type: "bool",
      op: "==",
      left: { kind: "column", type: "timestamp", column: "summary.end_time" },
      right: { kind: "const", type: "timestamp", value: 0 },
    };
    const row: FilterRow = { columns: { "summary.end_time": null }, json: {} };
    expect(evaluateFilter(expr, row)).toBeUndefined();
    expect(matchesFilter(expr, row)).toBe(false);
    expect(matchesFilter({ kind: "not", type: "bool", arg: expr }, row)).toBe(false);
    expect(matchesFilter(undefined, row)).toBe(true);
    expect(
      matchesFilter({ kind: "json", type: "dyn", root: { column: "data" }, path: [] }, dataRow(1)),
    ).toBe(false);
  });
});
