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
 */
export function recordFingerprint(value: unknown): string {
  const normalized = JSON.parse(JSON.stringify(value ?? null)) as TektonRun | null;
  const metadata = normalized?.metadata;
  if (metadata) {
    delete metadata.resourceVersion;
    delete metadata.managedFields;
    if (metadata.annotations) {
      for (const key of WRITTEN_BACK) delete metadata.annotations[key];
      delete metadata.annotations[ANNOTATIONS.lastApplied];
      if (Object.keys(metadata.annotations).length === 0) delete metadata.annotations;
    }
    if (metadata.finalizers) {
      metadata.finalizers = metadata.finalizers.filter((f) => !f.startsWith("results.tekton.dev/"));
      if (metadata.finalizers.length === 0) delete metadata.finalizers;
    }
  }
  return hashOf(normalized);
}

/** A SHA-256 of the canonical JSON (sorted keys) of `value`. */
export function hashOf(value: unknown): string {
  return createHash("sha256").update(canonicalJson(value)).digest("hex");
}

/** JSON with object keys sorted at every level. */
export function canonicalJson(value: unknown): string {
  return (
    JSON.stringify(value, (_key, v: unknown) => {
      if (v === null || typeof v !== "object" || Array.isArray(v)) return v;
      const sorted: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
      return sorted;
    }) ?? "null"
  );
}
