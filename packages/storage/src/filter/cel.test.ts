import { describe, expect, it } from "vitest";
import type { FilterExpr, FilterTarget } from "./ast.js";
import { compileFilter, MAX_FILTER_LENGTH, MAX_LOGIC_OPERANDS } from "./cel.js";
import { FilterError } from "./errors.js";
import { normalizeTimeZone, parseDuration, parseTimestamp } from "./time.js";

function compile(expression: string, target: FilterTarget = "records"): FilterExpr {
  const expr = compileFilter(expression, { target });
  if (expr === undefined) throw new Error("no filter");
  return expr;
}

/** The FilterError a compile throws (fails the test if it throws anything else or nothing). */
function failure(expression: string, target: FilterTarget = "records"): FilterError {
  try {
    compileFilter(expression, { target });
  } catch (e) {
    expect(e).toBeInstanceOf(FilterError);
    return e as FilterError;
  }
  throw new Error(`compiled: ${expression}`);
}

const data = (...path: (string | number)[]): FilterExpr => ({
  kind: "json",
  type: "dyn",
  root: { column: "data" },
  path,
});
const str = (value: string): FilterExpr => ({ kind: "const", type: "string", value });
const int = (value: number): FilterExpr => ({ kind: "const", type: "int", value });

describe("compileFilter: shapes", () => {
  it("compiles empty and blank filters to undefined", () => {
    expect(compileFilter("", { target: "results" })).toBeUndefined();
    expect(compileFilter("  \n\t", { target: "records" })).toBeUndefined();
  });

  it("walks into data with fields and constant indexes", () => {
    expect(compile('data.metadata.labels["tekton.dev/pipeline"] == "build"')).toEqual({
      kind: "compare",
      type: "bool",
      op: "==",
      left: data("metadata", "labels", "tekton.dev/pipeline"),
      right: str("build"),
    });
    expect(compile('data.status.conditions[0].reason != "Failed"')).toMatchObject({
      op: "!=",
      left: data("status", "conditions", 0, "reason"),
    });
  });

  it("flattens && and || chains", () => {
    const expr = compile("data.a == 1 && data.b == 2 && (data.c == 3 && data.d == 4)");
    expect(expr.kind).toBe("and");
    expect(expr.kind === "and" && expr.args.length).toBe(4);
    const or = compile("data.a == 1 || data.b == 2 || !(data.c == 3)");
    expect(or).toMatchObject({
      kind: "or",
      args: [{ kind: "compare" }, { kind: "compare" }, { kind: "not" }],
    });
  });

  it("nests long chains so no node exceeds the operand limit", () => {
    const expr = compile(Array.from({ length: 100 }, (_, i) => `name == "n${i}"`).join(" || "));
    const widest = (e: FilterExpr): number =>
      e.kind === "or" || e.kind === "and" ? Math.max(e.args.length, ...e.args.map(widest)) : 0;
    expect(widest(expr)).toBeLessThanOrEqual(MAX_LOGIC_OPERANDS);
    const count = (e: FilterExpr): number =>
      e.kind === "or" ? e.args.map(count).reduce((a, b) => a + b, 0) : 1;
    expect(count(expr)).toBe(100);
  });

  it("types the results variables, constants and enum names", () => {
    expect(compile("summary.status == SUCCESS", "results")).toEqual({
      kind: "compare",
      type: "bool",
      op: "==",
      left: { kind: "column", type: "int", column: "summary.status" },
      right: int(1),
    });
    for (const name of ["CANCELLED", "RecordSummary.CANCELLED", "RecordSummary.Status.CANCELLED"]) {
      expect(compile(`summary.status == ${name}`, "results")).toMatchObject({ right: int(4) });
    }
    expect(compile("summary.type == PIPELINE_RUN", "results")).toMatchObject({
      left: { kind: "column", type: "string", column: "summary.type" },
      right: str("tekton.dev/v1.PipelineRun"),
    });
    expect(compile('annotations["a/b"] == "x"', "results")).toMatchObject({
      left: { kind: "json", root: { column: "annotations" }, path: ["a/b"] },
    });
    expect(compile('summary.annotations.k == "x"', "results")).toMatchObject({
      left: { kind: "json", root: { column: "summary.annotations" }, path: ["k"] },
    });
    expect(compile("summary.end_time > create_time", "results")).toMatchObject({
      left: { kind: "column", type: "timestamp", column: "summary.end_time" },
      right: { kind: "column", type: "timestamp", column: "create_time" },
    });
  });

  it("types the records variables", () => {
    expect(
      compile(
        'result_name == "r" && name == "n" && data_type == TASK_RUN && parent == "p" && uid == "u"',
      ),
    ).toMatchObject({
      args: [
        { left: { column: "result_name" } },
        { left: { column: "name" } },
        { left: { column: "data_type" }, right: str("tekton.dev/v1.TaskRun") },
        { left: { column: "parent" } },
        { left: { column: "uid" } },
      ],
    });
  });

  it("folds timestamp and duration literals to milliseconds", () => {
    expect(compile('create_time > timestamp("2026-01-01T00:00:00+01:00")')).toMatchObject({
      right: { kind: "const", type: "timestamp", value: Date.parse("2025-12-31T23:00:00Z") },
    });
    expect(compile('update_time - create_time < duration("1h30m")')).toMatchObject({
      left: { kind: "arith", type: "duration", op: "-" },
      right: { kind: "const", type: "duration", value: 5_400_000 },
    });
  });

  it("wraps dyn operands next to timestamps in an explicit timestamp() call", () => {
    const asTimestamp = {
      kind: "call",
      type: "timestamp",
      fn: "timestamp",
      args: [data("status", "startTime")],
    };
    expect(compile("data.status.startTime < create_time")).toMatchObject({ left: asTimestamp });
    expect(compile('data.status.startTime + duration("1h") < create_time')).toMatchObject({
      left: { kind: "arith", type: "timestamp", left: asTimestamp },
    });
    expect(compile("data.status.startTime.getHours() == 1")).toMatchObject({
      left: { kind: "call", fn: "getHours", args: [asTimestamp] },
    });
    expect(compile('create_time - data.status.startTime > duration("1s")')).toMatchObject({
      left: { kind: "arith", type: "duration", right: asTimestamp },
    });
  });

  it("normalizes the time zone argument", () => {
    expect(compile('create_time.getHours("UTC") == 1')).toMatchObject({
      left: { fn: "getHours", args: [{ column: "create_time" }, str("+00:00")] },
    });
    expect(compile('create_time.getDayOfWeek("-08:00") == 1')).toMatchObject({
      left: { fn: "getDayOfWeek", args: [{ column: "create_time" }, str("-08:00")] },
    });
  });

  it("compiles comprehensions with variables", () => {
    expect(compile('data.spec.params.exists(p, p.name == "x")')).toEqual({
      kind: "exists",
      type: "bool",
      range: data("spec", "params"),
      variable: "p",
      predicate: {
        kind: "compare",
        type: "bool",
        op: "==",
        left: { kind: "json", type: "dyn", root: { variable: "p" }, path: ["name"] },
        right: str("x"),
      },
    });
    expect(compile("data.l.all(x, x > 1)")).toMatchObject({
      kind: "all",
      predicate: { left: { kind: "var", name: "x" } },
    });
    expect(compile("data.l.exists_one(x, x == 1)")).toMatchObject({ kind: "exists_one" });
    expect(compile("[1, 2].exists(x, data.n == x)")).toMatchObject({
      range: { kind: "list", items: [int(1), int(2)] },
    });
    // A comprehension variable shadows a declared name.
    expect(compile("data.l.exists(name, name == 1)")).toMatchObject({
      predicate: { left: { kind: "var", name: "name" } },
    });
  });

  it("compiles has() on JSON paths and columns", () => {
    expect(compile("has(data.status.startTime)")).toEqual({
      kind: "has",
      type: "bool",
      target: data("status", "startTime"),
    });
    expect(compile("has(summary.start_time)", "results")).toEqual({
      kind: "has",
      type: "bool",
      target: { kind: "column", type: "timestamp", column: "summary.start_time" },
    });
    expect(compile("has(summary.annotations)", "results")).toMatchObject({
      target: { column: "summary.record" },
    });
    expect(compile("data.l.exists(x, has(x.name))")).toMatchObject({
      predicate: { kind: "has", target: { root: { variable: "x" }, path: ["name"] } },
    });
  });

  it("compiles in, functions, arithmetic, ternary and conversions", () => {
    expect(compile('name in ["a", "b"]')).toMatchObject({
      kind: "in",
      collection: { kind: "list" },
    });
    expect(compile('"k" in data.labels')).toMatchObject({ kind: "in", collection: data("labels") });
    expect(compile('name.startsWith("a")')).toMatchObject({
      kind: "call",
      fn: "startsWith",
      args: [{ column: "name" }, str("a")],
    });
    expect(compile('matches(name, "^a")')).toMatchObject({ kind: "call", fn: "matches" });
    expect(compile("size(data.l) == data.l.size()")).toMatchObject({
      left: { kind: "call", type: "int", fn: "size" },
      right: { kind: "call", type: "int", fn: "size" },
    });
    expect(compile("data.n + 1 > 2")).toMatchObject({
      left: { kind: "arith", type: "double", op: "+" },
    });
    expect(compile("data.n % 2 == 1")).toMatchObject({
      left: { kind: "arith", type: "int", op: "%" },
    });
    expect(compile('data.a + data.b == "x"')).toMatchObject({
      left: { kind: "arith", type: "dyn" },
    });
    expect(compile('name + "x" == "y"')).toMatchObject({ left: { kind: "arith", type: "string" } });
    expect(compile("-data.n < 1")).toMatchObject({ left: { kind: "neg", type: "double" } });
    expect(compile("(data.a ? 1 : 2.5) > 1")).toMatchObject({
      left: { kind: "cond", type: "double" },
    });
    expect(
      compile('string(data.n) == "1" && int(data.s) == 1 && double(data.s) == 1.5'),
    ).toMatchObject({
      args: [
        { left: { fn: "string", type: "string" } },
        { left: { fn: "int", type: "int" } },
        { left: { fn: "double", type: "double" } },
      ],
    });
    expect(compile('data.s.lowerAscii() == "a"')).toMatchObject({
      left: { fn: "lowerAscii", type: "string" },
    });
    expect(compile("([1] + [2]).size() == 2")).toMatchObject({
      left: { fn: "size", args: [{ kind: "list", items: [int(1), int(2)] }] },
    });
    expect(compile("data.x == null")).toMatchObject({
      right: { kind: "const", type: "null", value: null },
    });
  });

  it("accepts a dyn filter and a filter of constants", () => {
    expect(compile("data.flag")).toEqual(data("flag"));
    expect(compile("true")).toEqual({ kind: "const", type: "bool", value: true });
  });
});

