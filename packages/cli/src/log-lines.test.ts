import { describe, expect, it } from "vitest";
import { LogLines, TaskColours } from "./log-lines.js";

const bytes = (s: string) => new TextEncoder().encode(s);

describe("LogLines", () => {
  it("without a prefix or colours, prints the bytes unchanged, by whole lines", () => {
    const lines = new LogLines();
    expect(lines.push(bytes("[a : b] one\ntw"))).toBe("[a : b] one\n");
    expect(lines.push(bytes("o\nthree"))).toBe("two\n");
    expect(lines.end()).toBe("three");
  });

  it("holds a character cut between two reads until its last byte comes", () => {
    const all = bytes("héllo ✓\n");
    const lines = new LogLines();
    expect(lines.push(all.subarray(0, 2))).toBe("");
    expect(lines.push(all.subarray(2, 8))).toBe("");
    expect(lines.push(all.subarray(8))).toBe("héllo ✓\n");
    expect(lines.end()).toBe("");
  });

  it("marks the lines that have no [task : step] marker, and ends the last line with terminate", () => {
    const lines = new LogLines({ prefix: "[lint : run]", terminate: true });
    expect(lines.push(bytes("[lint : run] kept\nadded\n[bad] added too\nlast"))).toBe(
      "[lint : run] kept\n[lint : run] added\n[lint : run] [bad] added too\n",
    );
    expect(lines.end()).toBe("[lint : run] last\n");
  });

  it("colours markers bold in one colour per task, in turn", () => {
    const colours = new TaskColours();
    const lines = new LogLines({ colours });
    expect(lines.push(bytes("[a : x] 1\n[b : x] 2\n[a : y] 3\n"))).toBe(
      "\x1b[92m\x1b[1m[a : x]\x1b[22m\x1b[39m 1\n" +
        "\x1b[93m\x1b[1m[b : x]\x1b[22m\x1b[39m 2\n" +
        "\x1b[92m\x1b[1m[a : y]\x1b[22m\x1b[39m 3\n",
    );
  });
});
