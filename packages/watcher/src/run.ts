/**
 * The parts of a Tekton run the watcher reads, and pure predicates over them:
 * its work-queue key, whether it is finished, a child, managed by Tekton.
 *
 * @module
 */
import { runKindOf, TEKTON_MANAGED_BY, type RunKind } from "./run-kinds.js";

/** A Kubernetes condition as Tekton writes it. */
export interface RunCondition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

/** An ownerReference. */
export interface OwnerReference {
  apiVersion?: string;
  kind?: string;
  name?: string;
  uid?: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** A PipelineRun, TaskRun or CustomRun as JSON (only the fields the watcher reads are typed). */
export interface TektonRun {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    creationTimestamp?: string | Date;
    deletionTimestamp?: string | Date;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    finalizers?: string[];
    ownerReferences?: OwnerReference[];
    managedFields?: unknown[];
    [field: string]: unknown;
  };
  spec?: { managedBy?: string; [field: string]: unknown };
  status?: {
    conditions?: RunCondition[];
    startTime?: string | Date;
    completionTime?: string | Date;
    [field: string]: unknown;
  };
  [field: string]: unknown;
}

/** The work-queue key of a run: `namespace/Kind/name`. */
export function runKey(kind: string, namespace: string, name: string): string {
  return `${namespace}/${kind}/${name}`;
}

/** The work-queue key of `run` (its `kind` must be set). */
export function keyOfRun(run: TektonRun, kind: RunKind): string {
  return runKey(kind.kind, run.metadata?.namespace ?? "", run.metadata?.name ?? "");
}

/** A parsed work-queue key. */
export interface ParsedRunKey {
  namespace: string;
  kind: RunKind;
  name: string;
}

/** Parse a key made by {@link runKey}; `undefined` when malformed or of an unknown kind. */
export function parseRunKey(key: string): ParsedRunKey | undefined {
  const parts = key.split("/");
  if (parts.length !== 3) return undefined;
  const [namespace, kindName, name] = parts as [string, string, string];
  const kind = runKindOf(kindName);
  if (kind === undefined || name === "") return undefined;
  return { namespace, kind, name };
}

/** The run's `Succeeded` condition, if any. */
export function succeededCondition(run: TektonRun): RunCondition | undefined {
  return run.status?.conditions?.find((c) => c.type === "Succeeded");
}

/** True when the run's `Succeeded` condition is `True` or `False` (it will not change any more). */
export function isFinished(run: TektonRun): boolean {
  const status = succeededCondition(run)?.status;
  return status === "True" || status === "False";
}

/**
 * True when an ownerReference's `kind` names a PipelineRun, in any case
 * (upstream compares with `strings.EqualFold(kind, "pipelinerun")`).
 */
export function isPipelineRunKind(kind: string | undefined): boolean {
  return kind?.toLowerCase() === "pipelinerun";
}

/** The ownerReference of kind PipelineRun (in any case), when the run is a PipelineRun's child. */
export function pipelineRunOwner(run: TektonRun): OwnerReference | undefined {
  return run.metadata?.ownerReferences?.find((o) => isPipelineRunKind(o.kind));
}

/** True when a PipelineRun owns the run (it is archived under its parent's Result). */
export function isChild(run: TektonRun): boolean {
  return pipelineRunOwner(run) !== undefined;
}

/** True when the run has no owners at all (it may name its own record). */
export function hasNoOwners(run: TektonRun): boolean {
  return (run.metadata?.ownerReferences?.length ?? 0) === 0;
}

/** True when the run's deletion was requested (`deletionTimestamp` set). */
export function isDeleting(run: TektonRun): boolean {
  return run.metadata?.deletionTimestamp !== undefined && run.metadata.deletionTimestamp !== null;
}

/** True when the run carries `finalizer`. */
export function hasFinalizer(run: TektonRun, finalizer: string): boolean {
  return run.metadata?.finalizers?.includes(finalizer) ?? false;
}

/** Parse a Kubernetes timestamp (RFC 3339 string or `Date`); `undefined` when absent or invalid. */
export function parseTime(value: string | Date | undefined | null): Date | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/**
 * When the run finished: `status.completionTime`, else the `Succeeded`
 * condition's `lastTransitionTime`; `undefined` while it runs.
 */
export function completionTime(run: TektonRun): Date | undefined {
  if (!isFinished(run)) return undefined;
  return (
    parseTime(run.status?.completionTime) ?? parseTime(succeededCondition(run)?.lastTransitionTime)
  );
}

/**
 * True when the watcher processes runs with this `spec.managedBy`: empty,
 * missing, blank or `tekton.dev/pipeline`, or one of `extra`.
 */
export function isManagedBy(run: TektonRun, extra: readonly string[]): boolean {
  const managedBy = run.spec?.managedBy;
  if (typeof managedBy !== "string") return true;
  const value = managedBy.trim();
  return value === "" || value === TEKTON_MANAGED_BY || extra.includes(value);
}
