/**
 * GetRecordListSummary end to end through the generated client over a router
 * transport: the memory store (the reference) and the SQLite store give the
 * same Structs, with durations as PostgreSQL interval text.
 */
import { afterAll, describe, expect, it } from "vitest";
import { createSqliteStore } from "@tekton-results/storage-sqlite";
import type { ResultsStore } from "@tekton-results/storage";
import { createMemoryStore } from "@tekton-results/storage-conformance";
import { createHarness, json, type Harness } from "./service-harness.js";

const PIPELINE_RUN = "tekton.dev/v1.PipelineRun";
const TASK_RUN = "tekton.dev/v1.TaskRun";

interface Run {
  ns: string;
  result: string;
  name: string;
  type: string;
  pipeline?: string;
  reason: string;
  start: string;
  completion?: string;
}

/**
 * ci: four pipeline runs of 76 s, 76 s, 76 s and 76.875 s (average
 * 76.21875 s); cd: a running pipeline run and a task run of 1 day 02:03:04.
 */
const RUNS: Run[] = [
  {
    ns: "ci",
    result: "r1",
    name: "p1",
    type: PIPELINE_RUN,
    pipeline: "build",
    reason: "Succeeded",
    start: "2024-01-15T10:00:00Z",
    completion: "2024-01-15T10:01:16Z",
  },
  {
    ns: "ci",
    result: "r1",
    name: "p2",
    type: PIPELINE_RUN,
    pipeline: "build",
    reason: "Succeeded",
    start: "2024-01-15T10:10:00Z",
    completion: "2024-01-15T10:11:16Z",
  },
  {
    ns: "ci",
    result: "r1",
    name: "p3",
    type: PIPELINE_RUN,
    pipeline: "build",
    reason: "Failed",
    start: "2024-01-15T10:20:00Z",
    completion: "2024-01-15T10:21:16Z",
  },
  {
    ns: "ci",
    result: "r1",
    name: "p4",
    type: PIPELINE_RUN,
    pipeline: "build",
    reason: "Completed",
    start: "2024-01-15T10:30:00Z",
    completion: "2024-01-15T10:31:16.875Z",
  },
  {
    ns: "cd",
    result: "r2",
    name: "d1",
    type: PIPELINE_RUN,
    pipeline: "deploy",
    reason: "Running",
    start: "2024-01-16T08:00:00Z",
  },
  {
    ns: "cd",
    result: "r2",
    name: "d2",
    type: TASK_RUN,
    reason: "Succeeded",
    start: "2024-01-16T00:00:00Z",
    completion: "2024-01-17T02:03:04Z",
  },
];

async function seed(h: Harness): Promise<void> {
  for (const parent of ["ci/results/r1", "cd/results/r2"]) {
    const [ns] = parent.split("/");
    await h.client.createResult({ parent: ns!, result: { name: parent } });
  }
  for (const run of RUNS) {
    const metadata: Record<string, unknown> = {
      name: run.name,
      namespace: run.ns,
      creationTimestamp: run.start,
    };
    if (run.pipeline !== undefined) metadata.labels = { "tekton.dev/pipeline": run.pipeline };
    const status: Record<string, unknown> = {
      conditions: [{ type: "Succeeded", reason: run.reason }],
      startTime: run.start,
    };
    if (run.completion !== undefined) status.completionTime = run.completion;
    await h.client.createRecord({
      parent: `${run.ns}/results/${run.result}`,
      record: {
        name: `${run.ns}/results/${run.result}/records/${run.name}`,
        data: { type: run.type, value: json({ kind: "x", metadata, status }) },
      },
    });
  }
}

type Request = {
  parent: string;
  summary?: string;
  filter?: string;
  groupBy?: string;
  orderBy?: string;
};

