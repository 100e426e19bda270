/**
 * What the parts of the CEL compiler share: the shapes of `@bufbuild/cel`'s
 * parsed tree, the {@link CelContext} a compiling step works in, and small
 * helpers over the filter AST's value types.
 *
 * @module
 */
import type { parse } from "@bufbuild/cel";
import type { ConstExpr, FilterExpr, ValueType } from "./ast.js";

/** A parsed CEL text: the expression tree and its source information. */
export type Parsed = ReturnType<typeof parse>;
/** A node of the parsed tree. */
export type Expr = Parsed["expr"];
type ExprKind = Expr["exprKind"];
/** A function or operator call of the parsed tree. */
export type CallValue = Extract<ExprKind, { case: "callExpr" }>["value"];
/** A field selection (`a.b`, `has(a.b)`) of the parsed tree. */
export type SelectValue = Extract<ExprKind, { case: "selectExpr" }>["value"];
/** A comprehension (what the `all`/`exists`/`exists_one` macros expand to). */
export type ComprehensionValue = Extract<ExprKind, { case: "comprehensionExpr" }>["value"];
/** A literal of the parsed tree. */
export type ConstantValue = Extract<ExprKind, { case: "constExpr" }>["value"];

/**
 * What a compiling step needs from the compiler: the parsed filter, how to
 * fail at a node (a `FilterError` saying where) and how to compile a
 * sub-expression with the comprehension variables in `scope`.
 */
export interface CelContext {
  /** The parsed filter (its macro calls name the comprehensions). */
  readonly parsed: Parsed;
  /** Throw a `FilterError` for `e`, its message ending with ` at line:column`. */
  fail(message: string, e: Expr): never;
  /** Compile a sub-expression; `scope` holds the comprehension variables in reach. */
  convert(e: Expr, scope: ReadonlySet<string>): FilterExpr;
}

/** A constant of the filter AST. */
export function constant(type: ValueType, value: ConstExpr["value"]): ConstExpr {
  return { kind: "const", type, value };
}

/** The comparison kind of a type: ints and doubles compare with each other. */
export function kindOf(type: ValueType): string {
  return type === "int" || type === "double" ? "number" : type;
}

/** Whether a type is a number (int or double). */
export function isNumeric(type: ValueType): boolean {
  return type === "int" || type === "double";
}

/** Whether a type can be a condition (bool, or a JSON value). */
export function isBoolish(type: ValueType): boolean {
  return type === "bool" || type === "dyn";
}

/** Whether a type can be a string (string, or a JSON value). */
export function isStringish(type: ValueType): boolean {
  return type === "string" || type === "dyn";
}

/** Whether an expression is a walkable JSON value (a path or comprehension variable). */
export function isJsonish(e: FilterExpr): boolean {
  return e.kind === "json" || e.kind === "var";
}

/** Read a `dyn` operand as a timestamp (an RFC 3339 JSON string). */
export function toTimestamp(x: FilterExpr): FilterExpr {
  return { kind: "call", type: "timestamp", fn: "timestamp", args: [x] };
}
