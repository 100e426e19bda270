import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  SUMMARY_FIELDS,
  SUMMARY_PERIODS,
  compileFilter,
  type RecordSummaryQuery,
  type StoredRecord,
  type SummaryField,
  type SummaryGroupBy,
} from "@tekton-results/storage";
import { createMemoryStore } from "@tekton-results/storage-conformance";
import type { PgStore } from "../src/index.js";
import { summaryAggregateSql, summaryPercentileSql } from "../src/pg-summary.js";
import { createTestStore, destroyTestStore, stopTestPostgres } from "./support/postgres.js";

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

/** An RFC 3339 text of `ms` in one of several spellings (offsets, fractions, lower case). */
function spell(ms: number, rnd: () => number): string {
  const text = new Date(ms).toISOString();
  const r = rnd();
  if (r < 0.3) return text.replace(".000Z", "Z");
  if (r < 0.4) {
    // The same instant at +05:30.
    const local = new Date(ms + 5.5 * 3_600_000).toISOString().slice(0, -1);
    return `${local}+05:30`;
  }
  if (r < 0.5) {
    const local = new Date(ms - 7 * 3_600_000).toISOString().slice(0, -1);
    return `${local}-07:00`;
  }
  if (r < 0.6) return text.replace("Z", "").replace(/\.(\d{3})$/, ".$1456z");
  if (r < 0.65) return text.replace("T", "t");
  return text;
}

