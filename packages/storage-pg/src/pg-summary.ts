/**
 * Record summaries (GetRecordListSummary) in PostgreSQL: grouping and
 * aggregation run in SQL over the typed columns of `records` (condition
 * reason, start, completion and creation times, namespace, pipeline,
 * repository), which a trigger fills from `records.data` on every write;
 * percentiles come from a window-function query that returns only the (at
 * most two) neighbouring durations each percentile reads, per group, which
 * the shared helpers interpolate exactly like the reference implementation.
 * No record is loaded into memory. The semantics are the port's
 * (`summary.ts` of `@tekton-results/storage`), pinned by the conformance
 * suite.
 *
 * Nothing a record contains can fail the query: the typed columns hold NULL
 * for a missing, non-string or malformed value (times were parsed once, when
 * the record was written). Every value is a bound parameter with an explicit
 * cast.
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
import { compilePgFilter } from "./pg-filter.js";

/** The group value of a row of `vals` (columns `t` = the grouping time, `ns`, `label`). */
function groupExpr(groupBy: SummaryGroupBy): Sql {
  switch (groupBy.kind) {
    case "namespace":
      return rawSql("ns");
    case "pipeline":
    case "repository":
      return rawSql(`(coalesce(ns, '') || '/' || coalesce(label, ''))`);
    case "time":
      // date_trunc of the UTC time (weeks start on Monday), as Unix seconds.
      return sql`extract(epoch FROM date_trunc(${param(groupBy.period)}::text, TIMESTAMP '1970-01-01 00:00:00' + t * INTERVAL '1 millisecond'))::float8`;
  }
}

/**
 * The common table expressions: `vals` holds per selected record `reason`,
 * `start_ms`, `completion_ms` and the grouping inputs `t` / `ns` / `label`,
 * all read from the typed columns the write trigger filled; `grouped` the
 * group value `g` (NULL without grouping), `reason`, `start_ms` and the
 * duration `dur`.
 */
function withClause(query: RecordSummaryQuery): RenderedSql {
  const scope: Sql[] = [];
  if (query.parent !== undefined)
    scope.push(sql` AND records.parent = ${param(query.parent)}::text`);
  if (query.resultName !== undefined) {
    scope.push(sql` AND records.result_name = ${param(query.resultName)}::text`);
  }
  const g = query.groupBy;
  const head = renderSql(
    sql`WITH vals AS (
    SELECT ${rawSql(typedSummaryColumns(g, "records"))}
    FROM records WHERE true${joinSql(scope, "")}`,
  );
  const filter: RenderedSql = { sql: "", bindings: [] };
  if (query.filter !== undefined) {
    const f = compilePgFilter(query.filter, { target: "records", table: "records" });
    filter.sql = `AND (${f.sql})`;
    filter.bindings = f.bindings;
  }
  const group = g === undefined ? rawSql("NULL::text") : groupExpr(g);
  const tail = renderSql(sql`), grouped AS (
    SELECT ${group} AS g, reason, start_ms, completion_ms - start_ms AS dur FROM vals
  )`);
  return concatRendered(head, filter, tail);
}

/** The aggregate query: one row per group (one row in all without grouping). */
export function summaryAggregateSql(query: RecordSummaryQuery): RenderedSql {
  const reasons = (...names: string[]) =>
    joinSql(
      names.map((n) => sql`${param(n)}::text`),
      ", ",
    );
  const count = (cond: Sql) => sql`COUNT(CASE WHEN ${cond} THEN 1 END)`;
  const grouped = query.groupBy !== undefined;
  const body = sql`SELECT ${rawSql(grouped ? "g" : "NULL::text")} AS group_value,
    COUNT(*) AS total,
    ${count(sql`reason IN (${reasons("Succeeded", "Completed")})`)} AS succeeded,
    ${count(sql`reason = ${param("Failed")}::text`)} AS failed,
    ${count(sql`reason = ${param("Cancelled")}::text`)} AS cancelled,
    ${count(sql`reason = ${param("Running")}::text`)} AS running,
    ${count(sql`reason NOT IN (${reasons("Succeeded", "Completed", "Failed", "Cancelled", "Running")})`)} AS others,
    COUNT(dur) AS dur_count,
    SUM(dur) AS dur_sum,
    MIN(dur) AS dur_min,
    MAX(dur) AS dur_max,
    MAX(start_ms) AS last_start
  FROM grouped${rawSql(grouped ? " GROUP BY g" : "")}`;
  return concatRendered(withClause(query), renderSql(body));
}

/**
 * The percentile query: for every group, the durations at the ranks the
 * percentiles `ps` read (0-based rank `i` among `n` durations sorted
 * ascending: floor and floor + 1 of `p * (n - 1)`, a superset of what
 * {@link percentileIndexes} needs).
 */
export function summaryPercentileSql(
  query: RecordSummaryQuery,
  ps: readonly number[],
): RenderedSql {
  return summaryRanksSql(withClause(query), ps, (p) => sql`floor(${param(p)}::float8 * (n - 1))`);
}

/** Runs a rendered query and returns its rows. */
export type PgQueryRunner = SqlQueryRunner;

/**
 * Summarize records with SQL run by `all` (which must run the rendered text
 * with its `?` bindings, as `knex.raw` does, and return the rows).
 */
export function summarizePgRecords(
  all: PgQueryRunner,
  query: RecordSummaryQuery,
): Promise<RecordSummaryRow[]> {
  return summarizeWithRunner(all, query, {
    aggregates: summaryAggregateSql,
    ranks: summaryPercentileSql,
  });
}
