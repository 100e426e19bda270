import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FilterExpr, FunctionName } from "@tekton-results/storage";
import { filterAst, runSqlFilterCompilerTests } from "@tekton-results/storage-conformance";
import { compileSqliteFilter } from "./sqlite-filter.js";
import { createSqliteStore, type SqliteStore } from "./sqlite-store.js";

// AST builders: constants and paths, then the other nodes.
const { k, str, int, dbl, bool, nul, ts, dur, data, ann, v } = filterAst;
const { cmp, call, arith, and, or, not, list, inn, has, compr, column } = filterAst;

const RECORDS: Record<string, unknown> = {
  r1: {
    n: 5,
    s: "abc",
    b: true,
    nul: null,
    arr: [1, 2, 3],
    obj: { a: 1, b: "x" },
    metadata: { labels: { "tekton.dev/pipeline": "p1" } },
    t: "2024-01-02T03:04:05.678Z",
    f: 2.5,
    'q"k': 7,
    uni: "é😀",
  },
  r2: { n: "5", s: 3, arr: [], obj: {}, t: "not a time", b: false, objs: [{ x: 1 }, { x: 2 }] },
  r3: "not json at all",
  r4: { n: 10, arr: [1, "a", null], t: "2024-01-02t03:04:05+01:00", neg: -2.7, big: 1e21 },
};

let store: SqliteStore;

beforeAll(async () => {
  store = await createSqliteStore({ filename: ":memory:" });
  const at = new Date("2025-01-01T00:00:00Z");
  await store.createResult({
    parent: "ns",
    name: "res",
    uid: "u-res",
    annotations: { "tekton.dev/x": "1", plain: "v" },
    createTime: at,
    updateTime: at,
    etag: "e",
  });
  let i = 0;
  for (const [name, value] of Object.entries(RECORDS)) {
    i++;
    await store.createRecord({
      parent: "ns",
      resultName: "res",
      name,
      uid: `u-${name}`,
      type: "tekton.dev/v1.TaskRun",
      data: typeof value === "string" ? value : JSON.stringify(value),
      createTime: new Date(at.getTime() + i),
      updateTime: new Date(at.getTime() + i),
      etag: "e",
    });
  }
});

afterAll(async () => {
  await store.close();
});

/** The filter's value on each record: 1, 0 or null (absent). */
async function evalRecords(filter: FilterExpr): Promise<Record<string, number | null>> {
  const compiled = compileSqliteFilter(filter, { target: "records" });
  const rows = (await store.knex.raw(
    `SELECT records.name AS name, (${compiled.sql}) AS v FROM records ORDER BY name`,
    compiled.bindings as never,
  )) as {
    name: string;
    v: number | null;
  }[];
  return Object.fromEntries(rows.map((r) => [r.name, r.v]));
}

async function evalOn(name: string, filter: FilterExpr): Promise<number | null> {
  return (await evalRecords(filter))[name] ?? null;
}

async function evalResult(filter: FilterExpr): Promise<number | null> {
  const compiled = compileSqliteFilter(filter, { target: "results" });
  const rows = (await store.knex.raw(
    `SELECT (${compiled.sql}) AS v FROM results`,
    compiled.bindings as never,
  )) as {
    v: number | null;
  }[];
  return rows[0]!.v;
}

runSqlFilterCompilerTests({ name: "SQLite", compileFilter: compileSqliteFilter });

