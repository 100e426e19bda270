/**
 * The JSON a run is archived as, and a fingerprint that tells whether a stored
 * copy still matches the run (ignoring what changes on every write-back).
 *
 * @module
 */
import { createHash } from "node:crypto";
import { ANNOTATIONS } from "./run-kinds.js";
import type { TektonRun } from "./run.js";

/**
 * The run as it is stored in its Record: a deep copy without
 * `metadata.managedFields` and the `kubectl.kubernetes.io/last-applied-configuration`
 * annotation (large and useless for history); `apiVersion` and `kind` are set.
 */
export function recordValueOf(run: TektonRun, apiVersion: string, kind: string): TektonRun {
  const copy = JSON.parse(JSON.stringify(run)) as TektonRun;
  copy.apiVersion = copy.apiVersion ?? apiVersion;
  copy.kind = copy.kind ?? kind;
  if (copy.metadata) {
    delete copy.metadata.managedFields;
    const annotations = copy.metadata.annotations;
    if (annotations) {
      delete annotations[ANNOTATIONS.lastApplied];
      if (Object.keys(annotations).length === 0) delete copy.metadata.annotations;
    }
  }
  return copy;
}

/** The annotations the watcher itself writes back (they do not make a run "changed"). */
const WRITTEN_BACK = [
  ANNOTATIONS.stored,
  ANNOTATIONS.childReadyForDeletion,
  ANNOTATIONS.log,
  ANNOTATIONS.result,
  ANNOTATIONS.record,
];

/**
 * A hash of `value` that ignores what the watcher's own write-back changes:
 * `metadata.resourceVersion`, `managedFields`, the annotations it writes and
 * the `results.tekton.dev/*` finalizers. Two values with the same fingerprint
 * need no Record update. Keys are sorted, so key order does not matter.
 * Only `value`, its `metadata` and its annotations are copied (shallowly):
 * the run itself is serialized in place, not deep-copied.
 */
export function recordFingerprint(value: unknown): string {
  return hashOf(withoutWriteBack(value));
}

/** A plain JSON object (not an array, nor an object JSON writes through `toJSON`). */
function isObject(value: unknown): value is Record<string, unknown> {
  return (
    value !== null &&
    typeof value === "object" &&
    !Array.isArray(value) &&
    typeof (value as { toJSON?: unknown }).toJSON !== "function"
  );
}

/** `value` less what {@link recordFingerprint} ignores; shares everything it does not change. */
function withoutWriteBack(value: unknown): unknown {
  if (!isObject(value) || !isObject(value["metadata"])) return value ?? null;
  const metadata: Record<string, unknown> = { ...value["metadata"] };
  delete metadata["resourceVersion"];
  delete metadata["managedFields"];
  if (isObject(metadata["annotations"])) {
    const annotations = { ...metadata["annotations"] };
    for (const key of WRITTEN_BACK) delete annotations[key];
    delete annotations[ANNOTATIONS.lastApplied];
    if (Object.keys(annotations).length === 0) delete metadata["annotations"];
    else metadata["annotations"] = annotations;
  }
  if (metadata["finalizers"]) {
    const finalizers = (metadata["finalizers"] as string[]).filter(
      (f) => !f.startsWith("results.tekton.dev/"),
    );
    if (finalizers.length === 0) delete metadata["finalizers"];
    else metadata["finalizers"] = finalizers;
  }
  return { ...value, metadata };
}

/** A SHA-256 of the canonical JSON (sorted keys) of `value`. */
export function hashOf(value: unknown): string {
  return createHash("sha256").update(canonicalJson(value)).digest("hex");
}

/**
 * JSON with object keys sorted at every level: the text of
 * `JSON.stringify` with a replacer that sorts each object's keys (array-index
 * keys, which objects enumerate first, in ascending order), written directly
 * instead of through sorted copies of every object.
 */
export function canonicalJson(value: unknown): string {
  return writeJson(value, "") ?? "null";
}

const INDEX_KEY = /^(?:0|[1-9][0-9]*)$/;

function isIndexKey(key: string): boolean {
  return INDEX_KEY.test(key) && Number(key) < 4294967295;
}

/** Object keys in the order a sorted copy enumerates them. */
function sortedKeys(obj: object): string[] {
  const keys = Object.keys(obj).sort();
  if (!keys.some(isIndexKey)) return keys;
  const indices = keys.filter(isIndexKey).sort((a, b) => Number(a) - Number(b));
  return [...indices, ...keys.filter((k) => !isIndexKey(k))];
}

/** One value as JSON.stringify writes it; `undefined` where it omits it. */
function writeJson(input: unknown, key: string): string | undefined {
  let value = input;
  if (
    value !== null &&
    typeof value === "object" &&
    typeof (value as { toJSON?: unknown }).toJSON === "function"
  ) {
    value = (value as { toJSON(key: string): unknown }).toJSON(key);
  }
  switch (typeof value) {
    case "string":
    case "number":
    case "boolean":
    case "bigint":
      return JSON.stringify(value);
    case "object":
      break;
    default:
      return undefined;
  }
  if (value === null) return "null";
  if (Array.isArray(value)) {
    let out = "[";
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ",";
      out += writeJson(value[i], String(i)) ?? "null";
    }
    return out + "]";
  }
  let out = "{";
  let first = true;
  for (const k of sortedKeys(value)) {
    const text = writeJson((value as Record<string, unknown>)[k], k);
    if (text === undefined) continue;
    out += (first ? "" : ",") + JSON.stringify(k) + ":" + text;
    first = false;
  }
  return out + "}";
}