/** The requests both stores answer, with the expected Structs. */
const CASES: { name: string; req: Request; expected: unknown[] }[] = [
  {
    name: "every field over all records",
    req: {
      parent: "-/results/-",
      summary:
        "total, succeeded,failed,cancelled,running,others,avg_duration,min_duration,max_duration,total_duration,last_runtime,p50_duration,p95_duration,p99_duration",
    },
    expected: [
      {
        total: 6,
        succeeded: 4,
        failed: 1,
        cancelled: 0,
        running: 1,
        others: 0,
        // durations: 76 s x3, 76.875 s, 93 784 s; sum 94 088.875 s
        avg_duration: "05:13:37.775",
        min_duration: "00:01:16",
        max_duration: "1 day 02:03:04",
        total_duration: "1 day 02:08:08.875",
        last_runtime: 1705392000,
        p50_duration: "00:01:16",
        // position 3.8: 76.875 + 0.8 * (93 784 - 76.875) s
        p95_duration: "20:50:42.575",
        // position 3.96: 76.875 + 0.96 * 93 707.125 s
        p99_duration: "1 day 01:00:35.715",
      },
    ],
  },
  {
    name: "total by default",
    req: { parent: "ci/results/-" },
    expected: [{ total: 4 }],
  },
  {
    name: "upstream's example average, with a filter and a result",
    req: {
      parent: "ci/results/r1",
      summary: "avg_duration,p95_duration,succeeded",
      filter: "data_type == PIPELINE_RUN",
    },
    // p95: position 2.85: 76 + 0.85 * 0.875 s
    expected: [{ avg_duration: "00:01:16.21875", p95_duration: "00:01:16.74375", succeeded: 3 }],
  },
  {
    name: "grouped by namespace, ordered by total descending",
    req: {
      parent: "-/results/-",
      summary: "total,avg_duration",
      groupBy: "namespace",
      orderBy: "total DESC",
    },
    expected: [
      { group_value: "ci", total: 4, avg_duration: "00:01:16.21875" },
      { group_value: "cd", total: 2, avg_duration: "1 day 02:03:04" },
    ],
  },
  {
    name: "grouped by day of startTime, ordered by total ascending",
    req: {
      parent: "-/results/-",
      summary: "total,last_runtime",
      groupBy: "day startTime",
      orderBy: "total asc",
    },
    expected: [
      { group_value: 1705363200, total: 2, last_runtime: 1705392000 },
      { group_value: 1705276800, total: 4, last_runtime: 1705314600 },
    ],
  },
  {
    name: "grouped by pipeline, null without durations",
    req: { parent: "-/results/-", summary: "min_duration,running", groupBy: "pipeline" },
    expected: [
      { group_value: "cd/", min_duration: "1 day 02:03:04", running: 0 },
      { group_value: "cd/deploy", min_duration: null, running: 1 },
      { group_value: "ci/build", min_duration: "00:01:16", running: 0 },
    ],
  },
  {
    name: "nothing selected",
    req: { parent: "nobody/results/-", summary: "total,avg_duration,last_runtime" },
    expected: [{ total: 0, avg_duration: null, last_runtime: null }],
  },
  {
    name: "nothing selected, grouped",
    req: { parent: "nobody/results/-", groupBy: "month" },
    expected: [],
  },
];

function runCases(label: string, makeStore: () => Promise<ResultsStore>): void {
  describe(`GetRecordListSummary (${label})`, () => {
    let harness: Promise<Harness> | undefined;
    const opened: ResultsStore[] = [];
    const get = (): Promise<Harness> => {
      harness ??= (async () => {
        const store = await makeStore();
        opened.push(store);
        const h = createHarness({ store });
        await seed(h);
        return h;
      })();
      return harness;
    };
    afterAll(async () => {
      for (const s of opened) await s.close();
    });

    for (const c of CASES) {
      it(c.name, async () => {
        const h = await get();
        const res = await h.client.getRecordListSummary(c.req);
        expect(res.summary).toEqual(c.expected);
      });
    }

    it("returns the requested fields in request order, group_value last", async () => {
      const h = await get();
      const res = await h.client.getRecordListSummary({
        parent: "-/results/-",
        summary: "max_duration, total",
        groupBy: "namespace",
      });
      expect(res.summary.map((s) => Object.keys(s))).toEqual([
        ["max_duration", "total", "group_value"],
        ["max_duration", "total", "group_value"],
      ]);
    });

    it("authorizes as records get on the parent, then asks the store once", async () => {
      const h = await get();
      const before = h.calls.length;
      h.authRequests.length = 0;
      await h.client.getRecordListSummary({ parent: "ci/results/-", summary: "failed" });
      expect(h.authRequests.map((a) => [a.resource, a.verb, a.parent])).toEqual([
        ["records", "get", "ci"],
      ]);
      const calls = h.calls.slice(before);
      expect(calls.map((c) => c.method)).toEqual(["summarizeRecords"]);
      expect(calls[0]!.args[0]).toEqual({ parent: "ci", fields: ["failed"] });
    });
  });
}

runCases("memory store", async () => createMemoryStore());
runCases("sqlite store", () => createSqliteStore({ filename: ":memory:" }));
