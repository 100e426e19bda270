import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { USAGE } from "../src/config.js";

const operations = readFileSync(new URL("../../../docs/operations.md", import.meta.url), "utf8");

/**
 * The flags named in the first cell of the rows of the document's Markdown
 * tables. A table is a block of `|` lines whose second line is the header
 * separator (`| --- |`); `|` lines outside such a block render as text, not
 * as rows.
 */
function tableFlags(markdown: string): Set<string> {
  const flags = new Set<string>();
  const lines = markdown.split("\n");
  let i = 0;
  while (i < lines.length) {
    if (!lines[i]!.startsWith("|")) {
      i++;
      continue;
    }
    const start = i;
    while (i < lines.length && lines[i]!.startsWith("|")) i++;
    const block = lines.slice(start, i);
    if (block.length < 2 || !/^\|\s*:?-{3,}/.test(block[1]!)) continue;
    for (const row of block.slice(2)) {
      const flag = /^\|\s*`(--[a-z0-9-]+)/.exec(row)?.[1];
      if (flag) flags.add(flag);
    }
  }
  return flags;
}

describe("docs/operations.md documents the server's flags", () => {
  const documented = tableFlags(operations);
  const usage = new Set(
    [...USAGE.matchAll(/^ {2}(--[a-z0-9-]+)/gm)]
      .map((m) => m[1]!)
      .filter((flag) => flag !== "--help" && flag !== "--version"),
  );

  it("finds the flags of --help (the test reads what it thinks it reads)", () => {
    expect(usage.size).toBeGreaterThan(20);
    expect(usage).toContain("--auth");
  });

  it("has a table row for every flag of --help", () => {
    expect([...usage].filter((flag) => !documented.has(flag))).toEqual([]);
  });

  it("documents no flag that --help does not know", () => {
    expect([...documented].filter((flag) => !usage.has(flag))).toEqual([]);
  });
});
