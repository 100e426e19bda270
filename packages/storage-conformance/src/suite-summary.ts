/**
 * Conformance of record summaries (`ResultsStore.summarizeRecords`), run when
 * a store advertises `capabilities.recordListSummary`: a fixed set of
 * PipelineRun and TaskRun records with known reasons, times, namespaces,
 * pipelines and repositories, and hand-computed expectations for every
 * aggregate, every grouping, ordering, filters and scopes.
 *
 * @module
 */
import { afterAll, beforeAll, describe, expect, it, type TestContext } from "vitest";
import {
  SUMMARY_FIELDS,
  compileFilter,
  type RecordSummaryQuery,
  type RecordSummaryRow,
  type ResultsStore,
  type StoredRecord,
  type StoredResult,
  type SummaryField,
} from "@tekton-results/storage";
import {
  disposeStore,
  makeRecord,
  makeResult,
  type StoreConformanceOptions,
} from "./suite-support.js";

const PIPELINE_RUN = "tekton.dev/v1.PipelineRun";
const TASK_RUN = "tekton.dev/v1.TaskRun";

/** Unix seconds of an RFC 3339 time. */
function sec(iso: string): number {
  return Date.parse(iso) / 1000;
}

interface RunSpec {
  parent: string;
  result: string;
  name: string;
  type?: string;
  namespace?: string;
  pipeline?: string;
  repository?: string;
  reason?: string;
  created: string;
  start?: string;
  completion?: string;
}

/**
 * The summary fixtures. Durations (completion - start): a1 60 s, a2 120 s,
 * a3 30 s, b1 60 s, b2 26 h 0.5 s (93 600 500 ms), c1 10 s; a4 (running),
 * b3 (no start, malformed completion) have none.
 */
const RUNS: readonly RunSpec[] = [
  {
    parent: "ns-a",
    result: "r1",
    name: "a1",
    namespace: "ns-a",
    pipeline: "build",
    repository: "app",
    reason: "Succeeded",
    created: "2024-01-15T10:00:00Z",
    start: "2024-01-15T10:00:05Z",
    completion: "2024-01-15T10:01:05Z",
  },
  {
    parent: "ns-a",
    result: "r1",
    name: "a2",
    namespace: "ns-a",
    pipeline: "build",
    repository: "app",
    reason: "Failed",
    created: "2024-01-15T10:30:00Z",
    start: "2024-01-15T10:30:00Z",
    completion: "2024-01-15T10:32:00Z",
  },
  {
    parent: "ns-a",
    result: "r2",
    name: "a3",
    namespace: "ns-a",
    pipeline: "test",
    repository: "app",
    reason: "Completed",
    created: "2024-01-16T09:00:00Z",
    start: "2024-01-16T09:00:00Z",
    completion: "2024-01-16T09:00:30Z",
  },
  {
    parent: "ns-a",
    result: "r2",
    name: "a4",
    type: TASK_RUN,
    namespace: "ns-a",
    pipeline: "test",
    reason: "Running",
    created: "2024-01-16T09:00:10Z",
    start: "2024-01-16T09:00:10Z",
  },
  {
    parent: "ns-b",
    result: "r3",
    name: "b1",
    namespace: "ns-b",
    pipeline: "build",
    repository: "web",
    reason: "Cancelled",
    created: "2023-12-31T23:59:30Z",
    start: "2023-12-31T23:59:40Z",
    completion: "2024-01-01T00:00:40Z",
  },
  {
    parent: "ns-b",
    result: "r3",
    name: "b2",
    namespace: "ns-b",
    pipeline: "deploy",
    repository: "web",
    reason: "PipelineRunTimeout",
    created: "2024-02-01T12:00:00Z",
    start: "2024-02-01T12:00:00Z",
    completion: "2024-02-02T14:00:00.5Z",
  },
  {
    parent: "ns-b",
    result: "r3",
    name: "b3",
    namespace: "ns-b",
    created: "2024-02-01T12:00:59Z",
    completion: "soon",
  },
  {
    parent: "ns-c",
    result: "r4",
    name: "c1",
    pipeline: "build",
    reason: "Succeeded",
    created: "2024-01-15T10:00:59Z",
    start: "2024-01-15T10:00:59Z",
    completion: "2024-01-15T10:01:09Z",
  },
];