describe("compileSqliteFilter", () => {
  it("compares JSON values by JSON type: a number never equals (CEL: unequal) or orders against (absent) a string", async () => {
    expect(await evalRecords(cmp("==", data("n"), int(5)))).toEqual({
      r1: 1,
      r2: 0,
      r3: null,
      r4: 0,
    });
    expect(await evalRecords(cmp("<", data("s"), str("b")))).toEqual({
      r1: 1,
      r2: null,
      r3: null,
      r4: null,
    });
    expect(await evalOn("r1", cmp(">", data("n"), dbl(4.5)))).toBe(1);
    expect(await evalOn("r1", cmp("==", data("f"), dbl(2.5)))).toBe(1);
  });

  it("compares JSON booleans and null", async () => {
    expect(await evalRecords(cmp("==", data("b"), bool(true)))).toEqual({
      r1: 1,
      r2: 0,
      r3: null,
      r4: null,
    });
    expect(await evalOn("r1", cmp("==", data("nul"), nul))).toBe(1);
    expect(await evalOn("r1", cmp("==", data("s"), nul))).toBe(0);
    expect(await evalOn("r1", cmp("!=", data("s"), nul))).toBe(1);
    expect(await evalOn("r1", cmp("==", data("missing"), nul))).toBeNull();
    expect(await evalOn("r1", cmp("<", bool(false), data("b")))).toBe(1);
    // A JSON null is unequal to every existing value, definitely.
    expect(await evalOn("r1", cmp("==", data("nul"), str("x")))).toBe(0);
    expect(await evalOn("r1", cmp("!=", data("nul"), int(5)))).toBe(1);
    expect(await evalOn("r1", cmp("==", data("nul"), data("s")))).toBe(0);
    expect(await evalOn("r1", cmp("!=", data("s"), data("nul")))).toBe(1);
    expect(await evalOn("r1", cmp("==", data("nul"), data("nul")))).toBe(1);
    expect(await evalOn("r1", cmp("==", data("nul"), data("missing")))).toBeNull();
    expect(await evalOn("r1", cmp("<", data("nul"), int(5)))).toBeNull();
    expect(await evalOn("r1", inn(data("nul"), list(str("x"), nul)))).toBe(1);
  });

  it("orders two dyn values only within one JSON type; equality across types is false", async () => {
    expect(await evalOn("r1", cmp("<", data("arr", 0), data("n")))).toBe(1);
    expect(await evalOn("r1", cmp("<", data("s"), data("n")))).toBeNull();
    expect(await evalOn("r1", cmp("==", data("s"), data("n")))).toBe(0);
    expect(await evalOn("r1", cmp("!=", data("s"), data("n")))).toBe(1);
    expect(await evalOn("r1", cmp("==", data("obj", "b"), data("obj", "b")))).toBe(1);
    expect(await evalOn("r1", cmp("==", data("arr"), data("arr")))).toBeNull();
  });

  it("walks keys with special characters and array indexes", async () => {
    expect(
      await evalOn("r1", cmp("==", data("metadata", "labels", "tekton.dev/pipeline"), str("p1"))),
    ).toBe(1);
    expect(await evalOn("r1", cmp("==", data('q"k'), int(7)))).toBe(1);
    // Keys a quoted SQLite path cannot spell: absent here, and no SQL error.
    for (const key of ["\\", "a\\", "\u0000", "a\u0000b"]) {
      expect(await evalOn("r1", cmp("==", data(key), int(7))), JSON.stringify(key)).toBeNull();
      expect(await evalResult(cmp("==", ann(key), str("1"))), JSON.stringify(key)).toBeNull();
    }
    expect(await evalOn("r1", cmp("==", data("arr", 2), int(3)))).toBe(1);
    expect(await evalOn("r1", cmp("==", data("arr", 3), int(3)))).toBeNull();
    expect(await evalOn("r1", cmp("==", data("arr", -1), int(3)))).toBeNull();
    expect(await evalOn("r1", cmp("==", data("obj", 0), int(1)))).toBeNull();
  });

  it("treats record data that is not JSON as absent instead of failing", async () => {
    expect(await evalOn("r3", cmp("==", data("n"), int(5)))).toBeNull();
    expect(await evalOn("r3", not(has(data("n"))))).toBeNull();
    expect(await evalOn("r3", has(data()))).toBe(0);
    expect(await evalOn("r1", has(data()))).toBe(1);
  });

  it("implements three-valued and/or/not", async () => {
    const absent = cmp("==", data("missing"), int(1));
    expect(await evalOn("r1", or(absent, bool(true)))).toBe(1);
    expect(await evalOn("r1", or(absent, bool(false)))).toBeNull();
    expect(await evalOn("r1", and(absent, bool(false)))).toBe(0);
    expect(await evalOn("r1", and(absent, bool(true)))).toBeNull();
    expect(await evalOn("r1", not(absent))).toBeNull();
    expect(await evalOn("r1", data("b"))).toBe(1);
    expect(await evalOn("r1", data("s"))).toBeNull();
  });

  it("matches strings case-sensitively by code point", async () => {
    expect(await evalOn("r1", call("startsWith", "bool", data("s"), str("ab")))).toBe(1);
    expect(await evalOn("r1", call("startsWith", "bool", data("s"), str("AB")))).toBe(0);
    expect(await evalOn("r1", call("endsWith", "bool", data("s"), str("bc")))).toBe(1);
    expect(await evalOn("r1", call("endsWith", "bool", data("s"), str("")))).toBe(1);
    expect(await evalOn("r1", call("endsWith", "bool", data("s"), str("zabc")))).toBe(0);
    expect(await evalOn("r1", call("contains", "bool", data("s"), str("B")))).toBe(0);
    expect(await evalOn("r1", call("contains", "bool", data("s"), str("b")))).toBe(1);
    expect(await evalOn("r1", call("contains", "bool", data("s"), str("%")))).toBe(0);
    expect(await evalOn("r2", call("contains", "bool", data("s"), str("3")))).toBeNull();
    expect(await evalOn("r1", cmp(">", data("uni"), str("éｚ")))).toBe(1);
  });

  it("evaluates matches with a regexp function; a bad pattern is absent", async () => {
    expect(await evalOn("r1", call("matches", "bool", data("s"), str("^a.c$")))).toBe(1);
    expect(await evalOn("r1", call("matches", "bool", data("s"), str("^b")))).toBe(0);
    expect(await evalOn("r1", call("matches", "bool", data("s"), str("(")))).toBeNull();
  });

  it("computes size of strings (code points), arrays, objects and literal lists", async () => {
    expect(await evalOn("r1", cmp("==", call("size", "int", data("arr")), int(3)))).toBe(1);
    expect(await evalOn("r1", cmp("==", call("size", "int", data("obj")), int(2)))).toBe(1);
    expect(await evalOn("r1", cmp("==", call("size", "int", data("uni")), int(2)))).toBe(1);
    expect(await evalOn("r1", cmp("==", call("size", "int", list(int(1), int(2))), int(2)))).toBe(
      1,
    );
    expect(await evalOn("r1", cmp("==", call("size", "int", data("n")), int(1)))).toBeNull();
  });

  it("tests presence with has()", async () => {
    expect(await evalOn("r1", has(data("obj", "a")))).toBe(1);
    expect(await evalOn("r1", has(data("obj", "z")))).toBe(0);
    expect(await evalOn("r1", has(data("nul")))).toBe(1);
    expect(await evalOn("r1", has(data('q"k')))).toBe(1);
    expect(await evalOn("r1", has(data("n", "z")))).toBeNull();
    expect(await evalOn("r1", has(data("missing", "x")))).toBeNull();
    expect(await evalResult(has(column("summary.start_time", "timestamp")))).toBe(0);
  });

  it("tests membership in literal lists, JSON arrays and object keys", async () => {
    expect(await evalOn("r1", inn(int(2), data("arr")))).toBe(1);
    expect(await evalOn("r1", inn(int(9), data("arr")))).toBe(0);
    expect(await evalOn("r1", inn(str("a"), data("obj")))).toBe(1);
    expect(await evalOn("r1", inn(str("z"), data("obj")))).toBe(0);
    expect(await evalOn("r1", inn(data("s"), list(str("x"), str("abc"))))).toBe(1);
    // CEL: `in` on a missing value is an error.
    expect(await evalOn("r1", inn(data("missing"), list(str("x"))))).toBeNull();
    expect(await evalOn("r1", inn(str("x"), list(data("missing"), str("x"))))).toBeNull();
    expect(await evalOn("r1", inn(int(1), data("s")))).toBeNull();
    expect(await evalOn("r1", inn(int(1), data("missing")))).toBeNull();
    expect(await evalOn("r1", inn(data("s"), k("list", ["abc", 1])))).toBe(1);
    expect(await evalResult(inn(str("tekton.dev/x"), ann()))).toBe(1);
    expect(await evalResult(inn(str("nope"), ann()))).toBe(0);
  });

  it("evaluates exists, all and exists_one with absent elements", async () => {
    const gt = (n: number) => cmp(">", v("x"), int(n));
    expect(await evalRecords(compr("exists", data("arr"), "x", gt(2)))).toEqual({
      r1: 1,
      r2: 0,
      r3: null,
      r4: null,
    });
    expect(await evalRecords(compr("all", data("arr"), "x", gt(0)))).toEqual({
      r1: 1,
      r2: 1,
      r3: null,
      r4: null,
    });
    expect(await evalOn("r4", compr("exists", data("arr"), "x", cmp("==", v("x"), int(1))))).toBe(
      1,
    );
    expect(await evalOn("r4", compr("all", data("arr"), "x", gt(5)))).toBe(0);
    expect(
      await evalOn("r1", compr("exists_one", data("arr"), "x", cmp("==", v("x"), int(2)))),
    ).toBe(1);
    expect(await evalOn("r1", compr("exists_one", data("arr"), "x", gt(1)))).toBe(0);
    // Heterogeneous equality: the elements of other types are unequal, not absent.
    expect(
      await evalOn("r4", compr("exists_one", data("arr"), "x", cmp("==", v("x"), int(1)))),
    ).toBe(1);
    expect(await evalOn("r1", compr("exists", data("s"), "x", gt(1)))).toBeNull();
    expect(await evalOn("r1", compr("exists", list(int(1), int(5)), "x", gt(4)))).toBe(1);
    expect(await evalOn("r1", compr("all", list(), "x", gt(4)))).toBe(1);
  });

  it("binds comprehension variables to elements, object keys and nested ranges", async () => {
    expect(
      await evalOn("r2", compr("exists", data("objs"), "o", cmp("==", v("o", "x"), int(2)))),
    ).toBe(1);
    expect(
      await evalOn("r1", compr("exists", data("obj"), "key", cmp("==", v("key"), str("b")))),
    ).toBe(1);
    expect(
      await evalOn(
        "r1",
        compr("all", data("obj"), "key", call("startsWith", "bool", v("key"), str("a"))),
      ),
    ).toBe(0);
    const nested = compr(
      "exists",
      data("objs"),
      "o",
      compr("exists", list(int(2), int(3)), "y", cmp("==", v("y"), v("o", "x"))),
    );
    expect(await evalOn("r2", nested)).toBe(1);
    const shadow = compr(
      "all",
      data("objs"),
      "o",
      compr("exists", data("objs"), "p", cmp("==", v("p", "x"), v("o", "x"))),
    );
    expect(await evalOn("r2", shadow)).toBe(1);
    expect(
      await evalOn("r1", compr("exists", data("arr"), "x", cmp("==", v("x"), data("arr", 1)))),
    ).toBe(1);
  });

  it("reads JSON strings as timestamps when compared with one; invalid strings are absent", async () => {
    expect(await evalRecords(cmp(">", data("t"), ts("2024-01-01T00:00:00Z")))).toEqual({
      r1: 1,
      r2: null,
      r3: null,
      r4: 1,
    });
    expect(await evalOn("r1", cmp("==", data("t"), ts("2024-01-02T03:04:05.678Z")))).toBe(1);
    expect(await evalOn("r4", cmp("==", data("t"), ts("2024-01-02T02:04:05Z")))).toBe(1);
    expect(
      await evalOn(
        "r1",
        cmp("==", call("timestamp", "timestamp", data("t")), ts("2024-01-02T03:04:05.678Z")),
      ),
    ).toBe(1);
    expect(
      await evalResult(
        cmp(">", column("summary.start_time", "timestamp"), ts("2000-01-01T00:00:00Z")),
      ),
    ).toBeNull();
    expect(
      await evalResult(cmp("==", column("create_time", "timestamp"), ts("2025-01-01T00:00:00Z"))),
    ).toBe(1);
  });

  it("extracts timestamp parts in UTC or a fixed offset", async () => {
    const part = (fn: FunctionName, expected: number, ...zone: FilterExpr[]) =>
      cmp("==", call(fn, "int", data("t"), ...zone), int(expected));
    expect(await evalOn("r1", part("getFullYear", 2024))).toBe(1);
    expect(await evalOn("r1", part("getMonth", 0))).toBe(1);
    expect(await evalOn("r1", part("getDate", 2))).toBe(1);
    expect(await evalOn("r1", part("getDayOfMonth", 1))).toBe(1);
    expect(await evalOn("r1", part("getDayOfWeek", 2))).toBe(1);
    expect(await evalOn("r1", part("getDayOfYear", 1))).toBe(1);
    expect(await evalOn("r1", part("getHours", 3))).toBe(1);
    expect(await evalOn("r1", part("getHours", 8, str("+05:30")))).toBe(1);
    expect(await evalOn("r1", part("getMinutes", 34, str("+05:30")))).toBe(1);
    expect(await evalOn("r1", part("getHours", 22, str("-05:00")))).toBe(1);
    expect(await evalOn("r1", part("getDate", 1, str("-05:00")))).toBe(1);
    expect(await evalOn("r1", part("getSeconds", 5))).toBe(1);
    expect(await evalOn("r1", part("getMilliseconds", 678))).toBe(1);
    expect(await evalOn("r1", cmp("==", call("getHours", "int", dur(5_400_000)), int(1)))).toBe(1);
    expect(await evalOn("r1", cmp("==", call("getMinutes", "int", dur(5_400_000)), int(90)))).toBe(
      1,
    );
  });

  it("does arithmetic: int division truncates, division by zero is absent, strings concatenate", async () => {
    expect(await evalOn("r1", cmp("==", arith("+", "dyn", data("n"), dbl(1)), int(6)))).toBe(1);
    // CEL: a JSON number is a double, and double + int has no overload.
    expect(await evalOn("r1", cmp("==", arith("+", "dyn", data("n"), int(1)), int(6)))).toBeNull();
    expect(await evalOn("r1", cmp("==", arith("/", "int", int(7), int(2)), int(3)))).toBe(1);
    expect(await evalOn("r1", cmp("==", arith("/", "int", int(-7), int(2)), int(-3)))).toBe(1);
    expect(await evalOn("r1", cmp("==", arith("%", "int", int(7), int(3)), int(1)))).toBe(1);
    expect(await evalOn("r1", cmp("==", arith("/", "double", dbl(7), dbl(2)), dbl(3.5)))).toBe(1);
    expect(await evalOn("r1", cmp("==", arith("/", "int", int(1), int(0)), int(0)))).toBeNull();
    expect(
      await evalOn("r1", cmp("==", arith("/", "dyn", data("n"), data("arr", 1)), dbl(2.5))),
    ).toBe(1);
    expect(
      await evalOn("r1", cmp("==", arith("/", "dyn", data("n"), data("obj", "a")), int(5))),
    ).toBe(1);
    expect(
      await evalOn("r1", cmp("==", arith("+", "string", data("s"), str("d")), str("abcd"))),
    ).toBe(1);
    expect(
      await evalOn("r1", cmp("==", arith("+", "dyn", data("s"), data("obj", "b")), str("abcx"))),
    ).toBe(1);
    expect(
      await evalOn("r1", cmp("==", arith("+", "dyn", data("s"), data("n")), str("abc5"))),
    ).toBeNull();
    expect(
      await evalOn(
        "r1",
        cmp("==", call("size", "int", arith("+", "dyn", data("arr"), data("arr"))), int(6)),
      ),
    ).toBeNull();
    expect(
      await evalOn(
        "r1",
        cmp(
          "==",
          arith("-", "duration", ts("2024-01-01T01:00:00Z"), ts("2024-01-01T00:00:00Z")),
          dur(3_600_000),
        ),
      ),
    ).toBe(1);
    expect(
      await evalOn(
        "r1",
        cmp(">", arith("+", "timestamp", data("t"), dur(86_400_000)), ts("2024-01-03T00:00:00Z")),
      ),
    ).toBe(1);
    expect(
      await evalOn("r1", cmp("==", { kind: "neg", type: "dyn", arg: data("n") }, int(-5))),
    ).toBe(1);
    // CEL: `%` takes ints only, and a JSON number is a double.
    expect(await evalOn("r1", cmp("==", arith("%", "int", data("n"), int(3)), int(2)))).toBeNull();
    expect(await evalOn("r1", cmp("==", arith("%", "int", int(-7), int(3)), int(-1)))).toBe(1);
    expect(await evalOn("r1", cmp("==", arith("%", "int", data("f"), int(2)), int(0)))).toBeNull();
    expect(await evalOn("r1", cmp("==", arith("%", "int", int(1), int(0)), int(0)))).toBeNull();
    expect(
      await evalOn("r1", cmp(">", arith("*", "int", int(2 ** 52), int(4)), int(0))),
    ).toBeNull();
    expect(await evalOn("r4", cmp(">", call("int", "int", data("big")), int(0)))).toBeNull();
  });

  it("evaluates the conditional operator, absent when the test is absent", async () => {
    const cond = (test: FilterExpr): FilterExpr => ({
      kind: "cond",
      type: "int",
      test,
      then: int(1),
      otherwise: int(2),
    });
    expect(await evalRecords(cmp("==", cond(data("b")), int(1)))).toEqual({
      r1: 1,
      r2: 0,
      r3: null,
      r4: null,
    });
    const mixed: FilterExpr = {
      kind: "cond",
      type: "dyn",
      test: data("b"),
      then: data("s"),
      otherwise: int(2),
    };
    expect(await evalOn("r1", cmp("==", mixed, str("abc")))).toBe(1);
    expect(await evalOn("r2", cmp("==", mixed, int(2)))).toBe(1);
  });

  it("converts between types", async () => {
    expect(await evalOn("r1", cmp("==", call("int", "int", data("f")), int(2)))).toBe(1);
    expect(await evalOn("r4", cmp("==", call("int", "int", data("neg")), int(-2)))).toBe(1);
    expect(await evalOn("r1", cmp("==", call("string", "string", data("n")), str("5")))).toBe(1);
    expect(await evalOn("r1", cmp("==", call("string", "string", data("f")), str("2.5")))).toBe(1);
    expect(await evalOn("r4", cmp("==", call("string", "string", data("big")), str("1e+21")))).toBe(
      1,
    );
    expect(
      await evalOn(
        "r1",
        cmp(
          "==",
          call("string", "string", ts("2024-01-01T00:00:00Z")),
          str("2024-01-01T00:00:00Z"),
        ),
      ),
    ).toBe(1);
    expect(await evalOn("r1", cmp("==", call("double", "double", str("2.5")), dbl(2.5)))).toBe(1);
    expect(await evalOn("r1", cmp("==", call("int", "int", str("12")), int(12)))).toBe(1);
    expect(await evalOn("r1", cmp("==", call("int", "int", str("1.5")), int(1)))).toBeNull();
    expect(await evalOn("r2", cmp("==", call("int", "int", data("n")), int(5)))).toBe(1);
    expect(
      await evalOn("r1", cmp("==", call("int", "int", ts("1970-01-01T00:00:01.900Z")), int(1))),
    ).toBe(1);
    expect(
      await evalOn("r1", cmp("==", call("duration", "duration", str("1h30m")), dur(5_400_000))),
    ).toBe(1);
    expect(
      await evalOn("r1", cmp("==", call("lowerAscii", "string", str("ÀBC")), str("Àbc"))),
    ).toBe(1);
    expect(await evalOn("r1", cmp("==", call("upperAscii", "string", data("s")), str("ABC")))).toBe(
      1,
    );
  });

  it("reads typed columns of results and records", async () => {
    expect(
      await evalRecords(cmp("==", column("data_type", "string"), str("tekton.dev/v1.TaskRun"))),
    ).toEqual({
      r1: 1,
      r2: 1,
      r3: 1,
      r4: 1,
    });
    expect(await evalOn("r2", cmp("==", column("name", "string"), str("r2")))).toBe(1);
    expect(await evalResult(cmp("==", column("summary.status", "int"), int(0)))).toBeNull();
    expect(await evalResult(has(column("summary.record", "string")))).toBe(0);
    expect(await evalResult(has(column("create_time", "timestamp")))).toBe(1);
    expect(await evalResult(cmp("==", ann("tekton.dev/x"), str("1")))).toBe(1);
  });
});
