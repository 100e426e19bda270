/**
 * Filters whose SQL nests `let`s (each arithmetic step binds its operands
 * once in a derived table) plan in time on PostgreSQL: the nested derived
 * tables are fenced with `OFFSET 0`, so the planner does not pull them up
 * and copy each operand into every reference (before, a chain of ten
 * additions took the planner past the 30 s statement timeout: the copies
 * double at each step). Plain filters keep their unfenced SQL.
 */
import { afterAll, describe, expect, it } from "vitest";
import { compileFilter } from "@tekton-results/storage";
import { compilePgFilter } from "../src/pg-filter.js";
import { createTestStore, destroyTestStore, stopTestPostgres } from "./support/postgres.js";

afterAll(async () => {
  await stopTestPostgres();
});

const chain = (n: number) => `${Array(n).fill("data.a").join(" + ")} == 6.0`;

describe("filters of nested lets on PostgreSQL", () => {
  it("a chain of 10, 30 and 60 additions answers in well under the statement timeout", async () => {
    const store = await createTestStore({ statementTimeoutMs: 20_000 });
    try {
      for (const n of [10, 30, 60]) {
        const filter = compileFilter(chain(n), { target: "records", maxDepth: 1000 })!;
        const started = Date.now();
        await store.listRecords({
          filter,
          orderBy: [{ field: "create_time", direction: "asc" }],
          pageSize: 10,
        });
        expect([n, Date.now() - started < 5_000]).toEqual([n, true]);
      }
    } finally {
      await destroyTestStore(store);
    }
  }, 120_000);

  it("fences only derived tables that hold another one", () => {
    const sqlOf = (f: string) =>
      compilePgFilter(compileFilter(f, { target: "records" })!, { target: "records" }).sql;
    expect(sqlOf(chain(10))).toContain("OFFSET 0");
    for (const plain of [
      'data.status.conditions[0].reason == "Failed"',
      "data.n > 100.0 && data.n < 19000.0",
      "data.n + 1.0 > 5000.0",
      'data.spec.params.exists(p, p.name == "a" && p.value.startsWith("19"))',
    ]) {
      expect(sqlOf(plain)).not.toContain("OFFSET 0");
    }
  });
});
