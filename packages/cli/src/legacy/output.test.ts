/** Go's tabwriter as ported, and durafmt's short form, on cases worked out from Go's rules. */
import { describe, expect, it } from "vitest";
import { durafmtShort } from "./output.js";
import { tabwrite } from "./tabwriter.js";

describe("tabwrite", () => {
  it("pads each column to its widest cell plus padding, at least minwidth; the last cell as is", () => {
    expect(tabwrite("a\tbb\tc\nccc\td\te\n", { minwidth: 0, tabwidth: 8, padding: 2 })).toBe(
      "a    bb  c\nccc  d   e\n",
    );
    expect(tabwrite("a\tb\n", { minwidth: 6, tabwidth: 8, padding: 1 })).toBe("a     b\n");
  });

  it("a line without a tab ends the column blocks", () => {
    expect(
      tabwrite("a\tb\nlonger line\nxxxxxx\ty\n", { minwidth: 0, tabwidth: 8, padding: 1 }),
    ).toBe("a b\nlonger line\nxxxxxx y\n");
  });

  it("a column block is the run of lines that have a cell in that column", () => {
    const text = "\tType:\tx\n\tStatus:\n\tSTARTED\tDURATION\n\t1m ago\t5s\n";
    expect(tabwrite(text, { minwidth: 0, tabwidth: 5, padding: 3, tabIndent: true })).toBe(
      "\tType:   x\n\tStatus:\n\tSTARTED   DURATION\n\t1m ago    5s\n",
    );
  });

  it("counts runes, not UTF-16 units or bytes", () => {
    expect(tabwrite("ü\tx\nab\ty\n", { minwidth: 0, tabwidth: 8, padding: 1 })).toBe(
      "ü  x\nab y\n",
    );
  });
});

describe("durafmtShort", () => {
  it("keeps the largest unit, singular for one", () => {
    expect(durafmtShort(0)).toBe("0 seconds");
    expect(durafmtShort(1000)).toBe("1 second");
    expect(durafmtShort(90_000)).toBe("1 minute");
    expect(durafmtShort(2 * 3_600_000 + 5)).toBe("2 hours");
    expect(durafmtShort(15 * 86_400_000)).toBe("2 weeks");
    expect(durafmtShort(400 * 86_400_000)).toBe("1 year");
    expect(durafmtShort(250)).toBe("250 milliseconds");
  });
});
