/**
 * The garbage collector: ownerReferences, the finalizers of foreground and orphan deletion, and
 * the propagation of deletions to dependents. It runs apart from the request that caused its
 * work, as the controller does on a real cluster: `gcDelayMs` after an owner is removed or marked
 * for foreground or orphan deletion (on the next turn of the event loop when that is 0), level by
 * level through a cascade.
 *
 * @module
 */
import { nowTimestamp } from "./clock.js";
import type { Commits } from "./commits.js";
import type { DeleteOptions } from "./deletion.js";
import type { Located, ObjectTable } from "./object-table.js";
import { shallowCopy } from "./object-rules.js";
import { jsonEqual } from "./patch.js";
import type { ResourceInfo } from "./resources.js";
import type { KubeObject, OwnerReference } from "./types.js";

/** The finalizer that holds an owner deleted with propagationPolicy Foreground. */
export const FOREGROUND_FINALIZER = "foregroundDeletion";
/** The finalizer that holds an owner deleted with propagationPolicy Orphan. */
export const ORPHAN_FINALIZER = "orphan";

/** Deletes a stored object as the store does (the collector's way to delete dependents). */
export type DeleteObject = (
  info: ResourceInfo,
  namespace: string | undefined,
  name: string,
  options: DeleteOptions,
) => KubeObject;

/** Deletes dependents of removed owners and finishes foreground and orphan deletions. */
export class GarbageCollector {
  /** ownerUid -> refs of dependents. */
  private readonly dependents = new Map<string, Set<string>>();
  /** Pending runs. */
  private readonly handles = new Set<NodeJS.Timeout | NodeJS.Immediate>();
  private idleWaiters: Array<() => void> = [];
  private disposed = false;

  constructor(
    private readonly table: ObjectTable,
    private readonly commits: Commits,
    private readonly deleteObject: DeleteObject,
    private readonly delayMs: number,
  ) {}

