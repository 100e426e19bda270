/**
 * What the watcher writes back to a run: its annotations and its finalizer,
 * as one JSON patch guarded by the run's uid (a patch never creates a run),
 * computed purely from the run and what was stored. No patch when the run
 * already says all of it.
 *
 * @module
 */
import { ANNOTATIONS, type RunKind } from "./run-kinds.js";
import { hasFinalizer, type TektonRun } from "./run.js";

/** The state to write back to one run. */
export interface WriteBackState {
  resultName: string;
  recordName: string;
  /** The Log name, when the run's logs are stored. */
  logName?: string;
  /** The run's final state (and logs, when enabled) is stored. */
  stored: boolean;
  /** The run is a finished child (a PipelineRun owns it). */
  finishedChild: boolean;
  /** Whether the run should carry the watcher's finalizer. */
  holdFinalizer: boolean;
}

/** The annotations the watcher wants on the run. */
export function desiredAnnotations(state: WriteBackState): Record<string, string> {
  const out: Record<string, string> = {
    [ANNOTATIONS.result]: state.resultName,
    [ANNOTATIONS.record]: state.recordName,
  };
  if (state.logName !== undefined) out[ANNOTATIONS.log] = state.logName;
  if (state.stored) out[ANNOTATIONS.stored] = "true";
  if (state.stored && state.finishedChild) out[ANNOTATIONS.childReadyForDeletion] = "true";
  return out;
}

/** A JSON patch operation (RFC 6902). */
export interface JsonPatchOp {
  op: "add" | "remove" | "replace" | "test";
  path: string;
  value?: unknown;
}

/** `key` as one JSON Pointer segment (RFC 6901: `~` is `~0`, `/` is `~1`). */
function pointerSegment(key: string): string {
  return key.replace(/~/g, "~0").replace(/\//g, "~1");
}

/**
 * The JSON patch (RFC 6902) that brings `run` to `state`, or `undefined` when
 * the run already carries every desired annotation and has the finalizer
 * exactly when it should.
 *
 * A patch can never create an object (a run deleted meanwhile answers 404),
 * and its first operation tests `metadata.uid`, so a run deleted and created
 * again under the same name is not written with the old run's state (422).
 * Annotations are added one by one and the finalizer appended or removed at
 * its tested position, leaving other writers' annotations and finalizers
 * alone; where the run (as cached) has no annotations or finalizers at all,
 * the patch creates the map or list and tests `metadata.resourceVersion`
 * first, so that it never replaces one someone else added meanwhile.
 */
export function writeBackPatch(
  run: TektonRun,
  kind: RunKind,
  state: WriteBackState,
): JsonPatchOp[] | undefined {
  const metadata = run.metadata ?? {};
  const annotations = desiredAnnotations(state);
  const current = metadata.annotations;
  const missing = Object.entries(annotations).filter(([k, v]) => current?.[k] !== v);
  const holds = hasFinalizer(run, kind.finalizer);
  if (missing.length === 0 && holds === state.holdFinalizer) return undefined;

  const ops: JsonPatchOp[] = [];
  let createsContainer = false;
  if (missing.length > 0) {
    if (current === undefined) {
      createsContainer = true;
      ops.push({ op: "add", path: "/metadata/annotations", value: Object.fromEntries(missing) });
    } else {
      for (const [k, v] of missing) {
        ops.push({ op: "add", path: `/metadata/annotations/${pointerSegment(k)}`, value: v });
      }
    }
  }
  if (state.holdFinalizer && !holds) {
    if (metadata.finalizers === undefined) {
      createsContainer = true;
      ops.push({ op: "add", path: "/metadata/finalizers", value: [kind.finalizer] });
    } else {
      ops.push({ op: "add", path: "/metadata/finalizers/-", value: kind.finalizer });
    }
  } else if (!state.holdFinalizer && holds) {
    ops.push(...finalizerRemoval(run, kind.finalizer));
  }
  const guards = uidGuard(run);
  if (createsContainer && metadata.resourceVersion) {
    guards.push({ op: "test", path: "/metadata/resourceVersion", value: metadata.resourceVersion });
  }
  return [...guards, ...ops];
}

/** A `test` of the run's uid: the patch applies to this very run, not one created again under its name. */
function uidGuard(run: TektonRun): JsonPatchOp[] {
  const uid = run.metadata?.uid;
  return uid ? [{ op: "test", path: "/metadata/uid", value: uid }] : [];
}

/** Remove `finalizer` at its position in `run`, tested first; none when the run does not carry it. */
function finalizerRemoval(run: TektonRun, finalizer: string): JsonPatchOp[] {
  const index = run.metadata?.finalizers?.indexOf(finalizer) ?? -1;
  if (index < 0) return [];
  return [
    { op: "test", path: `/metadata/finalizers/${index}`, value: finalizer },
    { op: "remove", path: `/metadata/finalizers/${index}` },
  ];
}

/**
 * A JSON patch that removes `finalizer` from `run`, guarded by a `test` of
 * the run's uid and of the finalizer's position (so a run created again
 * under the same name, or a concurrent change, makes it fail instead of
 * removing another finalizer); `undefined` when the run does not carry it.
 */
export function removeFinalizerPatch(run: TektonRun, finalizer: string): JsonPatchOp[] | undefined {
  const ops = finalizerRemoval(run, finalizer);
  return ops.length === 0 ? undefined : [...uidGuard(run), ...ops];
}
