import { describe, expect, it } from "vitest";
import { formatDuration, formatRelative, runDuration } from "./format.js";
import { buildFilter, celErrorInBox, parseLabelFilter, runRow, runStatus } from "./runs.js";
import { runRecord } from "./test-fixtures.js";

describe("runStatus", () => {
  it("groups the Succeeded condition as the Dashboard does", () => {
    const run = (status: string, reason: string) => ({
      status: { conditions: [{ type: "Succeeded", status, reason }] },
    });
    expect(runStatus(run("True", "Succeeded"))).toBe("succeeded");
    expect(runStatus(run("False", "Failed"))).toBe("failed");
    expect(runStatus(run("False", "PipelineRunTimeout"))).toBe("failed");
    expect(runStatus(run("False", "Cancelled"))).toBe("cancelled");
    expect(runStatus(run("Unknown", "Running"))).toBe("running");
    expect(runStatus(run("Unknown", "PipelineRunPending"))).toBe("pending");
    expect(runStatus({})).toBe("pending");
  });
});

describe("runRow", () => {
  it("reads the name, namespace, pipeline, times and status of a record", () => {
    const row = runRow(
      runRecord("ci", "build-1", {
        status: "True",
        reason: "Succeeded",
        start: "2026-12-01T10:00:00Z",
        end: "2026-12-01T10:01:05Z",
        labels: { "tekton.dev/pipeline": "build" },
      }),
    );
    expect(row).toMatchObject({
      recordName: "ci/results/build-1/records/build-1",
      namespace: "ci",
      result: "build-1",
      record: "build-1",
      kind: "pipelinerun",
      name: "build-1",
      owner: "build",
      status: "succeeded",
      reason: "Succeeded",
    });
    expect(row.completionTime!.getTime() - row.startTime!.getTime()).toBe(65_000);
  });

  it("reads a TaskRun's task", () => {
    const row = runRow(
      runRecord("ci", "t-1", { kind: "TaskRun", labels: { "tekton.dev/task": "git-clone" } }),
    );
    expect(row).toMatchObject({ kind: "taskrun", owner: "git-clone" });
  });
});

describe("buildFilter", () => {
  it("puts the box's CEL first on a line of its own, then the kind's types and the status", () => {
    expect(buildFilter({ kind: "taskrun", status: "all", cel: "" })).toBe(
      '(data_type == "tekton.dev/v1.TaskRun" || data_type == "tekton.dev/v1beta1.TaskRun")',
    );
    const f = buildFilter({ kind: "all", status: "succeeded", cel: "a == 1" });
    expect(f.startsWith("(\na == 1\n) && (")).toBe(true);
    expect(f).toContain('data_type == "tekton.dev/v1.PipelineRun"');
    expect(f).toContain('data_type == "tekton.dev/v1beta1.TaskRun"');
    expect(f.endsWith('(data.status.conditions[0].status == "True")')).toBe(true);
  });

  it("adds the pipeline, each label and the time range (whole minutes back from now), quoted", () => {
    const now = Date.parse("2026-12-06T12:34:56.789Z");
    const f = buildFilter(
      {
        kind: "pipelinerun",
        status: "all",
        cel: "",
        pipeline: ' build"x ',
        labels: "app=shop, tier = web ,",
        since: "24h",
      },
      now,
    );
    expect(f.split(" && ").slice(1)).toEqual([
      'data.metadata.labels["tekton.dev/pipeline"] == "build\\"x"',
      'data.metadata.labels["app"] == "shop"',
      'data.metadata.labels["tier"] == "web"',
      'create_time > timestamp("2026-12-05T12:34:00.000Z")',
    ]);
    // The same minute, the same filter (the early first request is reused).
    expect(buildFilter({ kind: "taskrun", status: "all", cel: "", since: "1h" }, now)).toBe(
      buildFilter({ kind: "taskrun", status: "all", cel: "", since: "1h" }, now + 3_000),
    );
  });

  it("reads labels as key=value pairs and names the first entry that is not one", () => {
    expect(parseLabelFilter(" a=b,, c=d=e ")).toEqual({
      pairs: [
        ["a", "b"],
        ["c", "d=e"],
      ],
    });
    expect(parseLabelFilter("a=b, oops")).toEqual({ error: '"oops" is not key=value' });
    expect(parseLabelFilter("=v")).toEqual({ error: '"=v" is not key=value' });
  });

  it("moves the server's error position back into the box", () => {
    expect(celErrorInBox("syntax error at 3:7: bad")).toEqual({
      message: "syntax error at 2:7: bad",
      position: { line: 2, column: 7 },
    });
    expect(celErrorInBox("unknown name foo")).toEqual({ message: "unknown name foo" });
  });
});

describe("format", () => {
  it("writes durations and relative times briefly", () => {
    expect(formatDuration(65_000)).toBe("1m 5s");
    expect(formatDuration(3_600_000 + 120_000)).toBe("1h 2m");
    expect(formatDuration(500)).toBe("500ms");
    const now = new Date("2026-12-01T12:00:00Z");
    expect(formatRelative(new Date("2026-12-01T11:57:00Z"), now)).toBe("3 minutes ago");
    expect(formatRelative(new Date("2026-11-30T12:00:00Z"), now)).toBe("yesterday");
    expect(runDuration(undefined, undefined, now)).toEqual({ text: "-", running: false });
    expect(runDuration(new Date("2026-12-01T11:59:00Z"), undefined, now)).toEqual({
      text: "1m",
      running: true,
    });
  });
});