function runRecord(run: RunSpec, n: number): StoredRecord {
  const metadata: Record<string, unknown> = { name: run.name, creationTimestamp: run.created };
  if (run.namespace !== undefined) metadata.namespace = run.namespace;
  if (run.pipeline !== undefined) metadata.labels = { "tekton.dev/pipeline": run.pipeline };
  if (run.repository !== undefined) {
    metadata.annotations = { "pipelinesascode.tekton.dev/repository": run.repository };
  }
  const status: Record<string, unknown> = {};
  if (run.reason !== undefined) {
    status.conditions = [{ type: "Succeeded", reason: run.reason }, { reason: "Ignored" }];
  }
  if (run.start !== undefined) status.startTime = run.start;
  if (run.completion !== undefined) status.completionTime = run.completion;
  const type = run.type ?? PIPELINE_RUN;
  return makeRecord(run.parent, run.result, run.name, {
    type,
    data: JSON.stringify({
      kind: type === PIPELINE_RUN ? "PipelineRun" : "TaskRun",
      apiVersion: "tekton.dev/v1",
      metadata,
      status,
    }),
    createTime: new Date(Date.UTC(2024, 5, 1) + n * 1000),
  });
}

/** The Results and Records the summary tests run against. */
export function summaryFixtures(): { results: StoredResult[]; records: StoredRecord[] } {
  const seen = new Set<string>();
  const results: StoredResult[] = [];
  for (const run of RUNS) {
    const key = `${run.parent}/${run.result}`;
    if (seen.has(key)) continue;
    seen.add(key);
    results.push(makeResult(run.parent, run.result));
  }
  return { results, records: RUNS.map(runRecord) };
}

type Values = Partial<Record<SummaryField, number | null>>;

/** Every field over all eight records. */
const ALL_RECORDS: Values = {
  total: 8,
  succeeded: 3,
  failed: 1,
  cancelled: 1,
  running: 1,
  others: 1,
  // durations sorted: 10 s, 30 s, 60 s, 60 s, 120 s, 93 600.5 s
  avg_duration: 93_880_500 / 6,
  min_duration: 10_000,
  max_duration: 93_600_500,
  total_duration: 93_880_500,
  last_runtime: sec("2024-02-01T12:00:00Z"),
  p50_duration: 60_000,
  // position 4.75: 120 000 + 0.75 * (93 600 500 - 120 000)
  p95_duration: 70_230_375,
  // position 4.95: 120 000 + 0.95 * 93 480 500
  p99_duration: 88_926_475,
};

/** Fields that are fractions (compared to the microsecond). */
const FRACTIONAL = new Set<SummaryField>([
  "avg_duration",
  "p50_duration",
  "p95_duration",
  "p99_duration",
]);

function expectValues(actual: Values, expected: Values, what: string): void {
  expect(Object.keys(actual).sort(), what).toEqual(Object.keys(expected).sort());
  for (const [field, value] of Object.entries(expected) as [SummaryField, number | null][]) {
    const got = actual[field];
    if (value !== null && FRACTIONAL.has(field)) {
      expect(got, `${what}: ${field}`).not.toBeNull();
      expect(got as number, `${what}: ${field}`).toBeCloseTo(value, 3);
    } else {
      expect(got, `${what}: ${field}`).toBe(value);
    }
  }
}

function expectRows(
  actual: RecordSummaryRow[],
  expected: { groupValue?: string | number | null; values: Values }[],
  what: string,
): void {
  expect(
    actual.map((r) => r.groupValue),
    `${what}: group values`,
  ).toEqual(expected.map((r) => r.groupValue));
  expect(actual.length, what).toBe(expected.length);
  actual.forEach((row, i) => {
    expect("groupValue" in row, `${what}: row ${i} has a group value`).toBe(
      "groupValue" in expected[i]!,
    );
    expectValues(row.values, expected[i]!.values, `${what}: row ${i}`);
  });
}

/**
 * Declare the summary tests. They only read, so they share one store loaded
 * with {@link summaryFixtures}; every test is skipped when the store does not
 * advertise `recordListSummary`.
 */
