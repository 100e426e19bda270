/**
 * The data set of the shared filter table: realistic Tekton Results and
 * Records with fixed uids, dates and etags, so every backend and the reference
 * evaluator see exactly the same rows. `filter-cases.ts` lists the expected
 * matches by name; change a fixture only together with the cases.
 *
 * Overview (results: parent/name, summary status and type):
 *
 * | parent  | result        | summary                          | records                                                       |
 * |---------|---------------|----------------------------------|---------------------------------------------------------------|
 * | default | build-main    | SUCCESS   PipelineRun            | pr-build-main-1, tr-build-main-fetch, tr-build-main-compile, tr-build-main-scan |
 * | default | build-feature | FAILURE   PipelineRun            | pr-build-feature-1, tr-build-feature-compile, log-build-feature |
 * | default | nightly       | none                             | pr-nightly-1                                                  |
 * | ci-prod | deploy-42     | CANCELLED PipelineRun (no end)   | pr-deploy-42, tr-deploy-42-apply                              |
 * | ci-prod | deploy-43     | TIMEOUT   PipelineRun            | pr-deploy-43, tr-deploy-43-wait                               |
 * | ci-prod | lint-7        | SUCCESS   TaskRun                | tr-lint-7, tr-lint-7-retry                                    |
 * | dev     | scratch       | UNKNOWN   custom type (no times) | custom-1, custom-2                                            |
 * | dev     | test-ui       | FAILURE   TaskRun                | pr-test-ui-1, tr-test-ui-unit, tr-test-ui-e2e, tr-test-ui-report |
 *
 * @module
 */
import type { StoredRecord, StoredResult, StoredSummary } from "@tekton-results/storage";

const PIPELINE_RUN = "tekton.dev/v1.PipelineRun";
const TASK_RUN = "tekton.dev/v1.TaskRun";
const ETAG = "fixture-etag";

