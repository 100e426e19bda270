/**
 * Record summaries (GetRecordListSummary) in SQLite: the summary statements
 * of the SQL core (`sqlSummaryStatements`) in SQLite's spelling. The typed
 * columns they read are computed by SQLite from `records.data` whenever a
 * record is written; time buckets are integer arithmetic on Unix
 * milliseconds (calendar months and years through `unixepoch`).
 *
 * @module
 */
import type { SummaryPeriod } from "@tekton-results/storage";
import {
  param,
  rawSql,
  sql,
  sqlSummaryStatements,
  type Sql,
  type SqlSummaryDialect,
} from "@tekton-results/storage-sql";
import { compileSqliteFilter } from "./sqlite-filter.js";

/** Floor division of an integer expression by a positive integer constant. */
function floorDiv(x: Sql, n: number): Sql {
  const d = rawSql(String(n));
  return sql`((${x} - (((${x} % ${d}) + ${d}) % ${d})) / ${d})`;
}

/** The time bucket of the grouping time `t` (Unix ms) as Unix seconds. */
function timeBucket(period: SummaryPeriod): Sql {
  const t = rawSql("t", true);
  switch (period) {
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

/** How SQLite spells the summary statements. */
export const sqliteSummaryDialect: SqlSummaryDialect = {
  text: param,
  nullGroup: "NULL",
  timeBucket,
  floorRank: (p) => sql`CAST(${param(p)} * (n - 1) AS INTEGER)`,
  compileFilter: compileSqliteFilter,
};

/** The summary statements of SQLite (`aggregates`, `ranks`). */
export const sqliteSummaryStatements = sqlSummaryStatements(sqliteSummaryDialect);
