/**
 * The SQL side of GetRecordListSummary, shared by the SQL adapters: each
 * adapter renders two queries in its dialect and this module turns their rows
 * into {@link RecordSummaryRow}s with the shared helpers, so every backend
 * computes averages, seconds and percentile interpolation the same way.
 *
 * @module
 */
import {
  SUMMARY_PERCENTILES,
  percentileFromNeighbours,
  percentileIndexes,
  pickSummaryValues,
  sortSummaryRows,
  summaryFieldsToCompute,
  type RecordSummaryQuery,
  type RecordSummaryRow,
  type SummaryField,
} from "@tekton-results/storage";
import {
  concatRendered,
  joinSql,
  renderSql,
  sql,
  type RenderedSql,
  type Sql,
} from "./sql-fragment.js";

/** A number as a driver returns it (PostgreSQL sends bigint and numeric as text). */
export type SqlNumber = number | string | bigint;

/**
 * One row of the aggregate query: per group, the counts, the durations'
 * count/sum/min/max in ms, and the latest start in Unix ms.
 */
export interface SqlSummaryAggregateRow {
  group_value: string | number | null;
  total: SqlNumber;
  succeeded: SqlNumber;
  failed: SqlNumber;
  cancelled: SqlNumber;
  running: SqlNumber;
  others: SqlNumber;
  dur_count: SqlNumber;
  dur_sum: SqlNumber | null;
  dur_min: SqlNumber | null;
  dur_max: SqlNumber | null;
  last_start: SqlNumber | null;
}

/** One row of the percentile query: the duration at 0-based rank `i` of `n` in a group. */
export interface SqlSummaryRankRow {
  group_value: string | number | null;
  i: SqlNumber;
  n: SqlNumber;
  dur: SqlNumber;
}

/** Where {@link summarizeFromSql} gets its rows. */
export interface SqlSummarySource {
  /** Rows of the aggregate query, one per group (one in all without `groupBy`). */
  aggregates(): Promise<SqlSummaryAggregateRow[]>;
  /**
   * Rows of the percentile query for the percentiles `ps`: for each group
   * with n durations, the ranks `floor(p*(n-1))` and `ceil(p*(n-1))`.
   */
  ranks(ps: readonly number[]): Promise<SqlSummaryRankRow[]>;
}

function groupKey(v: string | number | null): string {
  return v === null ? "n" : typeof v === "number" ? `#${v}` : `s${v}`;
}

/** Compute a record summary from the rows of an adapter's two summary queries. */
export async function summarizeFromSql(
  query: RecordSummaryQuery,
  source: SqlSummarySource,
): Promise<RecordSummaryRow[]> {
  const fields = summaryFieldsToCompute(query);
  const aggregates = await source.aggregates();
  const percentileFields = fields.filter(
    (f): f is keyof typeof SUMMARY_PERCENTILES => f in SUMMARY_PERCENTILES,
  );
  // group key -> rank -> duration
  const ranks = new Map<string, Map<number, number>>();
  if (percentileFields.length > 0 && aggregates.some((a) => Number(a.dur_count) > 0)) {
    const ps = percentileFields.map((f) => SUMMARY_PERCENTILES[f]);
    for (const row of await source.ranks(ps)) {
      const key = groupKey(row.group_value);
      let m = ranks.get(key);
      if (m === undefined) {
        m = new Map();
        ranks.set(key, m);
      }
      m.set(Number(row.i), Number(row.dur));
    }
  }

  const rows = aggregates.map((a) => {
    const n = Number(a.dur_count);
    const values: Partial<Record<SummaryField, number | null>> = {};
    for (const field of fields) {
      switch (field) {
        case "total":
        case "succeeded":
        case "failed":
        case "cancelled":
        case "running":
        case "others":
          values[field] = Number(a[field]);
          break;
        case "avg_duration":
          values[field] = n === 0 || a.dur_sum === null ? null : Number(a.dur_sum) / n;
          break;
        case "total_duration":
          values[field] = n === 0 || a.dur_sum === null ? null : Number(a.dur_sum);
          break;
        case "min_duration":
          values[field] = a.dur_min === null ? null : Number(a.dur_min);
          break;
        case "max_duration":
          values[field] = a.dur_max === null ? null : Number(a.dur_max);
          break;
        case "last_runtime":
          values[field] = a.last_start === null ? null : Number(a.last_start) / 1000;
          break;
        case "p50_duration":
        case "p95_duration":
        case "p99_duration": {
          if (n === 0) {
            values[field] = null;
            break;
          }
          const { lo, hi, fraction } = percentileIndexes(n, SUMMARY_PERCENTILES[field]);
          const m = ranks.get(groupKey(a.group_value));
          const x = m?.get(lo);
          const y = m?.get(hi);
          if (x === undefined || y === undefined) {
            throw new Error(`summary percentile ranks ${lo}/${hi} of ${n} are missing`);
          }
          values[field] = percentileFromNeighbours(x, y, fraction);
          break;
        }
      }
    }
    return { groupValue: a.group_value, values };
  });
  sortSummaryRows(rows, query.orderBy);
  return rows.map((row) =>
    query.groupBy === undefined
      ? { values: pickSummaryValues(row.values, query.fields) }
      : { groupValue: row.groupValue, values: pickSummaryValues(row.values, query.fields) },
  );
}

/**
 * The percentile query of the SQL adapters, after their `WITH` clause (which
 * must define `grouped(g, dur, ...)`): for every group, the durations at the
 * 0-based ranks `i` among its `n` durations sorted ascending that the
 * percentiles `ps` read — `floor(p * (n - 1))` and the next one, a superset
 * of what {@link percentileIndexes} needs. `floorRank(p)` spells
 * `floor(p * (n - 1))` in the adapter's dialect.
 */
export function summaryRanksSql(
  withClause: RenderedSql,
  ps: readonly number[],
  floorRank: (p: number) => Sql,
): RenderedSql {
  const ranks = joinSql(
    ps.map((p) => sql`(i = ${floorRank(p)} OR i = ${floorRank(p)} + 1)`),
    " OR ",
  );
  return concatRendered(
    withClause,
    renderSql(sql`, ranked AS (
    SELECT g, dur,
      ROW_NUMBER() OVER (PARTITION BY g ORDER BY dur) - 1 AS i,
      COUNT(*) OVER (PARTITION BY g) AS n
    FROM grouped WHERE dur IS NOT NULL
  )
  SELECT g AS group_value, i, n, dur FROM ranked WHERE ${ranks}`),
  );
}

/** Runs a rendered query (text with `?` bindings, as `knex.raw` takes it) and returns its rows. */
export type SqlQueryRunner = (q: RenderedSql) => Promise<unknown[]>;

/**
 * {@link summarizeFromSql} over an adapter's two query builders, each query
 * run by `all`.
 */
export function summarizeWithRunner(
  all: SqlQueryRunner,
  query: RecordSummaryQuery,
  build: {
    aggregates(query: RecordSummaryQuery): RenderedSql;
    ranks(query: RecordSummaryQuery, ps: readonly number[]): RenderedSql;
  },
): Promise<RecordSummaryRow[]> {
  return summarizeFromSql(query, {
    aggregates: async () => (await all(build.aggregates(query))) as SqlSummaryAggregateRow[],
    ranks: async (ps) => (await all(build.ranks(query, ps))) as SqlSummaryRankRow[],
  });
}
