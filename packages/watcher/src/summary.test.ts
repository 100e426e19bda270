import { describe, expect, it } from "vitest";
import { RecordSummary_Status } from "@tekton-results/client";
import { PermanentError } from "./errors.js";
import type { TektonRun } from "./run.js";
import { jsonAnnotation, resultAnnotationsOf, statusOfReason, summaryOf } from "./summary.js";

describe("statusOfReason", () => {
  it.each([
    ["Succeeded", RecordSummary_Status.SUCCESS],
    ["Completed", RecordSummary_Status.SUCCESS],
    ["Failed", RecordSummary_Status.FAILURE],
    ["FailedResolution", RecordSummary_Status.FAILURE],
    ["FailedValidation", RecordSummary_Status.FAILURE],
    ["TaskFailedValidation", RecordSummary_Status.FAILURE],
    ["ResourceVerificationFailed", RecordSummary_Status.FAILURE],
    ["ExceededResourceQuota", RecordSummary_Status.FAILURE],
    ["ExceededNodeResources", RecordSummary_Status.FAILURE],
    ["PullImageFailed", RecordSummary_Status.FAILURE],
    ["CreateContainerConfigError", RecordSummary_Status.FAILURE],
    ["PodCreationFailed", RecordSummary_Status.FAILURE],
    ["PodAdmissionFailed", RecordSummary_Status.FAILURE],
    ["PipelineRunTimeout", RecordSummary_Status.TIMEOUT],
    ["TaskRunTimeout", RecordSummary_Status.TIMEOUT],
    ["CustomRunTimeout", RecordSummary_Status.TIMEOUT],
    ["Cancelled", RecordSummary_Status.CANCELLED],
    ["TaskRunCancelled", RecordSummary_Status.CANCELLED],
    ["PipelineRunCancelled", RecordSummary_Status.CANCELLED],
    ["Running", RecordSummary_Status.UNKNOWN],
    ["Started", RecordSummary_Status.UNKNOWN],
    [undefined, RecordSummary_Status.UNKNOWN],
  ])("%s -> %s", (reason, status) => {
    expect(statusOfReason(reason)).toBe(status);
  });
});

const run: TektonRun = {
  metadata: {
    name: "build-7",
    namespace: "ns",
    labels: { "tekton.dev/pipeline": "build", team: "a" },
    annotations: {
      "results.tekton.dev/resultAnnotations": '{"repo":"x","n":3,"object.metadata.name":"spoof"}',
      "results.tekton.dev/recordSummaryAnnotations": '{"branch":"main"}',
    },
  },
  status: {
    startTime: "2026-01-01T00:00:00Z",
    completionTime: "2026-01-01T00:02:00Z",
    conditions: [{ type: "Succeeded", status: "True", reason: "Succeeded" }],
  },
};

describe("Result annotations and summary", () => {
  it("merge resultAnnotations, summary labels and object.metadata.name (the name wins)", () => {
    expect(resultAnnotationsOf(run, ["tekton.dev/pipeline", "missing"])).toEqual({
      repo: "x",
      n: "3",
      "object.metadata.name": "build-7",
      "tekton.dev/pipeline": "build",
    });
  });
  it("the summary carries record, type, times, status and summary annotations", () => {
    const s = summaryOf(run, "ns/results/r/records/u", "tekton.dev/v1.PipelineRun");
    expect(s).toEqual({
      record: "ns/results/r/records/u",
      type: "tekton.dev/v1.PipelineRun",
      status: RecordSummary_Status.SUCCESS,
      startTime: new Date("2026-01-01T00:00:00Z"),
      endTime: new Date("2026-01-01T00:02:00Z"),
      annotations: { branch: "main" },
    });
  });
  it("a running run has no end time and UNKNOWN status", () => {
    const s = summaryOf(
      { status: { startTime: "2026-01-01T00:00:00Z" } },
      "ns/results/r/records/u",
      "t",
    );
    expect(s.endTime).toBeUndefined();
    expect(s.status).toBe(RecordSummary_Status.UNKNOWN);
  });
  it("malformed JSON or a non-object is a permanent error", () => {
    const bad = (value: string): TektonRun => ({ metadata: { annotations: { k: value } } });
    expect(() => jsonAnnotation(bad("{not json"), "k")).toThrow(PermanentError);
    expect(() => jsonAnnotation(bad("[1,2]"), "k")).toThrow(/not a JSON object/);
    expect(() => jsonAnnotation(bad("null"), "k")).toThrow(PermanentError);
    expect(jsonAnnotation(bad(""), "k")).toEqual({});
    expect(jsonAnnotation({}, "k")).toEqual({});
  });
});
