/**
 * The reference evaluator of the filter AST: exactly the semantics documented
 * in `@tekton-results/storage`'s `filter/ast.ts` (three-valued logic, absent
 * values as `undefined`), over one row at a time. The in-memory store uses it,
 * and the conformance suite treats it as the oracle every backend must agree
 * with.
 *
 * It is written independently of the compiler on purpose (its own timestamp
 * and duration parsers), so the two check each other.
 *
 * @module
 */
import type {
  ColumnName,
  FilterExpr,
  FilterValue,
  JsonColumn,
  JsonExpr,
  StoredRecord,
  StoredResult,
  ValueType,
} from "@tekton-results/storage";
import { re2Search } from "@tekton-results/storage";

/**
 * What a filter sees of one stored item. Timestamps are Unix milliseconds; a
 * `null` column (a missing summary or summary time) is absent, and so is a
 * missing JSON document.
 */
export interface FilterRow {
  columns: Partial<Record<ColumnName, string | number | null>>;
  json: Partial<Record<JsonColumn, FilterValue>>;
}

/** The filter row of a Result. `summary.*` columns are `null` without a summary. */
export function resultRow(r: StoredResult): FilterRow {
  const s = r.summary;
  const json: FilterRow["json"] = { annotations: { ...r.annotations } };
  if (s !== undefined) json["summary.annotations"] = { ...s.annotations };
  return {
    columns: {
      parent: r.parent,
      uid: r.uid,
      create_time: r.createTime.getTime(),
      update_time: r.updateTime.getTime(),
      "summary.record": s?.record ?? null,
      "summary.type": s?.type ?? null,
      "summary.status": s?.status ?? null,
      "summary.start_time": s?.startTime?.getTime() ?? null,
      "summary.end_time": s?.endTime?.getTime() ?? null,
    },
    json,
  };
}

/** The filter row of a Record; `data` is its JSON text parsed (absent if it is not JSON). */
export function recordRow(r: StoredRecord): FilterRow {
  const json: FilterRow["json"] = {};
  try {
    json.data = JSON.parse(r.data) as FilterValue;
  } catch {
    // Not JSON: `data` is absent.
  }
  return {
    columns: {
      parent: r.parent,
      result_name: r.resultName,
      name: r.name,
      uid: r.uid,
      data_type: r.type,
      create_time: r.createTime.getTime(),
      update_time: r.updateTime.getTime(),
    },
    json,
  };
}

/** Whether a row matches a filter: only when it evaluates to exactly `true`. No filter matches all. */
export function matchesFilter(expr: FilterExpr | undefined, row: FilterRow): boolean {
  return expr === undefined || evaluateFilter(expr, row) === true;
}

/** Evaluate a filter over a row; `undefined` is absent. */
export function evaluateFilter(expr: FilterExpr, row: FilterRow): FilterValue | undefined {
  // Only list literals hold absent items, and a whole filter is never one.
  return evaluate(expr, row, new Map()) as FilterValue | undefined;
}

/** A run-time value: a list literal may hold absent items. */
type Value = FilterValue | undefined | Value[];

/** Comprehension variables in scope. */
type Scope = ReadonlyMap<string, Value>;

