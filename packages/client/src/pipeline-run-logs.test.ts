import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { RecordSchema, type Record } from "@tekton-results/proto";
import { jsonRecordData, recordData } from "./record-data.js";
import {
  orderTaskRunsForLog,
  pipelineRunTaskRuns,
  pipelineTaskOf,
  taskRunsOfPipelineRunFilter,
  type RunForLog,
} from "./pipeline-run-logs.js";

function record(name: string, kind: string, run: object): Record {
  return create(RecordSchema, {
    name: `ci/results/r/records/${name}`,
    data: jsonRecordData(`tekton.dev/v1.${kind}`, run),
  });
}

const pr = record("pr", "PipelineRun", {
  metadata: { name: "pr", uid: "pr-uid" },
  status: { childReferences: [{ name: "pr-b" }, { name: "pr-a" }] },
});

function taskRun(name: string, task: string, start?: string, owner?: string): Record {
  return record(name, "TaskRun", {
    metadata: {
      name,
      labels: { "tekton.dev/pipelineRun": "pr", "tekton.dev/pipelineTask": task },
      ...(owner === undefined ? {} : { ownerReferences: [{ uid: owner }] }),
    },
    status: start ? { startTime: start } : {},
  });
}

const run = (r: Record): RunForLog => recordData<RunForLog>(r) ?? {};

describe("a PipelineRun's log", () => {
  it("orders TaskRuns by start (not started last), then by childReferences, then by name", () => {
    const kids = [
      taskRun("pr-late", "late", "2026-12-01T10:05:00Z", "pr-uid"),
      taskRun("pr-z", "z"),
      taskRun("pr-a", "a"),
      taskRun("pr-b", "b"),
      taskRun("pr-first", "first", "2026-12-01T10:00:00Z"),
    ];
    const names = orderTaskRunsForLog(run(pr), kids, run).map((r) => run(r).metadata?.name);
    expect(names).toEqual(["pr-first", "pr-late", "pr-b", "pr-a", "pr-z"]);
    // The items themselves when they are runs.
    expect(orderTaskRunsForLog(run(pr), kids.map(run)).map((r) => r.metadata?.name)).toEqual(names);
  });

  it("lists the TaskRuns of the PipelineRun's Result labelled with its name and owned by it", async () => {
    const stored = [
      taskRun("mine", "a", undefined, "pr-uid"),
      taskRun("unowned", "b"),
      taskRun("adopted", "c", undefined, "someone-else"),
    ];
    const asked: { parent?: string; filter?: string }[] = [];
    const client = {
      async *listAllRecords(req: { parent?: string; filter?: string }) {
        asked.push(req);
        yield* stored;
      },
    };
    const found = await pipelineRunTaskRuns(client as never, pr);
    expect(found.map((r) => run(r).metadata?.name)).toEqual(["mine", "unowned"]);
    expect(asked).toEqual([{ parent: "ci/results/r", filter: taskRunsOfPipelineRunFilter("pr") }]);
  });

  it("quotes the PipelineRun's name in the filter as a CEL string", () => {
    expect(taskRunsOfPipelineRunFilter('a"b')).toBe(
      '(data_type == "tekton.dev/v1.TaskRun" || data_type == "tekton.dev/v1beta1.TaskRun") && ' +
        'data.metadata.labels["tekton.dev/pipelineRun"] == "a\\"b"',
    );
  });

  it("marks unmarked lines with the pipeline task, else the Task, else the name", () => {
    const labels = (l: { [k: string]: string }): RunForLog => ({
      metadata: { name: "n", labels: l },
    });
    expect(pipelineTaskOf(labels({ "tekton.dev/pipelineTask": "p", "tekton.dev/task": "t" }))).toBe(
      "p",
    );
    expect(pipelineTaskOf(labels({ "tekton.dev/task": "t" }))).toBe("t");
    expect(pipelineTaskOf(labels({}))).toBe("n");
    expect(pipelineTaskOf({})).toBe("");
  });
});
