import { describe, expect, it } from "vitest";
import { compileFilter } from "./cel.js";
import {
  matchTypedRecordPredicate,
  matchTypedRecordTime,
  prefixUpperBound,
} from "./typed-fields.js";

const ast = (filter: string) => compileFilter(filter, { target: "records" })!;

describe("matchTypedRecordPredicate", () => {
  it("recognizes comparisons of typed text paths with string constants, either side", () => {
    expect(matchTypedRecordPredicate(ast('data.metadata.name == "a"'))).toEqual({
      kind: "text",
      field: "run_name",
      op: "==",
      value: "a",
    });
    expect(matchTypedRecordPredicate(ast('"b" < data.status.conditions[0].reason'))).toEqual({
      kind: "text",
      field: "status_reason",
      op: ">",
      value: "b",
    });
    expect(matchTypedRecordPredicate(ast('data.metadata.labels.x["y"] == "a"'))).toBeUndefined();
  });

  it("maps the pipeline and task labels to their columns, other labels to the label table", () => {
    expect(
      matchTypedRecordPredicate(ast('data.metadata.labels["tekton.dev/pipeline"] == "p"')),
    ).toMatchObject({ kind: "text", field: "pipeline_name" });
    expect(matchTypedRecordPredicate(ast('data.metadata.labels.team == "t"'))).toEqual({
      kind: "label-in",
      key: "team",
      values: ["t"],
    });
    expect(matchTypedRecordPredicate(ast('data.metadata.labels.team != "t"'))).toBeUndefined();
    expect(matchTypedRecordPredicate(ast('data.metadata.labels.team < "t"'))).toBeUndefined();
  });

  it("recognizes in over string constants only, and startsWith with a constant", () => {
    expect(matchTypedRecordPredicate(ast('data.metadata.namespace in ["a", "b"]'))).toEqual({
      kind: "text-in",
      field: "run_namespace",
      values: ["a", "b"],
    });
    expect(matchTypedRecordPredicate(ast('data.metadata.name in ["a", 1]'))).toBeUndefined();
    expect(matchTypedRecordPredicate(ast('data.metadata.name.startsWith("p-")'))).toEqual({
      kind: "text-prefix",
      field: "run_name",
      prefix: "p-",
    });
    expect(
      matchTypedRecordPredicate(ast("data.metadata.name.startsWith(data.metadata.namespace)")),
    ).toBeUndefined();
  });

  it("leaves other shapes to the JSON compiler", () => {
    expect(matchTypedRecordPredicate(ast('data.spec.name == "a"'))).toBeUndefined();
    expect(matchTypedRecordPredicate(ast("data.metadata.name == data.spec.x"))).toBeUndefined();
    expect(matchTypedRecordPredicate(ast('!(data.metadata.name == "a")'))).toBeUndefined();
  });
});

describe("matchTypedRecordTime", () => {
  it("recognizes timestamp() of a typed time path", () => {
    const node = ast('data.status.startTime < timestamp("2026-01-01T00:00:00Z")');
    expect(node.kind).toBe("compare");
    if (node.kind !== "compare") return;
    expect(matchTypedRecordTime(node.left)).toBe("start_ms");
    expect(matchTypedRecordTime(node.right)).toBeUndefined();
    const other = ast('data.status.endTime < timestamp("2026-01-01T00:00:00Z")');
    if (other.kind !== "compare") return;
    expect(matchTypedRecordTime(other.left)).toBeUndefined();
  });
});

describe("prefixUpperBound", () => {
  it("is the least string above every string with the prefix", () => {
    expect(prefixUpperBound("p-17-")).toBe("p-17.");
    expect(prefixUpperBound("a\u{10FFFF}")).toBe("b");
    expect(prefixUpperBound("\u{D7FF}")).toBe("\u{E000}");
    expect(prefixUpperBound("")).toBeUndefined();
    expect(prefixUpperBound("\u{10FFFF}\u{10FFFF}")).toBeUndefined();
    expect(prefixUpperBound("a\uD800")).toBeUndefined();
  });

  it("bounds exactly the strings that start with the prefix (code point order)", () => {
    const cmp = (a: string, b: string) => {
      const x = Array.from(a, (c) => c.codePointAt(0)!);
      const y = Array.from(b, (c) => c.codePointAt(0)!);
      for (let i = 0; i < Math.min(x.length, y.length); i++)
        if (x[i] !== y[i]) return x[i]! - y[i]!;
      return x.length - y.length;
    };
    const prefix = "ab\u{10FFFF}";
    const bound = prefixUpperBound(prefix)!;
    for (const s of ["ab", "ab\u{10FFFF}", "ab\u{10FFFF}\u{10FFFF}z", "ac", "ab\u{10FFFE}z", "b"]) {
      const inRange = cmp(s, prefix) >= 0 && cmp(s, bound) < 0;
      expect(inRange, s).toBe(s.startsWith(prefix));
    }
  });
});
