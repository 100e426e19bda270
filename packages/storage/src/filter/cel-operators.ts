/**
 * The operators of a CEL filter: `&&`/`||` chains, comparisons, `in`,
 * arithmetic and `?:`, type-checked into the filter AST.
 *
 * @module
 */
import type { FilterExpr, ListExpr, ValueType } from "./ast.js";
import {
  isBoolish,
  isJsonish,
  isNumeric,
  isStringish,
  kindOf,
  toTimestamp,
  type CelContext,
  type Expr,
} from "./cel-context.js";
import { MAX_LOGIC_OPERANDS } from "./cel-limits.js";

/** The comparison operators, by their CEL function names. */
export const COMPARISONS: Record<string, "==" | "!=" | "<" | "<=" | ">" | ">="> = {
  "_==_": "==",
  "_!=_": "!=",
  "_<_": "<",
  "_<=_": "<=",
  "_>_": ">",
  "_>=_": ">=",
};

/** The arithmetic operators, by their CEL function names. */
export const ARITHMETIC: Record<string, "+" | "-" | "*" | "/" | "%"> = {
  "_+_": "+",
  "_-_": "-",
  "_*_": "*",
  "_/_": "/",
  "_%_": "%",
};

/** Nest a long operand list of `and`/`or` so no node has more than {@link MAX_LOGIC_OPERANDS}. */
function logic(kind: "and" | "or", args: FilterExpr[]): FilterExpr {
  if (args.length === 1 && args[0] !== undefined) return args[0];
  if (args.length <= MAX_LOGIC_OPERANDS) return { kind, type: "bool", args };
  const groups: FilterExpr[] = [];
  for (let i = 0; i < args.length; i += MAX_LOGIC_OPERANDS) {
    groups.push(logic(kind, args.slice(i, i + MAX_LOGIC_OPERANDS)));
  }
  return logic(kind, groups);
}

/** `a && b && ...` / `a || b || ...`: the chain flattened, then nested by {@link MAX_LOGIC_OPERANDS}. */
export function logical(
  ctx: CelContext,
  e: Expr,
  fn: "_&&_" | "_||_",
  scope: ReadonlySet<string>,
): FilterExpr {
  // Flatten a chain of the same operator without recursion.
  const operands: Expr[] = [];
  const stack: Expr[] = [e];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const k = next.exprKind;
    if (k.case === "callExpr" && k.value.function === fn && k.value.target === undefined) {
      for (let i = k.value.args.length - 1; i >= 0; i -= 1) {
        const arg = k.value.args[i];
        if (arg !== undefined) stack.push(arg);
      }
    } else {
      operands.push(next);
    }
  }
  const symbol = fn === "_&&_" ? "&&" : "||";
  const args = operands.map((operand) => {
    const converted = ctx.convert(operand, scope);
    if (!isBoolish(converted.type))
      ctx.fail(`operator ${symbol} needs bool operands, got ${converted.type}`, operand);
    return converted;
  });
  return logic(fn === "_&&_" ? "and" : "or", args);
}

/** `==`, `!=`, `<`, `<=`, `>`, `>=`: operands of one kind, or a JSON value. */
export function compare(
  ctx: CelContext,
  e: Expr,
  op: "==" | "!=" | "<" | "<=" | ">" | ">=",
  l: FilterExpr,
  r: FilterExpr,
): FilterExpr {
  let left = l;
  let right = r;
  for (const side of [left, right]) {
    if (side.type === "list" || side.type === "map")
      ctx.fail(`cannot compare ${side.type} values with ${op}`, e);
  }
  if (left.type === "dyn" && right.type === "timestamp") left = toTimestamp(left);
  if (right.type === "dyn" && left.type === "timestamp") right = toTimestamp(right);
  if (
    (left.type === "dyn" && right.type === "duration") ||
    (left.type === "duration" && right.type === "dyn")
  ) {
    ctx.fail("cannot compare a JSON value with a duration", e);
  }
  if (left.type !== "dyn" && right.type !== "dyn" && kindOf(left.type) !== kindOf(right.type)) {
    ctx.fail(`cannot compare ${left.type} with ${right.type}`, e);
  }
  if (op !== "==" && op !== "!=" && (left.type === "null" || right.type === "null")) {
    ctx.fail(`null cannot be ordered with ${op}`, e);
  }
  return { kind: "compare", type: "bool", op, left, right };
}

