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
 * This module holds the rows and the walk over the AST; values, comparison
 * and arithmetic are in `memory-filter-values.ts`, functions in
 * `memory-filter-functions.ts` and time in `memory-filter-time.ts`.
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
import { call } from "./memory-filter-functions.js";
import { arithmetic, compare, isObject, walk, type Value } from "./memory-filter-values.js";

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

/** Comprehension variables in scope. */
type Scope = ReadonlyMap<string, Value>;

/** The document a JSON path starts from: a JSON column or a comprehension variable. */
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

/** Evaluate one node of the filter AST over a row, with the comprehension variables in `scope`. */
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
