/**
 * The statement-building half of the SQL core: fragments with bound
 * parameters, keyset page terms and the summary statements.
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
  joinLogic,
  MAX_FLAT_LOGIC_OPERANDS,
  renderSql,
  concatRendered,
  type SqlBind,
  type RenderedSql,
} from "../sql-fragment.js";
export {
  summarizeFromSql,
  summarizeWithRunner,
  summaryRanksSql,
  type SqlQueryRunner,
  type SqlNumber,
  type SqlSummaryAggregateRow,
  type SqlSummaryRankRow,
  type SqlSummarySource,
} from "../summary-sql.js";
export { keysetCondition, keysetTerms, type KeysetTerm } from "../sql-keyset.js";
export { SUMMARY_TIME_COLUMNS, typedSummaryColumns } from "../summary-typed.js";
