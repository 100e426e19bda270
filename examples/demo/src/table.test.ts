import { describe, expect, it } from "vitest";
import { formatTable, truncate } from "./table.js";

describe("formatTable", () => {
  it("aligns columns to the widest cell and trims trailing spaces", () => {
    expect(
      formatTable(
        ["NAME", "STATUS"],
        [
          ["a", "SUCCESS"],
          ["longer-name", ""],
        ],
      ),
    ).toEqual(["  NAME         STATUS", "  a            SUCCESS", "  longer-name"]);
  });

  it("prints only the header when there are no rows", () => {
    expect(formatTable(["A", "B"], [], "")).toEqual(["A  B"]);
  });
});

describe("truncate", () => {
  it("keeps short text and cuts long text with an ellipsis", () => {
    expect(truncate("abc", 3)).toBe("abc");
    expect(truncate("abcdef", 4)).toBe("abc…");
  });
});
