/**
 * The functions of the reference filter evaluator: string tests, `matches()`
 * (RE2, as every backend), `size()`, conversions, `timestamp()`/`duration()`
 * and the time getters. A call with an absent argument is absent.
 *
 * @module
 */
import type { ValueType } from "@tekton-results/storage";
import { re2Search } from "@tekton-results/storage";
import { durationPart, parseGoDuration, parseRfc3339, timePart } from "./memory-filter-time.js";
import { isObject, numberResult, type Value } from "./memory-filter-values.js";

/** Call the function `fn` with the static types of its arguments (the receiver first). */
export function call(fn: string, types: ValueType[], args: Value[]): Value {
  if (args.some((a) => a === undefined)) return undefined;
  const [a, b] = args;
  const [at] = types;
  switch (fn) {
    case "startsWith":
      return typeof a === "string" && typeof b === "string" ? a.startsWith(b) : undefined;
    case "endsWith":
      return typeof a === "string" && typeof b === "string" ? a.endsWith(b) : undefined;
    case "contains":
      return typeof a === "string" && typeof b === "string" ? a.includes(b) : undefined;
    case "matches": {
      if (typeof a !== "string" || typeof b !== "string") return undefined;
      return re2Search(b, a);
    }
    case "size":
      if (typeof a === "string") return [...a].length;
      if (Array.isArray(a)) return a.length;
      if (isObject(a)) return Object.keys(a).length;
      return undefined;
    case "timestamp":
      if (at === "timestamp") return a;
      return typeof a === "string" ? parseRfc3339(a) : undefined;
    case "duration":
      if (at === "duration") return a;
      return typeof a === "string" ? parseGoDuration(a) : undefined;
    case "string":
      if (typeof a === "string") return a;
      if (typeof a === "boolean") return a ? "true" : "false";
      if (typeof a === "number" && at !== "timestamp" && at !== "duration") return String(a);
      return undefined;
    case "int":
      if (typeof a === "number") {
        return numberResult(at === "timestamp" ? Math.floor(a / 1000) : Math.trunc(a), "int");
      }
      if (typeof a === "string" && /^[+-]?\d+$/.test(a)) return numberResult(Number(a), "int");
      return undefined;
    case "double":
      if (typeof a === "number") return a;
      if (typeof a === "string" && /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(a))
        return numberResult(Number(a), "double");
      return undefined;
    case "lowerAscii":
      return typeof a === "string" ? a.replace(/[A-Z]/g, (c) => c.toLowerCase()) : undefined;
    case "upperAscii":
      return typeof a === "string" ? a.replace(/[a-z]/g, (c) => c.toUpperCase()) : undefined;
    default:
      if (typeof a !== "number") return undefined;
      if (at === "duration") return durationPart(fn, a);
      return timePart(fn, a, b);
  }
}
