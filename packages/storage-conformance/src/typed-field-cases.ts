/**
 * Filter cases aimed at the typed record columns of the SQL adapters (names,
 * namespaces, condition reason and status, start/completion/creation times,
 * labels), with the records that exercise their edge cases. The adapters'
 * differential tests run them against the reference evaluator.
 *
 * @module
 */
import type { StoredRecord, StoredResult } from "@tekton-results/storage";

/** Record filters whose predicates have typed forms (and some whose negation must not). */
export const typedFieldFilters: readonly string[] = [
  'data.metadata.name == "pr-build-1"',
  '"tr-lint-7" == data.metadata.name',
  'data.metadata.name != "pr-build-1"',
  '!(data.metadata.name == "pr-build-1")',
  'data.metadata.name < "pr-" || data.metadata.name >= "tr-lint"',
  'data.metadata.name in ["custom-1", "tr-lint-7", "x"]',
  'data.metadata.name in ["custom-1", 1]',
  'data.metadata.name.startsWith("tr-")',
  'data.metadata.name.startsWith("")',
  'data.metadata.name.startsWith("\u{10FFFF}")',
  'data.metadata.namespace == "ci-prod" && data_type == "tekton.dev/v1.TaskRun"',
  'data.metadata.namespace != "dev"',
  'data.status.conditions[0].reason == "Failed"',
  'data.status.conditions[0].reason != "Failed"',
  'data.status.conditions[0].reason in ["Failed", "Cancelled"]',
  'data.status.conditions[0].status == "False" || data.status.conditions[0].reason == "Running"',
  'data.status.startTime >= timestamp("2026-02-01T00:00:00Z")',
  'data.status.startTime < timestamp("2026-01-06T00:00:00Z") || !(data.status.completionTime > timestamp("2026-02-02T09:30:00Z"))',
  'timestamp(data.status.completionTime) - timestamp(data.status.startTime) > duration("10m")',
  'data.metadata.creationTimestamp < timestamp("2026-02-01T00:00:00Z")',
  'data.metadata.labels.app == "ui"',
  'data.metadata.labels["tekton.dev/pipeline"] in ["deploy", "test"]',
  'data.metadata.labels["tekton.dev/pipeline"] != "deploy"',
  'data.metadata.labels["tekton.dev/pipelineTask"].startsWith("u")',
  'data.metadata.labels["tekton.dev/pipelineTask"] == "e2e" || data.metadata.labels.odd == "1"',
  '!(data.metadata.labels.app == "ui")',
];

/**
 * Records that put odd values where the typed columns read: a number name and
 * label, JSON `null`s, conditions that are an object, an invalid date, an
 * offset time with a fraction, a lower-case `t`/`z` time, a name with
 * U+10FFFF, data that is not JSON. Copies of `base` with other uids and names.
 */
export function typedFieldRecords(base: StoredRecord): StoredRecord[] {
  const datas: unknown[] = [
    {
      metadata: { name: 42, namespace: null, labels: { app: 7, odd: "1" } },
      status: { conditions: [{ reason: null, status: true }], startTime: 1767225600000 },
    },
    {
      metadata: { name: null, labels: ["app"] },
      status: {
        conditions: { reason: "Failed" },
        startTime: "2026-02-30T00:00:00Z",
        completionTime: "2026-02-01T10:00:00.5-02:30",
      },
    },
    {
      metadata: { name: "pr-\u{10FFFF}x", labels: null, creationTimestamp: "2026-01-01t00:00:00z" },
      status: {
        conditions: [{ reason: "Failed", status: "False" }, { reason: "x" }],
        startTime: "2026-02-01T00:00:00.999999Z",
      },
    },
    "not json {",
  ];
  return datas.map((data, i) => ({
    ...base,
    uid: `odd-${i}`,
    name: `odd-${i}`,
    data: typeof data === "string" ? data : JSON.stringify(data),
  }));
}

/**
 * A record document and the typed record columns and label rows the SQL
 * adapters must derive from it (`columns` by column name; `labels` sorted by key).
 */
export const typedFieldSample = {
  data: {
    metadata: {
      name: "run-1",
      namespace: "ns",
      creationTimestamp: "2026-01-05T10:00:00Z",
      labels: { "tekton.dev/pipeline": "build", "tekton.dev/task": "compile", team: "a", n: 1 },
      annotations: { "pipelinesascode.tekton.dev/repository": "repo" },
    },
    status: {
      conditions: [{ type: "Succeeded", status: "False", reason: "Failed" }],
      startTime: "2026-01-05T10:00:01.5+01:00",
      completionTime: "2026-01-05T10:05:00Z",
    },
  },
  columns: {
    run_name: "run-1",
    run_namespace: "ns",
    status_reason: "Failed",
    succeeded_status: "False",
    pipeline_name: "build",
    task_name: "compile",
    repository: "repo",
    start_ms: Date.UTC(2026, 0, 5, 9, 0, 1, 500),
    completion_ms: Date.UTC(2026, 0, 5, 10, 5),
    creation_ms: Date.UTC(2026, 0, 5, 10),
  },
  labels: [
    ["team", "a"],
    ["tekton.dev/pipeline", "build"],
    ["tekton.dev/task", "compile"],
  ],
} as const;

const SAMPLE_TIME = Date.UTC(2026, 0, 5, 10);

/** The Result `ns/r1` that {@link typedFieldSampleRecord}s belong to. */
export const typedFieldSampleResult: StoredResult = {
  parent: "ns",
  name: "r1",
  uid: "r-uid",
  annotations: {},
  createTime: new Date(SAMPLE_TIME),
  updateTime: new Date(SAMPLE_TIME),
  etag: "e",
};

/** A TaskRun record `name` of `ns/r1` with `data` (JSON-encoded unless a string). */
export function typedFieldSampleRecord(name: string, data: unknown): StoredRecord {
  return {
    parent: "ns",
    resultName: "r1",
    name,
    uid: `uid-${name}`,
    type: "tekton.dev/v1.TaskRun",
    data: typeof data === "string" ? data : JSON.stringify(data),
    createTime: new Date(SAMPLE_TIME),
    updateTime: new Date(SAMPLE_TIME),
    etag: "e",
  };
}
