/**
 * Record summaries (GetRecordListSummary) in SQLite: grouping and aggregation
 * run in SQL over the typed columns of `records` (condition reason, start,
 * completion and creation times, namespace, pipeline, repository), which
 * SQLite fills from `records.data` whenever a record is written;
 * percentiles come from a window-function query that returns only the (at
 * most two) neighbouring durations each percentile reads, per group. No
 * record is loaded into memory. The semantics are the port's (`summary.ts`
 * of `@tekton-results/storage`), pinned by the conformance suite.
 *
 * @module
 */
import {
  type RecordSummaryQuery,
  type RecordSummaryRow,
  type SummaryGroupBy,
} from "@tekton-results/storage";
import {
  summarizeWithRunner,
  summaryRanksSql,
  concatRendered,
  type SqlQueryRunner,
  typedSummaryColumns,
  joinSql,
  param,
  rawSql,
  renderSql,
  sql,
  type RenderedSql,
  type Sql,
} from "@tekton-results/storage-sql";
import { compileSqliteFilter } from "./sqlite-filter.js";

/** Floor division of an integer expression by a positive integer constant. */
function floorDiv(x: Sql, n: number): Sql {
  const d = rawSql(String(n));
  return sql`((${x} - (((${x} % ${d}) + ${d}) % ${d})) / ${d})`;
}

/** The group value of a row of `vals` (columns `t` = the grouping time, `ns`, `label`). */
function groupExpr(groupBy: SummaryGroupBy): Sql {
  const t = rawSql("t", true);
  switch (groupBy.kind) {
    case "namespace":
      return rawSql("ns");
    case "pipeline":
    case "repository":
      return rawSql(`(coalesce(ns, '') || '/' || coalesce(label, ''))`);
    case "time":
      switch (groupBy.period) {
        case "minute":
          return sql`(${floorDiv(t, 60_000)} * 60)`;
        case "hour":
          return sql`(${floorDiv(t, 3_600_000)} * 3600)`;
        case "day":
          return sql`(${floorDiv(t, 86_400_000)} * 86400)`;
        case "week": {
          // 1970-01-01 was a Thursday: (days + 3) mod 7 is 0 on Mondays.
          const days = floorDiv(t, 86_400_000);
          return sql`((${days} - (((${days} + 3) % 7 + 7) % 7)) * 86400)`;
        }
        case "month":
          return sql`unixepoch(${floorDiv(t, 1000)}, 'unixepoch', 'start of month')`;
        case "year":
          return sql`unixepoch(${floorDiv(t, 1000)}, 'unixepoch', 'start of year')`;
      }
  }
}

/**
 * The common table expressions: `vals` holds per selected record `reason`,
 * `start_ms`, `completion_ms` and the grouping inputs `t` / `ns` / `label`,
 * all read from the typed columns filled when the record was written;
 * `grouped` the group value `g` (NULL without grouping), `reason`,
 * `start_ms` and the duration `dur`.
 */
function withClause(query: RecordSummaryQuery): RenderedSql {
  const scope: Sql[] = [];
  if (query.parent !== undefined) scope.push(sql` AND records.parent = ${param(query.parent)}`);
  if (query.resultName !== undefined) {
    scope.push(sql` AND records.result_name = ${param(query.resultName)}`);
  }
  const g = query.groupBy;
  const head = renderSql(
    sql`WITH vals AS (
    SELECT ${rawSql(typedSummaryColumns(g, "records"))}
    FROM records WHERE 1 = 1${joinSql(scope, "")}`,
  );
  const filter: RenderedSql = { sql: "", bindings: [] };
  if (query.filter !== undefined) {
    const f = compileSqliteFilter(query.filter, { target: "records", table: "records" });
    filter.sql = `AND (${f.sql})`;
    filter.bindings = f.bindings;
  }
  const group = g === undefined ? rawSql("NULL") : groupExpr(g);
  const tail = renderSql(sql`), grouped AS (
    SELECT ${group} AS g, reason, start_ms, completion_ms - start_ms AS dur FROM vals
  )`);
  return concatRendered(head, filter, tail);
}

/** The aggregate query: one row per group (one row in all without grouping). */
export function summaryAggregateSql(query: RecordSummaryQuery): RenderedSql {
  const reasons = (...names: string[]) =>
    joinSql(
      names.map((n) => param(n)),
      ", ",
    );
  const count = (cond: Sql) => sql`COUNT(CASE WHEN ${cond} THEN 1 END)`;
  const body = sql`SELECT g AS group_value,
    COUNT(*) AS total,
    ${count(sql`reason IN (${reasons("Succeeded", "Completed")})`)} AS succeeded,
    ${count(sql`reason = ${param("Failed")}`)} AS failed,
    ${count(sql`reason = ${param("Cancelled")}`)} AS cancelled,
    ${count(sql`reason = ${param("Running")}`)} AS running,
    ${count(sql`reason NOT IN (${reasons("Succeeded", "Completed", "Failed", "Cancelled", "Running")})`)} AS others,
    COUNT(dur) AS dur_count,
    SUM(dur) AS dur_sum,
    MIN(dur) AS dur_min,
    MAX(dur) AS dur_max,
    MAX(start_ms) AS last_start
  FROM grouped${query.groupBy === undefined ? rawSql("") : rawSql(" GROUP BY g")}`;
  return concatRendered(withClause(query), renderSql(body));
}

/**
 * The percentile query: for every group, the durations at the ranks the
 * percentiles `ps` read (0-based rank `i` among `n` durations sorted
 * ascending, a superset: floor and floor + 1 of `p * (n - 1)`).
 */
export function summaryPercentileSql(
  query: RecordSummaryQuery,
  ps: readonly number[],
): RenderedSql {
  return summaryRanksSql(withClause(query), ps, (p) => sql`CAST(${param(p)} * (n - 1) AS INTEGER)`);
}

/** Runs a rendered query and returns its rows. */
export type SqliteQueryRunner = SqlQueryRunner;

/**
 * Summarize records with SQL run by `all` (which must run the rendered text
 * with its `?` bindings, as `knex.raw` does, and return the rows).
 */
export function summarizeSqliteRecords(
  all: SqliteQueryRunner,
  query: RecordSummaryQuery,
): Promise<RecordSummaryRow[]> {
  return summarizeWithRunner(all, query, {
    aggregates: summaryAggregateSql,
    ranks: summaryPercentileSql,
  });
}
