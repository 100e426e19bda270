/**
 * The comprehension macros of a CEL filter: `all`, `exists` and
 * `exists_one`/`existsOne` over a list or a JSON value. Other comprehensions
 * are rejected.
 *
 * @module
 */
import type { FilterExpr } from "./ast.js";
import {
  isBoolish,
  isJsonish,
  type CelContext,
  type ComprehensionValue,
  type Expr,
} from "./cel-context.js";

/**
 * Compile a comprehension the parser expanded from a macro: recognised by the
 * macro call it came from, its predicate compiled with the iteration
 * variable in scope.
 */
export function comprehension(
  ctx: CelContext,
  e: Expr,
  c: ComprehensionValue,
  scope: ReadonlySet<string>,
): FilterExpr {
  const macro = ctx.parsed.sourceInfo?.macroCalls[e.id.toString()];
  const name = macro?.exprKind.case === "callExpr" ? macro.exprKind.value.function : "";
  const step = c.loopStep?.exprKind;
  let kind: "exists" | "all" | "exists_one";
  let predicate: Expr | undefined;
  if ((name === "exists" || name === "all") && step?.case === "callExpr") {
    kind = name;
    predicate = step.value.args[1];
  } else if ((name === "exists_one" || name === "existsOne") && step?.case === "callExpr") {
    kind = "exists_one";
    predicate = step.value.args[0];
  } else {
    return ctx.fail(`unsupported macro "${name || "comprehension"}"`, e);
  }
  if (c.iterRange === undefined || predicate === undefined)
    return ctx.fail(`malformed ${name}()`, e);
  const range = ctx.convert(c.iterRange, scope);
  if (range.kind !== "list" && !isJsonish(range)) {
    ctx.fail(`${name}() needs a list or a map, got ${range.type}`, e);
  }
  const inner = new Set(scope);
  inner.add(c.iterVar);
  const body = ctx.convert(predicate, inner);
  if (!isBoolish(body.type))
    ctx.fail(`the predicate of ${name}() must be bool, got ${body.type}`, predicate);
  return { kind, type: "bool", range, variable: c.iterVar, predicate: body };
}
