/**
 * The tables the SQL filter dialects share: which columns a filter may read
 * on each target, the SQL comparison operators, the duration accessors and
 * the number syntaxes `int()` and `double()` accept.
 *
 * @module
 */
import type { ColumnName, CompareOp, FilterExpr, FunctionName } from "@tekton-results/storage";
import type { SqlValKind } from "./sql-compiler.js";

/** A filterable column: its kind, its SQL name and whether it holds integers. */
export interface SqlColumnSpec {
  /** The kind of its values. */
  kind: SqlValKind;
  /** The column's name in the table. */
  column: string;
  /** `num` only: the column holds integers (a dialect may cast it). */
  int?: boolean;
}

/** The columns of `results` a filter may read. */
export const RESULT_FILTER_COLUMNS: Partial<Record<ColumnName, SqlColumnSpec>> = {
  parent: { kind: "str", column: "parent" },
  uid: { kind: "str", column: "uid" },
  create_time: { kind: "ts", column: "create_time" },
  update_time: { kind: "ts", column: "update_time" },
  "summary.record": { kind: "str", column: "summary_record" },
  "summary.type": { kind: "str", column: "summary_type" },
  "summary.status": { kind: "num", column: "summary_status", int: true },
  "summary.start_time": { kind: "ts", column: "summary_start_time" },
  "summary.end_time": { kind: "ts", column: "summary_end_time" },
};

/** The columns of `records` a filter may read. */
export const RECORD_FILTER_COLUMNS: Partial<Record<ColumnName, SqlColumnSpec>> = {
  parent: { kind: "str", column: "parent" },
  uid: { kind: "str", column: "uid" },
  result_name: { kind: "str", column: "result_name" },
  name: { kind: "str", column: "name" },
  data_type: { kind: "str", column: "type" },
  create_time: { kind: "ts", column: "create_time" },
  update_time: { kind: "ts", column: "update_time" },
};

/** The SQL operator of each comparison. */
export const COMPARE_SQL: Record<CompareOp, string> = {
  "==": "=",
  "!=": "<>",
  "<": "<",
  "<=": "<=",
  ">": ">",
  ">=": ">=",
};

/** Milliseconds per unit of the accessors a duration has. */
export const DURATION_PARTS: Partial<Record<FunctionName, number>> = {
  getHours: 3_600_000,
  getMinutes: 60_000,
  getSeconds: 1000,
  getMilliseconds: 1,
};

/** The timestamp accessors (`getFullYear`, ...). */
export const TIMESTAMP_ACCESSORS: ReadonlySet<FunctionName> = new Set<FunctionName>([
  "getFullYear",
  "getMonth",
  "getDate",
  "getDayOfMonth",
  "getDayOfWeek",
  "getDayOfYear",
  "getHours",
  "getMinutes",
  "getSeconds",
  "getMilliseconds",
]);

/** A fixed-offset time zone, `+05:30`. */
export const FIXED_OFFSET = /^([+-])(\d{2}):(\d{2})$/;
/** The strings `int()` parses. */
export const INT_STRING = "^[+-]?[0-9]+$";
/** The strings `double()` parses. */
export const DOUBLE_STRING = "^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?$";

/** The AST type of an item of a constant list, from its JavaScript value. */
export function inferConstantType(value: unknown): FilterExpr["type"] {
  if (typeof value === "boolean") return "bool";
  if (typeof value === "number") return "double";
  if (typeof value === "string") return "string";
  if (value === null) return "null";
  if (Array.isArray(value)) return "list";
  return "map";
}
