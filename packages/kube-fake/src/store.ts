/**
 * The object store of the fake API server, composed of one part per concern:
 *
 * - {@link ObjectTable} (`object-table.ts`): the stored objects, by resource, namespace, name, uid;
 * - {@link ChangeLog} (`change-log.ts`): the resourceVersion counter and the change history;
 * - {@link Watchers} (`watchers.ts`): open watches, replay and fan-out;
 * - {@link Commits} (`commits.ts`): the one way state changes (store, record, notify);
 * - `list-paging.ts`: lists, continue tokens, `resourceVersionMatch`;
 * - {@link GarbageCollector} (`garbage-collector.ts`): ownerReferences, finalizers, propagation;
 * - {@link Namespaces} (`namespaces.ts`): auto-creation and termination;
 * - `writes.ts`, `patches.ts`, `deletion.ts`: the write verbs, with the rules of `object-rules.ts`
 *   and the admission hook of `admission.ts`.
 *
 * @module
 */
import { admit } from "./admission.js";
import { ChangeLog } from "./change-log.js";
import { Commits } from "./commits.js";
import { deleteObject, type DeleteContext, type DeleteOptions } from "./deletion.js";
import { GarbageCollector } from "./garbage-collector.js";
import { listCollection, type ListOptions, type ListPage } from "./list-paging.js";
import { Namespaces } from "./namespaces.js";
import { ObjectTable } from "./object-table.js";
import { patchObject, type PatchOptions, type PatchResult, type PatchType } from "./patches.js";
import type { ResourceInfo } from "./resources.js";
import type { AdmissionHook, KubeObject } from "./types.js";
import { Watchers, type WatchSubscriber } from "./watchers.js";
import {
  createObject,
  updateObject,
  type CreateOptions,
  type WriteContext,
  type WriteOptions,
} from "./writes.js";

/**
 * The object store: collections indexed by namespace and name, one global resourceVersion
 * counter, a bounded history of change events for watches and continue tokens, field ownership,
 * finalizers and garbage collection of dependents. All operations are synchronous; watchers are
 * notified before the operation returns. The garbage collector runs apart, as a real cluster's
 * does: `gcDelayMs` after an owner is removed or marked for foreground or orphan deletion.
 */
export class ObjectStore {
  private readonly table = new ObjectTable();
  private readonly log: ChangeLog;
  private readonly watchers: Watchers;
  private readonly removalListeners = new Set<(info: ResourceInfo, obj: KubeObject) => void>();
  private readonly writes: WriteContext & DeleteContext;

  constructor(
    historyLimit: number,
    autoCreateNamespaces: boolean,
    gcDelayMs = 5,
    admission?: AdmissionHook,
  ) {
    this.log = new ChangeLog(historyLimit);
    this.watchers = new Watchers(this.log);
    const commits = new Commits(this.table, this.log, this.watchers, {
      changed: (ref, prev, next) => gc.reindex(ref, prev, next),
      added: (obj) => namespaces.added(obj),
      removed: (info, prev, final) => {
        gc.removed(prev);
        for (const listener of this.removalListeners) listener(info, final);
        namespaces.removed(info, prev);
      },
    });
    const remove = this.deleteObject.bind(this);
    const gc = new GarbageCollector(this.table, commits, remove, gcDelayMs);
    const namespaces = new Namespaces(
      this.table,
      commits,
      this.create.bind(this),
      remove,
      autoCreateNamespaces,
    );
    this.writes = {
      commits,
      gc,
      namespaces,
      ensureNamespace: (ns) => namespaces.ensure(ns),
      admit: (info, verb, object, oldObject, subresource) =>
        admit(admission, info, verb, object, oldObject, subresource),
    };
    namespaces.createNamespace("default");
  }

  /** Resolves once no garbage collection is pending (including the work it caused). */
  gcIdle(): Promise<void> {
    return this.writes.gc.idle();
  }

  /** Cancels pending garbage collection for good (the store stays readable). */
  dispose(): void {
    this.writes.gc.dispose();
  }

