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
  type SqlFilterOptions,
  type SqlScope,
  type SqlVal,
  type SqlValKind,
} from "./sql-compiler.js";
export { FIXED_OFFSET, type SqlColumnSpec } from "./filter-tables.js";
export { SqlValueCompiler, type SqlScalarKind } from "./value-compiler.js";
export { SqlOperatorCompiler, type ComprehensionKind } from "./operator-compiler.js";
export { JsonSqlFilterCompiler } from "./function-compiler.js";
