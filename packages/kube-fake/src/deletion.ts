/**
 * Delete: preconditions, then by kind of deletion. A namespace terminates ({@link Namespaces});
 * `Foreground` and `Orphan` hand the object to the {@link GarbageCollector} under its finalizer;
 * an object with finalizers only gets `deletionTimestamp` (MODIFIED); anything else is removed
 * (DELETED) and the collector deletes its dependents later.
 *
 * @module
 */
import { nowTimestamp } from "./clock.js";
import type { Commits } from "./commits.js";
import { conflict, uidConflict } from "./errors.js";
import type { GarbageCollector } from "./garbage-collector.js";
import type { Namespaces } from "./namespaces.js";
import { requireNamespace, shallowCopy } from "./object-rules.js";
import type { ResourceInfo } from "./resources.js";
import type { KubeObject } from "./types.js";

/** Options of a delete. */
export interface DeleteOptions {
  preconditions?: { uid?: string; resourceVersion?: string };
  propagationPolicy?: "Background" | "Foreground" | "Orphan";
}

/** What a delete needs from the store. */
export interface DeleteContext {
  readonly commits: Commits;
  readonly gc: GarbageCollector;
  readonly namespaces: Namespaces;
}

/**
 * Deletes an object: with finalizers it only gets `deletionTimestamp` (MODIFIED); otherwise it is
 * removed (DELETED) and the garbage collector deletes its dependents later. With `Foreground`
 * or `Orphan` it is kept with the `foregroundDeletion` or `orphan` finalizer until the collector
 * has deleted or orphaned its dependents. Returns the object as removed or as now stored.
 */
export function deleteObject(
  ctx: DeleteContext,
  info: ResourceInfo,
  namespace: string | undefined,
  name: string,
  options: DeleteOptions = {},
): KubeObject {
  const ns = requireNamespace(info, namespace);
  const current = ctx.commits.table.mustGet(info, ns, name);
  const pre = options.preconditions;
  if (pre?.uid && pre.uid !== current.metadata.uid) {
    throw uidConflict(info, name, pre.uid, current.metadata.uid);
  }
  if (pre?.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion) {
    throw conflict(
      info,
      name,
      `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`,
    );
  }
  const policy = options.propagationPolicy ?? "Background";
  if (info.resource === "namespaces") return ctx.namespaces.terminate(current);
  if (policy !== "Background") return ctx.gc.holdForDependents(info, current, policy);
  if ((current.metadata.finalizers ?? []).length > 0) {
    if (current.metadata.deletionTimestamp) return current;
    const next = shallowCopy(current);
    next.metadata.deletionTimestamp = nowTimestamp();
    next.metadata.deletionGracePeriodSeconds = 0;
    ctx.commits.modifyNext(info, current, next);
    return next;
  }
  ctx.commits.remove(info, current);
  return current;
}