/** Random run documents, including awkward ones (odd types, malformed times, not JSON). */
function randomRecords(count: number): StoredRecord[] {
  const rnd = prng(7);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)]!;
  // Around the turn of a year, and weeks that end on a Sunday.
  const base = Date.UTC(2023, 11, 1);
  const out: StoredRecord[] = [];
  for (let i = 0; i < count; i++) {
    const parent = pick(PARENTS);
    const resultName = pick(RESULTS);
    const created = base + Math.floor(rnd() * 70 * 86_400_000);
    const start = created + Math.floor(rnd() * 120_000);
    const completion =
      rnd() < 0.05
        ? start - Math.floor(rnd() * 60_000)
        : start + Math.floor(rnd() * (rnd() < 0.1 ? 3 * 86_400_000 : 3_600_000));
    const metadata: Record<string, unknown> = {
      name: `run-${i}`,
      creationTimestamp: spell(created, rnd),
    };
    const ns = rnd();
    if (ns < 0.8) metadata.namespace = parent;
    else if (ns < 0.85) metadata.namespace = 7;
    else if (ns < 0.9) metadata.namespace = "ünïcode-ns";
    if (rnd() < 0.8) {
      metadata.labels = { "tekton.dev/pipeline": pick(["build", "test", "x", "Ä", ""]) };
    }
    if (rnd() < 0.7) {
      metadata.annotations = {
        "pipelinesascode.tekton.dev/repository": rnd() < 0.9 ? pick(["app", "web"]) : null,
      };
    }
    const status: Record<string, unknown> = {};
    const r = rnd();
    if (r < 0.85) {
      status.conditions = [
        {
          reason:
            r < 0.8
              ? pick(["Succeeded", "Completed", "Failed", "Cancelled", "Running", "Timeout", ""])
              : { nested: true },
        },
      ];
    } else if (r < 0.9) {
      // An object with a key "0" is not an array: the reason is absent.
      status.conditions = { "0": { reason: "Failed" } };
    }
    const s = rnd();
    if (s < 0.9) {
      status.startTime =
        s < 0.02 ? "yesterday" : s < 0.03 ? "2024-02-30T00:00:00Z" : spell(start, rnd);
    }
    const c = rnd();
    if (c < 0.8) status.completionTime = c < 0.03 ? 12 : spell(completion, rnd);
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

describe("postgres summaries", () => {
  let store: PgStore;
  const memory = createMemoryStore();

  beforeAll(async () => {
    store = await createTestStore();
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
        await store.createResult(result);
        await memory.createResult(result);
      }
    }
    for (const record of randomRecords(400)) {
      await store.createRecord(record);
      await memory.createRecord(record);
    }
  }, 60_000);
  afterAll(async () => {
    await destroyTestStore(store);
    await memory.close();
    await stopTestPostgres();
  });

  it("equals the reference implementation for every grouping, order, scope and filter", async () => {
    const filters = [undefined, "data_type == PIPELINE_RUN", 'data.metadata.namespace != "ns-b"'];
    const scopes = [
      {},
      { parent: "ns-a" },
      { resultName: "r2" },
      { parent: "ns-c", resultName: "r1" },
    ];
    // Every grouping with every scope, the filters taking turns (the
    // aggregates of a filtered selection are computed like any other).
    let n = 0;
    for (const groupBy of GROUPINGS) {
      for (const scope of scopes) {
        const filterText = filters[n % filters.length];
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
        const actual = await store.summarizeRecords(query);
        expect(actual, JSON.stringify({ groupBy, filterText, scope })).toEqual(expected);
      }
    }
  }, 60_000);

  it("equals the reference implementation when only some fields are asked for", async () => {
    const fieldSets: SummaryField[][] = [
      ["total", "succeeded", "others"],
      ["last_runtime", "running"],
      ["p95_duration"],
      ["min_duration", "failed"],
    ];
    const groupings: (SummaryGroupBy | undefined)[] = [
      undefined,
      { kind: "namespace" },
      { kind: "repository" },
      { kind: "time", period: "week", timeField: "creationTimestamp" },
      { kind: "time", period: "day", timeField: "completionTime" },
    ];
    for (const groupBy of groupings) {
      for (const [k, fields] of fieldSets.entries()) {
        const query: RecordSummaryQuery = {
          fields,
          ...(groupBy === undefined ? {} : { groupBy }),
          // An order field outside `fields` must still be computed.
          ...(k === 0 ? { orderBy: { field: "max_duration", direction: "desc" } } : {}),
        };
        const expected = await memory.summarizeRecords!(query);
        const actual = await store.summarizeRecords(query);
        expect(actual, JSON.stringify(query)).toEqual(expected);
      }
    }
  }, 60_000);

  it("has records with and without every value (the comparison is not vacuous)", async () => {
    const [all] = await memory.summarizeRecords!({ fields: [...SUMMARY_FIELDS] });
    const v = all!.values;
    expect(v.total).toBe(400);
    for (const f of ["succeeded", "failed", "cancelled", "running", "others"] as const) {
      expect(v[f]).toBeGreaterThan(10);
    }
    expect(
      v.total! - v.succeeded! - v.failed! - v.cancelled! - v.running! - v.others!,
    ).toBeGreaterThan(0);
    expect(v.max_duration).toBeGreaterThan(86_400_000);
    expect(v.min_duration).toBeLessThan(0);
    const groups = await store.summarizeRecords({
      fields: ["total"],
      groupBy: { kind: "namespace" },
    });
    expect(groups.map((g) => g.groupValue)).toEqual(["ns-a", "ns-b", "ns-c", "ünïcode-ns", null]);
    const years = await store.summarizeRecords({
      fields: ["total"],
      groupBy: { kind: "time", period: "year", timeField: "creationTimestamp" },
    });
    expect(years.map((g) => g.groupValue)).toEqual([
      Date.UTC(2023, 0, 1) / 1000,
      Date.UTC(2024, 0, 1) / 1000,
      null, // the documents that are not JSON
    ]);
  });

  it("buckets weeks from Monday and reads offsets and fractions to the millisecond", async () => {
    const base = { parent: "ns-a", resultName: "r1", type: "tekton.dev/v1.PipelineRun" };
    const doc = (created: string, start: string, completion: string) =>
      JSON.stringify({
        metadata: { namespace: "week-ns", creationTimestamp: created },
        status: { startTime: start, completionTime: completion },
      });
    const records = [
      // Sunday 2024-01-07 23:59:59.999 UTC, written at +01:00 (Monday locally).
      doc("2024-01-08T00:59:59.999+01:00", "2024-01-08T00:00:00.0009Z", "2024-01-08T00:00:01.5Z"),
      // Monday 2024-01-08 00:00 UTC.
      doc("2024-01-08T00:00:00Z", "2024-01-08T00:00:00Z", "2024-01-07T23:59:59Z"),
    ];
    for (const [i, data] of records.entries()) {
      await store.createRecord({
        ...base,
        name: `week-${i}`,
        uid: `20000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
        data,
        createTime: new Date(0),
        updateTime: new Date(0),
        etag: "e",
      });
    }
    const filter = compileFilter('data.metadata.namespace == "week-ns"', { target: "records" })!;
    const rows = await store.summarizeRecords({
      filter,
      fields: ["total", "total_duration", "last_runtime"],
      groupBy: { kind: "time", period: "week", timeField: "creationTimestamp" },
    });
    expect(rows).toEqual([
      {
        groupValue: Date.UTC(2024, 0, 1) / 1000,
        values: { total: 1, total_duration: 1500, last_runtime: Date.UTC(2024, 0, 8) / 1000 },
      },
      {
        groupValue: Date.UTC(2024, 0, 8) / 1000,
        values: { total: 1, total_duration: -1000, last_runtime: Date.UTC(2024, 0, 8) / 1000 },
      },
    ]);
  });

  it("reads at most two durations per percentile and group", async () => {
    const query: RecordSummaryQuery = {
      fields: ["p50_duration", "p95_duration", "p99_duration"],
      groupBy: { kind: "time", period: "week", timeField: "creationTimestamp" },
    };
    const aggregate = summaryAggregateSql(query);
    const groups = (await store.knex.raw(aggregate.sql, aggregate.bindings as never)) as {
      rows: unknown[];
    };
    const q = summaryPercentileSql(query, [0.5, 0.95, 0.99]);
    const ranks = (await store.knex.raw(q.sql, q.bindings as never)) as { rows: unknown[] };
    expect(groups.rows.length).toBeGreaterThan(5);
    expect(ranks.rows.length).toBeGreaterThan(0);
    expect(ranks.rows.length).toBeLessThanOrEqual(groups.rows.length * 6);
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
