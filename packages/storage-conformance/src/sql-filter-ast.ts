/**
 * Builders of filter ASTs (`FilterExpr`) for tests that compile trees the CEL
 * front end would not produce, or would not produce as simply: constants of
 * any type, JSON paths on `data`, `annotations` and comprehension variables,
 * and every node kind.
 *
 * @module
 */
import type { FilterExpr, FunctionName, PathStep, ValueType } from "@tekton-results/storage";

/** A constant of a static type. */
export const k = (type: ValueType, value: unknown): FilterExpr => ({
  kind: "const",
  type,
  value: value as never,
});
/** A `string` constant. */
export const str = (v: string) => k("string", v);
/** An `int` constant. */
export const int = (v: number) => k("int", v);
/** A `double` constant. */
export const dbl = (v: number) => k("double", v);
/** A `bool` constant. */
export const bool = (v: boolean) => k("bool", v);
/** The `null` constant. */
export const nul = k("null", null);
/** A `timestamp` constant from an ISO time. */
export const ts = (iso: string) => k("timestamp", Date.parse(iso));
/** A `duration` constant in milliseconds. */
export const dur = (ms: number) => k("duration", ms);
/** A path in record `data`. */
export const data = (...path: PathStep[]): FilterExpr => ({
  kind: "json",
  type: "dyn",
  root: { column: "data" },
  path,
});
/** A path in result `annotations`. */
export const ann = (...path: PathStep[]): FilterExpr => ({
  kind: "json",
  type: "dyn",
  root: { column: "annotations" },
  path,
});
/** A comprehension variable, or a path below it. */
export const v = (name: string, ...path: PathStep[]): FilterExpr =>
  path.length === 0
    ? { kind: "var", type: "dyn", name }
    : { kind: "json", type: "dyn", root: { variable: name }, path };
/** A comparison. */
export const cmp = (
  op: "==" | "!=" | "<" | "<=" | ">" | ">=",
  left: FilterExpr,
  right: FilterExpr,
): FilterExpr => ({
  kind: "compare",
  type: "bool",
  op,
  left,
  right,
});
/** A function call. */
export const call = (fn: FunctionName, type: ValueType, ...args: FilterExpr[]): FilterExpr => ({
  kind: "call",
  fn,
  type,
  args,
});
/** Arithmetic. */
export const arith = (
  op: "+" | "-" | "*" | "/" | "%",
  type: ValueType,
  left: FilterExpr,
  right: FilterExpr,
): FilterExpr => ({
  kind: "arith",
  op,
  type,
  left,
  right,
});
/** `&&` of the arguments. */
export const and = (...args: FilterExpr[]): FilterExpr => ({ kind: "and", type: "bool", args });
/** `||` of the arguments. */
export const or = (...args: FilterExpr[]): FilterExpr => ({ kind: "or", type: "bool", args });
/** `!`. */
export const not = (arg: FilterExpr): FilterExpr => ({ kind: "not", type: "bool", arg });
/** A list literal. */
export const list = (...items: FilterExpr[]): FilterExpr => ({ kind: "list", type: "list", items });
/** `value in collection`. */
export const inn = (value: FilterExpr, collection: FilterExpr): FilterExpr => ({
  kind: "in",
  type: "bool",
  value,
  collection,
});
/** `has(target)`. */
export const has = (target: FilterExpr): FilterExpr => ({
  kind: "has",
  type: "bool",
  target: target as never,
});
/** A comprehension (`exists`, `all`, `exists_one`). */
export const compr = (
  kind: "exists" | "all" | "exists_one",
  range: FilterExpr,
  variable: string,
  predicate: FilterExpr,
): FilterExpr => ({ kind, type: "bool", range, variable, predicate });
/** A typed column of the target. */
export const column = (name: string, type: "string" | "int" | "timestamp"): FilterExpr => ({
  kind: "column",
  type,
  column: name as never,
});
