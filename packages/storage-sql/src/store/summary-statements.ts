/**
 * The two statements of a record summary (GetRecordListSummary), written
 * once for both SQL adapters: grouping and aggregation run in SQL over the
 * typed columns of `records` (condition reason, start, completion and
 * creation times, namespace, pipeline, repository), which the database fills
 * from `records.data` whenever a record is written; percentiles come from a
 * window-function query that returns only the (at most two) neighbouring
 * durations each percentile reads, per group. No record is loaded into
 * memory. A {@link SqlSummaryDialect} spells the time buckets, casts and the
 * filter; every value is a bound parameter.
 *
 * @module
 */
import type {
  FilterExpr,
  FilterTarget,
  RecordSummaryQuery,
  SummaryGroupBy,
  SummaryPeriod,
} from "@tekton-results/storage";
import {
  concatRendered,
  joinSql,
  rawSql,
  renderSql,
  sql,
  type RenderedSql,
  type Sql,
} from "../sql-fragment.js";
import { summaryRanksSql } from "../summary-sql.js";
import { typedSummaryColumns } from "../summary-typed.js";

/** How a database spells the parts of the summary statements that differ. */
export interface SqlSummaryDialect {
  /** A bound text value, cast where the database wants it (`?::text`). */
  text(value: string): Sql;
  /** A NULL text group value (`NULL::text`, `NULL`). */
  readonly nullGroup: string;
  /**
   * The time bucket of `period` the grouping time `t` (Unix ms, UTC) falls
   * in, as Unix seconds (weeks start on Monday).
   */
  timeBucket(period: SummaryPeriod): Sql;
  /** `floor(p * (n - 1))` for the column `n`. */
  floorRank(p: number): Sql;
  /** Compile a filter to a condition over `table` (text with `?` bindings). */
  compileFilter(filter: FilterExpr, options: { target: FilterTarget; table: string }): RenderedSql;
}

/** The summary statements of a dialect, ready for `summarizeWithRunner`. */
export interface SqlSummaryStatements {
  /** The aggregate query: one row per group (one row in all without grouping). */
  aggregates(query: RecordSummaryQuery): RenderedSql;
  /**
   * The percentile query: for every group, the durations at the ranks the
   * percentiles `ps` read (0-based rank `i` among `n` durations sorted
   * ascending: floor and floor + 1 of `p * (n - 1)`, a superset of what
   * `percentileIndexes` needs).
   */
  ranks(query: RecordSummaryQuery, ps: readonly number[]): RenderedSql;
}

/** The group value of a row of `vals` (columns `t` = the grouping time, `ns`, `label`). */
function groupExpr(groupBy: SummaryGroupBy, dialect: SqlSummaryDialect): Sql {
  switch (groupBy.kind) {
    case "namespace":
      return rawSql("ns");
    case "pipeline":
    case "repository":
      return rawSql(`(coalesce(ns, '') || '/' || coalesce(label, ''))`);
    case "time":
      return dialect.timeBucket(groupBy.period);
  }
}

/**
 * The common table expressions: `vals` holds per selected record `reason`,
 * `start_ms`, `completion_ms` and the grouping inputs `t` / `ns` / `label`,
 * all read from the typed columns; `grouped` the group value `g` (NULL
 * without grouping), `reason`, `start_ms` and the duration `dur`.
 */
function withClause(query: RecordSummaryQuery, dialect: SqlSummaryDialect): RenderedSql {
  const scope: Sql[] = [];
  if (query.parent !== undefined)
    scope.push(sql` AND records.parent = ${dialect.text(query.parent)}`);
  if (query.resultName !== undefined) {
    scope.push(sql` AND records.result_name = ${dialect.text(query.resultName)}`);
  }
  const g = query.groupBy;
  const head = renderSql(
    sql`WITH vals AS (
    SELECT ${rawSql(typedSummaryColumns(g, "records"))}
    FROM records WHERE 1 = 1${joinSql(scope, "")}`,
  );
  const filter: RenderedSql = { sql: "", bindings: [] };
  if (query.filter !== undefined) {
    const f = dialect.compileFilter(query.filter, { target: "records", table: "records" });
    filter.sql = `AND (${f.sql})`;
    filter.bindings = f.bindings;
  }
  const group = g === undefined ? rawSql(dialect.nullGroup) : groupExpr(g, dialect);
  const tail = renderSql(sql`), grouped AS (
    SELECT ${group} AS g, reason, start_ms, completion_ms - start_ms AS dur FROM vals
  )`);
  return concatRendered(head, filter, tail);
}

/** The aggregate query: one row per group (one row in all without grouping). */
function aggregateSql(query: RecordSummaryQuery, dialect: SqlSummaryDialect): RenderedSql {
  const reasons = (...names: string[]) =>
    joinSql(
      names.map((n) => dialect.text(n)),
      ", ",
    );
  const count = (cond: Sql) => sql`COUNT(CASE WHEN ${cond} THEN 1 END)`;
  const grouped = query.groupBy !== undefined;
  const body = sql`SELECT ${rawSql(grouped ? "g" : dialect.nullGroup)} AS group_value,
    COUNT(*) AS total,
    ${count(sql`reason IN (${reasons("Succeeded", "Completed")})`)} AS succeeded,
    ${count(sql`reason = ${dialect.text("Failed")}`)} AS failed,
    ${count(sql`reason = ${dialect.text("Cancelled")}`)} AS cancelled,
    ${count(sql`reason = ${dialect.text("Running")}`)} AS running,
    ${count(sql`reason NOT IN (${reasons("Succeeded", "Completed", "Failed", "Cancelled", "Running")})`)} AS others,
    COUNT(dur) AS dur_count,
    SUM(dur) AS dur_sum,
    MIN(dur) AS dur_min,
    MAX(dur) AS dur_max,
    MAX(start_ms) AS last_start
  FROM grouped${rawSql(grouped ? " GROUP BY g" : "")}`;
  return concatRendered(withClause(query, dialect), renderSql(body));
}

/** The two summary statements of `dialect`. */
export function sqlSummaryStatements(dialect: SqlSummaryDialect): SqlSummaryStatements {
  return {
    aggregates: (query) => aggregateSql(query, dialect),
    ranks: (query, ps) => summaryRanksSql(withClause(query, dialect), ps, dialect.floorRank),
  };
}