describe("compileFilter: errors", () => {
  const cases: [string, FilterTarget, string][] = [
    ["name", "records", "filter must be a boolean expression, got string"],
    ["foo == 1", "records", 'undeclared reference to "foo" at 1:1'],
    ['name == "a" && bar', "records", 'undeclared reference to "bar" at 1:16'],
    ["summary == 1", "results", '"summary" is a message'],
    ["summary.foo == 1", "results", 'unknown field "foo" of summary at 1:8'],
    ["RecordSummary.NOPE == 1", "results", 'undeclared reference to "RecordSummary.NOPE"'],
    ["parent.foo == 1", "results", 'cannot select field "foo" of a value of type string'],
    ["name.bar()", "records", 'unsupported function "bar" at 1:5'],
    ["bar(1)", "records", 'unsupported function "bar" at 1:1'],
    ["name ==", "records", "syntax error at 1:"],
    ["data.x ==\n  'open", "records", "syntax error at 2:3: string literal is never closed"],
    ['name == "a" &&\n  bar', "records", 'undeclared reference to "bar" at 2:3'],
    ["'\\ud800' == name", "records", "syntax error"],
    ['summary.status == "x"', "results", "cannot compare int with string at"],
    ['create_time < "2026-01-01T00:00:00Z"', "records", "cannot compare timestamp with string"],
    ["name == null", "records", "cannot compare string with null"],
    ["data.x < null", "records", "null cannot be ordered"],
    ['data.x > duration("1h")', "records", "cannot compare a JSON value with a duration"],
    ["data.x == [1]", "records", "cannot compare list values"],
    [
      "data.x[name] == 1",
      "records",
      "an index must be a constant string or a non-negative integer",
    ],
    ["data.x[-1] == 1", "records", "an index must be a constant"],
    ["[1, 2][5] == 1", "records", "index 5 is out of range"],
    ["(data.a ? data.b : data.c).d == 1", "records", 'cannot select field "d" of a computed value'],
    ["data.x == 9007199254740992", "records", "out of range"],
    ["data.x == 1e999", "records", "out of range"],
    ["data.x == 1u", "records", "unsigned integers are not supported"],
    ["data.x == b'x'", "records", "bytes literals are not supported"],
    ['{"a": 1}.a == 1', "records", "map and message literals are not supported"],
    ["name - 1 == 2", "records", "operator - cannot be applied to string and int"],
    ["data.n % 2.0 == 1", "records", "operator % cannot be applied"],
    ["!name", "records", "operator ! needs a bool operand, got string"],
    ["name && true", "records", "operator && needs bool operands, got string"],
    ["-name == 1", "records", "cannot negate string"],
    ["(name ? 1 : 2) == 1", "records", "the condition of ?: must be bool"],
    ['(true ? 1 : "a") == 1', "records", "the branches of ?: have different types int and string"],
    ['1 in "abc"', "records", '"in" needs a list or a map, got string'],
    ["name in [1, 2]", "records", "cannot look for string in a list with int elements"],
    ["size(data.x.map(v, v)) > 0", "records", 'unsupported macro "map"'],
    ["data.x.filter(v, v).size() > 0", "records", 'unsupported macro "filter"'],
    ["name.exists(c, c == 1)", "records", "exists() needs a list or a map, got string"],
    ["data.l.exists(x, x + 1)", "records", "the predicate of exists() must be bool"],
    ["has(data)", "records", "has() needs a field selection"],
    ["has(name.x)", "records", 'cannot select field "x"'],
    ["has(PIPELINE_RUN.x)", "records", 'cannot select field "x"'],
    [
      'timestamp("2026-02-30T00:00:00Z") < create_time',
      "records",
      'invalid timestamp "2026-02-30T00:00:00Z"',
    ],
    ["timestamp(1) < create_time", "records", "no matching overload for timestamp(int)"],
    ['duration("1d") > duration("1h")', "records", 'invalid duration "1d"'],
    ["create_time - update_time > duration(name)", "records", "duration() needs a string literal"],
    ['create_time.getHours("Europe/Paris") == 1', "records", "unsupported time zone"],
    [
      "create_time.getHours(name) == 1",
      "records",
      "the time zone of getHours() must be a string literal",
    ],
    [
      "(create_time - update_time).getFullYear() == 1",
      "records",
      "no matching overload for duration.getFullYear()",
    ],
    ["name.matches(name)", "records", "the pattern of matches() must be a string literal"],
    ['name.matches("(")', "records", "invalid regular expression"],
    ['name.matches("(a)\\\\1")', "records", "invalid escape sequence"],
    ['name.matches("(?=a)")', "records", "invalid or unsupported Perl syntax"],
    ['name.matches("a++")', "records", "invalid nested repetition operator"],
    ["size(create_time) > 0", "records", "no matching overload for size(timestamp)"],
    ["name.startsWith(1)", "records", "no matching overload for string.startsWith(int)"],
    ['string(create_time) == "x"', "records", "no matching overload for string(timestamp)"],
    ["int(true) == 1", "records", "no matching overload for int(bool)"],
    ["data.x == 1", "results", 'undeclared reference to "data"'],
    ["summary.status == 1", "records", 'undeclared reference to "summary"'],
    ["annotations.x == 1", "records", 'undeclared reference to "annotations"'],
  ];
  for (const [expression, target, message] of cases) {
    it(`${target}: ${JSON.stringify(expression)} -> ${message}`, () => {
      expect(failure(expression, target).message).toContain(message);
    });
  }

  it("keeps syntax error messages short", () => {
    const message = failure("name == - - 1").message;
    expect(message).toMatch(/^syntax error at 1:\d+: expected an operand, found "-"/);
    expect(message.length).toBeLessThanOrEqual(200);
  });

  it("reports the zero-based position", () => {
    expect(failure('name == "a" && bar').position).toBe(15);
  });

  it("rejects too-long filters before parsing", () => {
    expect(failure("x".repeat(MAX_FILTER_LENGTH + 1)).message).toContain("too long");
    expect(failure(Array(10_000).fill("true").join(" && ")).message).toContain("too long");
  });

  it("rejects deep nesting without overflowing the stack", () => {
    expect(failure(`${"(".repeat(8000)}true${")".repeat(8000)}`).message).toContain(
      "nested too deeply",
    );
    expect(failure(`${"[".repeat(40)}${"]".repeat(40)} == 1`).message).toContain(
      "nested too deeply",
    );
    expect(failure(`${"1 + ".repeat(2000)}1 == 1`).message).toContain("nested too deeply");
    expect(failure(`data.a${".b".repeat(2000)} == 1`).message).toContain("nested too deeply");
    // Brackets inside string literals do not count.
    expect(compile(`name == "${"(".repeat(100)}" || name == '${"[".repeat(100)}'`).kind).toBe("or");
  });

  it("accepts a long but shallow chain", () => {
    const expr = compile(Array.from({ length: 600 }, (_, i) => `name == "n${i}"`).join(" || "));
    expect(expr.kind).toBe("or");
  });

  it("throws only FilterError for arbitrary input", () => {
    const pieces = [
      "data",
      ".",
      "x",
      "(",
      ")",
      "[",
      "]",
      "0",
      "'a'",
      '"',
      "&&",
      "||",
      "!",
      "==",
      "<",
      "+",
      "-",
      "?",
      ":",
      ",",
      " ",
      "has",
      "exists",
      "{",
      "}",
      "\\",
      "1u",
      "null",
      "timestamp",
      "in",
      "size",
    ];
    let seed = 42;
    const next = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed;
    };
    for (let i = 0; i < 500; i += 1) {
      const length = 1 + (next() % 12);
      const text = Array.from({ length }, () => pieces[next() % pieces.length]).join("");
      try {
        compileFilter(text, { target: i % 2 === 0 ? "records" : "results" });
      } catch (e) {
        expect(e, text).toBeInstanceOf(FilterError);
      }
    }
  });
});

