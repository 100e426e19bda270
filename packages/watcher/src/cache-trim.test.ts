import { describe, expect, it } from "vitest";
import { trimForCache } from "./cache-trim.js";
import { ANNOTATIONS } from "./run-kinds.js";
import type { TektonRun } from "./run.js";

describe("trimForCache", () => {
  it("removes managedFields and the last-applied annotation, keeping everything else", () => {
    const run: TektonRun = {
      apiVersion: "tekton.dev/v1",
      kind: "TaskRun",
      metadata: {
        name: "a",
        namespace: "ns",
        uid: "u1",
        resourceVersion: "7",
        labels: { app: "x" },
        annotations: { [ANNOTATIONS.lastApplied]: '{"big":"json"}', [ANNOTATIONS.stored]: "true" },
        finalizers: ["results.tekton.dev/taskrun"],
        managedFields: [{ manager: "kubectl", operation: "Apply", fieldsV1: { "f:spec": {} } }],
      },
      spec: { taskRef: { name: "t" } },
      status: { conditions: [{ type: "Succeeded", status: "True" }] },
    };
    const out = trimForCache(run);
    expect(out).toBe(run);
    expect(run).toEqual({
      apiVersion: "tekton.dev/v1",
      kind: "TaskRun",
      metadata: {
        name: "a",
        namespace: "ns",
        uid: "u1",
        resourceVersion: "7",
        labels: { app: "x" },
        annotations: { [ANNOTATIONS.stored]: "true" },
        finalizers: ["results.tekton.dev/taskrun"],
      },
      spec: { taskRef: { name: "t" } },
      status: { conditions: [{ type: "Succeeded", status: "True" }] },
    });
  });

  it("drops an annotations map that only held the last-applied configuration", () => {
    const run: TektonRun = {
      metadata: { name: "a", annotations: { [ANNOTATIONS.lastApplied]: "{}" } },
    };
    trimForCache(run);
    expect(run.metadata).toEqual({ name: "a" });
  });

  it("leaves an object without metadata, an empty annotations map and non-objects alone", () => {
    expect(trimForCache({ kind: "Status", code: 410 })).toEqual({ kind: "Status", code: 410 });
    expect(trimForCache({ metadata: { annotations: {} } })).toEqual({
      metadata: { annotations: {} },
    });
    expect(trimForCache(null)).toBeNull();
    expect(trimForCache("x")).toBe("x");
  });
});
