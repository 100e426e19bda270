/**
 * The typed record fields the SQL adapters store next to a record's JSON (filled
 * at write time, indexed), and the recognition of the filter shapes that can
 * read them instead of walking the JSON.
 *
 * A typed text field holds the JSON value at its path when that value is a
 * string, and NULL otherwise (absent, another JSON type, data that is not
 * JSON). A typed time field holds `timestamp(<value at path>)` in Unix
 * milliseconds: NULL unless the value is a string in the RFC 3339 syntax of
 * `parseTimestamp`. Every string label of `data.metadata.labels` is also a row
 * `(key, value)` of a label side table.
 *
 * ## When a typed field may replace the JSON path
 *
 * - A time field replaces `timestamp(data.<path>)` anywhere: both are the same
 *   value or both are absent.
 * - A text field (or the label table) replaces a *predicate* only in a truth
 *   context: the whole filter, or an operand of an `and`/`or` that is itself in
 *   a truth context. There a predicate that is false and one that is absent
 *   select the same rows (Kleene `and`/`or` are monotone), so the typed form
 *   only has to be true exactly when the JSON form is true. (`!(name == "x")`
 *   is *not* a truth context: a JSON `null` name makes `name == "x"` false,
 *   not absent, and the negation true.)
 *
 * The recognized predicates, with `p` a typed path and `s`, `s1..` string constants:
 *
 * | filter                                   | true exactly when                          |
 * |------------------------------------------|--------------------------------------------|
 * | `p == s`, `s == p`                       | the value is the string `s`                |
 * | `p < s` (and `<= > >=`, either side)     | the value is a string ordered so           |
 * | `p != s`, `s != p`                       | the value is present and not the string `s` (CEL's heterogeneous `!=`: a number, bool, `null`, list or object too) |
 * | `p in [s1, ...]`                         | the value is one of the strings            |
 * | `p.startsWith(s)`                        | the value is a string starting with `s`    |
 *
 * `!=` is why {@link TypedRecordPredicate} `text` with op `!=` needs the JSON
 * form as a fallback for rows whose typed field is NULL (a present value that
 * is not a string).
 *
 * @module
 */
import type { CompareOp, FilterExpr, PathStep } from "./ast.js";

/** The typed text columns of a record, by column name. */
export const RECORD_TEXT_FIELDS = {
  run_name: ["metadata", "name"],
  run_namespace: ["metadata", "namespace"],
  status_reason: ["status", "conditions", 0, "reason"],
  succeeded_status: ["status", "conditions", 0, "status"],
  pipeline_name: ["metadata", "labels", "tekton.dev/pipeline"],
  task_name: ["metadata", "labels", "tekton.dev/task"],
  repository: ["metadata", "annotations", "pipelinesascode.tekton.dev/repository"],
} as const satisfies Record<string, readonly PathStep[]>;

/** The typed time columns of a record (Unix ms), by column name. */
export const RECORD_TIME_FIELDS = {
  start_ms: ["status", "startTime"],
  completion_ms: ["status", "completionTime"],
  creation_ms: ["metadata", "creationTimestamp"],
} as const satisfies Record<string, readonly PathStep[]>;

/** The path of the labels object whose string entries the label side table holds. */
export const RECORD_LABELS_PATH = ["metadata", "labels"] as const;

/** A typed text column of records. */
export type RecordTextField = keyof typeof RECORD_TEXT_FIELDS;
/** A typed time column of records. */
export type RecordTimeField = keyof typeof RECORD_TIME_FIELDS;

/** A predicate over typed record columns, true exactly when its JSON form is (see the module docs). */
export type TypedRecordPredicate =
  | { kind: "text"; field: RecordTextField; op: CompareOp; value: string }
  | { kind: "text-in"; field: RecordTextField; values: string[] }
  | { kind: "text-prefix"; field: RecordTextField; prefix: string }
  | { kind: "label-in"; key: string; values: string[] }
  | { kind: "label-prefix"; key: string; prefix: string };

const FLIPPED: Record<CompareOp, CompareOp> = {
  "==": "==",
  "!=": "!=",
  "<": ">",
  "<=": ">=",
  ">": "<",
  ">=": "<=",
};

function samePath(a: readonly PathStep[], b: readonly PathStep[]): boolean {
  return a.length === b.length && a.every((step, i) => step === b[i]);
}

/** The path below `data` when `node` is `data.<path>` (not a comprehension variable). */
function dataPath(node: FilterExpr): readonly PathStep[] | undefined {
  if (node.kind !== "json" || !("column" in node.root) || node.root.column !== "data")
    return undefined;
  return node.path;
}

