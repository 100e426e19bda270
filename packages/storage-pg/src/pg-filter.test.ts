import { describe, expect, it } from "vitest";
import { StorageError, compileFilter } from "@tekton-results/storage";
import { compilePgFilter, toPgRegex } from "./pg-filter.js";

describe("compilePgFilter", () => {
  it("binds every value as a typed parameter, never as SQL text", () => {
    const ast = compileFilter(
      `data.metadata.name == "x'; DROP TABLE records; --" && data.spec.retries > 3 && name.startsWith("y")`,
      { target: "records" },
    )!;
    const out = compilePgFilter(ast, { target: "records" });
    expect(out.sql).not.toContain("DROP");
    expect(out.sql).not.toContain("retries");
    expect(out.bindings).toContain("x'; DROP TABLE records; --");
    expect(out.bindings).toContain("retries");
    expect(out.bindings).toContain(3);
    expect(out.sql.split("?").length - 1).toBe(out.bindings.length);
    expect(out.sql).toMatch(/records\.data_json/);
  });

  it("qualifies columns with the given alias", () => {
    const ast = compileFilter('parent == "ns"', { target: "results" })!;
    expect(compilePgFilter(ast, { target: "results", table: "r" }).sql).toContain("r.parent");
    expect(() => compilePgFilter(ast, { target: "results", table: "r; --" })).toThrow(TypeError);
  });

  it("rejects a field the target lacks with invalid_argument", () => {
    expect(() =>
      compilePgFilter({ kind: "column", type: "string", column: "data_type" } as never, {
        target: "results",
      }),
    ).toThrow(StorageError);
  });
});

describe("toPgRegex", () => {
  it("rewrites JavaScript's classes and dot to explicit PostgreSQL sets", () => {
    expect(toPgRegex("a.c")).toBe("a[^\\n\\r\\u2028\\u2029]c");
    expect(toPgRegex("\\d+")).toBe("[0-9]+");
    expect(toPgRegex("[\\w.]")).toBe("[A-Za-z0-9_.]");
    expect(toPgRegex("\\bx")).toBe("\\yx");
    expect(toPgRegex("\\x41")).toBe("\\u0041");
    expect(toPgRegex("\\u{1F600}")).toBe("\\U0001f600");
  });

  it("rejects constructs PostgreSQL cannot express the same way", () => {
    for (const p of ["\\p{L}", "[\\D]", "\\cA", "[]", "\\0"]) {
      expect(() => toPgRegex(p), p).toThrow(StorageError);
    }
  });
});
