import { describe, expect, it } from "vitest";
import { bind, joinLogic, MAX_FLAT_LOGIC_OPERANDS, renderSql, sql } from "./sql-fragment.js";

/** The deepest parenthesis nesting of a SQL text. */
function parenDepth(text: string): number {
  let depth = 0;
  let max = 0;
  for (const ch of text) {
    if (ch === "(") max = Math.max(max, ++depth);
    else if (ch === ")") depth--;
  }
  return max;
}

describe("joinLogic", () => {
  it("joins a short list flat", () => {
    const parts = [1, 2, 3].map((n) => sql`x = ${bind(n)}`);
    expect(renderSql(joinLogic(parts, "OR"))).toEqual({
      sql: "(x = ? OR x = ? OR x = ?)",
      bindings: [1, 2, 3],
    });
  });

  it("nests a long list in groups, so no chain is longer than the group size", () => {
    const n = 5000;
    const parts = Array.from({ length: n }, (_, i) => sql`x = ${bind(i)}`);
    const rendered = renderSql(joinLogic(parts, "AND"));
    expect(rendered.bindings).toEqual(Array.from({ length: n }, (_, i) => i));
    // Every operand once, in order; the nesting grows with the logarithm of n.
    expect(rendered.sql.match(/x = \?/g)).toHaveLength(n);
    expect(parenDepth(rendered.sql)).toBeLessThanOrEqual(4);
    for (const chain of rendered.sql.split(/[()]/)) {
      expect(chain.split(" AND ").length).toBeLessThanOrEqual(MAX_FLAT_LOGIC_OPERANDS);
    }
  });

  it("builds and renders fragments of 100,000 parts: no stack overflow, no quadratic rendering", () => {
    const parts = Array.from({ length: 100_000 }, (_, i) => sql`${bind(i)}`);
    expect(renderSql(joinLogic(parts, "OR")).bindings).toHaveLength(100_000);
  });
});
