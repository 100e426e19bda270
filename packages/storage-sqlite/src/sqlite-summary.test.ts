import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  SUMMARY_FIELDS,
  SUMMARY_PERIODS,
  compileFilter,
  type RecordSummaryQuery,
  type StoredRecord,
  type SummaryGroupBy,
} from "@tekton-results/storage";
import { createMemoryStore } from "@tekton-results/storage-conformance";
import { createSqliteStore, type SqliteStore } from "./sqlite-store.js";
import { summaryAggregateSql, summaryPercentileSql } from "./sqlite-summary.js";

/** A small deterministic PRNG (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PARENTS = ["ns-a", "ns-b", "ns-c"];
const RESULTS = ["r1", "r2"];

/** Random run documents, including awkward ones (odd types, malformed times, not JSON). */
function randomRecords(count: number): StoredRecord[] {
  const rnd = prng(42);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)]!;
  const base = Date.UTC(2023, 11, 25);
  const iso = (ms: number) => {
    const text = new Date(ms).toISOString();
    return rnd() < 0.5 ? text.replace(".000Z", "Z") : text;
  };
  const out: StoredRecord[] = [];
  for (let i = 0; i < count; i++) {
    const parent = pick(PARENTS);
    const resultName = pick(RESULTS);
    const created = base + Math.floor(rnd() * 60 * 86_400_000);
    const start = created + Math.floor(rnd() * 120_000);
    const completion = start + Math.floor(rnd() * (rnd() < 0.1 ? 3 * 86_400_000 : 3_600_000));
    const metadata: Record<string, unknown> = { name: `run-${i}`, creationTimestamp: iso(created) };
    const ns = rnd();
    if (ns < 0.85) metadata.namespace = parent;
    else if (ns < 0.9) metadata.namespace = 7;
    if (rnd() < 0.8) metadata.labels = { "tekton.dev/pipeline": pick(["build", "test", "x"]) };
    if (rnd() < 0.7) {
      metadata.annotations = { "pipelinesascode.tekton.dev/repository": pick(["app", "web"]) };
    }
    const status: Record<string, unknown> = {};
    const r = rnd();
    if (r < 0.9) {
      status.conditions = [
        {
          reason:
            r < 0.85
              ? pick(["Succeeded", "Completed", "Failed", "Cancelled", "Running", "Timeout", ""])
              : { nested: true },
        },
      ];
    }
    if (rnd() < 0.9) status.startTime = rnd() < 0.03 ? "yesterday" : iso(start);
    if (rnd() < 0.8) status.completionTime = rnd() < 0.03 ? 12 : iso(completion);
    const data = rnd() < 0.02 ? "not json" : JSON.stringify({ metadata, status });
    out.push({
      parent,
      resultName,
      name: `run-${i}`,
      uid: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
      type: rnd() < 0.7 ? "tekton.dev/v1.PipelineRun" : "tekton.dev/v1.TaskRun",
      data,
      createTime: new Date(created),
      updateTime: new Date(created),
      etag: `e${i}`,
    });
  }
  return out;
}

const GROUPINGS: (SummaryGroupBy | undefined)[] = [
  undefined,
  { kind: "namespace" },
  { kind: "pipeline" },
  { kind: "repository" },
  ...SUMMARY_PERIODS.flatMap((period) =>
    (["creationTimestamp", "startTime", "completionTime"] as const).map(
      (timeField): SummaryGroupBy => ({ kind: "time", period, timeField }),
    ),
  ),
];

describe("sqlite summaries", () => {
  let sqlite: SqliteStore;
  const memory = createMemoryStore();

  beforeAll(async () => {
    sqlite = await createSqliteStore({ filename: ":memory:" });
    for (const parent of PARENTS) {
      for (const name of RESULTS) {
        const result = {
          parent,
          name,
          uid: `10000000-0000-4000-8000-${parent}${name}`.slice(0, 36).padEnd(36, "0"),
          annotations: {},
          createTime: new Date(0),
          updateTime: new Date(0),
          etag: "e",
        };
        await sqlite.createResult(result);
        await memory.createResult(result);
      }
    }
    for (const record of randomRecords(600)) {
      await sqlite.createRecord(record);
      await memory.createRecord(record);
    }
  });
  afterAll(async () => {
    await sqlite.close();
    await memory.close();
  });

  it("equals the reference implementation for every grouping, order, scope and filter", async () => {
    const filters = [undefined, "data_type == PIPELINE_RUN", 'data.metadata.namespace != "ns-b"'];
    const scopes = [
      {},
      { parent: "ns-a" },
      { resultName: "r2" },
      { parent: "ns-c", resultName: "r1" },
    ];
    let n = 0;
    for (const groupBy of GROUPINGS) {
      for (const filterText of filters) {
        for (const scope of scopes) {
          const field = SUMMARY_FIELDS[n % SUMMARY_FIELDS.length]!;
          n++;
          const query: RecordSummaryQuery = {
            ...scope,
            fields: [...SUMMARY_FIELDS],
            ...(groupBy === undefined ? {} : { groupBy }),
            ...(filterText === undefined
              ? {}
              : { filter: compileFilter(filterText, { target: "records" })! }),
            orderBy: { field, direction: n % 2 === 0 ? "asc" : "desc" },
          };
          const expected = await memory.summarizeRecords!(query);
          const actual = await sqlite.summarizeRecords(query);
          expect(actual, JSON.stringify({ groupBy, filterText, scope })).toEqual(expected);
        }
      }
    }
  });

  it("has records with and without every value (the comparison is not vacuous)", async () => {
    const [all] = await memory.summarizeRecords!({ fields: [...SUMMARY_FIELDS] });
    const v = all!.values;
    expect(v.total).toBe(600);
    for (const f of ["succeeded", "failed", "cancelled", "running", "others"] as const) {
      expect(v[f]).toBeGreaterThan(10);
    }
    expect(
      v.total! - v.succeeded! - v.failed! - v.cancelled! - v.running! - v.others!,
    ).toBeGreaterThan(0);
    expect(v.max_duration).toBeGreaterThan(86_400_000);
    const groups = await sqlite.summarizeRecords({
      fields: ["total"],
      groupBy: { kind: "namespace" },
    });
    expect(groups.map((g) => g.groupValue)).toEqual(["ns-a", "ns-b", "ns-c", null]);
  });

  it("reads at most two durations per percentile and group", async () => {
    const query: RecordSummaryQuery = {
      fields: ["p50_duration", "p95_duration", "p99_duration"],
      groupBy: { kind: "time", period: "week", timeField: "creationTimestamp" },
    };
    const groups = (await sqlite.knex.raw(
      summaryAggregateSql(query).sql,
      summaryAggregateSql(query).bindings as never,
    )) as unknown[];
    const q = summaryPercentileSql(query, [0.5, 0.95, 0.99]);
    const rows = (await sqlite.knex.raw(q.sql, q.bindings as never)) as unknown[];
    expect(groups.length).toBeGreaterThan(5);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThanOrEqual(groups.length * 6);
  });

  it("binds every value: filter strings do not appear in the SQL", () => {
    const q = summaryAggregateSql({
      parent: "ns-'a",
      fields: ["total"],
      filter: compileFilter('data.metadata.name == "x\' OR 1=1"', { target: "records" })!,
      groupBy: { kind: "pipeline" },
    });
    expect(q.sql).not.toContain("ns-'a");
    expect(q.sql).not.toContain("OR 1=1");
    expect(q.bindings).toContain("ns-'a");
    expect(q.bindings).toContain("x' OR 1=1");
    expect(q.sql).not.toContain("??");
  });
});
