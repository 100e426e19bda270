import { describe, expect, it } from "vitest";
import { canonicalJson, recordFingerprint, recordValueOf } from "./record-value.js";
import type { TektonRun } from "./run.js";

const run: TektonRun = {
  metadata: {
    name: "r",
    resourceVersion: "5",
    managedFields: [{ manager: "kubectl" }],
    annotations: { "kubectl.kubernetes.io/last-applied-configuration": "{...}", keep: "yes" },
  },
  spec: { x: 1 },
};

describe("record value", () => {
  it("drops managedFields and the last-applied annotation, sets apiVersion and kind, copies deeply", () => {
    const value = recordValueOf(run, "tekton.dev/v1", "TaskRun");
    expect(value.metadata?.managedFields).toBeUndefined();
    expect(value.metadata?.annotations).toEqual({ keep: "yes" });
    expect(value.apiVersion).toBe("tekton.dev/v1");
    expect(value.kind).toBe("TaskRun");
    expect(run.metadata?.managedFields).toHaveLength(1);
  });
  it("removes an annotation map left empty", () => {
    const value = recordValueOf(
      { metadata: { annotations: { "kubectl.kubernetes.io/last-applied-configuration": "{}" } } },
      "v",
      "K",
    );
    expect(value.metadata?.annotations).toBeUndefined();
  });
  it("the fingerprint ignores key order and the watcher's own write-back", () => {
    const a = {
      metadata: { name: "r", resourceVersion: "1", annotations: { x: "1" } },
      spec: { a: 1, b: 2 },
    };
    const b = {
      spec: { b: 2, a: 1 },
      metadata: {
        resourceVersion: "9",
        name: "r",
        finalizers: ["results.tekton.dev/taskrun"],
        annotations: {
          x: "1",
          "results.tekton.dev/stored": "true",
          "results.tekton.dev/result": "ns/results/a",
        },
      },
    };
    expect(recordFingerprint(a)).toBe(recordFingerprint(b));
    expect(recordFingerprint(a)).not.toBe(recordFingerprint({ ...a, spec: { a: 2, b: 2 } }));
  });
  it("canonical JSON sorts keys at every level", () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: 0 } })).toBe(
      '{"a":{"c":0,"d":[{"y":2,"z":1}]},"b":1}',
    );
  });
});
