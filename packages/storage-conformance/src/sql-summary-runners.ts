/**
 * The summary tests the SQL adapters share: their record summaries (grouping
 * and aggregation in SQL) against the reference implementation over random,
 * awkward run documents, and the shape of their two summary statements.
 * Each adapter's test calls {@link runSqlSummaryConformance} with a factory.
 *
 * @module
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  SUMMARY_FIELDS,
  SUMMARY_PERIODS,
  compileFilter,
  type RecordSummaryQuery,
  type RecordSummaryRow,
  type ResultsStore,
  type SummaryField,
  type SummaryGroupBy,
} from "@tekton-results/storage";
import { createMemoryStore } from "./memory-store.js";
import { SUMMARY_PARENTS, SUMMARY_RESULTS, randomSummaryRecords } from "./sql-summary-records.js";

export { SUMMARY_PARENTS, SUMMARY_RESULTS, randomSummaryRecords } from "./sql-summary-records.js";

/** A statement as the adapters render it: text with `?` placeholders and the bindings. */
export interface SqlSummaryStatement {
  sql: string;
  bindings: unknown[];
}

/** A SQL store with summaries in SQL. */
export type SqlSummaryStore = ResultsStore & {
  summarizeRecords(query: RecordSummaryQuery): Promise<RecordSummaryRow[]>;
};

/** Options of {@link runSqlSummaryConformance}. */
export interface SqlSummaryConformanceOptions<S extends SqlSummaryStore> {
  /** The backend's name (`describe` title: "<name> summaries"). */
  name: string;
  /** A new, empty store. */
  createStore(): Promise<S>;
  /** Dispose of a store of {@link createStore}. */
  destroyStore(store: S): Promise<void>;
  /** Run a rendered statement on the store's database; its rows. */
  runSql(store: S, statement: SqlSummaryStatement): Promise<unknown[]>;
  /** The adapter's two summary statements. */
  statements: {
    aggregates(query: RecordSummaryQuery): SqlSummaryStatement;
    ranks(query: RecordSummaryQuery, ps: readonly number[]): SqlSummaryStatement;
  };
  /** How many random records to load. */
  records: number;
  /** The seed of the random records. */
  seed: number;
  /**
   * Compare every filter with every grouping and scope (else the filters take
   * turns, for a slower database).
   */
  everyFilterWithEveryScope: boolean;
  /** The time budget of the slow tests and of loading the records, in ms. */
  timeoutMs?: number;
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

const FILTERS = [undefined, "data_type == PIPELINE_RUN", 'data.metadata.namespace != "ns-b"'];
const SCOPES = [{}, { parent: "ns-a" }, { resultName: "r2" }, { parent: "ns-c", resultName: "r1" }];

/**
 * Declare the shared summary tests of a SQL adapter under
 * `describe("<name> summaries")`: one store loaded with `records` random
 * records (and the reference store with the same), compared for every
 * grouping, order, scope, filter and field set, plus the week buckets and
 * time offsets, the size of the percentile query's answer and the binding of
 * every value.
 */
export function runSqlSummaryConformance<S extends SqlSummaryStore>(
  options: SqlSummaryConformanceOptions<S>,
): void {
  const timeout = options.timeoutMs ?? 30_000;
  describe(`${options.name} summaries`, () => {
    let store: S;
    const memory = createMemoryStore();
    /** The summary of `query` from the store and from the reference store. */
    const both = async (query: RecordSummaryQuery) => ({
      expected: await memory.summarizeRecords!(query),
      actual: await store.summarizeRecords(query),
    });

    beforeAll(async () => {
      store = await options.createStore();
      for (const parent of SUMMARY_PARENTS) {
        for (const name of SUMMARY_RESULTS) {
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
      for (const record of randomSummaryRecords(options.records, options.seed)) {
        await store.createRecord(record);
        await memory.createRecord(record);
      }
    }, 2 * timeout);
    afterAll(async () => {
      await options.destroyStore(store);
      await memory.close();
    });

    it(
      "equals the reference implementation for every grouping, order, scope and filter",
      async () => {
        // The filters take turns unless every combination is asked for (the
        // aggregates of a filtered selection are computed like any other).
        let n = 0;
        for (const groupBy of GROUPINGS) {
          const filterRuns = options.everyFilterWithEveryScope ? FILTERS.length : 1;
          for (let f = 0; f < filterRuns; f++) {
            for (const scope of SCOPES) {
              const filterText = options.everyFilterWithEveryScope
                ? FILTERS[f]
                : FILTERS[n % FILTERS.length];
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
              const { expected, actual } = await both(query);
              expect(actual, JSON.stringify({ groupBy, filterText, scope })).toEqual(expected);
            }
          }
        }
      },
      2 * timeout,
    );

    it(
      "equals the reference implementation when only some fields are asked for",
      async () => {
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
            const { expected, actual } = await both(query);
            expect(actual, JSON.stringify(query)).toEqual(expected);
          }
        }
      },
      2 * timeout,
    );

    it("has records with and without every value (the comparison is not vacuous)", async () => {
      const [all] = await memory.summarizeRecords!({ fields: [...SUMMARY_FIELDS] });
      const v = all!.values;
      expect(v.total).toBe(options.records);
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
      expect(groups.map((g) => g.groupValue)).toEqual([...SUMMARY_PARENTS, "ünïcode-ns", null]);
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
      const groups = await options.runSql(store, options.statements.aggregates(query));
      const ranks = await options.runSql(store, options.statements.ranks(query, [0.5, 0.95, 0.99]));
      expect(groups.length).toBeGreaterThan(5);
      expect(ranks.length).toBeGreaterThan(0);
      expect(ranks.length).toBeLessThanOrEqual(groups.length * 6);
    });

    it("binds every value: filter strings do not appear in the SQL", () => {
      const q = options.statements.aggregates({
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
}
