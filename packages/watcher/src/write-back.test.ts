import { applyJsonPatch } from "@tekton-results/kube-fake";
import { describe, expect, it } from "vitest";
import { PIPELINE_RUN, TASK_RUN } from "./run-kinds.js";
import type { TektonRun } from "./run.js";
import {
  desiredAnnotations,
  removeFinalizerPatch,
  writeBackPatch,
  type WriteBackState,
} from "./write-back.js";

const state: WriteBackState = {
  resultName: "ns/results/r",
  recordName: "ns/results/r/records/u",
  stored: false,
  finishedChild: false,
  holdFinalizer: true,
};
const run: TektonRun = {
  metadata: {
    name: "p",
    namespace: "ns",
    uid: "u",
    resourceVersion: "7",
    annotations: { other: "x" },
    finalizers: ["someone/else"],
  },
};

describe("write-back", () => {
  it("a running run gets result, record and the finalizer in one patch guarded by its uid", () => {
    expect(writeBackPatch(run, PIPELINE_RUN, state)).toEqual([
      { op: "test", path: "/metadata/uid", value: "u" },
      {
        op: "add",
        path: "/metadata/annotations/results.tekton.dev~1result",
        value: "ns/results/r",
      },
      {
        op: "add",
        path: "/metadata/annotations/results.tekton.dev~1record",
        value: "ns/results/r/records/u",
      },
      { op: "add", path: "/metadata/finalizers/-", value: "results.tekton.dev/pipelinerun" },
    ]);
  });
  it("keeps other writers' annotations and finalizers", () => {
    const patched = applyJsonPatch(run, writeBackPatch(run, PIPELINE_RUN, state)) as TektonRun;
    expect(patched.metadata?.annotations).toEqual({
      other: "x",
      "results.tekton.dev/result": "ns/results/r",
      "results.tekton.dev/record": "ns/results/r/records/u",
    });
    expect(patched.metadata?.finalizers).toEqual([
      "someone/else",
      "results.tekton.dev/pipelinerun",
    ]);
  });
  it("creates missing annotations and finalizers only on the version it saw", () => {
    const bare: TektonRun = {
      metadata: { name: "p", namespace: "ns", uid: "u", resourceVersion: "7" },
    };
    const ops = writeBackPatch(bare, PIPELINE_RUN, state)!;
    expect(ops.slice(0, 2)).toEqual([
      { op: "test", path: "/metadata/uid", value: "u" },
      { op: "test", path: "/metadata/resourceVersion", value: "7" },
    ]);
    const patched = applyJsonPatch(bare, ops) as TektonRun;
    expect(patched.metadata?.annotations).toEqual(desiredAnnotations(state));
    expect(patched.metadata?.finalizers).toEqual(["results.tekton.dev/pipelinerun"]);
    // Someone added annotations meanwhile: the patch fails rather than replace them.
    const changed = {
      metadata: { ...bare.metadata, resourceVersion: "8", annotations: { a: "1" } },
    };
    expect(() => applyJsonPatch(changed, ops)).toThrow(/test failed/);
  });
  it("never applies to another run of the same name", () => {
    const ops = writeBackPatch(run, PIPELINE_RUN, state)!;
    const again = { metadata: { ...run.metadata, uid: "other" } };
    expect(() => applyJsonPatch(again, ops)).toThrow(/test failed/);
  });
  it("a stored run gets stored=true and loses the finalizer; a finished child also childReadyForDeletion", () => {
    const held: TektonRun = {
      metadata: { ...run.metadata, finalizers: ["someone/else", "results.tekton.dev/taskrun"] },
    };
    const ops = writeBackPatch(held, TASK_RUN, {
      ...state,
      stored: true,
      finishedChild: true,
      holdFinalizer: false,
      logName: "ns/results/r/logs/l",
    });
    const patched = applyJsonPatch(held, ops) as TektonRun;
    expect(patched.metadata?.annotations).toEqual({
      other: "x",
      "results.tekton.dev/result": "ns/results/r",
      "results.tekton.dev/record": "ns/results/r/records/u",
      "results.tekton.dev/log": "ns/results/r/logs/l",
      "results.tekton.dev/stored": "true",
      "results.tekton.dev/childReadyForDeletion": "true",
    });
    expect(patched.metadata?.finalizers).toEqual(["someone/else"]);
    expect(ops?.slice(-2)).toEqual([
      { op: "test", path: "/metadata/finalizers/1", value: "results.tekton.dev/taskrun" },
      { op: "remove", path: "/metadata/finalizers/1" },
    ]);
  });
  it("no patch when the run already says everything", () => {
    const done: TektonRun = {
      metadata: {
        name: "p",
        namespace: "ns",
        annotations: { ...desiredAnnotations(state), extra: "1" },
        finalizers: ["results.tekton.dev/pipelinerun"],
      },
    };
    expect(writeBackPatch(done, PIPELINE_RUN, state)).toBeUndefined();
    // ...but a patch when the finalizer must go.
    expect(writeBackPatch(done, PIPELINE_RUN, { ...state, holdFinalizer: false })).toBeDefined();
  });
  it("the finalizer removal patch tests the uid and the position first", () => {
    const r: TektonRun = {
      metadata: { uid: "u", finalizers: ["other", "results.tekton.dev/taskrun"] },
    };
    expect(removeFinalizerPatch(r, "results.tekton.dev/taskrun")).toEqual([
      { op: "test", path: "/metadata/uid", value: "u" },
      { op: "test", path: "/metadata/finalizers/1", value: "results.tekton.dev/taskrun" },
      { op: "remove", path: "/metadata/finalizers/1" },
    ]);
    expect(removeFinalizerPatch({ metadata: {} }, "x")).toBeUndefined();
  });
});
