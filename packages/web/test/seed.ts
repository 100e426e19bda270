/**
 * The data set of the end-to-end test: two namespaces, three PipelineRuns (succeeded, failed,
 * running) and the TaskRuns of the first two, stored through the API in this order (so newest
 * first is: deploy-1, build-2, build-1).
 *
 * @module
 */
import {
  formatRecordName,
  formatResultName,
  jsonRecordData,
  type ResultsClient,
} from "@tekton-results/client";

const condition = (status: string, reason: string, message = "") => [
  { type: "Succeeded", status, reason, message },
];

function pipelineRun(
  ns: string,
  name: string,
  pipeline: string,
  status: [string, string, string?],
  minute: number,
  done: boolean,
) {
  return {
    apiVersion: "tekton.dev/v1",
    kind: "PipelineRun",
    metadata: {
      name,
      namespace: ns,
      uid: `uid-${name}`,
      labels: { "tekton.dev/pipeline": pipeline, app: "demo" },
      annotations: { "results.tekton.dev/repo": "https://example.com/demo.git" },
    },
    spec: {
      pipelineRef: { name: pipeline },
      params: [{ name: "revision", value: `v1.${minute}` }],
    },
    status: {
      startTime: `2026-12-01T10:${String(minute).padStart(2, "0")}:00Z`,
      ...(done
        ? { completionTime: `2026-12-01T10:${String(minute + 2).padStart(2, "0")}:05Z` }
        : {}),
      conditions: condition(status[0], status[1], status[2]),
      results: [{ name: "image", value: `registry.example.com/demo@sha256:${minute}` }],
    },
  };
}

function taskRun(ns: string, pr: string, task: string, status: [string, string], minute: number) {
  return {
    apiVersion: "tekton.dev/v1",
    kind: "TaskRun",
    metadata: {
      name: `${pr}-${task}`,
      namespace: ns,
      labels: {
        "tekton.dev/pipelineRun": pr,
        "tekton.dev/pipelineTask": task,
        "tekton.dev/task": task,
      },
    },
    status: {
      startTime: `2026-12-01T10:${String(minute).padStart(2, "0")}:10Z`,
      completionTime: `2026-12-01T10:${String(minute + 1).padStart(2, "0")}:00Z`,
      conditions: condition(status[0], status[1]),
    },
  };
}

/** The runs stored, in the order stored. */
export const SEEDED = [
  {
    ns: "ci",
    name: "build-1",
    run: pipelineRun("ci", "build-1", "build", ["True", "Succeeded"], 0, true),
  },
  {
    ns: "ci",
    name: "build-2",
    run: pipelineRun(
      "ci",
      "build-2",
      "build",
      ["False", "Failed", "Tasks Completed: 2 (Failed: 1, Cancelled 0), Skipped: 0"],
      10,
      true,
    ),
  },
  {
    ns: "team-b",
    name: "deploy-1",
    run: pipelineRun("team-b", "deploy-1", "deploy", ["Unknown", "Running"], 20, false),
  },
] as const;

/** Store the data set. */
export async function seed(client: ResultsClient): Promise<void> {
  for (const { ns, name, run } of SEEDED) {
    await client.createResult({ parent: ns, result: { name: formatResultName(ns, name) } });
    await client.createRecord({
      parent: formatResultName(ns, name),
      record: {
        name: formatRecordName(ns, name, name),
        data: jsonRecordData("tekton.dev/v1.PipelineRun", run),
      },
    });
    if (name === "deploy-1") continue;
    const failed = name === "build-2";
    for (const [task, ok] of [
      ["fetch", true],
      ["test", !failed],
    ] as const) {
      const minute = Number(run.status.startTime.slice(14, 16));
      await client.createRecord({
        parent: formatResultName(ns, name),
        record: {
          name: formatRecordName(ns, name, `${name}-${task}`),
          data: jsonRecordData(
            "tekton.dev/v1.TaskRun",
            taskRun(ns, name, task, ok ? ["True", "Succeeded"] : ["False", "Failed"], minute),
          ),
        },
      });
    }
  }
}
