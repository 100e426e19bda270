/**
 * A deterministic data set of a few thousand Tekton-like records and the
 * ListRecords questions of the benchmark's B3 (plus label and time shapes),
 * for the SQL adapters' query-plan tests: load it, `ANALYZE`, and check that
 * the SQL the store generates for each question reads an index, never the
 * whole records table.
 *
 * @module
 */
import type { StoredRecord, StoredResult } from "@tekton-results/storage";

/** The Results and records of {@link planFixtures}. */
export interface PlanFixtures {
  results: StoredResult[];
  records: StoredRecord[];
}

/** One list question of the plan tests: newest first, a page of 50. */
export interface PlanQuery {
  /** What the question is, for test names. */
  label: string;
  /** The namespace (`parent`), or undefined for all namespaces (`-`). */
  parent?: string;
  /** The CEL filter, or undefined for none. */
  filter?: string;
}

const NAMESPACES = 20;
const PIPELINES = 200;
const TASKS = ["clone", "build", "test"] as const;
const T0 = Date.UTC(2026, 0, 1);
const HOUR = 3_600_000;

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** The reason of run `i`: 90% Succeeded, 8% Failed, 2% Cancelled. */
function reasonOf(i: number): string {
  const k = i % 50;
  return k < 45 ? "Succeeded" : k < 49 ? "Failed" : "Cancelled";
}

/**
 * `results` Results of one PipelineRun and three TaskRuns each (4 records per
 * Result), one an hour over the period: Result `i` runs pipeline `p-(i % 200)`
 * in namespace `ns-(i % 20)`, with labels `tekton.dev/pipeline`,
 * `tekton.dev/task` (TaskRuns), `team` (`team-(i % 40)`) and `app`.
 */
export function planFixtures(results = 1000): PlanFixtures {
  const out: PlanFixtures = { results: [], records: [] };
  for (let i = 0; i < results; i++) {
    const parent = `ns-${i % NAMESPACES}`;
    const pipeline = `p-${i % PIPELINES}`;
    const name = `${pipeline}-run-${i}`;
    const created = T0 + i * HOUR;
    const reason = reasonOf(i);
    const uid = `r-${String(i).padStart(6, "0")}`;
    out.results.push({
      parent,
      name,
      uid,
      annotations: {},
      createTime: new Date(created),
      updateTime: new Date(created),
      etag: `${uid}-1`,
    });
    const runs: { suffix: string; kind: string; task?: string }[] = [
      { suffix: "", kind: "PipelineRun" },
      ...TASKS.map((task) => ({ suffix: `-${task}`, kind: "TaskRun", task })),
    ];
    runs.forEach((run, j) => {
      const start = created + j * 60_000;
      const labels: Record<string, string> = {
        "tekton.dev/pipeline": pipeline,
        team: `team-${i % 40}`,
        app: `app-${i % 7}`,
      };
      if (run.task !== undefined) labels["tekton.dev/task"] = run.task;
      const data = {
        apiVersion: "tekton.dev/v1",
        kind: run.kind,
        metadata: {
          name: `${name}${run.suffix}`,
          namespace: parent,
          creationTimestamp: iso(start),
          labels,
        },
        spec: { pipelineRef: { name: pipeline } },
        status: {
          conditions: [
            { type: "Succeeded", status: reason === "Succeeded" ? "True" : "False", reason },
          ],
          startTime: iso(start),
          completionTime: iso(start + 5 * 60_000 + (i % 13) * 1000),
        },
      };
      const recordUid = `${uid}-${j}`;
      out.records.push({
        parent,
        resultName: name,
        name: `${name}${run.suffix}`,
        uid: recordUid,
        type: `tekton.dev/v1.${run.kind}`,
        data: JSON.stringify(data),
        createTime: new Date(start),
        updateTime: new Date(start),
        etag: `${recordUid}-1`,
      });
    });
  }
  return out;
}

/** The plan tests' questions over {@link planFixtures} (the benchmark's B3 and more). */
export const planQueries: readonly PlanQuery[] = [
  { label: "namespace page", parent: "ns-3" },
  {
    label: "label == in one namespace",
    parent: "ns-3",
    filter: 'data.metadata.labels["tekton.dev/pipeline"] == "p-3"',
  },
  { label: "label == across -", filter: 'data.metadata.labels["tekton.dev/pipeline"] == "p-3"' },
  { label: "status failed", filter: 'data.status.conditions[0].reason == "Failed"' },
  {
    label: "matches nothing",
    filter: 'data.metadata.labels["tekton.dev/pipeline"] == "no-such-pipeline"',
  },
  {
    label: "1-day time range",
    filter:
      'create_time >= timestamp("2026-01-10T00:00:00Z") && create_time < timestamp("2026-01-11T00:00:00Z")',
  },
  { label: "name startsWith", filter: 'data.metadata.name.startsWith("p-17-")' },
  {
    label: "other label in one namespace",
    parent: "ns-3",
    filter: 'data.metadata.labels.team == "team-3"',
  },
  { label: "other label across -", filter: 'data.metadata.labels.team == "team-3"' },
  { label: "task label", filter: 'data.metadata.labels["tekton.dev/task"] == "build"' },
  {
    label: "start time range",
    filter:
      'data.status.startTime >= timestamp("2026-01-10T00:00:00Z") && data.status.startTime < timestamp("2026-01-11T00:00:00Z")',
  },
];
