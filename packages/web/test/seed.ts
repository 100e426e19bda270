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

/** The page clock of the Insights test: the seeded runs started 1 to 5 days before it. */
export const INSIGHTS_NOW = new Date("2026-12-06T12:00:00Z");

/** A PipelineRun of the Insights data set: its start (days before {@link INSIGHTS_NOW}) and minutes. */
interface InsightsRun {
  ns: string;
  pipeline: string;
  name: string;
  ok: boolean;
  daysAgo: number;
  minutes: number;
}

/**
 * The Insights data set, in the last 7 days unless said: `ci/build` 3 successes and 1 failure
 * (75%; 2, 3, 4 and 5 minutes: p50 3m 30s, p95 4m 51s) and a failure 60 days ago (in the 90-day
 * window only: 3 of 5, 60%); `ci/lint` 2 successes; `team-b/deploy` 1 success and 1 failure
 * (10 and 12 minutes: the slowest, and the flakiest at 50%); `team-b/nightly` 3 failures
 * (failing, not flaky).
 */
export const INSIGHTS_RUNS: readonly InsightsRun[] = [
  { ns: "ci", pipeline: "build", name: "build-a", ok: true, daysAgo: 5, minutes: 2 },
  { ns: "ci", pipeline: "build", name: "build-b", ok: true, daysAgo: 4, minutes: 3 },
  { ns: "ci", pipeline: "build", name: "build-c", ok: false, daysAgo: 3, minutes: 4 },
  { ns: "ci", pipeline: "build", name: "build-d", ok: true, daysAgo: 1, minutes: 5 },
  { ns: "ci", pipeline: "build", name: "build-old", ok: false, daysAgo: 60, minutes: 9 },
  { ns: "ci", pipeline: "lint", name: "lint-a", ok: true, daysAgo: 2, minutes: 1 },
  { ns: "ci", pipeline: "lint", name: "lint-b", ok: true, daysAgo: 1, minutes: 1 },
  { ns: "team-b", pipeline: "deploy", name: "deploy-a", ok: true, daysAgo: 4, minutes: 10 },
  { ns: "team-b", pipeline: "deploy", name: "deploy-b", ok: false, daysAgo: 2, minutes: 12 },
  { ns: "team-b", pipeline: "nightly", name: "nightly-a", ok: false, daysAgo: 3, minutes: 1 },
  { ns: "team-b", pipeline: "nightly", name: "nightly-b", ok: false, daysAgo: 2, minutes: 1 },
  { ns: "team-b", pipeline: "nightly", name: "nightly-c", ok: false, daysAgo: 1, minutes: 1 },
];

const at = (ms: number): string => new Date(ms).toISOString().replace(".000Z", "Z");

/** A TaskRun of `build-c` (the failed build) with its steps, for the Run page's timeline. */
function timelineTaskRun(
  pr: string,
  task: string,
  start: number,
  steps: [string, number, number][],
) {
  const failed = steps.some(([, , code]) => code !== 0);
  let t = start;
  const states = steps.map(([name, seconds, exitCode]) => {
    const step = {
      name,
      container: `step-${name}`,
      terminated: {
        exitCode,
        reason: exitCode === 0 ? "Completed" : "Error",
        ...(exitCode === 0 ? {} : { message: `${name}: 3 tests failed (exit code ${exitCode})` }),
        startedAt: at(t),
        finishedAt: at(t + seconds * 1000),
      },
    };
    t += seconds * 1000;
    return step;
  });
  return {
    apiVersion: "tekton.dev/v1",
    kind: "TaskRun",
    metadata: {
      name: `${pr}-${task}`,
      namespace: "ci",
      labels: { "tekton.dev/pipelineRun": pr, "tekton.dev/pipelineTask": task },
    },
    status: {
      startTime: at(start),
      completionTime: at(t),
      conditions: failed
        ? [
            {
              type: "Succeeded",
              status: "False",
              reason: "Failed",
              message: `"step-unit" exited with code 1`,
            },
          ]
        : [{ type: "Succeeded", status: "True", reason: "Succeeded" }],
      steps: states,
    },
  };
}

/** Store the Insights data set; `build-c` gets TaskRuns with steps (fetch, then a failed test). */
export async function seedInsights(client: ResultsClient): Promise<void> {
  for (const r of INSIGHTS_RUNS) {
    const start = INSIGHTS_NOW.getTime() - r.daysAgo * 86_400_000;
    const run = {
      apiVersion: "tekton.dev/v1",
      kind: "PipelineRun",
      metadata: {
        name: r.name,
        namespace: r.ns,
        labels: { "tekton.dev/pipeline": r.pipeline },
      },
      spec: { pipelineRef: { name: r.pipeline } },
      status: {
        startTime: at(start),
        completionTime: at(start + r.minutes * 60_000),
        conditions: condition(r.ok ? "True" : "False", r.ok ? "Succeeded" : "Failed"),
      },
    };
    await client.createResult({ parent: r.ns, result: { name: formatResultName(r.ns, r.name) } });
    await client.createRecord({
      parent: formatResultName(r.ns, r.name),
      record: {
        name: formatRecordName(r.ns, r.name, r.name),
        data: jsonRecordData("tekton.dev/v1.PipelineRun", run),
      },
    });
    if (r.name !== "build-c") continue;
    const taskRuns = [
      timelineTaskRun(r.name, "fetch", start, [["clone", 30, 0]]),
      timelineTaskRun(r.name, "test", start + 40_000, [
        ["prepare", 50, 0],
        ["unit", 120, 1],
      ]),
    ];
    for (const tr of taskRuns) {
      await client.createRecord({
        parent: formatResultName(r.ns, r.name),
        record: {
          name: formatRecordName(r.ns, r.name, tr.metadata.name),
          data: jsonRecordData("tekton.dev/v1.TaskRun", tr),
        },
      });
    }
  }
}
