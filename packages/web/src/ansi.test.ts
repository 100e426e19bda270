import { describe, expect, it } from "vitest";
import { ansiSpans, markMatches, paletteRgb, plainText } from "./ansi.js";

describe("ansi", () => {
  it("gives plain text one span and no escapes", () => {
    expect(ansiSpans("hello")).toEqual([{ text: "hello", className: "" }]);
    expect(plainText("\u001b[1;32mok\u001b[0m done")).toBe("ok done");
  });

  it("turns colours and decorations into classes, 256 and true colours into rgb()", () => {
    const spans = ansiSpans("\u001b[1;31mred\u001b[0m \u001b[42mbg\u001b[0m");
    expect(spans[0]).toMatchObject({ text: "red", className: "ansi-red-fg ansi-bold" });
    expect(spans.find((s) => s.text === "bg")?.className).toBe("ansi-green-bg");
    expect(ansiSpans("\u001b[38;5;196mx")[0]?.color).toBe("rgb(255, 0, 0)");
    expect(ansiSpans("\u001b[38;2;1;2;3mx")[0]?.color).toBe("rgb(1, 2, 3)");
    expect(paletteRgb(232)).toBe("rgb(8, 8, 8)");
  });

  it("cuts spans at matches across colour changes, marking the current one", () => {
    const spans = ansiSpans("ab\u001b[31mcdef\u001b[0m");
    const marked = markMatches(spans, [1, 4], 2, 1);
    expect(marked.map((s) => [s.text, s.match ?? "", s.className])).toEqual([
      ["a", "", ""],
      ["b", "match", ""],
      ["c", "match", "ansi-red-fg"],
      ["d", "", "ansi-red-fg"],
      ["ef", "current", "ansi-red-fg"],
    ]);
  });
});
