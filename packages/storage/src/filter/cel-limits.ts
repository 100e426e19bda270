/**
 * The size limits of a CEL filter, checked before and after parsing so a
 * hostile filter cannot exhaust the (recursive) parser or compiler.
 *
 * @module
 */
import type { Expr } from "./cel-context.js";

/** The longest filter accepted, in characters. */
export const MAX_FILTER_LENGTH = 16_384;
/** The deepest nesting of `(`, `[` and `{` accepted (the parser is recursive). */
export const MAX_FILTER_NESTING = 32;

/** The deepest parsed expression tree accepted (`!!!!x`, `a+b+c+...` chains). */
export const MAX_FILTER_DEPTH = 100;
/** At most this many operands per `and`/`or` node; longer chains are nested. */
export const MAX_LOGIC_OPERANDS = 32;
/** The deepest `(`/`[`/`{` nesting of a CEL text, outside string literals. */
export function bracketNesting(text: string): number {
  let depth = 0;
  let max = 0;
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '"' || ch === "'") {
      const prev = text[i - 1];
      const raw = prev === "r" || prev === "R";
      const triple = text.startsWith(ch.repeat(3), i);
      const close = triple ? ch.repeat(3) : ch;
      i += close.length;
      while (i < text.length && !text.startsWith(close, i)) {
        i += !raw && text[i] === "\\" ? 2 : 1;
      }
      i += close.length;
      continue;
    }
    if (ch === "(" || ch === "[" || ch === "{") {
      depth += 1;
      max = Math.max(max, depth);
    } else if (ch === ")" || ch === "]" || ch === "}") {
      depth -= 1;
    }
    i += 1;
  }
  return max;
}

/** The children of a parsed expression. */
function children(e: Expr): Expr[] {
  const k = e.exprKind;
  const out: (Expr | undefined)[] = [];
  switch (k.case) {
    case "selectExpr":
      out.push(k.value.operand);
      break;
    case "callExpr":
      out.push(k.value.target, ...k.value.args);
      break;
    case "listExpr":
      out.push(...k.value.elements);
      break;
    case "structExpr":
      for (const entry of k.value.entries) {
        out.push(entry.value);
        if (entry.keyKind.case === "mapKey") out.push(entry.keyKind.value);
      }
      break;
    case "comprehensionExpr":
      out.push(
        k.value.iterRange,
        k.value.accuInit,
        k.value.loopCondition,
        k.value.loopStep,
        k.value.result,
      );
      break;
    default:
      break;
  }
  return out.filter((c): c is Expr => c !== undefined);
}

/** The depth of a parsed tree, computed without recursion. */
export function treeDepth(root: Expr): number {
  let max = 0;
  const stack: [Expr, number][] = [[root, 1]];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const [e, depth] = item;
    max = Math.max(max, depth);
    for (const c of children(e)) stack.push([c, depth + 1]);
  }
  return max;
}
