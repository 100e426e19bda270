import { describe, expect, it } from "vitest";
import { LogText } from "./log-text.js";

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

function lines(t: LogText): string[] {
  return Array.from({ length: t.length }, (_, i) => t.body(i));
}

describe("LogText", () => {
  it("splits lines across chunks cut anywhere, a multi-byte character included", () => {
    const t = new LogText();
    const bytes = enc("[a : s] héllo\n[a : s] wörld\r\nlast");
    for (let i = 0; i < bytes.length; i += 3) t.push(bytes.subarray(i, i + 3));
    expect(t.length).toBe(2);
    t.flush();
    expect(lines(t)).toEqual(["héllo", "wörld", "last"]);
    expect(t.bytes).toBe(bytes.byteLength);
  });

  it("groups lines in sections by their [task : step] marker, in order", () => {
    const t = new LogText();
    t.push(enc("[build : clone] a\n[build : clone] b\n[build : test] c\n[deploy : push] d\n"));
    expect(t.sections.map((s) => [s.title, s.task, s.step, s.first, s.count])).toEqual([
      ["[build : clone]", "build", "clone", 0, 2],
      ["[build : test]", "build", "test", 2, 1],
      ["[deploy : push]", "deploy", "push", 3, 1],
    ]);
    expect(t.sectionIndexOf(2)).toBe(1);
  });

  it("puts lines without a marker in the section named by beginLog, a new one per log", () => {
    const t = new LogText();
    t.beginLog("[fetch]", "fetch");
    t.push(enc("plain 1\n[fetch : git] marked\n"));
    t.beginLog("[fetch]", "fetch");
    t.push(enc("plain 2"));
    t.flush();
    expect(t.sections.map((s) => [s.title, s.step, s.count])).toEqual([
      ["[fetch]", undefined, 1],
      ["[fetch : git]", "git", 1],
      ["[fetch]", undefined, 1],
    ]);
    expect(lines(t)).toEqual(["plain 1", "marked", "plain 2"]);
  });

  it("keeps a stored timestamp apart from the text", () => {
    const t = new LogText();
    t.push(enc("[a : s] 2026-12-01T10:00:01.123456789Z hello\nno timestamp\n"));
    expect(t.hasTimestamps).toBe(true);
    expect(t.line(0)).toEqual({ timestamp: "2026-12-01T10:00:01.123456789Z", body: "hello" });
    expect(t.line(1)).toEqual({ timestamp: "", body: "no timestamp" });
  });

  it("tracks the widest body and gives back the raw bytes", async () => {
    const t = new LogText();
    const raw = enc("[a : s] \u001b[31mred\u001b[0m\nxx\n");
    t.push(raw);
    expect(t.widest).toBe("\u001b[31mred\u001b[0m".length);
    expect(new Uint8Array(await t.blob().arrayBuffer())).toEqual(raw);
  });

  it("holds 200,000 lines in typed arrays, not one object per line", () => {
    const t = new LogText();
    const chunk = Array.from({ length: 1000 }, (_, i) => `[t : s] line ${i}\n`).join("");
    const bytes = enc(chunk);
    for (let i = 0; i < 200; i++) t.push(bytes);
    expect(t.length).toBe(200_000);
    expect(t.sections).toHaveLength(1);
    expect(t.body(199_999)).toBe("line 999");
  });
});