describe("time literals", () => {
  it("parses RFC 3339 timestamps", () => {
    expect(parseTimestamp("2026-01-05T10:00:00Z")).toBe(Date.parse("2026-01-05T10:00:00Z"));
    expect(parseTimestamp("2026-01-05t10:00:00.123456789z")).toBe(
      Date.parse("2026-01-05T10:00:00.123Z"),
    );
    expect(parseTimestamp("2026-01-05T10:00:00-02:30")).toBe(Date.parse("2026-01-05T12:30:00Z"));
    expect(parseTimestamp("0001-01-01T00:00:00Z")).toBe(-62_135_596_800_000);
    expect(parseTimestamp("2024-02-29T00:00:00Z")).toBe(Date.parse("2024-02-29T00:00:00Z"));
    for (const bad of [
      "2025-02-29T00:00:00Z",
      "0000-01-01T00:00:00Z",
      "2026-01-05T10:00:60Z",
      "2026-01-05 10:00:00Z",
      "2026-01-05T10:00:00",
      "2026-01-05T10:00:00+24:00",
      "2026-1-5T10:00:00Z",
    ]) {
      expect(parseTimestamp(bad), bad).toBeUndefined();
    }
  });

  it("parses CEL durations", () => {
    expect(parseDuration("1h30m")).toBe(5_400_000);
    expect(parseDuration("-1.5s")).toBe(-1500);
    expect(parseDuration("250ms")).toBe(250);
    expect(parseDuration("1500us")).toBe(1);
    expect(parseDuration("0")).toBe(0);
    expect(parseDuration("1h0m0s")).toBe(3_600_000);
    for (const bad of ["", "1", "1d", "h", "1h 30m", "--1s"])
      expect(parseDuration(bad), bad).toBeUndefined();
  });

  it("normalizes fixed time zones only", () => {
    expect(normalizeTimeZone("UTC")).toBe("+00:00");
    expect(normalizeTimeZone("+05:30")).toBe("+05:30");
    expect(normalizeTimeZone("America/New_York")).toBeUndefined();
    expect(normalizeTimeZone("+5:30")).toBeUndefined();
  });
});