/** `value in list` / `key in map`. */
export function membership(
  ctx: CelContext,
  e: Expr,
  v: FilterExpr,
  collection: FilterExpr,
): FilterExpr {
  let value = v;
  if (collection.kind === "list") {
    if (
      value.type === "dyn" &&
      collection.items.length > 0 &&
      collection.items.every((i) => i.type === "timestamp")
    ) {
      value = toTimestamp(value);
    }
    for (const item of collection.items) {
      if (
        item.type === "list" ||
        item.type === "map" ||
        value.type === "list" ||
        value.type === "map"
      ) {
        ctx.fail('"in" does not support lists or maps as elements', e);
      }
      if (item.type !== "dyn" && value.type !== "dyn" && kindOf(item.type) !== kindOf(value.type)) {
        ctx.fail(`cannot look for ${value.type} in a list with ${item.type} elements`, e);
      }
    }
    return { kind: "in", type: "bool", value, collection };
  }
  if (isJsonish(collection)) {
    if (value.type === "list" || value.type === "map")
      ctx.fail('"in" does not support lists or maps as elements', e);
    return { kind: "in", type: "bool", value, collection };
  }
  return ctx.fail(`"in" needs a list or a map, got ${collection.type}`, e);
}

/** Unary `-`. */
export function negate(ctx: CelContext, e: Expr, arg: FilterExpr): FilterExpr {
  if (arg.type === "int" || arg.type === "double" || arg.type === "duration")
    return { kind: "neg", type: arg.type, arg };
  if (arg.type === "dyn") return { kind: "neg", type: "double", arg };
  return ctx.fail(`cannot negate ${arg.type}`, e);
}

/** `+`, `-`, `*`, `/`, `%` over numbers, strings, lists, timestamps and durations. */
export function arithmetic(
  ctx: CelContext,
  e: Expr,
  op: "+" | "-" | "*" | "/" | "%",
  l: FilterExpr,
  r: FilterExpr,
): FilterExpr {
  let left = l;
  let right = r;
  const temporal = (t: ValueType) => t === "timestamp" || t === "duration";
  if (left.type === "dyn" && temporal(right.type)) left = toTimestamp(left);
  if (right.type === "dyn" && temporal(left.type)) right = toTimestamp(right);
  const lt = left.type;
  const rt = right.type;
  const node = (type: ValueType): FilterExpr => ({ kind: "arith", type, op, left, right });
  const mismatch = (): never => ctx.fail(`operator ${op} cannot be applied to ${lt} and ${rt}`, e);
  if (op === "%") {
    if ((lt === "int" || lt === "dyn") && (rt === "int" || rt === "dyn")) return node("int");
    return mismatch();
  }
  if (isNumeric(lt) && isNumeric(rt)) return node(lt === "int" && rt === "int" ? "int" : "double");
  if ((isNumeric(lt) && rt === "dyn") || (lt === "dyn" && isNumeric(rt))) return node("double");
  if (lt === "dyn" && rt === "dyn") return node(op === "+" ? "dyn" : "double");
  if (op === "+") {
    if (isStringish(lt) && isStringish(rt)) return node("string");
    if (left.kind === "list" && right.kind === "list") {
      return {
        kind: "list",
        type: "list",
        items: [...left.items, ...right.items],
      } satisfies ListExpr;
    }
    if ((lt === "timestamp" && rt === "duration") || (lt === "duration" && rt === "timestamp"))
      return node("timestamp");
    if (lt === "duration" && rt === "duration") return node("duration");
  }
  if (op === "-") {
    if (lt === "timestamp" && rt === "timestamp") return node("duration");
    if (lt === "timestamp" && rt === "duration") return node("timestamp");
    if (lt === "duration" && rt === "duration") return node("duration");
  }
  return mismatch();
}

/** `test ? then : otherwise`: the branches of one type, or a JSON value. */
export function conditional(
  ctx: CelContext,
  e: Expr,
  test: FilterExpr,
  a: FilterExpr,
  b: FilterExpr,
): FilterExpr {
  if (!isBoolish(test.type)) ctx.fail(`the condition of ?: must be bool, got ${test.type}`, e);
  let then = a;
  let otherwise = b;
  if (then.type === "dyn" && otherwise.type === "timestamp") then = toTimestamp(then);
  if (otherwise.type === "dyn" && then.type === "timestamp") otherwise = toTimestamp(otherwise);
  const tt = then.type;
  const ot = otherwise.type;
  let type: ValueType;
  if (tt === ot) type = tt;
  else if (isNumeric(tt) && isNumeric(ot)) type = "double";
  else if (
    (tt === "dyn" || ot === "dyn") &&
    tt !== "duration" &&
    ot !== "duration" &&
    tt !== "list" &&
    ot !== "list"
  ) {
    type = "dyn";
  } else return ctx.fail(`the branches of ?: have different types ${tt} and ${ot}`, e);
  return { kind: "cond", type, test, then, otherwise };
}
