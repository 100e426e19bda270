/**
 * The one way stored state changes: each commit stores (or removes) an object in the
 * {@link ObjectTable}, records the change in the {@link ChangeLog} under a resourceVersion and
 * fans it out to the {@link Watchers}. What else must follow a change (the garbage collector's
 * owner index, namespace bookkeeping, removal listeners) is told through {@link CommitHooks}.
 *
 * @module
 */
import type { ChangeLog } from "./change-log.js";
import type { ObjectTable } from "./object-table.js";
import { resourceKey, type ResourceInfo } from "./resources.js";
import type { KubeObject } from "./types.js";
import type { Watchers } from "./watchers.js";

/** What the rest of the store learns of each commit. */
export interface CommitHooks {
  /** An object was stored, replaced or removed (`ref` as in {@link ObjectTable}); before its event. */
  changed(ref: string, prev: KubeObject | undefined, next: KubeObject | undefined): void;
  /** A namespaced or cluster-scoped object was added; before its event. */
  added(obj: KubeObject): void;
  /** An object was removed for good; after its DELETED event. */
  removed(info: ResourceInfo, prev: KubeObject, final: KubeObject): void;
}

/** Stores changes, records them and tells watchers and hooks. */
export class Commits {
  constructor(
    /** The stored objects. */
    readonly table: ObjectTable,
    private readonly log: ChangeLog,
    private readonly watchers: Watchers,
    private readonly hooks: CommitHooks,
  ) {}

  /** Allocates the next resourceVersion (to set on the object about to be committed). */
  nextRv(): string {
    return this.log.next();
  }

  /** The stored object (not a copy: callers must not modify it). */
  get(info: ResourceInfo, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.table.get(info, namespace, name);
  }

  /** Stores a new object (ADDED). Its resourceVersion is already set. */
  add(info: ResourceInfo, obj: KubeObject): void {
    const { key, ref } = this.table.add(info, obj);
    this.hooks.changed(ref, undefined, obj);
    this.hooks.added(obj);
    this.record(info, key, "ADDED", obj, undefined);
  }

  /** Replaces a stored object by its next version (MODIFIED). Its resourceVersion is already set. */
  modify(info: ResourceInfo, prev: KubeObject, obj: KubeObject): void {
    const { key, ref } = this.table.replace(info, obj);
    this.hooks.changed(ref, prev, obj);
    this.record(info, key, "MODIFIED", obj, prev);
  }

  /** Gives `next` a new resourceVersion and stores it in place of `prev` (MODIFIED). */
  modifyNext(info: ResourceInfo, prev: KubeObject, next: KubeObject): void {
    next.metadata.resourceVersion = this.nextRv();
    this.modify(info, prev, next);
  }

  /** Removes an object for good (DELETED, with a new resourceVersion). */
  remove(info: ResourceInfo, prev: KubeObject): void {
    const rv = this.nextRv();
    const final: KubeObject = { ...prev, metadata: { ...prev.metadata, resourceVersion: rv } };
    const { key, ref } = this.table.remove(info, prev);
    this.hooks.changed(ref, prev, undefined);
    this.record(info, key, "DELETED", final, prev);
    this.hooks.removed(info, prev, final);
  }

  /** Removes an object being deleted once its last finalizer is gone. */
  removeIfFinalized(info: ResourceInfo, obj: KubeObject): void {
    if (obj.metadata.deletionTimestamp && (obj.metadata.finalizers ?? []).length === 0) {
      this.remove(info, obj);
    }
  }

  private record(
    info: ResourceInfo,
    key: string,
    type: "ADDED" | "MODIFIED" | "DELETED",
    obj: KubeObject,
    prev: KubeObject | undefined,
  ): void {
    const ev = { rv: this.log.current, rk: resourceKey(info), key, type, obj, prev };
    this.log.record(ev);
    this.watchers.publish(ev);
  }
}