export function runSummaryConformance(options: StoreConformanceOptions): void {
  describe("record summaries", () => {
    let shared: ResultsStore | undefined;

    beforeAll(async () => {
      const s = await options.createStore();
      shared = s;
      if (!s.capabilities.recordListSummary) return;
      const { results, records } = summaryFixtures();
      for (const r of results) await s.createResult(r);
      for (const r of records) await s.createRecord(r);
    });
    afterAll(async () => {
      const s = shared;
      shared = undefined;
      if (s !== undefined) await disposeStore(options, s);
    });

    /** The store's summary operation; skips the test without the capability. */
    function summarize(ctx: TestContext): (q: RecordSummaryQuery) => Promise<RecordSummaryRow[]> {
      const s = shared;
      if (s === undefined) throw new Error("the summary store is only available inside a test");
      if (!s.capabilities.recordListSummary) ctx.skip("the store does not summarize records");
      const fn = s.summarizeRecords;
      expect(fn, "recordListSummary is advertised but summarizeRecords is missing").toBeTypeOf(
        "function",
      );
      return (q) => fn!.call(s, q);
    }

    const records = (filter: string) => compileFilter(filter, { target: "records" });

    it("computes every field over all records, in the requested order", async (ctx) => {
      const run = summarize(ctx);
      const rows = await run({ fields: [...SUMMARY_FIELDS] });
      expectRows(rows, [{ values: ALL_RECORDS }], "all fields");
      const reversed = [...SUMMARY_FIELDS].reverse();
      const again = await run({ fields: reversed });
      expect(Object.keys(again[0]!.values)).toEqual(reversed);
    });

    it("returns only the requested fields", async (ctx) => {
      const run = summarize(ctx);
      expectRows(
        await run({ fields: ["failed", "max_duration"] }),
        [{ values: { failed: 1, max_duration: 93_600_500 } }],
        "two fields",
      );
    });

    it("answers one row of zeros and nulls when nothing matches", async (ctx) => {
      const run = summarize(ctx);
      const empty: Values = {};
      for (const field of SUMMARY_FIELDS) empty[field] = null;
      for (const field of [
        "total",
        "succeeded",
        "failed",
        "cancelled",
        "running",
        "others",
      ] as const)
        empty[field] = 0;
      expectRows(
        await run({ fields: [...SUMMARY_FIELDS], filter: records('data_type == "none"') }),
        [{ values: empty }],
        "empty filter",
      );
      expectRows(
        await run({ fields: ["total", "avg_duration"], parent: "nope" }),
        [{ values: { total: 0, avg_duration: null } }],
        "missing parent",
      );
      expect(
        await run({ fields: ["total"], parent: "nope", groupBy: { kind: "namespace" } }),
      ).toEqual([]);
    });

    it("scopes by parent and result, each alone or both", async (ctx) => {
      const run = summarize(ctx);
      const f: SummaryField[] = ["total", "succeeded", "running", "total_duration"];
      expectRows(
        await run({ fields: f, parent: "ns-a" }),
        [{ values: { total: 4, succeeded: 2, running: 1, total_duration: 210_000 } }],
        "ns-a",
      );
      expectRows(
        await run({ fields: f, parent: "ns-a", resultName: "r2" }),
        [{ values: { total: 2, succeeded: 1, running: 1, total_duration: 30_000 } }],
        "ns-a/r2",
      );
      expectRows(
        await run({ fields: f, resultName: "r3" }),
        [{ values: { total: 3, succeeded: 0, running: 0, total_duration: 93_660_500 } }],
        "-/r3",
      );
      expectRows(
        await run({ fields: f, parent: "ns-c", resultName: "r1" }),
        [{ values: { total: 0, succeeded: 0, running: 0, total_duration: null } }],
        "ns-c/r1",
      );
    });

    it("applies the filter before aggregating and does not filter by type itself", async (ctx) => {
      const run = summarize(ctx);
      expectRows(
        await run({
          fields: ["total", "running", "others", "min_duration"],
          filter: records("data_type == PIPELINE_RUN"),
        }),
        [{ values: { total: 7, running: 0, others: 1, min_duration: 10_000 } }],
        "pipeline runs",
      );
      expectRows(
        await run({
          fields: ["total", "cancelled"],
          filter: records('data.metadata.namespace == "ns-b"'),
          groupBy: { kind: "time", period: "month", timeField: "creationTimestamp" },
        }),
        [
          { groupValue: sec("2023-12-01T00:00:00Z"), values: { total: 1, cancelled: 1 } },
          { groupValue: sec("2024-02-01T00:00:00Z"), values: { total: 2, cancelled: 0 } },
        ],
        "ns-b by month",
      );
      expectRows(
        await run({
          fields: ["total", "succeeded"],
          parent: "ns-a",
          filter: records('data.status.conditions[0].reason in ["Succeeded", "Completed"]'),
          groupBy: { kind: "pipeline" },
        }),
        [
          { groupValue: "ns-a/build", values: { total: 1, succeeded: 1 } },
          { groupValue: "ns-a/test", values: { total: 1, succeeded: 1 } },
        ],
        "succeeded in ns-a by pipeline",
      );
    });

    it("groups by namespace (null without one), every field per group", async (ctx) => {
      const run = summarize(ctx);
      const rows = await run({ fields: [...SUMMARY_FIELDS], groupBy: { kind: "namespace" } });
      expectRows(
        rows,
        [
          {
            groupValue: "ns-a",
            values: {
              total: 4,
              succeeded: 2,
              failed: 1,
              cancelled: 0,
              running: 1,
              others: 0,
              avg_duration: 70_000,
              min_duration: 30_000,
              max_duration: 120_000,
              total_duration: 210_000,
              last_runtime: sec("2024-01-16T09:00:10Z"),
              p50_duration: 60_000,
              p95_duration: 114_000,
              p99_duration: 118_800,
            },
          },
          {
            groupValue: "ns-b",
            values: {
              total: 3,
              succeeded: 0,
              failed: 0,
              cancelled: 1,
              running: 0,
              others: 1,
              avg_duration: 46_830_250,
              min_duration: 60_000,
              max_duration: 93_600_500,
              total_duration: 93_660_500,
              last_runtime: sec("2024-02-01T12:00:00Z"),
              p50_duration: 46_830_250,
              // 60 000 + 0.95 * 93 540 500
              p95_duration: 88_923_475,
              // 60 000 + 0.99 * 93 540 500
              p99_duration: 92_665_095,
            },
          },
          {
            groupValue: null,
            values: {
              total: 1,
              succeeded: 1,
              failed: 0,
              cancelled: 0,
              running: 0,
              others: 0,
              avg_duration: 10_000,
              min_duration: 10_000,
              max_duration: 10_000,
              total_duration: 10_000,
              last_runtime: sec("2024-01-15T10:00:59Z"),
              p50_duration: 10_000,
              p95_duration: 10_000,
              p99_duration: 10_000,
            },
          },
        ],
        "by namespace",
      );
    });

    it("groups by pipeline as namespace/label, absent parts empty", async (ctx) => {
      const run = summarize(ctx);
      expectRows(
        await run({
          fields: [
            "total",
            "succeeded",
            "failed",
            "cancelled",
            "running",
            "others",
            "avg_duration",
          ],
          groupBy: { kind: "pipeline" },
        }),
        [
          {
            groupValue: "/build",
            values: {
              total: 1,
              succeeded: 1,
              failed: 0,
              cancelled: 0,
              running: 0,
              others: 0,
              avg_duration: 10_000,
            },
          },
          {
            groupValue: "ns-a/build",
            values: {
              total: 2,
              succeeded: 1,
              failed: 1,
              cancelled: 0,
              running: 0,
              others: 0,
              avg_duration: 90_000,
            },
          },
          {
            groupValue: "ns-a/test",
            values: {
              total: 2,
              succeeded: 1,
              failed: 0,
              cancelled: 0,
              running: 1,
              others: 0,
              avg_duration: 30_000,
            },
          },
          {
            groupValue: "ns-b/",
            values: {
              total: 1,
              succeeded: 0,
              failed: 0,
              cancelled: 0,
              running: 0,
              others: 0,
              avg_duration: null,
            },
          },
          {
            groupValue: "ns-b/build",
            values: {
              total: 1,
              succeeded: 0,
              failed: 0,
              cancelled: 1,
              running: 0,
              others: 0,
              avg_duration: 60_000,
            },
          },
          {
            groupValue: "ns-b/deploy",
            values: {
              total: 1,
              succeeded: 0,
              failed: 0,
              cancelled: 0,
              running: 0,
              others: 1,
              avg_duration: 93_600_500,
            },
          },
        ],
        "by pipeline",
      );
    });

    it("groups by repository as namespace/annotation", async (ctx) => {
      const run = summarize(ctx);
      expectRows(
        await run({ fields: ["total", "succeeded"], groupBy: { kind: "repository" } }),
        [
          { groupValue: "/", values: { total: 1, succeeded: 1 } },
          { groupValue: "ns-a/", values: { total: 1, succeeded: 0 } },
          { groupValue: "ns-a/app", values: { total: 3, succeeded: 2 } },
          { groupValue: "ns-b/", values: { total: 1, succeeded: 0 } },
          { groupValue: "ns-b/web", values: { total: 2, succeeded: 0 } },
        ],
        "by repository",
      );
    });

    const timeCases: {
      period: "year" | "month" | "week" | "day" | "hour" | "minute";
      timeField: "creationTimestamp" | "startTime" | "completionTime";
      groups: [string | null, number][];
    }[] = [
      {
        period: "year",
        timeField: "creationTimestamp",
        groups: [
          ["2023-01-01T00:00:00Z", 1],
          ["2024-01-01T00:00:00Z", 7],
        ],
      },
      {
        period: "year",
        timeField: "startTime",
        groups: [
          ["2023-01-01T00:00:00Z", 1],
          ["2024-01-01T00:00:00Z", 6],
          [null, 1],
        ],
      },
      {
        period: "year",
        timeField: "completionTime",
        groups: [
          ["2024-01-01T00:00:00Z", 6],
          [null, 2],
        ],
      },
      {
        period: "month",
        timeField: "creationTimestamp",
        groups: [
          ["2023-12-01T00:00:00Z", 1],
          ["2024-01-01T00:00:00Z", 5],
          ["2024-02-01T00:00:00Z", 2],
        ],
      },
      {
        period: "month",
        timeField: "completionTime",
        groups: [
          ["2024-01-01T00:00:00Z", 5],
          ["2024-02-01T00:00:00Z", 1],
          [null, 2],
        ],
      },
      // Weeks start on Monday: 2023-12-31 is a Sunday, 2024-02-01 a Thursday.
      {
        period: "week",
        timeField: "creationTimestamp",
        groups: [
          ["2023-12-25T00:00:00Z", 1],
          ["2024-01-15T00:00:00Z", 5],
          ["2024-01-29T00:00:00Z", 2],
        ],
      },
      {
        period: "week",
        timeField: "completionTime",
        groups: [
          ["2024-01-01T00:00:00Z", 1],
          ["2024-01-15T00:00:00Z", 4],
          ["2024-01-29T00:00:00Z", 1],
          [null, 2],
        ],
      },
      {
        period: "day",
        timeField: "creationTimestamp",
        groups: [
          ["2023-12-31T00:00:00Z", 1],
          ["2024-01-15T00:00:00Z", 3],
          ["2024-01-16T00:00:00Z", 2],
          ["2024-02-01T00:00:00Z", 2],
        ],
      },
      {
        period: "day",
        timeField: "startTime",
        groups: [
          ["2023-12-31T00:00:00Z", 1],
          ["2024-01-15T00:00:00Z", 3],
          ["2024-01-16T00:00:00Z", 2],
          ["2024-02-01T00:00:00Z", 1],
          [null, 1],
        ],
      },
      {
        period: "hour",
        timeField: "creationTimestamp",
        groups: [
          ["2023-12-31T23:00:00Z", 1],
          ["2024-01-15T10:00:00Z", 3],
          ["2024-01-16T09:00:00Z", 2],
          ["2024-02-01T12:00:00Z", 2],
        ],
      },
      {
        period: "minute",
        timeField: "creationTimestamp",
        groups: [
          ["2023-12-31T23:59:00Z", 1],
          ["2024-01-15T10:00:00Z", 2],
          ["2024-01-15T10:30:00Z", 1],
          ["2024-01-16T09:00:00Z", 2],
          ["2024-02-01T12:00:00Z", 2],
        ],
      },
      {
        period: "minute",
        timeField: "completionTime",
        groups: [
          ["2024-01-01T00:00:00Z", 1],
          ["2024-01-15T10:01:00Z", 2],
          ["2024-01-15T10:32:00Z", 1],
          ["2024-01-16T09:00:00Z", 1],
          ["2024-02-02T14:00:00Z", 1],
          [null, 2],
        ],
      },
    ];
    for (const c of timeCases) {
      it(`groups by ${c.period} of ${c.timeField} (bucket start in Unix seconds, UTC)`, async (ctx) => {
        const run = summarize(ctx);
        expectRows(
          await run({
            fields: ["total"],
            groupBy: { kind: "time", period: c.period, timeField: c.timeField },
          }),
          c.groups.map(([start, total]) => ({
            groupValue: start === null ? null : sec(start),
            values: { total },
          })),
          `${c.period} ${c.timeField}`,
        );
      });
    }

    it("aggregates durations per time bucket", async (ctx) => {
      const run = summarize(ctx);
      expectRows(
        await run({
          fields: ["min_duration", "max_duration", "last_runtime"],
          groupBy: { kind: "time", period: "day", timeField: "startTime" },
        }),
        [
          {
            groupValue: sec("2023-12-31T00:00:00Z"),
            values: {
              min_duration: 60_000,
              max_duration: 60_000,
              last_runtime: sec("2023-12-31T23:59:40Z"),
            },
          },
          {
            groupValue: sec("2024-01-15T00:00:00Z"),
            values: {
              min_duration: 10_000,
              max_duration: 120_000,
              last_runtime: sec("2024-01-15T10:30:00Z"),
            },
          },
          {
            groupValue: sec("2024-01-16T00:00:00Z"),
            values: {
              min_duration: 30_000,
              max_duration: 30_000,
              last_runtime: sec("2024-01-16T09:00:10Z"),
            },
          },
          {
            groupValue: sec("2024-02-01T00:00:00Z"),
            values: {
              min_duration: 93_600_500,
              max_duration: 93_600_500,
              last_runtime: sec("2024-02-01T12:00:00Z"),
            },
          },
          {
            groupValue: null,
            values: { min_duration: null, max_duration: null, last_runtime: null },
          },
        ],
        "day of startTime",
      );
    });

    it("orders groups by a field, ties by group value, nulls as the largest", async (ctx) => {
      const run = summarize(ctx);
      const names = async (
        q: Omit<RecordSummaryQuery, "groupBy">,
        kind: "namespace" | "pipeline",
      ) => (await run({ ...q, groupBy: { kind } })).map((r) => r.groupValue);
      expect(
        await names(
          { fields: ["total"], orderBy: { field: "total", direction: "desc" } },
          "namespace",
        ),
      ).toEqual(["ns-a", "ns-b", null]);
      expect(
        await names(
          { fields: ["total"], orderBy: { field: "total", direction: "asc" } },
          "namespace",
        ),
      ).toEqual([null, "ns-b", "ns-a"]);
      expect(
        await names(
          { fields: ["avg_duration"], orderBy: { field: "avg_duration", direction: "desc" } },
          "namespace",
        ),
      ).toEqual(["ns-b", "ns-a", null]);
      // The order field need not be requested.
      const byMax = await run({
        fields: ["total"],
        groupBy: { kind: "namespace" },
        orderBy: { field: "max_duration", direction: "asc" },
      });
      expectRows(
        byMax,
        [
          { groupValue: null, values: { total: 1 } },
          { groupValue: "ns-a", values: { total: 4 } },
          { groupValue: "ns-b", values: { total: 3 } },
        ],
        "by max_duration, not requested",
      );
      expect(
        await names(
          { fields: ["avg_duration"], orderBy: { field: "avg_duration", direction: "asc" } },
          "pipeline",
        ),
      ).toEqual(["/build", "ns-a/test", "ns-b/build", "ns-a/build", "ns-b/deploy", "ns-b/"]);
      expect(
        await names(
          { fields: ["avg_duration"], orderBy: { field: "avg_duration", direction: "desc" } },
          "pipeline",
        ),
      ).toEqual(["ns-b/", "ns-b/deploy", "ns-a/build", "ns-b/build", "ns-a/test", "/build"]);
      expect(
        await names(
          { fields: ["total"], orderBy: { field: "total", direction: "desc" } },
          "pipeline",
        ),
      ).toEqual(["ns-a/build", "ns-a/test", "/build", "ns-b/", "ns-b/build", "ns-b/deploy"]);
      expect(
        await names(
          { fields: ["total"], orderBy: { field: "total", direction: "asc" } },
          "pipeline",
        ),
      ).toEqual(["/build", "ns-b/", "ns-b/build", "ns-b/deploy", "ns-a/build", "ns-a/test"]);
      const byTime = await run({
        fields: ["total"],
        groupBy: { kind: "time", period: "year", timeField: "completionTime" },
        orderBy: { field: "total", direction: "asc" },
      });
      expect(byTime.map((r) => r.groupValue)).toEqual([null, sec("2024-01-01T00:00:00Z")]);
    });
  });
}
