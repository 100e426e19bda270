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
const run: TektonRun = { metadata: { name: "p", namespace: "ns", annotations: { other: "x" } } };

describe("write-back", () => {
  it("a running run gets result, record and the finalizer in one apply body", () => {
    expect(writeBackPatch(run, PIPELINE_RUN, state)).toEqual({
      apiVersion: "tekton.dev/v1",
      kind: "PipelineRun",
      metadata: {
        name: "p",
        namespace: "ns",
        annotations: {
          "results.tekton.dev/result": "ns/results/r",
          "results.tekton.dev/record": "ns/results/r/records/u",
        },
        finalizers: ["results.tekton.dev/pipelinerun"],
      },
    });
  });
  it("a stored run gets stored=true and no finalizer; a finished child also childReadyForDeletion", () => {
    const body = writeBackPatch(run, TASK_RUN, {
      ...state,
      stored: true,
      finishedChild: true,
      holdFinalizer: false,
      logName: "ns/results/r/logs/l",
    });
    expect(body?.metadata.annotations).toEqual({
      "results.tekton.dev/result": "ns/results/r",
      "results.tekton.dev/record": "ns/results/r/records/u",
      "results.tekton.dev/log": "ns/results/r/logs/l",
      "results.tekton.dev/stored": "true",
      "results.tekton.dev/childReadyForDeletion": "true",
    });
    expect(body?.metadata.finalizers).toBeUndefined();
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
  it("the finalizer removal patch tests the position first", () => {
    const r: TektonRun = { metadata: { finalizers: ["other", "results.tekton.dev/taskrun"] } };
    expect(removeFinalizerPatch(r, "results.tekton.dev/taskrun")).toEqual([
      { op: "test", path: "/metadata/finalizers/1", value: "results.tekton.dev/taskrun" },
      { op: "remove", path: "/metadata/finalizers/1" },
    ]);
    expect(removeFinalizerPatch({ metadata: {} }, "x")).toBeUndefined();
  });
});
