/**
 * The SQL both storage adapters share: composable SQL fragments, keyset page
 * terms, the summary statements and the CEL filter compiler's SQL half,
 * driven by a small dialect object per database.
 *
 * @module
 */
export {
  Sql,
  bind,
  param,
  rawSql,
  sql,
  joinSql,
  renderSql,
  concatRendered,
  type SqlBind,
  type RenderedSql,
} from "./sql-fragment.js";
export {
  summarizeFromSql,
  summarizeWithRunner,
  summaryRanksSql,
  type SqlQueryRunner,
  type SqlNumber,
  type SqlSummaryAggregateRow,
  type SqlSummaryRankRow,
  type SqlSummarySource,
} from "./summary-sql.js";
export { keysetCondition, keysetTerms, type KeysetTerm } from "./sql-keyset.js";
export { SUMMARY_TIME_COLUMNS, typedSummaryColumns } from "./summary-typed.js";
export { compileTypedTruth, typedPredicateSql, type TypedSqlDialect } from "./filter/typed-sql.js";
export {
  SqlFilterCompiler,
  unsupportedFilter,
  type SqlScope,
  type SqlVal,
  type SqlValKind,
} from "./filter/sql-compiler.js";
