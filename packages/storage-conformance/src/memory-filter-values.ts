/**
 * The run-time values of the reference filter evaluator and what it does with
 * them: CEL comparison (heterogeneous equality, ordering within a kind),
 * arithmetic (range-checked, no int/double mixing), and JSON path walks.
 *
 * @module
 */
import type { FilterValue, ValueType } from "@tekton-results/storage";

/** A run-time value: a list literal may hold absent items; `undefined` is absent. */
export type Value = FilterValue | undefined | Value[];

/** Whether a value is a JSON object (a map). */
export function isObject(v: Value): v is { [key: string]: FilterValue } {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The kind a value is compared as: from its static type, or its JSON kind for `dyn`. */
function kindOf(v: Value, type: ValueType): string | undefined {
  if (v === undefined) return undefined;
  switch (type) {
    case "int":
    case "double":
      return "number";
    case "dyn":
      if (v === null) return "null";
      if (Array.isArray(v)) return "list";
      if (typeof v === "object") return "map";
      return typeof v === "boolean" ? "bool" : typeof v;
    default:
      return type;
  }
}

/** Compare two strings by code point. */
function compareStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i += 1) {
    if (a.charCodeAt(i) !== b.charCodeAt(i)) {
      return (a.codePointAt(i) ?? 0) - (b.codePointAt(i) ?? 0);
    }
  }
  return a.length - b.length;
}

/**
 * `left op right` with the kinds of both sides; absent on an absent operand.
 * Equality is heterogeneous, as CEL's: two present values of different kinds
 * are unequal (`==` false, `!=` true), except two lists or two maps, which are
 * absent (not compared). Ordering across kinds is absent.
 */
export function compare(
  op: string,
  l: Value,
  lt: ValueType,
  r: Value,
  rt: ValueType,
): boolean | undefined {
  const kl = kindOf(l, lt);
  const kr = kindOf(r, rt);
  if (kl === undefined || kr === undefined) return undefined;
  if (op === "==" || op === "!=") {
    if (kl !== kr || kl === "null") {
      const same = kl === kr;
      return op === "==" ? same : !same;
    }
  }
  if (kl !== kr || kl === "list" || kl === "map" || kl === "null") return undefined;
  let c: number;
  if (typeof l === "string" && typeof r === "string") c = compareStrings(l, r);
  else if (typeof l === "number" && typeof r === "number") c = l < r ? -1 : l > r ? 1 : 0;
  else if (typeof l === "boolean" && typeof r === "boolean") c = Number(l) - Number(r);
  else return undefined;
  switch (op) {
    case "==":
      return c === 0;
    case "!=":
      return c !== 0;
    case "<":
      return c < 0;
    case "<=":
      return c <= 0;
    case ">":
      return c > 0;
    default:
      return c >= 0;
  }
}

/** Walk a JSON path; a missing key or index, or a step into a scalar, is absent. */
export function walk(start: Value, path: readonly (string | number)[]): Value {
  let v = start;
  for (const step of path) {
    if (typeof step === "number") {
      if (!Array.isArray(v) || step < 0 || step >= v.length) return undefined;
      v = v[step];
    } else {
      if (!isObject(v) || !Object.hasOwn(v, step)) return undefined;
      v = v[step];
    }
  }
  return v;
}

/** A number result of the given static type, or absent when it is out of range. */
export function numberResult(v: number, type: ValueType): number | undefined {
  if (!Number.isFinite(v)) return undefined;
  if (type === "int" && !Number.isSafeInteger(v)) return undefined;
  return v + 0;
}

/**
 * `left op right` for `+ - * / %` with the static types of the result and
 * both sides; absent on an absent operand, a division by zero, a result out
 * of range, or an int mixed with a double.
 */
export function arithmetic(
  op: string,
  type: ValueType,
  lt: ValueType,
  rt: ValueType,
  l: Value,
  r: Value,
): Value {
  if (op === "+" && typeof l === "string" && typeof r === "string") {
    return type === "string" || type === "dyn" ? l + r : undefined;
  }
  if (typeof l !== "number" || typeof r !== "number" || type === "string") return undefined;
  // CEL has no int/double overloads: a JSON number (`dyn`) is a double, and
  // `%` is defined on integers only.
  const numeric = (t: ValueType) => t === "int" || t === "double" || t === "dyn";
  if (numeric(lt) && numeric(rt)) {
    if ((lt === "int") !== (rt === "int")) return undefined;
    if (op === "%" && lt !== "int") return undefined;
  }
  switch (op) {
    case "+":
      return numberResult(l + r, type);
    case "-":
      return numberResult(l - r, type);
    case "*":
      return numberResult(l * r, type);
    case "/":
      if (r === 0) return undefined;
      return numberResult(lt === "int" && rt === "int" ? Math.trunc(l / r) : l / r, type);
    default:
      if (r === 0 || !Number.isInteger(l) || !Number.isInteger(r)) return undefined;
      return numberResult(l % r, type);
  }
}
