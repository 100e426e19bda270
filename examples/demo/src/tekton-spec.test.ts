import { describe, expect, it } from "vitest";
import {
  parseTaskCatalog,
  resolveParams,
  resolveTaskSpec,
  runStepScript,
  substituteParams,
  taskWaves,
} from "./tekton-spec.js";

describe("runStepScript", () => {
  it("prints the echo lines (quotes removed) and exits 0 without an exit", () => {
    expect(runStepScript(`echo "hello world"\nls -la\necho 'x'\necho plain`)).toEqual({
      lines: ["hello world", "x", "plain"],
      exitCode: 0,
    });
  });

  it("stops at the first exit with its code", () => {
    expect(runStepScript(`echo before\nexit 3\necho after`)).toEqual({
      lines: ["before"],
      exitCode: 3,
    });
  });

  it("treats a missing script as an empty successful step", () => {
    expect(runStepScript(undefined)).toEqual({ lines: [], exitCode: 0 });
  });
});

describe("parameters", () => {
  it("substitutes known $(params.x) and leaves unknown ones", () => {
    const values = new Map([["url", "https://x"]]);
    expect(substituteParams("clone $(params.url) at $(params.rev)", values)).toBe(
      "clone https://x at $(params.rev)",
    );
  });

  it("resolves given values (substituted with outer params) over defaults", () => {
    const values = resolveParams(
      [{ name: "a", default: "da" }, { name: "b", default: "db" }, { name: "c" }],
      [{ name: "b", value: "$(params.top)" }],
      new Map([["top", "T"]]),
    );
    expect(Object.fromEntries(values)).toEqual({ a: "da", b: "T" });
  });
});

describe("tasks", () => {
  const catalog = parseTaskCatalog(
    `apiVersion: tekton.dev/v1\nkind: Task\nmetadata: {name: t1}\nspec: {steps: [{name: s, image: i}]}\n---\nkind: Pipeline\nmetadata: {name: p}\n`,
  );

  it("reads Task documents into a catalog and ignores other kinds", () => {
    expect([...catalog.keys()]).toEqual(["t1"]);
  });

  it("resolves a taskRef from the catalog, an embedded spec as is, and fails on an unknown ref", () => {
    expect(resolveTaskSpec({ name: "x", taskRef: { name: "t1" } }, catalog).steps[0]?.name).toBe(
      "s",
    );
    const spec = { steps: [{ name: "e", image: "i" }] };
    expect(resolveTaskSpec({ name: "x", taskSpec: spec }, catalog)).toBe(spec);
    expect(() => resolveTaskSpec({ name: "x", taskRef: { name: "nope" } }, catalog)).toThrow(
      /Task nope not found/,
    );
  });

  it("orders pipeline tasks in waves along runAfter", () => {
    const waves = taskWaves([
      { name: "image", runAfter: ["build", "test"] },
      { name: "clone" },
      { name: "build", runAfter: ["clone"] },
      { name: "test", runAfter: ["clone"] },
    ]);
    expect(waves.map((w) => w.map((t) => t.name))).toEqual([
      ["clone"],
      ["build", "test"],
      ["image"],
    ]);
  });

  it("rejects unknown runAfter names and cycles", () => {
    expect(() => taskWaves([{ name: "a", runAfter: ["z"] }])).toThrow(/unknown/);
    expect(() =>
      taskWaves([
        { name: "a", runAfter: ["b"] },
        { name: "b", runAfter: ["a"] },
      ]),
    ).toThrow(/cycle/);
  });
});
