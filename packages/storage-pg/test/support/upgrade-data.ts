/**
 * A realistic data set at the first schema (migration `0001` only), for the
 * upgrade tests: TaskRun records of about 2 KB each, written straight into the
 * tables (no write trigger exists yet at that schema), and the typed columns
 * and label rows migration `0002` must derive from each of them.
 *
 * Every tenth record is not JSON and every tenth (another one) has odd values
 * where typed columns read (a number name, labels that are an array, an
 * offset time with a fraction, a time that is not RFC 3339).
 *
 * @module
 */
import type { Knex } from "knex";
import { pgMigrationSource } from "../../src/index.js";

const T0 = Date.UTC(2026, 0, 5, 10);
/** Records per Result. */
const PER_RESULT = 50;
/** Rows per INSERT while loading. */
const CHUNK = 1000;

/** The typed columns (times as numbers) and sorted `key=value` labels of one record. */
export interface ExpectedRow {
  readonly columns: Record<string, string | number | null>;
  readonly labels: string[];
}

/** The name of the `i`-th record (also its sort key: names are zero-padded). */
export function recordName(i: number): string {
  return `rec-${String(i).padStart(7, "0")}`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Padding that makes a document realistic in size: the steps of a TaskRun. */
function steps(i: number): object[] {
  return ["prepare", "build", "test", "push"].map((name, s) => ({
    name,
    container: `step-${name}`,
    imageID: `registry.example.com/tools/${name}@sha256:${"0123456789abcdef".repeat(4)}`,
    terminated: {
      exitCode: 0,
      reason: "Completed",
      startedAt: iso(T0 + i * 1000 + s * 60_000),
      finishedAt: iso(T0 + i * 1000 + (s + 1) * 60_000),
      containerID: `containerd://${(i * 31 + s).toString(16).padStart(64, "0")}`,
    },
  }));
}

/** The document of record `i` (a string: JSON, except every tenth). */
export function recordData(i: number): string {
  if (i % 10 === 9) return `not json { ${"x".repeat(2000)}`;
  const start = T0 + i * 1000;
  const odd = i % 10 === 8;
  return JSON.stringify({
    apiVersion: "tekton.dev/v1",
    kind: "TaskRun",
    metadata: {
      name: odd ? i : `run-${i}`,
      namespace: `ns-${i % 4}`,
      uid: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
      creationTimestamp: odd ? "yesterday" : iso(start - 500),
      labels: odd
        ? ["tekton.dev/pipeline"]
        : {
            "tekton.dev/pipeline": `pipe-${i % 7}`,
            "tekton.dev/task": `task-${i % 5}`,
            "app.kubernetes.io/managed-by": "tekton-pipelines",
            attempt: i % 3,
          },
      annotations: { "pipelinesascode.tekton.dev/repository": `repo-${i % 3}` },
    },
    spec: {
      serviceAccountName: "pipeline",
      timeout: "1h0m0s",
      taskRef: { kind: "Task", name: `task-${i % 5}` },
      params: [
        { name: "revision", value: (i * 7919).toString(16).padStart(40, "0") },
        { name: "url", value: `https://git.example.com/org/repo-${i % 3}.git` },
      ],
    },
    status: {
      conditions: [
        {
          type: "Succeeded",
          status: i % 3 === 0 ? "False" : "True",
          reason: i % 3 === 0 ? "Failed" : "Succeeded",
          message: i % 3 === 0 ? "step build exited with 1" : "All Steps have completed executing",
          lastTransitionTime: iso(start + 240_000),
        },
      ],
      // An offset and a fraction on the odd rows: 10:00:00.250+01:00 is 09:00:00.250Z.
      startTime: odd ? iso(start + 3_600_000 + 250).replace("Z", "+01:00") : iso(start),
      completionTime: iso(start + 240_000),
      podName: `run-${i}-pod`,
      steps: steps(i),
    },
  });
}

/** What the typed columns and label rows of record `i` must hold after migration `0002`. */
export function expectedRow(i: number): ExpectedRow {
  const none = {
    run_name: null,
    run_namespace: null,
    status_reason: null,
    succeeded_status: null,
    pipeline_name: null,
    task_name: null,
    repository: null,
    start_ms: null,
    completion_ms: null,
    creation_ms: null,
  };
  if (i % 10 === 9) return { columns: none, labels: [] };
  const start = T0 + i * 1000;
  const odd = i % 10 === 8;
  return {
    columns: {
      run_name: odd ? null : `run-${i}`,
      run_namespace: `ns-${i % 4}`,
      status_reason: i % 3 === 0 ? "Failed" : "Succeeded",
      succeeded_status: i % 3 === 0 ? "False" : "True",
      pipeline_name: odd ? null : `pipe-${i % 7}`,
      task_name: odd ? null : `task-${i % 5}`,
      repository: `repo-${i % 3}`,
      start_ms: odd ? start + 250 : start,
      completion_ms: start + 240_000,
      creation_ms: odd ? null : start - 500,
    },
    labels: odd
      ? []
      : [
          "app.kubernetes.io/managed-by=tekton-pipelines",
          `tekton.dev/pipeline=pipe-${i % 7}`,
          `tekton.dev/task=task-${i % 5}`,
        ],
  };
}

/**
 * Create `schema` at the first schema (migration `0001` only) through `knex`
 * (whose connections must have `search_path` set to `schema`), and load
 * `count` records (`recordName(0)`..) in Results of 50 records each.
 */
export async function loadFirstSchema(knex: Knex, schema: string, count: number): Promise<void> {
  await knex.raw(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  await knex.migrate.up({ migrationSource: pgMigrationSource, schemaName: schema });
  const results = Math.ceil(count / PER_RESULT);
  await knex.raw(
    `INSERT INTO results (uid, parent, name, create_time, update_time, etag)
     SELECT 'result-' || g, 'ns-' || (g % 4), 'r-' || g, ?::bigint, ?::bigint, 'e'
     FROM generate_series(0, ?::int - 1) AS g`,
    [T0, T0, results],
  );
  for (let from = 0; from < count; from += CHUNK) {
    const ids = Array.from({ length: Math.min(CHUNK, count - from) }, (_, k) => from + k);
    await knex.raw(
      `INSERT INTO records (uid, result_id, parent, result_name, name, type, data, create_time, update_time, etag)
       SELECT 'uid-' || t.i, results.id, results.parent, results.name, t.name,
              'tekton.dev/v1.TaskRun', t.data, ?::bigint + t.i, ?::bigint + t.i, 'e'
       FROM unnest(?::int[], ?::text[], ?::text[]) AS t (i, name, data)
       JOIN results ON results.uid = 'result-' || (t.i / ${PER_RESULT})`,
      [T0, T0, ids, ids.map(recordName), ids.map(recordData)],
    );
  }
  await knex.raw("ANALYZE records");
}