function isObject(v: Value): v is { [key: string]: FilterValue } {
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
function compare(
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
function walk(start: Value, path: readonly (string | number)[]): Value {
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

function jsonRoot(e: JsonExpr, row: FilterRow, scope: Scope): Value {
  return "column" in e.root ? row.json[e.root.column] : scope.get(e.root.variable);
}

/** Evaluate to a boolean or absent (a non-boolean is absent). */
function truth(e: FilterExpr, row: FilterRow, scope: Scope): boolean | undefined {
  const v = evaluate(e, row, scope);
  return typeof v === "boolean" ? v : undefined;
}

/** The elements a comprehension or `in` ranges over; `undefined` when not a collection. */
function elements(v: Value): Value[] | undefined {
  if (Array.isArray(v)) return v;
  if (isObject(v)) return Object.keys(v);
  return undefined;
}

function evaluate(e: FilterExpr, row: FilterRow, scope: Scope): Value {
  switch (e.kind) {
    case "const":
      return e.value;
    case "column": {
      const v = row.columns[e.column];
      return v === null ? undefined : v;
    }
    case "json":
      return walk(jsonRoot(e, row, scope), e.path);
    case "var":
      return scope.get(e.name);
    case "list": {
      // A list with an absent item is absent, as CEL's list construction errors.
      const items = e.items.map((item) => evaluate(item, row, scope));
      return items.some((item) => item === undefined) ? undefined : items;
    }
    case "and": {
      let absent = false;
      for (const arg of e.args) {
        const v = truth(arg, row, scope);
        if (v === false) return false;
        if (v === undefined) absent = true;
      }
      return absent ? undefined : true;
    }
    case "or": {
      let absent = false;
      for (const arg of e.args) {
        const v = truth(arg, row, scope);
        if (v === true) return true;
        if (v === undefined) absent = true;
      }
      return absent ? undefined : false;
    }
    case "not": {
      const v = truth(e.arg, row, scope);
      return v === undefined ? undefined : !v;
    }
    case "compare":
      return compare(
        e.op,
        evaluate(e.left, row, scope),
        e.left.type,
        evaluate(e.right, row, scope),
        e.right.type,
      );
    case "in": {
      const collection = evaluate(e.collection, row, scope);
      const value = evaluate(e.value, row, scope);
      if (value === undefined) return undefined;
      if (Array.isArray(collection)) {
        const itemTypes: ValueType[] =
          e.collection.kind === "list"
            ? e.collection.items.map((i) => i.type)
            : collection.map(() => "dyn");
        return collection.some(
          (item, i) => compare("==", value, e.value.type, item, itemTypes[i] ?? "dyn") === true,
        );
      }
      if (isObject(collection)) {
        // Key membership: a string key is looked up, a number or bool is no
        // key, anything else (null, a list, a map, a time) is an error.
        const vt = e.value.type;
        if (vt === "timestamp" || vt === "duration") return undefined;
        if (typeof value === "string") return Object.hasOwn(collection, value);
        return typeof value === "number" || typeof value === "boolean" ? false : undefined;
      }
      return undefined;
    }
    case "arith":
      return arithmetic(
        e.op,
        e.type,
        e.left.type,
        e.right.type,
        evaluate(e.left, row, scope),
        evaluate(e.right, row, scope),
      );
    case "neg": {
      const v = evaluate(e.arg, row, scope);
      return typeof v === "number" ? 0 - v : undefined;
    }
    case "call":
      return call(
        e.fn,
        e.args.map((a) => a.type),
        e.args.map((a) => evaluate(a, row, scope)),
      );
    case "has": {
      const target = e.target;
      if (target.kind === "column") {
        const v = row.columns[target.column];
        return v !== null && v !== undefined;
      }
      const last = target.path[target.path.length - 1];
      if (last === undefined) return jsonRoot(target, row, scope) !== undefined;
      const parent = walk(jsonRoot(target, row, scope), target.path.slice(0, -1));
      if (typeof last === "number") return Array.isArray(parent) ? last < parent.length : undefined;
      return isObject(parent) ? Object.hasOwn(parent, last) : undefined;
    }
    case "exists":
    case "all":
    case "exists_one": {
      const items = elements(evaluate(e.range, row, scope));
      if (items === undefined) return undefined;
      let trues = 0;
      let falses = 0;
      let absents = 0;
      for (const item of items) {
        const inner = new Map(scope);
        inner.set(e.variable, item);
        const v = truth(e.predicate, row, inner);
        if (v === true) trues += 1;
        else if (v === false) falses += 1;
        else absents += 1;
      }
      if (e.kind === "exists") return trues > 0 ? true : absents > 0 ? undefined : false;
      if (e.kind === "all") return falses > 0 ? false : absents > 0 ? undefined : true;
      return absents > 0 ? undefined : trues === 1;
    }
    case "cond": {
      const test = truth(e.test, row, scope);
      if (test === undefined) return undefined;
      return evaluate(test ? e.then : e.otherwise, row, scope);
    }
  }
}

/** A number result of the given static type, or absent when it is out of range. */
function numberResult(v: number, type: ValueType): number | undefined {
  if (!Number.isFinite(v)) return undefined;
  if (type === "int" && !Number.isSafeInteger(v)) return undefined;
  return v + 0;
}

function arithmetic(
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

/** The `±HH:MM` offset in minutes (`+00:00` when absent). */
function offsetMinutes(zone: Value): number | undefined {
  if (zone === undefined) return 0;
  if (typeof zone !== "string") return undefined;
  const m = /^([+-])(\d{2}):(\d{2})$/.exec(zone);
  if (m === null) return undefined;
  return (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}

const DAY_MS = 86_400_000;

/** A `get*` function of a timestamp, in the given zone. */
function timePart(fn: string, ms: number, zone: Value): number | undefined {
  const offset = offsetMinutes(zone);
  if (offset === undefined) return undefined;
  const d = new Date(ms + offset * 60_000);
  if (Number.isNaN(d.getTime())) return undefined;
  switch (fn) {
    case "getFullYear":
      return d.getUTCFullYear();
    case "getMonth":
      return d.getUTCMonth();
    case "getDate":
      return d.getUTCDate();
    case "getDayOfMonth":
      return d.getUTCDate() - 1;
    case "getDayOfWeek":
      return d.getUTCDay();
    case "getDayOfYear": {
      const start = new Date(0);
      start.setUTCFullYear(d.getUTCFullYear(), 0, 1);
      const day = new Date(0);
      day.setUTCFullYear(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
      return Math.round((day.getTime() - start.getTime()) / DAY_MS);
    }
    case "getHours":
      return d.getUTCHours();
    case "getMinutes":
      return d.getUTCMinutes();
    case "getSeconds":
      return d.getUTCSeconds();
    case "getMilliseconds":
      return d.getUTCMilliseconds();
    default:
      return undefined;
  }
}

/** A `get*` function of a duration: the whole duration in that unit. */
function durationPart(fn: string, ms: number): number | undefined {
  const unit = { getHours: 3_600_000, getMinutes: 60_000, getSeconds: 1_000, getMilliseconds: 1 }[
    fn
  ];
  return unit === undefined ? undefined : Math.trunc(ms / unit) + 0;
}

function call(fn: string, types: ValueType[], args: Value[]): Value {
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

/** RFC 3339 to Unix milliseconds (years 1-9999, fraction truncated to ms), else absent. */
function parseRfc3339(text: string): number | undefined {
  const m =
    /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/.exec(
      text,
    );
  if (m === null) return undefined;
  const [y, mo, d, h, mi, s] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i]));
  if (
    y === undefined ||
    mo === undefined ||
    d === undefined ||
    h === undefined ||
    mi === undefined ||
    s === undefined
  ) {
    return undefined;
  }
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  // A day that rolled over into the next month did not exist.
  if (
    y < 1 ||
    date.getUTCMonth() !== mo - 1 ||
    date.getUTCDate() !== d ||
    h > 23 ||
    mi > 59 ||
    s > 59
  )
    return undefined;
  const zoneH = Number(m[10] ?? 0);
  const zoneM = Number(m[11] ?? 0);
  if (zoneH > 23 || zoneM > 59) return undefined;
  const ms = Number((m[7] ?? "").slice(0, 3).padEnd(3, "0"));
  date.setUTCHours(h, mi, s, ms);
  const offset = (m[9] === "-" ? -1 : 1) * (zoneH * 60 + zoneM);
  return date.getTime() - offset * 60_000;
}

/** A Go/CEL duration (`1h30m`, `-1.5s`, `0`) to milliseconds truncated toward zero, else absent. */
function parseGoDuration(text: string): number | undefined {
  const m = /^([+-]?)((?:(?:\d+(?:\.\d*)?|\.\d+)(?:h|ms|m|s|us|µs|ns))+|0)$/.exec(text);
  if (m === null || m[2] === undefined) return undefined;
  const units: Record<string, number> = {
    h: 3_600_000,
    m: 60_000,
    s: 1_000,
    ms: 1,
    us: 1e-3,
    µs: 1e-3,
    ns: 1e-6,
  };
  let total = 0;
  for (const part of m[2].matchAll(/(\d+(?:\.\d*)?|\.\d+)(h|ms|m|s|us|µs|ns)/g)) {
    total += Number(part[1]) * (units[part[2] ?? ""] ?? Number.NaN);
  }
  if (!Number.isFinite(total) || total > 315_576_000_000_000) return undefined;
  return (m[1] === "-" ? -1 : 1) * Math.trunc(total) + 0;
}