/** A fixed uid: `00000000-0000-4000-8000-` followed by `n` in 12 digits. */
function uid(n: number): string {
  return `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
}

function at(iso: string): Date {
  return new Date(iso);
}

function result(
  n: number,
  parent: string,
  name: string,
  annotations: Record<string, string>,
  summary: StoredSummary | undefined,
  created: string,
  updated: string,
): StoredResult {
  return {
    parent,
    name,
    uid: uid(n),
    annotations,
    ...(summary === undefined ? {} : { summary }),
    createTime: at(created),
    updateTime: at(updated),
    etag: ETAG,
  };
}

function record(
  n: number,
  parent: string,
  resultName: string,
  name: string,
  type: string,
  created: string,
  data: unknown,
): StoredRecord {
  return {
    parent,
    resultName,
    name,
    uid: uid(100 + n),
    type,
    data: JSON.stringify(data),
    createTime: at(created),
    updateTime: new Date(at(created).getTime() + 60_000),
    etag: ETAG,
  };
}

/** The condition list of a run. */
function succeeded(status: "True" | "False" | "Unknown", reason: string): unknown[] {
  return [{ type: "Succeeded", status, reason }];
}

/**
 * The fixture data set: 8 results in 3 parents and 20 records, each record
 * under one of the results. Fresh objects on every call.
 */
export function filterFixtures(): { results: StoredResult[]; records: StoredRecord[] } {
  const results: StoredResult[] = [
    result(
      1,
      "default",
      "build-main",
      { repo: "github.com/acme/app", branch: "main" },
      {
        record: "default/results/build-main/records/pr-build-main-1",
        type: PIPELINE_RUN,
        status: 1,
        startTime: at("2026-01-05T10:00:00Z"),
        endTime: at("2026-01-05T10:12:30Z"),
        annotations: { "tekton.dev/pipeline": "build" },
      },
      "2026-01-05T10:00:01Z",
      "2026-01-05T10:12:31Z",
    ),
    result(
      2,
      "default",
      "build-feature",
      { repo: "github.com/acme/app", branch: "feature/ünïcode" },
      {
        record: "default/results/build-feature/records/pr-build-feature-1",
        type: PIPELINE_RUN,
        status: 2,
        startTime: at("2026-01-06T23:30:00Z"),
        endTime: at("2026-01-07T00:05:00Z"),
        annotations: {},
      },
      "2026-01-06T23:30:01Z",
      "2026-01-07T00:05:02Z",
    ),
    result(3, "default", "nightly", {}, undefined, "2026-01-07T02:00:00Z", "2026-01-07T02:00:00Z"),
    result(
      4,
      "ci-prod",
      "deploy-42",
      { env: "prod", ticket: "OPS-42" },
      {
        record: "ci-prod/results/deploy-42/records/pr-deploy-42",
        type: PIPELINE_RUN,
        status: 4,
        startTime: at("2026-02-01T08:15:00Z"),
        annotations: { reason: "manual" },
      },
      "2026-02-01T08:15:00.250Z",
      "2026-02-01T08:20:00Z",
    ),
    result(
      5,
      "ci-prod",
      "deploy-43",
      { env: "staging" },
      {
        record: "ci-prod/results/deploy-43/records/pr-deploy-43",
        type: PIPELINE_RUN,
        status: 3,
        startTime: at("2026-02-02T09:00:00Z"),
        endTime: at("2026-02-02T10:00:00Z"),
        annotations: {},
      },
      "2026-02-02T09:00:00Z",
      "2026-02-02T10:00:01Z",
    ),
    result(
      6,
      "ci-prod",
      "lint-7",
      {},
      {
        record: "ci-prod/results/lint-7/records/tr-lint-7",
        type: TASK_RUN,
        status: 1,
        startTime: at("2026-02-03T14:00:00Z"),
        endTime: at("2026-02-03T14:00:45Z"),
        annotations: {},
      },
      "2026-02-03T14:00:00Z",
      "2026-02-03T14:00:46Z",
    ),
    result(
      7,
      "dev",
      "scratch",
      { owner: "zoë" },
      {
        record: "dev/results/scratch/records/custom-1",
        type: "example.com/v1.Custom",
        status: 0,
        annotations: {},
      },
      "2025-12-31T23:59:59Z",
      "2026-01-01T00:00:00Z",
    ),
    result(
      8,
      "dev",
      "test-ui",
      { branch: "main" },
      {
        record: "dev/results/test-ui/records/pr-test-ui-1",
        type: TASK_RUN,
        status: 2,
        startTime: at("2026-03-10T16:45:00Z"),
        endTime: at("2026-03-10T16:50:00Z"),
        annotations: { flaky: "true" },
      },
      "2026-03-10T16:45:00Z",
      "2026-03-10T16:50:05Z",
    ),
  ];

  const records: StoredRecord[] = [
    // default/build-main
    record(1, "default", "build-main", "pr-build-main-1", PIPELINE_RUN, "2026-01-05T10:00:01Z", {
      apiVersion: "tekton.dev/v1",
      kind: "PipelineRun",
      metadata: {
        name: "pr-build-main-1",
        namespace: "default",
        labels: { "tekton.dev/pipeline": "build", app: "web" },
      },
      spec: {
        pipelineRef: { name: "build" },
        params: [
          { name: "revision", value: "main" },
          { name: "image", value: "registry.example.com/app:1.0" },
        ],
        timeouts: { pipeline: "1h0m0s" },
      },
      status: {
        conditions: succeeded("True", "Succeeded"),
        startTime: "2026-01-05T10:00:00Z",
        completionTime: "2026-01-05T10:12:30Z",
        childReferences: [
          { kind: "TaskRun", name: "tr-build-main-fetch", pipelineTaskName: "fetch" },
          { kind: "TaskRun", name: "tr-build-main-compile", pipelineTaskName: "compile" },
        ],
      },
    }),
    record(2, "default", "build-main", "tr-build-main-fetch", TASK_RUN, "2026-01-05T10:00:05Z", {
      apiVersion: "tekton.dev/v1",
      kind: "TaskRun",
      metadata: {
        name: "tr-build-main-fetch",
        namespace: "default",
        labels: { "tekton.dev/pipeline": "build", "tekton.dev/pipelineTask": "fetch", app: "web" },
      },
      spec: { taskRef: { name: "git-clone" }, retries: 0 },
      status: {
        conditions: succeeded("True", "Succeeded"),
        startTime: "2026-01-05T10:00:05Z",
        completionTime: "2026-01-05T10:01:10Z",
        steps: [{ name: "clone", terminated: { exitCode: 0 } }],
      },
    }),
    record(3, "default", "build-main", "tr-build-main-compile", TASK_RUN, "2026-01-05T10:01:15Z", {
      apiVersion: "tekton.dev/v1",
      kind: "TaskRun",
      metadata: {
        name: "tr-build-main-compile",
        namespace: "default",
        labels: {
          "tekton.dev/pipeline": "build",
          "tekton.dev/pipelineTask": "compile",
          app: "web",
        },
      },
      spec: { taskRef: { name: "golang-build" }, retries: 10 },
      status: {
        conditions: succeeded("True", "Succeeded"),
        startTime: "2026-01-05T10:01:15Z",
        completionTime: "2026-01-05T10:12:20Z",
        steps: [
          { name: "build", terminated: { exitCode: 0 } },
          { name: "test", terminated: { exitCode: 0 } },
          { name: "push", terminated: { exitCode: 0 } },
        ],
      },
    }),
    record(4, "default", "build-main", "tr-build-main-scan", TASK_RUN, "2026-01-05T10:12:21Z", {
      apiVersion: "tekton.dev/v1",
      kind: "TaskRun",
      metadata: {
        name: "tr-build-main-scan",
        namespace: "default",
        labels: { "tekton.dev/pipeline": "build", "tekton.dev/pipelineTask": "scan", app: "web" },
        annotations: { note: "scan ✓" },
      },
      spec: { taskRef: { name: "trivy" }, retries: 1 },
      status: {
        conditions: succeeded("True", "Succeeded"),
        startTime: "2026-01-05T10:12:21.123456789Z",
        completionTime: "2026-01-05T10:12:29Z",
        steps: [{ name: "trivy", terminated: { exitCode: 0 } }],
      },
    }),
    // default/build-feature
    record(
      5,
      "default",
      "build-feature",
      "pr-build-feature-1",
      PIPELINE_RUN,
      "2026-01-06T23:30:01Z",
      {
        apiVersion: "tekton.dev/v1",
        kind: "PipelineRun",
        metadata: {
          name: "pr-build-feature-1",
          namespace: "default",
          labels: { "tekton.dev/pipeline": "build", app: "web" },
        },
        spec: {
          pipelineRef: { name: "build" },
          params: [{ name: "revision", value: "feature/ünïcode" }],
        },
        status: {
          conditions: succeeded("False", "Failed"),
          startTime: "2026-01-06T23:30:00Z",
          completionTime: "2026-01-07T00:05:00Z",
          childReferences: [
            { kind: "TaskRun", name: "tr-build-feature-compile", pipelineTaskName: "compile" },
          ],
        },
      },
    ),
    record(
      6,
      "default",
      "build-feature",
      "tr-build-feature-compile",
      TASK_RUN,
      "2026-01-06T23:31:00Z",
      {
        apiVersion: "tekton.dev/v1",
        kind: "TaskRun",
        metadata: {
          name: "tr-build-feature-compile",
          namespace: "default",
          labels: {
            "tekton.dev/pipeline": "build",
            "tekton.dev/pipelineTask": "compile",
            app: "web",
          },
        },
        spec: { taskRef: { name: "golang-build" }, retries: 9 },
        status: {
          conditions: succeeded("False", "Failed"),
          startTime: "2026-01-06T23:31:00Z",
          completionTime: "2026-01-07T00:04:59Z",
          steps: [
            { name: "build", terminated: { exitCode: 0 } },
            { name: "test", terminated: { exitCode: 1 } },
          ],
        },
      },
    ),
    record(
      7,
      "default",
      "build-feature",
      "log-build-feature",
      "results.tekton.dev/v1alpha3.Log",
      "2026-01-07T00:05:10Z",
      {
        kind: "Log",
        apiVersion: "results.tekton.dev/v1alpha3",
        metadata: { name: "log-build-feature", namespace: "default" },
        spec: { resource: { kind: "TaskRun", name: "tr-build-feature-compile" }, type: "File" },
        status: { path: "default/build-feature/log-build-feature.log", size: 2048 },
      },
    ),
    // default/nightly
    record(8, "default", "nightly", "pr-nightly-1", PIPELINE_RUN, "2026-01-07T02:00:00Z", {
      apiVersion: "tekton.dev/v1",
      kind: "PipelineRun",
      metadata: {
        name: "pr-nightly-1",
        namespace: "default",
        labels: { "tekton.dev/pipeline": "nightly-e2e" },
      },
      spec: { pipelineRef: { name: "nightly-e2e" }, params: [], timeouts: { pipeline: "3h0m0s" } },
      status: {
        conditions: succeeded("Unknown", "Running"),
        startTime: "2026-01-07T02:00:00Z",
      },
    }),
    // ci-prod/deploy-42
    record(9, "ci-prod", "deploy-42", "pr-deploy-42", PIPELINE_RUN, "2026-02-01T08:15:00.250Z", {
      apiVersion: "tekton.dev/v1",
      kind: "PipelineRun",
      metadata: {
        name: "pr-deploy-42",
        namespace: "ci-prod",
        labels: { "tekton.dev/pipeline": "deploy", "app.kubernetes.io/version": "4.2" },
      },
      spec: {
        pipelineRef: { name: "deploy" },
        params: [
          { name: "env", value: "prod" },
          { name: "replicas", value: "3" },
        ],
      },
      status: {
        conditions: succeeded("False", "Cancelled"),
        startTime: "2026-02-01T08:15:00Z",
        completionTime: "2026-02-01T08:19:59.500Z",
      },
    }),
    record(10, "ci-prod", "deploy-42", "tr-deploy-42-apply", TASK_RUN, "2026-02-01T08:16:00Z", {
      apiVersion: "tekton.dev/v1",
      kind: "TaskRun",
      metadata: {
        name: "tr-deploy-42-apply",
        namespace: "ci-prod",
        labels: { "tekton.dev/pipeline": "deploy", "tekton.dev/pipelineTask": "apply" },
      },
      spec: { taskRef: { name: "kubectl" }, retries: 2 },
      status: {
        conditions: succeeded("False", "TaskRunCancelled"),
        startTime: "2026-02-01T08:16:00Z",
        completionTime: "2026-02-01T08:19:59Z",
        steps: [{ name: "kubectl-apply", terminated: { exitCode: 137 } }],
      },
    }),
    // ci-prod/deploy-43
    record(11, "ci-prod", "deploy-43", "pr-deploy-43", PIPELINE_RUN, "2026-02-02T09:00:00Z", {
      apiVersion: "tekton.dev/v1",
      kind: "PipelineRun",
      metadata: {
        name: "pr-deploy-43",
        namespace: "ci-prod",
        labels: { "tekton.dev/pipeline": "deploy" },
      },
      spec: { pipelineRef: { name: "deploy" }, params: [{ name: "env", value: "staging" }] },
      status: {
        conditions: succeeded("False", "PipelineRunTimeout"),
        startTime: "2026-02-02T10:00:00+01:00",
        completionTime: "2026-02-02T11:00:00+01:00",
      },
    }),
    record(12, "ci-prod", "deploy-43", "tr-deploy-43-wait", TASK_RUN, "2026-02-02T09:00:05Z", {
      apiVersion: "tekton.dev/v1",
      kind: "TaskRun",
      metadata: {
        name: "tr-deploy-43-wait",
        namespace: "ci-prod",
        labels: { "tekton.dev/pipeline": "deploy", "tekton.dev/pipelineTask": "wait" },
      },
      spec: { taskRef: { name: "wait-for-rollout" }, retries: 1 },
      status: {
        conditions: succeeded("False", "TaskRunTimeout"),
        startTime: "2026-02-02T09:00:05Z",
        completionTime: "2026-02-02T10:00:00Z",
        steps: [{ name: "sleep", terminated: { exitCode: 0 } }],
      },
    }),
    // ci-prod/lint-7
    record(13, "ci-prod", "lint-7", "tr-lint-7", TASK_RUN, "2026-02-03T14:00:00Z", {
      apiVersion: "tekton.dev/v1",
      kind: "TaskRun",
      metadata: {
        name: "tr-lint-7",
        namespace: "ci-prod",
        labels: { "tekton.dev/task": "golangci-lint" },
      },
      spec: {
        taskRef: { name: "golangci-lint" },
        retries: 3,
        params: [{ name: "args", value: ["--fast", "--timeout=5m"] }],
      },
      status: {
        conditions: succeeded("True", "Succeeded"),
        startTime: "2026-02-03T14:00:00Z",
        completionTime: "2026-02-03T14:00:45Z",
        steps: [{ name: "lint", terminated: { exitCode: 0 } }],
      },
    }),
    record(
      14,
      "ci-prod",
      "lint-7",
      "tr-lint-7-retry",
      "tekton.dev/v1beta1.TaskRun",
      "2026-02-03T14:05:00Z",
      {
        apiVersion: "tekton.dev/v1beta1",
        kind: "TaskRun",
        metadata: {
          name: "tr-lint-7-retry",
          namespace: "ci-prod",
          labels: { "tekton.dev/task": "golangci-lint" },
        },
        spec: { taskRef: { name: "golangci-lint" }, retries: "3" },
        status: {
          conditions: succeeded("False", "Failed"),
          startTime: "yesterday",
          steps: [],
        },
      },
    ),
    // dev/scratch
    record(15, "dev", "scratch", "custom-1", "example.com/v1.Custom", "2025-12-31T23:59:59Z", {
      kind: "Custom",
      metadata: { name: "custom-1", labels: { "tekton.dev/pipeline": null } },
      spec: { values: [3, 10, 9, 100], nested: { deep: { deeper: { deepest: "ok" } } } },
      status: { conditions: [] },
      note: "日本語テキスト 🚀",
    }),
    record(16, "dev", "scratch", "custom-2", "example.com/v1.Custom", "2026-01-01T00:00:00Z", {
      kind: "Custom",
      metadata: { name: "custom-2" },
      spec: { values: "not-a-list" },
      note: "Zoë 👍",
      count: 9.5,
    }),
    // dev/test-ui
    record(17, "dev", "test-ui", "pr-test-ui-1", PIPELINE_RUN, "2026-03-10T16:45:00Z", {
      apiVersion: "tekton.dev/v1",
      kind: "PipelineRun",
      metadata: {
        name: "pr-test-ui-1",
        namespace: "dev",
        labels: { "tekton.dev/pipeline": "test", app: "ui" },
      },
      spec: {
        pipelineRef: { name: "test" },
        params: [
          { name: "browser", value: "firefox" },
          { name: "shards", value: "4" },
        ],
      },
      status: {
        conditions: succeeded("False", "Failed"),
        startTime: "2026-03-10T16:45:00Z",
        completionTime: "2026-03-10T16:50:00Z",
      },
    }),
    record(18, "dev", "test-ui", "tr-test-ui-unit", TASK_RUN, "2026-03-10T16:45:05Z", {
      apiVersion: "tekton.dev/v1",
      kind: "TaskRun",
      metadata: {
        name: "tr-test-ui-unit",
        namespace: "dev",
        labels: { "tekton.dev/pipeline": "test", "tekton.dev/pipelineTask": "unit", app: "ui" },
      },
      spec: { taskRef: { name: "npm" }, retries: 0 },
      status: {
        conditions: succeeded("True", "Succeeded"),
        startTime: "2026-03-10T16:45:05Z",
        completionTime: "2026-03-10T16:47:00Z",
        steps: [
          { name: "npm-ci", terminated: { exitCode: 0 } },
          { name: "vitest", terminated: { exitCode: 0 } },
        ],
      },
    }),
    record(19, "dev", "test-ui", "tr-test-ui-e2e", TASK_RUN, "2026-03-10T16:47:05Z", {
      apiVersion: "tekton.dev/v1",
      kind: "TaskRun",
      metadata: {
        name: "tr-test-ui-e2e",
        namespace: "dev",
        labels: { "tekton.dev/pipeline": "test", "tekton.dev/pipelineTask": "e2e", app: "ui" },
      },
      spec: { taskRef: { name: "playwright" }, retries: 2 },
      status: {
        conditions: succeeded("False", "Failed"),
        startTime: "2026-03-10T16:47:05Z",
        completionTime: "2026-03-10T16:49:59Z",
        steps: [{ name: "playwright", terminated: { exitCode: 1 } }],
      },
    }),
    record(20, "dev", "test-ui", "tr-test-ui-report", TASK_RUN, "2026-03-10T16:50:00Z", {
      apiVersion: "tekton.dev/v1",
      kind: "TaskRun",
      metadata: {
        name: "tr-test-ui-report",
        namespace: "dev",
        labels: { "tekton.dev/pipeline": "test", "tekton.dev/pipelineTask": "report" },
      },
      spec: { taskRef: { name: "upload" } },
      status: {
        conditions: succeeded("Unknown", "Running"),
        startTime: "2026-03-10T16:50:00Z",
        steps: [{ name: "upload", running: { startedAt: "2026-03-10T16:50:01Z" } }],
      },
    }),
  ];
  return { results, records };
}
