/**
 * The functions of a CEL filter: string tests, `matches()` (RE2), `size()`,
 * conversions, `timestamp()`/`duration()` and the time getters.
 *
 * @module
 */
import type { FilterExpr, FunctionName, ValueType } from "./ast.js";
import {
  constant,
  isJsonish,
  isStringish,
  toTimestamp,
  type CelContext,
  type Expr,
} from "./cel-context.js";
import { re2PatternError } from "./regex.js";
import { normalizeTimeZone, parseDuration, parseTimestamp } from "./time.js";

/** The getters of a timestamp, each with an optional time zone. */
const TIME_GETTERS = new Set<FunctionName>([
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
/** The getters a duration has too (without a time zone). */
const DURATION_GETTERS = new Set<string>([
  "getHours",
  "getMinutes",
  "getSeconds",
  "getMilliseconds",
]);

/**
 * Type-check a call of a CEL function (`member` when called as a method, the
 * receiver then first in `args`), folding literal `timestamp()`/`duration()`
 * and checking `matches()` patterns and time zones.
 */
export function callFunction(
  ctx: CelContext,
  e: Expr,
  fn: string,
  member: boolean,
  args: FilterExpr[],
): FilterExpr {
  const types = args.map((a) => a.type);
  const noOverload = (): never =>
    ctx.fail(
      `no matching overload for ${member ? `${types[0]}.${fn}(${types.slice(1).join(", ")})` : `${fn}(${types.join(", ")})`}`,
      e,
    );
  const call = (
    name: FunctionName,
    type: ValueType,
    callArgs: FilterExpr[] = args,
  ): FilterExpr => ({
    kind: "call",
    type,
    fn: name,
    args: callArgs,
  });
  const [first, second] = args;
  switch (fn) {
    case "startsWith":
    case "endsWith":
    case "contains":
      if (!member || args.length !== 2 || !types.every(isStringish)) return noOverload();
      return call(fn, "bool");
    case "matches": {
      if (args.length !== 2 || !types.every(isStringish) || second === undefined)
        return noOverload();
      if (second.kind !== "const" || typeof second.value !== "string") {
        return ctx.fail("the pattern of matches() must be a string literal", e);
      }
      checkPattern(ctx, e, second.value);
      return call("matches", "bool");
    }
    case "size":
      if (args.length !== 1 || first === undefined) return noOverload();
      if (
        first.type !== "string" &&
        first.kind !== "list" &&
        !isJsonish(first) &&
        first.type !== "dyn"
      )
        return noOverload();
      return call("size", "int");
    case "timestamp": {
      if (member || args.length !== 1 || first === undefined) return noOverload();
      if (first.type === "timestamp") return first;
      if (first.kind === "const" && typeof first.value === "string") {
        const ms = parseTimestamp(first.value);
        if (ms === undefined)
          ctx.fail(
            `invalid timestamp "${first.value}" (want RFC 3339, like 2026-01-05T10:00:00Z)`,
            e,
          );
        return constant("timestamp", ms);
      }
      if (!isStringish(first.type)) return noOverload();
      return call("timestamp", "timestamp");
    }
    case "duration": {
      if (member || args.length !== 1 || first === undefined) return noOverload();
      if (first.type === "duration") return first;
      if (first.kind !== "const" || typeof first.value !== "string") {
        return ctx.fail('duration() needs a string literal, like duration("1h30m")', e);
      }
      const ms = parseDuration(first.value);
      if (ms === undefined)
        ctx.fail(`invalid duration "${first.value}" (want e.g. "1h30m", "90s", "250ms")`, e);
      return constant("duration", ms);
    }
    case "string":
      if (member || args.length !== 1 || first === undefined) return noOverload();
      if (first.type === "string") return first;
      if (!["int", "double", "bool", "dyn"].includes(first.type)) return noOverload();
      return call("string", "string");
    case "int":
      if (member || args.length !== 1 || first === undefined) return noOverload();
      if (first.type === "int") return first;
      if (!["double", "string", "timestamp", "dyn"].includes(first.type)) return noOverload();
      return call("int", "int");
    case "double":
      if (member || args.length !== 1 || first === undefined) return noOverload();
      if (first.type === "double") return first;
      if (!["int", "string", "dyn"].includes(first.type)) return noOverload();
      return call("double", "double");
    case "lowerAscii":
    case "upperAscii":
      if (!member || args.length !== 1 || !types.every(isStringish)) return noOverload();
      return call(fn, "string");
    default:
      break;
  }
  if (TIME_GETTERS.has(fn as FunctionName)) {
    const getter = fn as FunctionName;
    if (!member || args.length < 1 || args.length > 2 || first === undefined) return noOverload();
    if (first.type === "duration") {
      if (args.length !== 1 || !DURATION_GETTERS.has(fn)) return noOverload();
      return call(getter, "int");
    }
    let receiver = first;
    if (receiver.type === "dyn") receiver = toTimestamp(receiver);
    if (receiver.type !== "timestamp") return noOverload();
    if (second === undefined) return call(getter, "int", [receiver]);
    if (second.kind !== "const" || typeof second.value !== "string") {
      return ctx.fail(`the time zone of ${fn}() must be a string literal`, e);
    }
    const zone = normalizeTimeZone(second.value);
    if (zone === undefined) {
      ctx.fail(
        `unsupported time zone "${second.value}" (only "UTC" and fixed offsets like "+05:30")`,
        e,
      );
    }
    return call(getter, "int", [receiver, constant("string", zone)]);
  }
  return ctx.fail(`unsupported function "${fn}"`, e);
}

/** Reject a pattern RE2 refuses (the syntax of `matches()` on every backend). */
function checkPattern(ctx: CelContext, e: Expr, pattern: string): void {
  const problem = re2PatternError(pattern);
  if (problem !== undefined) {
    ctx.fail(`invalid regular expression ${JSON.stringify(pattern)} (RE2 syntax): ${problem}`, e);
  }
}