/** What a data path reads: a typed text column, a label, or nothing typed. */
function typedTarget(
  path: readonly PathStep[],
): { field: RecordTextField } | { label: string } | undefined {
  for (const [field, p] of Object.entries(RECORD_TEXT_FIELDS)) {
    if (samePath(path, p)) return { field: field as RecordTextField };
  }
  const last = path[path.length - 1];
  if (
    path.length === RECORD_LABELS_PATH.length + 1 &&
    typeof last === "string" &&
    samePath(path.slice(0, -1), RECORD_LABELS_PATH)
  ) {
    return { label: last };
  }
  return undefined;
}

function stringConst(node: FilterExpr): string | undefined {
  return node.kind === "const" && typeof node.value === "string" ? node.value : undefined;
}

/** The strings of a list of string constants (literal or constant list), else undefined. */
function stringList(node: FilterExpr): string[] | undefined {
  if (node.kind === "list") {
    const values = node.items.map(stringConst);
    return values.every((v): v is string => v !== undefined) ? values : undefined;
  }
  if (node.kind === "const" && Array.isArray(node.value)) {
    const values = node.value;
    return values.every((v): v is string => typeof v === "string") ? values : undefined;
  }
  return undefined;
}

/**
 * The typed form of a predicate in a truth context (see the module docs), or
 * `undefined` when it has none and the JSON form must be compiled.
 */
export function matchTypedRecordPredicate(node: FilterExpr): TypedRecordPredicate | undefined {
  switch (node.kind) {
    case "compare": {
      let path = dataPath(node.left);
      let value = stringConst(node.right);
      let op = node.op;
      if (path === undefined || value === undefined) {
        path = dataPath(node.right);
        value = stringConst(node.left);
        op = FLIPPED[node.op];
      }
      if (path === undefined || value === undefined) return undefined;
      const target = typedTarget(path);
      if (target === undefined) return undefined;
      if ("field" in target) return { kind: "text", field: target.field, op, value };
      // Labels: only equality (ordering and `!=` read the JSON).
      return op === "==" ? { kind: "label-in", key: target.label, values: [value] } : undefined;
    }
    case "in": {
      const path = dataPath(node.value);
      const values = stringList(node.collection);
      if (path === undefined || values === undefined) return undefined;
      const target = typedTarget(path);
      if (target === undefined) return undefined;
      return "field" in target
        ? { kind: "text-in", field: target.field, values }
        : { kind: "label-in", key: target.label, values };
    }
    case "call": {
      if (node.fn !== "startsWith" || node.args.length !== 2) return undefined;
      const path = dataPath(node.args[0]!);
      const prefix = stringConst(node.args[1]!);
      if (path === undefined || prefix === undefined) return undefined;
      const target = typedTarget(path);
      if (target === undefined) return undefined;
      return "field" in target
        ? { kind: "text-prefix", field: target.field, prefix }
        : { kind: "label-prefix", key: target.label, prefix };
    }
    default:
      return undefined;
  }
}

/**
 * The typed time column `node` reads when it is `timestamp(data.<path>)` of a
 * typed time path; exactly the same value (or absence) in any context.
 */
export function matchTypedRecordTime(node: FilterExpr): RecordTimeField | undefined {
  if (node.kind !== "call" || node.fn !== "timestamp" || node.args.length !== 1) return undefined;
  const path = dataPath(node.args[0]!);
  if (path === undefined) return undefined;
  for (const [field, p] of Object.entries(RECORD_TIME_FIELDS)) {
    if (samePath(path, p)) return field as RecordTimeField;
  }
  return undefined;
}

/**
 * The least string greater than every string that starts with `prefix`, in
 * code point order (= UTF-8 byte order), so `s >= prefix AND s < bound` is
 * `s.startsWith(prefix)`: the last code point below U+10FFFF incremented
 * (skipping surrogates) after dropping trailing U+10FFFF. `undefined` when
 * there is no such bound (empty prefix or all U+10FFFF) or the prefix holds a
 * lone surrogate (no well-defined UTF-8 order).
 */
export function prefixUpperBound(prefix: string): string | undefined {
  const points = Array.from(prefix, (c) => c.codePointAt(0)!);
  if (points.some((p) => p >= 0xd800 && p <= 0xdfff)) return undefined;
  while (points.length > 0 && points[points.length - 1] === 0x10ffff) points.pop();
  if (points.length === 0) return undefined;
  let last = points.pop()! + 1;
  if (last === 0xd800) last = 0xe000;
  points.push(last);
  return String.fromCodePoint(...points);
}