  /** The current (latest) resourceVersion. */
  currentResourceVersion(): string {
    return String(this.log.current);
  }

  /** Registers a callback run after an object is removed for good. */
  onRemoved(listener: (info: ResourceInfo, obj: KubeObject) => void): () => void {
    this.removalListeners.add(listener);
    return () => this.removalListeners.delete(listener);
  }

  // ---- reads ----

  /** The stored object (not a copy: callers must not modify it). */
  get(info: ResourceInfo, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.table.get(info, namespace, name);
  }

  /** The stored object or a 404 error. */
  mustGet(info: ResourceInfo, namespace: string | undefined, name: string): KubeObject {
    return this.table.mustGet(info, namespace, name);
  }

  /** Serialized JSON of a stored object (cached). */
  jsonOf(info: ResourceInfo, obj: KubeObject): string {
    return this.table.jsonOf(info, obj);
  }

  /** Lists a collection (one page when `limit` is set). */
  list(info: ResourceInfo, options: ListOptions = {}): ListPage {
    return listCollection(this.log, this.table.collection(info), options);
  }

  /**
   * Starts a watch: replays the events after `resourceVersion` (or synthetic ADDED events for the
   * current state when it is empty or "0"), then delivers live events until unsubscribed.
   * Throws 410 Expired when `resourceVersion` is older than the kept history.
   */
  watch(info: ResourceInfo, resourceVersion: string | undefined, sub: WatchSubscriber): () => void {
    return this.watchers.watch(this.table.collection(info), resourceVersion, sub);
  }

  /** Forgets the change history: older resourceVersions answer 410 Gone from now on. */
  compact(): void {
    this.log.compact();
  }

  // ---- writes ----

  /**
   * Creates an object (generateName, uid, creationTimestamp, resourceVersion, generation).
   * `resetStatus` drops `status` like the real server does for kinds with a status subresource.
   */
  create(info: ResourceInfo, input: KubeObject, options: CreateOptions = {}): KubeObject {
    return createObject(this.writes, info, input, options);
  }

  /**
   * Replaces an object (PUT). With `subresource: "status"` only `status` changes; otherwise
   * `status` is kept for kinds with a status subresource. A set `metadata.resourceVersion` must be
   * the current one (409 Conflict otherwise).
   */
  update(
    info: ResourceInfo,
    input: KubeObject,
    options: WriteOptions & { namespace?: string; name?: string; owned?: boolean } = {},
  ): KubeObject {
    return updateObject(this.writes, info, input, options);
  }

  /** Patches an object (merge, JSON or server-side apply). Apply creates a missing object. */
  patch(
    info: ResourceInfo,
    namespace: string | undefined,
    name: string,
    type: PatchType,
    body: unknown,
    options: PatchOptions = {},
  ): PatchResult {
    return patchObject(this.writes, info, namespace, name, { type, body }, options);
  }

  /**
   * Deletes an object: with finalizers it only gets `deletionTimestamp` (MODIFIED); otherwise it is
   * removed (DELETED) and the garbage collector deletes its dependents later. With `Foreground`
   * or `Orphan` it is kept with the `foregroundDeletion` or `orphan` finalizer until the collector
   * has deleted or orphaned its dependents.
   */
  deleteObject(
    info: ResourceInfo,
    namespace: string | undefined,
    name: string,
    options: DeleteOptions = {},
  ): KubeObject {
    return deleteObject(this.writes, info, namespace, name, options);
  }

  /** Deletes every object of a list selection; returns the objects as they were deleted. */
  deleteCollection(
    info: ResourceInfo,
    options: ListOptions,
    del: DeleteOptions = {},
  ): KubeObject[] {
    const page = this.list(info, { ...options, limit: undefined, continueToken: undefined });
    const out: KubeObject[] = [];
    for (const { obj } of page.items) {
      if (!this.get(info, obj.metadata.namespace, obj.metadata.name)) continue;
      out.push(this.deleteObject(info, obj.metadata.namespace, obj.metadata.name, del));
    }
    return out;
  }
}
