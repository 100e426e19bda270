import { describe, expect, it } from "vitest";
import { PermanentError } from "./errors.js";
import { recordNameOf, resultNameOf } from "./naming.js";
import type { TektonRun } from "./run.js";

const base = (metadata: TektonRun["metadata"] = {}): TektonRun => ({
  metadata: { namespace: "ns", name: "r", uid: "run-uid", ...metadata },
});

describe("result name precedence", () => {
  it("1. the results.tekton.dev/result annotation, used as is", () => {
    const run = base({
      annotations: { "results.tekton.dev/result": "other/results/chosen" },
      labels: { "triggers.tekton.dev/triggers-eventid": "event" },
      ownerReferences: [{ kind: "PipelineRun", uid: "parent" }],
    });
    expect(resultNameOf(run)).toBe("other/results/chosen");
  });
  it("2. the triggers event id label", () => {
    const run = base({
      labels: { "triggers.tekton.dev/triggers-eventid": "event-1" },
      ownerReferences: [{ kind: "PipelineRun", uid: "parent" }],
    });
    expect(resultNameOf(run)).toBe("ns/results/event-1");
  });
  it("3. the uid of the PipelineRun owner", () => {
    const run = base({
      ownerReferences: [
        { kind: "Other", uid: "x" },
        { kind: "PipelineRun", uid: "parent" },
      ],
    });
    expect(resultNameOf(run)).toBe("ns/results/parent");
  });
  it("4. the run's own uid", () => {
    expect(resultNameOf(base())).toBe("ns/results/run-uid");
  });
  it("a malformed annotation is a permanent error", () => {
    expect(() =>
      resultNameOf(base({ annotations: { "results.tekton.dev/result": "Not A Name" } })),
    ).toThrow(PermanentError);
  });
});

describe("record name", () => {
  it("is {result}/records/{uid}", () => {
    expect(recordNameOf(base(), "ns/results/x")).toBe("ns/results/x/records/run-uid");
  });
  it("a run without owners may name it with the annotation", () => {
    const run = base({ annotations: { "results.tekton.dev/record": "ns/results/x/records/mine" } });
    expect(recordNameOf(run, "ns/results/x")).toBe("ns/results/x/records/mine");
  });
  it("a child ignores the (propagated) record annotation", () => {
    const run = base({
      annotations: { "results.tekton.dev/record": "ns/results/x/records/parent-record" },
      ownerReferences: [{ kind: "PipelineRun", uid: "x" }],
    });
    expect(recordNameOf(run, "ns/results/x")).toBe("ns/results/x/records/run-uid");
  });
  it("a record annotation outside the result is a permanent error", () => {
    const run = base({ annotations: { "results.tekton.dev/record": "ns/results/y/records/mine" } });
    expect(() => recordNameOf(run, "ns/results/x")).toThrow(PermanentError);
  });
});
