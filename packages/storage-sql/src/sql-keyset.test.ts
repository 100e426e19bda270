import { describe, expect, it } from "vitest";
import { keysetCondition } from "./sql-keyset.js";

describe("keysetCondition", () => {
  it("compares row values when every term runs the same way", () => {
    expect(
      keysetCondition(
        [
          { column: "t.create_time", direction: "desc" },
          { column: "t.uid", direction: "desc" },
        ],
        [5, "u"],
      ),
    ).toEqual({ sql: "(t.create_time, t.uid) < (?, ?)", bindings: [5, "u"] });
  });

  it("expands mixed directions into an OR chain led by a bound on the first term", () => {
    expect(
      keysetCondition(
        [
          { column: "a", direction: "asc" },
          { column: "b", direction: "desc" },
          { column: "uid", direction: "desc" },
        ],
        [1, 2, "u"],
        (i) => (i === 2 ? "?::text" : "?::bigint"),
      ),
    ).toEqual({
      sql:
        "(a >= ?::bigint AND ((a > ?::bigint) OR (a = ?::bigint AND b < ?::bigint)" +
        " OR (a = ?::bigint AND b = ?::bigint AND uid < ?::text)))",
      bindings: [1, 1, 1, 2, 1, 2, "u"],
    });
  });
});
