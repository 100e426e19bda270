/**
 * The filter half of the SQL core: the CEL filter AST compiled to SQL,
 * driven by a dialect subclass per database.
 *
 * @module
 */
export { compileTypedTruth, typedPredicateSql, type TypedSqlDialect } from "./typed-sql.js";
export {
  SqlFilterCompiler,
  unsupportedFilter,
  type SqlScope,
  type SqlVal,
  type SqlValKind,
} from "./sql-compiler.js";
