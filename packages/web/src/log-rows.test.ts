import { describe, expect, it } from "vitest";
import { headerRow, LogRows, sectionOfRow } from "./log-rows.js";
import { LogText } from "./log-text.js";

function text(s: string): LogText {
  const t = new LogText();
  t.push(new TextEncoder().encode(s));
  return t;
}

const all = (r: LogRows): number[] => Array.from({ length: r.length }, (_, i) => r.at(i));

describe("LogRows", () => {
  it("puts a header before each titled section, and grows with the text", () => {
    const t = text("[a : x] 0\n[a : x] 1\n[a : y] 2\n");
    const rows = new LogRows(t);
    expect(all(rows)).toEqual([headerRow(0), 0, 1, headerRow(1), 2]);
    expect(sectionOfRow(headerRow(1))).toBe(1);
    expect(sectionOfRow(2)).toBeUndefined();
    t.push(new TextEncoder().encode("[a : y] 3\n"));
    rows.update();
    expect(all(rows)).toEqual([headerRow(0), 0, 1, headerRow(1), 2, 3]);
  });

  it("has no header for the lines of a log without markers", () => {
    expect(all(new LogRows(text("a\nb\n")))).toEqual([0, 1]);
  });

  it("folds and unfolds sections; finding a folded line unfolds its section", () => {
    const t = text("[a : x] 0\n[a : x] 1\n[a : y] 2\n");
    const rows = new LogRows(t);
    rows.setFolded(true);
    expect(all(rows)).toEqual([headerRow(0), headerRow(1)]);
    expect(rows.isFolded(0)).toBe(true);
    expect(rows.rowOfLine(1)).toBe(2);
    expect(rows.isFolded(0)).toBe(false);
    expect(all(rows)).toEqual([headerRow(0), 0, 1, headerRow(1)]);
    expect(rows.rowOfLine(2)).toBe(4);
    expect(rows.rowOfLine(7)).toBe(-1);
  });
});
