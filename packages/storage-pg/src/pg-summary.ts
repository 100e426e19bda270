/**
 * Record summaries (GetRecordListSummary) in PostgreSQL: the summary
 * statements of the SQL core (`sqlSummaryStatements`) in PostgreSQL's
 * spelling. The typed columns they read are filled by a trigger from
 * `records.data` on every write, so nothing a record contains can fail the
 * query: they hold NULL for a missing, non-string or malformed value (times
 * were parsed once, when the record was written). Every value is a bound
 * parameter with an explicit cast.
 *
 * @module
 */
import {
  param,
  sql,
  sqlSummaryStatements,
  type SqlSummaryDialect,
} from "@tekton-results/storage-sql";
import { compilePgFilter } from "./pg-filter.js";

/** How PostgreSQL spells the summary statements. */
export const pgSummaryDialect: SqlSummaryDialect = {
  text: (value) => sql`${param(value)}::text`,
  nullGroup: "NULL::text",
  // date_trunc of the UTC time (weeks start on Monday), as Unix seconds.
  timeBucket: (period) =>
    sql`extract(epoch FROM date_trunc(${param(period)}::text, TIMESTAMP '1970-01-01 00:00:00' + t * INTERVAL '1 millisecond'))::float8`,
  floorRank: (p) => sql`floor(${param(p)}::float8 * (n - 1))`,
  compileFilter: compilePgFilter,
};

/** The summary statements of PostgreSQL (`aggregates`, `ranks`). */
export const pgSummaryStatements = sqlSummaryStatements(pgSummaryDialect);
