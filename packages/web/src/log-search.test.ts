import { describe, expect, it } from "vitest";
import { LogSearch } from "./log-search.js";
import { LogText } from "./log-text.js";

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

describe("LogSearch", () => {
  it("finds every case-insensitive match in the bodies, not in the markers", () => {
    const t = new LogText();
    t.push(enc("[build : step] Error: x error\n[build : step] fine\n[build : step] ERROR\n"));
    const s = new LogSearch(t, "error");
    expect(s.count).toBe(3);
    expect([s.match(0), s.match(1), s.match(2)]).toEqual([
      { line: 0, column: 0 },
      { line: 0, column: 9 },
      { line: 2, column: 0 },
    ]);
    expect(new LogSearch(t, "build").count).toBe(0);
    expect(s.inLine(0)).toEqual({ first: 0, columns: [0, 9] });
    expect(s.inLine(2)).toEqual({ first: 2, columns: [0] });
    expect(s.firstFrom(1)).toBe(2);
  });

  it("looks through ANSI escapes, and follows the text as it grows", () => {
    const t = new LogText();
    t.push(enc("\u001b[31mfa\u001b[0miled\n"));
    const s = new LogSearch(t, "failed");
    expect(s.count).toBe(1);
    t.push(enc("failed again\n"));
    s.update();
    expect(s.count).toBe(2);
    expect(new LogSearch(t, "").count).toBe(0);
  });
});
