import { describe, expect, it } from "vitest";
import { KubeApiError } from "./errors.js";
import { applyJsonPatch, applyMergePatch, jsonEqual } from "./patch.js";

describe("merge patch (RFC 7386)", () => {
  it("merges objects recursively, deletes on null, replaces arrays", () => {
    const target = { a: { b: 1, c: 2 }, list: [1, 2], keep: "x" };
    const out = applyMergePatch(target, { a: { b: 3, c: null }, list: [9], added: true });
    expect(out).toEqual({ a: { b: 3 }, list: [9], keep: "x", added: true });
    expect(target).toEqual({ a: { b: 1, c: 2 }, list: [1, 2], keep: "x" });
  });

  it("replaces the whole document with a non-object patch", () => {
    expect(applyMergePatch({ a: 1 }, ["x"])).toEqual(["x"]);
  });
});

describe("JSON patch (RFC 6902)", () => {
  const doc = { metadata: { labels: { "a/b": "1" }, finalizers: ["f1", "f2"] }, n: 1 };

  it("adds, removes, replaces, moves and copies with escaped pointers", () => {
    const out = applyJsonPatch(doc, [
      { op: "add", path: "/metadata/finalizers/-", value: "f3" },
      { op: "remove", path: "/metadata/finalizers/0" },
      { op: "replace", path: "/metadata/labels/a~1b", value: "2" },
      { op: "copy", from: "/n", path: "/m" },
      { op: "move", from: "/n", path: "/o" },
      { op: "add", path: "/metadata/finalizers/0", value: "f0" },
    ]);
    expect(out).toEqual({
      metadata: { labels: { "a/b": "2" }, finalizers: ["f0", "f2", "f3"] },
      m: 1,
      o: 1,
    });
    expect(doc.metadata.finalizers).toEqual(["f1", "f2"]);
  });

  it("passes a matching test and fails a mismatching one with 422", () => {
    expect(applyJsonPatch(doc, [{ op: "test", path: "/n", value: 1 }])).toEqual(doc);
    let err: unknown;
    try {
      applyJsonPatch(doc, [{ op: "test", path: "/n", value: 2 }]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(KubeApiError);
    expect((err as KubeApiError).code).toBe(422);
  });

  it("fails on missing paths and out-of-range indices", () => {
    expect(() => applyJsonPatch(doc, [{ op: "remove", path: "/nope" }])).toThrow(KubeApiError);
    expect(() =>
      applyJsonPatch(doc, [{ op: "replace", path: "/metadata/finalizers/5", value: 1 }]),
    ).toThrow(KubeApiError);
    expect(() => applyJsonPatch(doc, { op: "add" })).toThrow(KubeApiError);
  });
});

describe("jsonEqual", () => {
  it("ignores key order but not array order", () => {
    expect(jsonEqual({ a: 1, b: [1, 2] }, { b: [1, 2], a: 1 })).toBe(true);
    expect(jsonEqual([1, 2], [2, 1])).toBe(false);
    expect(jsonEqual({ a: 1 }, { a: 1, b: 2 })).toBe(false);
  });
});