  /** Resolves once no garbage collection is pending (including the work it caused). */
  idle(): Promise<void> {
    if (this.handles.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Cancels pending garbage collection for good. */
  dispose(): void {
    this.disposed = true;
    for (const handle of this.handles) {
      clearTimeout(handle as NodeJS.Timeout);
      clearImmediate(handle as NodeJS.Immediate);
    }
    this.handles.clear();
    this.wakeIdleWaiters();
  }

  /** Keeps the owner index up to date: call on every change of a stored object. */
  reindex(ref: string, prev: KubeObject | undefined, next: KubeObject | undefined): void {
    for (const o of prev?.metadata.ownerReferences ?? []) {
      const set = this.dependents.get(o.uid);
      set?.delete(ref);
      if (set?.size === 0) this.dependents.delete(o.uid);
    }
    for (const o of next?.metadata.ownerReferences ?? []) {
      let set = this.dependents.get(o.uid);
      if (!set) {
        set = new Set();
        this.dependents.set(o.uid, set);
      }
      set.add(ref);
    }
  }

  /**
   * After an object is removed for good, the collector notices later: owners waiting for their
   * dependents may go, and the dependents of this (now absent) owner are deleted.
   */
  removed(prev: KubeObject): void {
    for (const o of prev.metadata.ownerReferences ?? []) {
      const ownerUid = o.uid;
      if (this.waitsForDependents(ownerUid))
        this.schedule(() => this.releaseForegroundOwner(ownerUid));
    }
    const uid = prev.metadata.uid!;
    if (this.dependents.has(uid)) this.schedule(() => this.collectDependents(uid));
  }

  /**
   * Deletes with propagationPolicy Foreground or Orphan: like the real server, the object is kept
   * with the collector's finalizer (`foregroundDeletion` or `orphan`), which the collector removes
   * once it has deleted or orphaned the dependents. Returns the object as stored.
   */
  holdForDependents(
    info: ResourceInfo,
    current: KubeObject,
    policy: "Foreground" | "Orphan",
  ): KubeObject {
    const wanted = policy === "Foreground" ? FOREGROUND_FINALIZER : ORPHAN_FINALIZER;
    const other = policy === "Foreground" ? ORPHAN_FINALIZER : FOREGROUND_FINALIZER;
    const finalizers = (current.metadata.finalizers ?? []).filter((f) => f !== other);
    if (!finalizers.includes(wanted)) finalizers.push(wanted);
    const next = shallowCopy(current);
    next.metadata.finalizers = finalizers;
    next.metadata.deletionTimestamp ??= nowTimestamp();
    next.metadata.deletionGracePeriodSeconds ??= 0;
    if (!jsonEqual(next, current)) this.commits.modifyNext(info, current, next);
    const uid = current.metadata.uid!;
    this.schedule(() => this.processDeletingOwner(uid));
    return this.table.get(info, current.metadata.namespace, current.metadata.name) ?? next;
  }

  /** Runs `task` after `delayMs`, or on the next turn of the event loop when that is 0. */
  private schedule(task: () => void): void {
    if (this.disposed) return;
    const run = (): void => {
      this.handles.delete(handle);
      try {
        task();
      } catch (err) {
        // A real collector retries; the fake's tasks re-check the state, so this is a bug.
        process.emitWarning(`kube-fake garbage collection failed: ${String(err)}`);
      }
      if (this.handles.size === 0) this.wakeIdleWaiters();
    };
    const handle = this.delayMs > 0 ? setTimeout(run, this.delayMs) : setImmediate(run);
    handle.unref();
    this.handles.add(handle);
  }

  private wakeIdleWaiters(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const wake of waiters) wake();
  }

  /** The stored dependents of an owner. */
  private dependentsOf(ownerUid: string): Located[] {
    const out: Located[] = [];
    for (const ref of this.dependents.get(ownerUid) ?? []) {
      const dep = this.table.at(ref);
      if (dep) out.push(dep);
    }
    return out;
  }

  /** Whether the object with this uid is being deleted in the foreground. */
  private waitsForDependents(uid: string): boolean {
    const obj = this.table.withUid(uid)?.obj;
    return (
      obj?.metadata.deletionTimestamp !== undefined &&
      (obj.metadata.finalizers ?? []).includes(FOREGROUND_FINALIZER)
    );
  }

  /** Removes a finalizer the collector handles, removing the object if it was the last. */
  private dropFinalizer(info: ResourceInfo, obj: KubeObject, finalizer: string): void {
    if (!obj.metadata.finalizers?.includes(finalizer)) return;
    const next = shallowCopy(obj);
    const left = obj.metadata.finalizers.filter((f) => f !== finalizer);
    if (left.length > 0) next.metadata.finalizers = left;
    else delete next.metadata.finalizers;
    this.commits.modifyNext(info, obj, next);
    this.commits.removeIfFinalized(info, next);
  }

  /** Keeps only the ownerReferences `keep` accepts (MODIFIED). */
  private stripOwnerReferences(
    info: ResourceInfo,
    obj: KubeObject,
    keep: (o: OwnerReference) => boolean,
  ): void {
    const kept = (obj.metadata.ownerReferences ?? []).filter(keep);
    if (kept.length === (obj.metadata.ownerReferences ?? []).length) return;
    const next = shallowCopy(obj);
    if (kept.length > 0) next.metadata.ownerReferences = kept;
    else delete next.metadata.ownerReferences;
    this.commits.modifyNext(info, obj, next);
    this.commits.removeIfFinalized(info, next);
  }

  /** Removes the foregroundDeletion finalizer of a deleting owner whose dependents are all gone. */
  private releaseForegroundOwner(ownerUid: string): void {
    if (this.dependents.has(ownerUid)) return;
    const owner = this.table.withUid(ownerUid);
    if (owner) this.dropFinalizer(owner.info, owner.obj, FOREGROUND_FINALIZER);
  }

  /**
   * The pass over an object being deleted with the `orphan` or `foregroundDeletion` finalizer:
   * orphan its dependents, or delete them and let it go once they are gone.
   */
  private processDeletingOwner(uid: string): void {
    const owner = this.table.withUid(uid);
    if (!owner?.obj.metadata.deletionTimestamp) return;
    const finalizers = owner.obj.metadata.finalizers ?? [];
    if (finalizers.includes(ORPHAN_FINALIZER)) {
      for (const dep of this.dependentsOf(uid)) {
        this.stripOwnerReferences(dep.info, dep.obj, (o) => o.uid !== uid);
      }
      this.dropFinalizer(owner.info, owner.obj, ORPHAN_FINALIZER);
    } else if (finalizers.includes(FOREGROUND_FINALIZER)) {
      for (const dep of this.dependentsOf(uid)) {
        if (dep.obj.metadata.deletionTimestamp) continue;
        this.deleteObject(dep.info, dep.obj.metadata.namespace, dep.obj.metadata.name, {
          propagationPolicy: this.dependents.has(dep.obj.metadata.uid!)
            ? "Foreground"
            : "Background",
        });
      }
      this.releaseForegroundOwner(uid);
    }
  }

  /**
   * The pass over the dependents of a removed owner: a dependent with another owner still present
   * only loses its dangling ownerReferences; the others are deleted.
   */
  private collectDependents(ownerUid: string): void {
    for (const { info, obj } of this.dependentsOf(ownerUid)) {
      const owners = obj.metadata.ownerReferences ?? [];
      const solid = owners.some(
        (o) => o.uid !== ownerUid && this.table.hasUid(o.uid) && !this.waitsForDependents(o.uid),
      );
      if (solid) {
        this.stripOwnerReferences(info, obj, (o) => this.table.hasUid(o.uid));
      } else if (!obj.metadata.deletionTimestamp) {
        const foreground =
          owners.some((o) => this.waitsForDependents(o.uid)) &&
          this.dependents.has(obj.metadata.uid!);
        this.deleteObject(info, obj.metadata.namespace, obj.metadata.name, {
          propagationPolicy: foreground ? "Foreground" : "Background",
        });
      }
    }
  }
}
