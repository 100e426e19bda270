import { describe, expect, it } from "vitest";
import { StorageError, compileFilter } from "@tekton-results/storage";
import { runSqlFilterCompilerTests } from "@tekton-results/storage-conformance";
import { compilePgFilter } from "./pg-filter.js";
import { toPgRegex } from "./pg-regex.js";

runSqlFilterCompilerTests({ name: "PostgreSQL", compileFilter: compilePgFilter });

describe("compilePgFilter", () => {
  it("binds numbers and path keys one by one, and reads record data as jsonb", () => {
    const ast = compileFilter(
      `data.metadata.name == "x" && data.spec.retries > 3 && name.startsWith("y")`,
      { target: "records" },
    )!;
    const out = compilePgFilter(ast, { target: "records" });
    expect(out.bindings).toContain(3);
    expect(out.bindings).toContain("retries");
    expect(out.sql).toMatch(/records\.data_json/);
  });
});

describe("toPgRegex", () => {
  it("writes RE2's classes, dot, anchors and flags as explicit PostgreSQL constructs", () => {
    expect(toPgRegex("a.c")).toBe("a[^\\u000a]c");
    expect(toPgRegex("(?s)a.c")).toBe("a(?:.|\\n)c");
    expect(toPgRegex("\\d+")).toBe("(?:[0-9]+)");
    expect(toPgRegex("[\\w.]")).toBe("[\\u002e0-9A-Z\\u005fa-z]");
    expect(toPgRegex("(?i)k")).toBe("[Kk\\u212a]");
    expect(toPgRegex("(a)")).toBe("(?:a)");
    expect(toPgRegex("\\x41\\x{1F600}")).toBe("A\u{1F600}");
    expect(toPgRegex("a{2,3}?")).toBe("(?:a{2,3})");
  });

  it("refuses what PostgreSQL cannot express the same way", () => {
    for (const p of ["\\pL", "\\p{Greek}", "a{256}", "[^\\x00-\\x{10FFFF}]"]) {
      expect(() => toPgRegex(p), p).toThrow(StorageError);
    }
  });
});
