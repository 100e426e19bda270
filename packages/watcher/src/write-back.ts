/**
 * What the watcher writes back to a run: its annotations and its finalizer,
 * as one server-side-apply patch, computed purely from the run and what was
 * stored. No patch when the run already says all of it.
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

/** A server-side-apply body for a run: apiVersion, kind, name, namespace, annotations, finalizers. */
export interface ApplyBody {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace: string;
    annotations: Record<string, string>;
    finalizers?: string[];
  };
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

/**
 * The server-side-apply body that brings `run` to `state`, or `undefined`
 * when the run already carries every desired annotation and has the
 * finalizer exactly when it should. The body lists everything the watcher
 * owns, so omitting the finalizer releases it.
 */
export function writeBackPatch(
  run: TektonRun,
  kind: RunKind,
  state: WriteBackState,
): ApplyBody | undefined {
  const annotations = desiredAnnotations(state);
  const current = run.metadata?.annotations ?? {};
  const annotationsOk = Object.entries(annotations).every(([k, v]) => current[k] === v);
  const finalizerOk = hasFinalizer(run, kind.finalizer) === state.holdFinalizer;
  if (annotationsOk && finalizerOk) return undefined;
  return {
    apiVersion: kind.apiVersion,
    kind: kind.kind,
    metadata: {
      name: run.metadata?.name ?? "",
      namespace: run.metadata?.namespace ?? "",
      annotations,
      ...(state.holdFinalizer ? { finalizers: [kind.finalizer] } : {}),
    },
  };
}

/** A JSON patch operation (RFC 6902). */
export interface JsonPatchOp {
  op: "add" | "remove" | "replace" | "test";
  path: string;
  value?: unknown;
}

/**
 * A JSON patch that removes `finalizer` from `run`, guarded by a `test` of
 * its position (so a concurrent change makes it fail instead of removing
 * another finalizer); `undefined` when the run does not carry it.
 */
export function removeFinalizerPatch(run: TektonRun, finalizer: string): JsonPatchOp[] | undefined {
  const index = run.metadata?.finalizers?.indexOf(finalizer) ?? -1;
  if (index < 0) return undefined;
  return [
    { op: "test", path: `/metadata/finalizers/${index}`, value: finalizer },
    { op: "remove", path: `/metadata/finalizers/${index}` },
  ];
}
