import { newUid, nowTimestamp, randomSuffix } from "./clock.js";
import {
  alreadyExists,
  badRequest,
  conflict,
  expired,
  failure,
  invalid,
  KubeApiError,
  notFound,
  OPTIMISTIC_LOCK_MESSAGE,
} from "./errors.js";
import { recordUpdate, serverSideApply, type Actor, type FieldScope } from "./managed-fields.js";
import { applyJsonPatch, applyMergePatch, cloneJson, jsonEqual } from "./patch.js";
import { findResource, groupVersion, resourceKey, type ResourceInfo } from "./resources.js";
import { matchesLabels, type CompiledFieldSelector, type LabelSelector } from "./selectors.js";
import type { AdmissionHook, AdmissionRequest, KubeObject, OwnerReference } from "./types.js";

/** The type of a watch event. */
export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";

/** A receiver of watch events for one collection. */
export interface WatchSubscriber {
  namespace?: string;
  labels: LabelSelector;
  fields: CompiledFieldSelector;
  /** Receives one event; `json` is the object already serialized, when available. */
  send(type: WatchEventType, obj: KubeObject, json: string): void;
}

/** The patch types the store understands. */
export type PatchType = "merge" | "json" | "apply";

/** Options of write operations. */
export interface WriteOptions {
  subresource?: "status";
  fieldManager?: string;
}

/** Options of a delete. */
export interface DeleteOptions {
  preconditions?: { uid?: string; resourceVersion?: string };
  propagationPolicy?: "Background" | "Foreground" | "Orphan";
}

/** Options of a list. */
export interface ListOptions {
  namespace?: string;
  labels?: LabelSelector;
  fields?: CompiledFieldSelector;
  limit?: number;
  continueToken?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
}

/** A page of a list. */
export interface ListPage {
  items: Array<{ obj: KubeObject; json: string }>;
  resourceVersion: string;
  continueToken?: string;
  remainingItemCount?: number;
}

interface Entry {
  obj: KubeObject;
  json: string | undefined;
}

interface HistoryEvent {
  rv: number;
  rk: string;
  key: string;
  type: "ADDED" | "MODIFIED" | "DELETED";
  obj: KubeObject;
  prev: KubeObject | undefined;
  json?: string;
}

class Collection {
  readonly items = new Map<string, Entry>();
  readonly byNamespace = new Map<string, Map<string, Entry>>();
  readonly subscribers = new Set<WatchSubscriber>();
  private sorted: string[] | undefined;
  private readonly sortedByNamespace = new Map<string, string[]>();

  constructor(readonly info: ResourceInfo) {}

  static key(namespace: string | undefined, name: string): string {
    return namespace ? `${namespace}/${name}` : name;
  }

  set(key: string, entry: Entry): void {
    const ns = entry.obj.metadata.namespace ?? "";
    const isNew = !this.items.has(key);
    this.items.set(key, entry);
    let nsMap = this.byNamespace.get(ns);
    if (!nsMap) {
      nsMap = new Map();
      this.byNamespace.set(ns, nsMap);
    }
    nsMap.set(entry.obj.metadata.name, entry);
    if (isNew) this.invalidate(ns);
  }

  remove(key: string, obj: KubeObject): void {
    const ns = obj.metadata.namespace ?? "";
    this.items.delete(key);
    const nsMap = this.byNamespace.get(ns);
    nsMap?.delete(obj.metadata.name);
    if (nsMap && nsMap.size === 0) this.byNamespace.delete(ns);
    this.invalidate(ns);
  }

  private invalidate(ns: string): void {
    this.sorted = undefined;
    this.sortedByNamespace.delete(ns);
  }

  /** Keys in list order (sorted like etcd keys), for one namespace or all. */
  sortedKeys(namespace: string | undefined): string[] {
    if (namespace) {
      let keys = this.sortedByNamespace.get(namespace);
      if (!keys) {
        const nsMap = this.byNamespace.get(namespace);
        keys = nsMap ? [...nsMap.keys()].sort().map((n) => Collection.key(namespace, n)) : [];
        this.sortedByNamespace.set(namespace, keys);
      }
      return keys;
    }
    this.sorted ??= [...this.items.keys()].sort();
    return this.sorted;
  }
}

/** The finalizer that holds an owner deleted with propagationPolicy Foreground. */
const FOREGROUND_FINALIZER = "foregroundDeletion";
/** The finalizer that holds an owner deleted with propagationPolicy Orphan. */
const ORPHAN_FINALIZER = "orphan";

const NAME_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const NS_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

const MICRO_TIME_FIELDS: Record<string, string[]> = { leases: ["acquireTime", "renewTime"] };

/** Normalizes MicroTime fields to the server's `2006-01-02T15:04:05.000000Z` form. */
function normalizeMicroTimes(info: ResourceInfo, obj: KubeObject): void {
  const fields = MICRO_TIME_FIELDS[info.resource];
  const spec = obj["spec"];
  if (!fields || !isObject(spec)) return;
  for (const f of fields) {
    const v = spec[f];
    if (typeof v !== "string") continue;
    const t = Date.parse(v);
    if (Number.isNaN(t)) continue;
    const micros = /\.(\d+)/.exec(v)?.[1] ?? "";
    spec[f] = `${new Date(t).toISOString().slice(0, 19)}.${micros.padEnd(6, "0").slice(0, 6)}Z`;
  }
}

/**
 * A copy of an object's top level and metadata. Stored objects are never modified in place, so
 * the deeper parts can be shared.
 */
function shallowCopy(obj: KubeObject): KubeObject {
  return { ...obj, metadata: { ...obj.metadata } };
}

function specOf(obj: KubeObject): Record<string, unknown> {
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (k !== "metadata" && k !== "status" && k !== "apiVersion" && k !== "kind") rest[k] = v;
  }
  return rest;
}

/** The object without what changes on every write (resourceVersion, managedFields times). */
function withoutVolatile(obj: KubeObject): KubeObject {
  const meta = { ...obj.metadata };
  delete meta.resourceVersion;
  if (meta.managedFields) meta.managedFields = meta.managedFields.map((m) => ({ ...m, time: "" }));
  return { ...obj, metadata: meta };
}

function encodeContinue(rv: number, start: string): string {
  return Buffer.from(JSON.stringify({ v: "meta.k8s.io/v1", rv, start })).toString("base64url");
}

function decodeContinue(token: string): { rv: number; start: string } {
  try {
    const parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as {
      v?: unknown;
      rv?: unknown;
      start?: unknown;
    };
    if (
      parsed.v !== "meta.k8s.io/v1" ||
      typeof parsed.rv !== "number" ||
      typeof parsed.start !== "string"
    ) {
      throw new Error("bad token");
    }
    return { rv: parsed.rv, start: parsed.start };
  } catch {
    throw badRequest(
      "continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)",
    );
  }
}

function parseRv(value: string): number {
  if (!/^[0-9]+$/.test(value)) throw badRequest(`invalid resource version: ${value}`);
  return Number(value);
}

/** Errors a store raises for a missing namespace, terminating namespace, or unknown kind. */
function namespaceNotFound(ns: string): KubeApiError {
  return notFound({ group: "", resource: "namespaces" }, ns);
}

/**
 * The object store of the fake API server: collections indexed by namespace and name, one global
 * resourceVersion counter, a bounded history of change events for watches and continue tokens,
 * field ownership, finalizers and garbage collection of dependents. All operations are
 * synchronous; watchers are notified before the operation returns. The garbage collector runs
 * apart, as a real cluster's does: `gcDelayMs` after an owner is removed or marked for
 * foreground or orphan deletion.
 */
export class ObjectStore {
  private readonly collections = new Map<string, Collection>();
  private readonly byInfo = new Map<ResourceInfo, Collection>();
  private rv = 0;
  private history: HistoryEvent[] = [];
  private historyStart = 0;
  private compactedRv = 0;
  /** ownerUid -> `rk\u0001key` of dependents. */
  private readonly dependents = new Map<string, Set<string>>();
  /** Pending garbage-collector runs. */
  private readonly gcHandles = new Set<NodeJS.Timeout | NodeJS.Immediate>();
  private gcIdleWaiters: Array<() => void> = [];
  private disposed = false;
  /** uid -> `rk\u0001key` of every stored object (to find owners). */
  private readonly byUid = new Map<string, string>();
  /** Number of namespaced objects per namespace (for terminating namespaces). */
  private readonly perNamespace = new Map<string, number>();
  private readonly removalListeners = new Set<(info: ResourceInfo, obj: KubeObject) => void>();

  constructor(
    private readonly historyLimit: number,
    private readonly autoCreateNamespaces: boolean,
    private readonly gcDelayMs = 5,
    private readonly admission?: AdmissionHook,
  ) {
    this.createNamespace("default");
  }

  /**
   * Runs `task` later, as the garbage collector (a separate controller on a real cluster) does:
   * after `gcDelayMs`, or on the next turn of the event loop when that is 0.
   */
  private scheduleGc(task: () => void): void {
    if (this.disposed) return;
    const run = (): void => {
      this.gcHandles.delete(handle);
      try {
        task();
      } catch (err) {
        // A real collector retries; the fake's tasks re-check the state, so this is a bug.
        process.emitWarning(`kube-fake garbage collection failed: ${String(err)}`);
      }
      if (this.gcHandles.size === 0) this.wakeGcIdleWaiters();
    };
    const handle = this.gcDelayMs > 0 ? setTimeout(run, this.gcDelayMs) : setImmediate(run);
    handle.unref();
    this.gcHandles.add(handle);
  }

  private wakeGcIdleWaiters(): void {
    const waiters = this.gcIdleWaiters;
    this.gcIdleWaiters = [];
    for (const wake of waiters) wake();
  }

  /** Runs the admission hook; a message refuses the write (400, as a webhook's denial). */
  private admit(
    info: ResourceInfo,
    verb: AdmissionRequest["verb"],
    object: KubeObject,
    oldObject: KubeObject | undefined,
    subresource: string | undefined,
  ): void {
    if (!this.admission) return;
    const request: AdmissionRequest = { verb, resource: info.resource, object: cloneJson(object) };
    if (subresource === "status") request.subresource = "status";
    if (oldObject) request.oldObject = cloneJson(oldObject);
    const refusal = this.admission(request);
    if (refusal !== undefined) throw badRequest(refusal);
  }

  /** Resolves once no garbage collection is pending (including the work it caused). */
  gcIdle(): Promise<void> {
    if (this.gcHandles.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.gcIdleWaiters.push(resolve));
  }

  /** Cancels pending garbage collection for good (the store stays readable). */
  dispose(): void {
    this.disposed = true;
    for (const handle of this.gcHandles) {
      clearTimeout(handle as NodeJS.Timeout);
      clearImmediate(handle as NodeJS.Immediate);
    }
    this.gcHandles.clear();
    this.wakeGcIdleWaiters();
  }

  /** The current (latest) resourceVersion. */
  currentResourceVersion(): string {
    return String(this.rv);
  }

  /** Registers a callback run after an object is removed for good. */
  onRemoved(listener: (info: ResourceInfo, obj: KubeObject) => void): () => void {
    this.removalListeners.add(listener);
    return () => this.removalListeners.delete(listener);
  }

  private collection(info: ResourceInfo): Collection {
    let c = this.byInfo.get(info);
    if (!c) {
      const rk = resourceKey(info);
      c = this.collections.get(rk);
      if (!c) {
        c = new Collection(info);
        this.collections.set(rk, c);
      }
      this.byInfo.set(info, c);
    }
    return c;
  }

  private gr(info: ResourceInfo): { group: string; resource: string } {
    return { group: info.group, resource: info.resource };
  }

  private scopeOf(info: ResourceInfo, subresource: string | undefined): FieldScope {
    if (!info.statusSubresource) return "all";
    return subresource === "status" ? "status" : "main";
  }

  private requireNamespace(info: ResourceInfo, namespace: string | undefined): string | undefined {
    if (!info.namespaced) return undefined;
    if (!namespace)
      throw badRequest("the server could not find the requested resource: a namespace is required");
    return namespace;
  }

  // ---- reads ----

  /** The stored object (not a copy: callers must not modify it). */
  get(info: ResourceInfo, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.collection(info).items.get(
      Collection.key(info.namespaced ? namespace : undefined, name),
    )?.obj;
  }

  /** The stored object or a 404 error. */
  mustGet(info: ResourceInfo, namespace: string | undefined, name: string): KubeObject {
    const obj = this.get(info, namespace, name);
    if (!obj) throw notFound(this.gr(info), name);
    return obj;
  }

  /** Serialized JSON of a stored object (cached). */
  jsonOf(info: ResourceInfo, obj: KubeObject): string {
    const entry = this.collection(info).items.get(
      Collection.key(obj.metadata.namespace, obj.metadata.name),
    );
    if (entry && entry.obj === obj) {
      entry.json ??= JSON.stringify(obj);
      return entry.json;
    }
    return JSON.stringify(obj);
  }

  /** Lists a collection (one page when `limit` is set). */
  list(info: ResourceInfo, options: ListOptions = {}): ListPage {
    const coll = this.collection(info);
    const ns = info.namespaced ? options.namespace : undefined;
    let listRv = this.rv;
    let start: string | undefined;
    if (options.continueToken) {
      const token = decodeContinue(options.continueToken);
      if (token.rv < this.compactedRv) {
        throw expired(
          "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.",
        );
      }
      listRv = token.rv;
      start = token.start;
    } else if (options.resourceVersion && options.resourceVersion !== "0") {
      const wanted = parseRv(options.resourceVersion);
      if (options.resourceVersionMatch === "Exact") {
        if (wanted < this.compactedRv) {
          throw expired(`too old resource version: ${wanted} (${this.compactedRv})`);
        }
        listRv = wanted;
      }
      if (wanted > this.rv) {
        throw new KubeApiError(
          failure(504, "Timeout", `Too large resource version: ${wanted}, current: ${this.rv}`, {
            causes: [{ reason: "ResourceVersionTooLarge", message: "Too large resource version" }],
            retryAfterSeconds: 1,
          }),
        );
      }
    } else if (options.resourceVersionMatch && options.resourceVersionMatch !== "NotOlderThan") {
      throw badRequest(
        `resourceVersionMatch "${options.resourceVersionMatch}" is forbidden for resourceVersion ""`,
      );
    }
    const view = this.viewAt(coll, ns, listRv);
    let i = 0;
    if (start !== undefined) {
      // Binary search for the first key after `start`.
      let lo = 0;
      let hi = view.keys.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (view.keys[mid]! <= start) lo = mid + 1;
        else hi = mid;
      }
      i = lo;
    }
    const limit = options.limit && options.limit > 0 ? options.limit : Infinity;
    const items: ListPage["items"] = [];
    const labels = options.labels ?? [];
    for (; i < view.keys.length && items.length < limit; i++) {
      const key = view.keys[i]!;
      const entry = view.get(key);
      if (!entry) continue;
      const obj = entry.obj;
      if (labels.length > 0 && !matchesLabels(labels, obj.metadata.labels)) continue;
      if (options.fields && !options.fields.matches(obj)) continue;
      entry.json ??= JSON.stringify(obj);
      items.push({ obj, json: entry.json });
    }
    const page: ListPage = { items, resourceVersion: String(listRv) };
    if (i < view.keys.length && items.length >= limit) {
      page.continueToken = encodeContinue(listRv, view.keys[i - 1]!);
      if (labels.length === 0 && !options.fields?.requirements.length) {
        page.remainingItemCount = view.keys.length - i;
      }
    }
    return page;
  }

  /** The collection as it was at `rv` (the current state when nothing changed since). */
  private viewAt(
    coll: Collection,
    namespace: string | undefined,
    rv: number,
  ): { keys: string[]; get(key: string): Entry | undefined } {
    const rk = resourceKey(coll.info);
    const undo: HistoryEvent[] = [];
    for (let i = this.history.length - 1; i >= this.historyStart; i--) {
      const ev = this.history[i]!;
      if (ev.rv <= rv) break;
      if (ev.rk === rk && (!namespace || ev.obj.metadata.namespace === namespace)) undo.push(ev);
    }
    if (undo.length === 0) {
      const keys = coll.sortedKeys(namespace);
      return { keys, get: (key) => coll.items.get(key) };
    }
    const snapshot = new Map<string, Entry>();
    const source = namespace
      ? (coll.byNamespace.get(namespace)?.values() ?? [])
      : coll.items.values();
    for (const entry of source) {
      snapshot.set(Collection.key(entry.obj.metadata.namespace, entry.obj.metadata.name), entry);
    }
    for (const ev of undo) {
      if (ev.type === "ADDED") snapshot.delete(ev.key);
      else if (ev.prev) snapshot.set(ev.key, { obj: ev.prev, json: undefined });
    }
    const keys = [...snapshot.keys()].sort();
    return { keys, get: (key) => snapshot.get(key) };
  }

  // ---- watches ----

  /**
   * Starts a watch: replays the events after `resourceVersion` (or synthetic ADDED events for the
   * current state when it is empty or "0"), then delivers live events until unsubscribed.
   * Throws 410 Expired when `resourceVersion` is older than the kept history.
   */
  watch(info: ResourceInfo, resourceVersion: string | undefined, sub: WatchSubscriber): () => void {
    const coll = this.collection(info);
    if (!resourceVersion || resourceVersion === "0") {
      const keys = coll.sortedKeys(sub.namespace);
      for (const key of keys) {
        const entry = coll.items.get(key)!;
        if (!this.matches(sub, entry.obj)) continue;
        entry.json ??= JSON.stringify(entry.obj);
        sub.send("ADDED", entry.obj, entry.json);
      }
    } else {
      const from = parseRv(resourceVersion);
      if (from < this.compactedRv) {
        throw expired(`too old resource version: ${from} (${this.compactedRv})`);
      }
      const rk = resourceKey(info);
      for (let i = this.historyStart; i < this.history.length; i++) {
        const ev = this.history[i]!;
        if (ev.rv > from && ev.rk === rk) this.deliver(sub, ev);
      }
    }
    coll.subscribers.add(sub);
    return () => coll.subscribers.delete(sub);
  }

  private matches(sub: WatchSubscriber, obj: KubeObject): boolean {
    if (sub.namespace && obj.metadata.namespace !== sub.namespace) return false;
    if (sub.labels.length > 0 && !matchesLabels(sub.labels, obj.metadata.labels)) return false;
    return sub.fields.requirements.length === 0 || sub.fields.matches(obj);
  }

  private deliver(sub: WatchSubscriber, ev: HistoryEvent): void {
    const now = this.matches(sub, ev.obj);
    if (ev.type === "MODIFIED") {
      const before = ev.prev !== undefined && this.matches(sub, ev.prev);
      if (now) {
        ev.json ??= JSON.stringify(ev.obj);
        sub.send(before ? "MODIFIED" : "ADDED", ev.obj, ev.json);
      } else if (before) {
        const gone = {
          ...ev.prev!,
          metadata: { ...ev.prev!.metadata, resourceVersion: String(ev.rv) },
        };
        sub.send("DELETED", gone, JSON.stringify(gone));
      }
      return;
    }
    if (!now) return;
    ev.json ??= JSON.stringify(ev.obj);
    sub.send(ev.type, ev.obj, ev.json);
  }

  /** Forgets the change history: older resourceVersions answer 410 Gone from now on. */
  compact(): void {
    // Every resourceVersion handed out so far becomes too old; the next one (skipping a number,
    // as real resourceVersions do) is the oldest valid one, so a relist right after works.
    this.rv += 1;
    this.compactedRv = this.rv;
    this.history = [];
    this.historyStart = 0;
  }

  private record(coll: Collection, ev: HistoryEvent): void {
    this.history.push(ev);
    while (this.history.length - this.historyStart > this.historyLimit) {
      this.compactedRv = this.history[this.historyStart]!.rv;
      this.historyStart++;
    }
    if (this.historyStart > 1024 && this.historyStart * 2 > this.history.length) {
      this.history = this.history.slice(this.historyStart);
      this.historyStart = 0;
    }
    for (const sub of coll.subscribers) this.deliver(sub, ev);
  }

  // ---- low-level commits ----

  private nextRv(): string {
    this.rv += 1;
    return String(this.rv);
  }

  private indexOwners(
    rk: string,
    key: string,
    prev: KubeObject | undefined,
    next: KubeObject | undefined,
  ): void {
    const ref = `${rk}\u0001${key}`;
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

  private commitAdd(info: ResourceInfo, obj: KubeObject): void {
    const coll = this.collection(info);
    const key = Collection.key(obj.metadata.namespace, obj.metadata.name);
    coll.set(key, { obj, json: undefined });
    this.indexOwners(resourceKey(info), key, undefined, obj);
    if (obj.metadata.uid) this.byUid.set(obj.metadata.uid, `${resourceKey(info)}\u0001${key}`);
    if (obj.metadata.namespace) {
      this.perNamespace.set(
        obj.metadata.namespace,
        (this.perNamespace.get(obj.metadata.namespace) ?? 0) + 1,
      );
    }
    this.record(coll, {
      rv: this.rv,
      rk: resourceKey(info),
      key,
      type: "ADDED",
      obj,
      prev: undefined,
    });
  }

  private commitModify(info: ResourceInfo, prev: KubeObject, obj: KubeObject): void {
    const coll = this.collection(info);
    const key = Collection.key(obj.metadata.namespace, obj.metadata.name);
    coll.set(key, { obj, json: undefined });
    this.indexOwners(resourceKey(info), key, prev, obj);
    this.record(coll, { rv: this.rv, rk: resourceKey(info), key, type: "MODIFIED", obj, prev });
  }

  /** Removes an object for good (DELETED event) and collects its dependents. */
  private commitRemove(info: ResourceInfo, prev: KubeObject): void {
    const coll = this.collection(info);
    const key = Collection.key(prev.metadata.namespace, prev.metadata.name);
    const rv = this.nextRv();
    const final: KubeObject = { ...prev, metadata: { ...prev.metadata, resourceVersion: rv } };
    coll.remove(key, prev);
    this.indexOwners(resourceKey(info), key, prev, undefined);
    this.record(coll, {
      rv: this.rv,
      rk: resourceKey(info),
      key,
      type: "DELETED",
      obj: final,
      prev,
    });
    const uid = prev.metadata.uid!;
    this.byUid.delete(uid);
    // The garbage collector notices later: owners waiting for their dependents may go, and the
    // dependents of this (now absent) owner are deleted.
    for (const o of prev.metadata.ownerReferences ?? []) {
      const ownerUid = o.uid;
      if (this.waitsForDependents(ownerUid))
        this.scheduleGc(() => this.releaseForegroundOwner(ownerUid));
    }
    for (const listener of this.removalListeners) listener(info, final);
    if (this.dependents.has(uid)) this.scheduleGc(() => this.collectDependents(uid));
    const ns = prev.metadata.namespace;
    if (ns) {
      const left = (this.perNamespace.get(ns) ?? 1) - 1;
      if (left > 0) this.perNamespace.set(ns, left);
      else {
        this.perNamespace.delete(ns);
        this.finishNamespaceIfTerminating(ns);
      }
    }
    if (info.resource === "namespaces") this.perNamespace.delete(prev.metadata.name);
  }

  /** The stored object at a `rk\u0001key` reference. */
  private objectAt(ref: string): { info: ResourceInfo; obj: KubeObject } | undefined {
    const [rk, key] = ref.split("\u0001") as [string, string];
    const coll = this.collections.get(rk);
    const obj = coll?.items.get(key)?.obj;
    return coll && obj ? { info: coll.info, obj } : undefined;
  }

  /** The stored dependents of an owner. */
  private dependentsOf(ownerUid: string): Array<{ info: ResourceInfo; obj: KubeObject }> {
    const out: Array<{ info: ResourceInfo; obj: KubeObject }> = [];
    for (const ref of this.dependents.get(ownerUid) ?? []) {
      const dep = this.objectAt(ref);
      if (dep) out.push(dep);
    }
    return out;
  }

  /** Whether the object with this uid is being deleted in the foreground. */
  private waitsForDependents(uid: string): boolean {
    const ref = this.byUid.get(uid);
    const obj = ref ? this.objectAt(ref)?.obj : undefined;
    return (
      obj?.metadata.deletionTimestamp !== undefined &&
      (obj.metadata.finalizers ?? []).includes(FOREGROUND_FINALIZER)
    );
  }

  /** Removes a finalizer the garbage collector handles, removing the object if it was the last. */
  private dropFinalizer(info: ResourceInfo, obj: KubeObject, finalizer: string): void {
    if (!obj.metadata.finalizers?.includes(finalizer)) return;
    const next = shallowCopy(obj);
    const left = obj.metadata.finalizers.filter((f) => f !== finalizer);
    if (left.length > 0) next.metadata.finalizers = left;
    else delete next.metadata.finalizers;
    next.metadata.resourceVersion = this.nextRv();
    this.commitModify(info, obj, next);
    this.removeIfFinalized(info, next);
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
    next.metadata.resourceVersion = this.nextRv();
    this.commitModify(info, obj, next);
    this.removeIfFinalized(info, next);
  }

  /** Removes the foregroundDeletion finalizer of a deleting owner whose dependents are all gone. */
  private releaseForegroundOwner(ownerUid: string): void {
    if (this.dependents.has(ownerUid)) return;
    const ref = this.byUid.get(ownerUid);
    const owner = ref ? this.objectAt(ref) : undefined;
    if (owner) this.dropFinalizer(owner.info, owner.obj, FOREGROUND_FINALIZER);
  }

  /**
   * The garbage collector's pass over an object being deleted with the `orphan` or
   * `foregroundDeletion` finalizer: orphan its dependents, or delete them and let it go once they
   * are gone.
   */
  private processDeletingOwner(uid: string): void {
    const ref = this.byUid.get(uid);
    const owner = ref ? this.objectAt(ref) : undefined;
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
   * The garbage collector's pass over the dependents of a removed owner: a dependent with another
   * owner still present only loses its dangling ownerReferences; the others are deleted.
   */
  private collectDependents(ownerUid: string): void {
    for (const { info, obj } of this.dependentsOf(ownerUid)) {
      const owners = obj.metadata.ownerReferences ?? [];
      const solid = owners.some(
        (o) => o.uid !== ownerUid && this.byUid.has(o.uid) && !this.waitsForDependents(o.uid),
      );
      if (solid) {
        this.stripOwnerReferences(info, obj, (o) => this.byUid.has(o.uid));
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

  private removeIfFinalized(info: ResourceInfo, obj: KubeObject): void {
    if (obj.metadata.deletionTimestamp && (obj.metadata.finalizers ?? []).length === 0) {
      this.commitRemove(info, obj);
    }
  }

  // ---- namespaces ----

  private namespacesInfo(): ResourceInfo {
    return findResource("", "v1", "namespaces")!;
  }

  private createNamespace(name: string): KubeObject {
    const info = this.namespacesInfo();
    const obj: KubeObject = {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name },
    };
    return this.create(info, obj, { fieldManager: "kube-fake" });
  }

  private ensureNamespace(namespace: string): void {
    const ns = this.get(this.namespacesInfo(), undefined, namespace);
    if (ns) {
      if (ns.metadata.deletionTimestamp) {
        throw new KubeApiError(
          failure(
            403,
            "Forbidden",
            `unable to create new content in namespace ${namespace} because it is being terminated`,
            {
              causes: [
                {
                  reason: "NamespaceTerminating",
                  message: `namespace ${namespace} is being terminated`,
                  field: "metadata.namespace",
                },
              ],
            },
          ),
        );
      }
      return;
    }
    if (!this.autoCreateNamespaces) throw namespaceNotFound(namespace);
    if (!NS_RE.test(namespace)) throw namespaceNotFound(namespace);
    this.createNamespace(namespace);
  }

  private finishNamespaceIfTerminating(namespace: string): void {
    const info = this.namespacesInfo();
    const ns = this.get(info, undefined, namespace);
    if (ns?.metadata.deletionTimestamp && !this.perNamespace.get(namespace))
      this.commitRemove(info, ns);
  }

  private deleteNamespaceContents(namespace: string): void {
    for (const coll of [...this.collections.values()]) {
      if (!coll.info.namespaced) continue;
      const objs = [...(coll.byNamespace.get(namespace)?.values() ?? [])].map((e) => e.obj);
      for (const obj of objs) {
        if (this.get(coll.info, namespace, obj.metadata.name)) {
          this.deleteObject(coll.info, namespace, obj.metadata.name, {
            propagationPolicy: "Background",
          });
        }
      }
    }
  }

  // ---- writes ----

  private checkKind(info: ResourceInfo, obj: KubeObject): void {
    if (!isObject(obj) || !isObject(obj.metadata)) {
      throw badRequest("Object 'metadata' is missing or not an object");
    }
    const gv = groupVersion(info);
    if ((obj.apiVersion && obj.apiVersion !== gv) || (obj.kind && obj.kind !== info.kind)) {
      throw badRequest(
        `the API version in the data (${obj.apiVersion}) does not match the expected API version (${gv})`,
      );
    }
  }

  private actor(
    info: ResourceInfo,
    manager: string | undefined,
    subresource: string | undefined,
  ): Actor {
    const a: Actor = {
      manager: manager || "kube-fake",
      apiVersion: groupVersion(info),
      time: nowTimestamp(),
    };
    if (subresource) a.subresource = subresource;
    return a;
  }

  /**
   * Creates an object (generateName, uid, creationTimestamp, resourceVersion, generation).
   * `resetStatus` drops `status` like the real server does for kinds with a status subresource.
   */
  create(
    info: ResourceInfo,
    input: KubeObject,
    options: {
      namespace?: string;
      fieldManager?: string;
      resetStatus?: boolean;
      apply?: boolean;
      /** The input is the caller's to give away (not copied). */
      owned?: boolean;
    } = {},
  ): KubeObject {
    this.checkKind(info, input);
    const obj = options.owned ? input : cloneJson(input);
    obj.apiVersion = groupVersion(info);
    obj.kind = info.kind;
    const meta = obj.metadata;
    let namespace: string | undefined;
    if (info.namespaced) {
      namespace = options.namespace ?? meta.namespace ?? "default";
      if (meta.namespace && meta.namespace !== namespace) {
        throw badRequest(
          "the namespace of the provided object does not match the namespace sent on the request",
        );
      }
      meta.namespace = namespace;
    } else {
      delete meta.namespace;
    }
    if (!meta.name && meta.generateName) {
      meta.name = `${meta.generateName}${randomSuffix()}`;
    }
    const name = meta.name ?? "";
    if (!name) {
      throw invalid(info.kind, info.group, "", [
        {
          field: "metadata.name",
          reason: "FieldValueRequired",
          message: "Required value: name or generateName is required",
        },
      ]);
    }
    const re = info.resource === "namespaces" ? NS_RE : NAME_RE;
    if (!re.test(name) || name.length > (info.resource === "namespaces" ? 63 : 253)) {
      throw invalid(info.kind, info.group, name, [
        {
          field: "metadata.name",
          reason: "FieldValueInvalid",
          message: `Invalid value: "${name}": a lowercase RFC 1123 ${info.resource === "namespaces" ? "label" : "subdomain"} must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`,
        },
      ]);
    }
    if (this.get(info, namespace, name)) throw alreadyExists(this.gr(info), name);
    if (namespace) this.ensureNamespace(namespace);
    if (options.resetStatus && info.statusSubresource) delete obj["status"];
    normalizeMicroTimes(info, obj);
    if (info.resource === "namespaces") {
      meta.labels = { ...(meta.labels ?? {}), "kubernetes.io/metadata.name": name };
      obj["spec"] = { finalizers: ["kubernetes"], ...(isObject(obj["spec"]) ? obj["spec"] : {}) };
      obj["status"] = { phase: "Active" };
    } else if (info.resource === "pods" && options.resetStatus) {
      obj["status"] = { phase: "Pending", qosClass: "BestEffort" };
    }
    meta.uid = newUid();
    meta.creationTimestamp = nowTimestamp();
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    if (info.generation) meta.generation = 1;
    else delete meta.generation;
    if (!options.apply) {
      delete meta.managedFields;
      meta.managedFields = recordUpdate(
        undefined,
        obj,
        this.actor(info, options.fieldManager, undefined),
        info.statusSubresource ? "main" : "all",
      );
      if (meta.managedFields.length === 0) delete meta.managedFields;
    }
    this.admit(info, "create", obj, undefined, undefined);
    meta.resourceVersion = this.nextRv();
    this.commitAdd(info, obj);
    return obj;
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
    this.checkKind(info, input);
    const name = options.name ?? input.metadata.name;
    if (!name) {
      throw invalid(info.kind, info.group, "", [
        {
          field: "metadata.name",
          reason: "FieldValueRequired",
          message: "Required value: name is required",
        },
      ]);
    }
    if (input.metadata.name && input.metadata.name !== name) {
      throw badRequest(
        `the name of the object (${input.metadata.name}) does not match the name on the URL (${name})`,
      );
    }
    const namespace = info.namespaced
      ? (options.namespace ?? input.metadata.namespace ?? "default")
      : undefined;
    if (info.namespaced && input.metadata.namespace && input.metadata.namespace !== namespace) {
      throw badRequest(
        "the namespace of the provided object does not match the namespace sent on the request",
      );
    }
    const current = this.mustGet(info, namespace, name);
    const rvIn = input.metadata.resourceVersion;
    if (rvIn && rvIn !== current.metadata.resourceVersion) {
      throw conflict(this.gr(info), name, OPTIMISTIC_LOCK_MESSAGE);
    }
    if (input.metadata.uid && input.metadata.uid !== current.metadata.uid) {
      throw conflict(
        this.gr(info),
        name,
        `Precondition failed: UID in precondition: ${input.metadata.uid}, UID in object meta: ${current.metadata.uid}`,
      );
    }
    return this.commitUpdate(
      info,
      current,
      options.owned ? input : cloneJson(input),
      options.subresource,
      options.fieldManager,
    );
  }

  private commitUpdate(
    info: ResourceInfo,
    current: KubeObject,
    proposed: KubeObject,
    subresource: "status" | undefined,
    fieldManager: string | undefined,
    applied?: (base: KubeObject) => KubeObject,
  ): KubeObject {
    let next: KubeObject;
    if (subresource === "status" && info.statusSubresource) {
      // Stored objects are never modified in place, so sharing their parts is safe.
      next = { ...current, metadata: { ...current.metadata } };
      if (proposed["status"] === undefined) delete next["status"];
      else next["status"] = proposed["status"];
    } else {
      next = proposed;
      next.apiVersion = groupVersion(info);
      next.kind = info.kind;
      if (info.statusSubresource) {
        if (current["status"] === undefined) delete next["status"];
        else next["status"] = current["status"];
      }
      const keep = [
        "name",
        "namespace",
        "uid",
        "creationTimestamp",
        "deletionTimestamp",
        "deletionGracePeriodSeconds",
        "generation",
      ] as const;
      next.metadata = { ...next.metadata };
      for (const k of keep) {
        if (current.metadata[k] === undefined) delete next.metadata[k];
        else (next.metadata as Record<string, unknown>)[k] = current.metadata[k];
      }
      if (!next.metadata.labels || Object.keys(next.metadata.labels).length === 0)
        delete next.metadata.labels;
      if (!next.metadata.annotations || Object.keys(next.metadata.annotations).length === 0) {
        delete next.metadata.annotations;
      }
      if (!next.metadata.finalizers || next.metadata.finalizers.length === 0)
        delete next.metadata.finalizers;
      if (!next.metadata.ownerReferences || next.metadata.ownerReferences.length === 0) {
        delete next.metadata.ownerReferences;
      }
    }
    next.metadata.resourceVersion = current.metadata.resourceVersion;
    normalizeMicroTimes(info, next);
    if (current.metadata.deletionTimestamp) {
      const before = new Set(current.metadata.finalizers ?? []);
      const added = (next.metadata.finalizers ?? []).filter((f) => !before.has(f));
      if (added.length > 0) {
        throw invalid(info.kind, info.group, current.metadata.name, [
          {
            field: "metadata.finalizers",
            reason: "FieldValueForbidden",
            message: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{${added
              .map((f) => JSON.stringify(f))
              .join(", ")}}`,
          },
        ]);
      }
    }
    if (info.generation && !jsonEqual(specOf(current), specOf(next))) {
      next.metadata.generation = (current.metadata.generation ?? 0) + 1;
    }
    const scope = this.scopeOf(info, subresource);
    const actor = this.actor(info, fieldManager, subresource);
    if (applied) {
      next = applied(next);
    } else {
      // A request that sets managedFields to something else resets the ownership baseline (like
      // the real server; kubectl uses this to migrate client-side-apply ownership).
      const given = next.metadata.managedFields;
      const baseline =
        given !== undefined &&
        subresource !== "status" &&
        !jsonEqual(given, current.metadata.managedFields ?? [])
          ? given
          : current.metadata.managedFields;
      next.metadata.managedFields = baseline;
      const mf = recordUpdate(
        { ...current, metadata: { ...current.metadata, managedFields: baseline } },
        next,
        actor,
        scope,
      );
      if (mf.length > 0) next.metadata.managedFields = mf;
      else delete next.metadata.managedFields;
    }
    this.admit(info, "update", next, current, subresource);
    if (jsonEqual(withoutVolatile(current), withoutVolatile(next))) return current;
    next.metadata.resourceVersion = this.nextRv();
    this.commitModify(info, current, next);
    this.removeIfFinalized(info, next);
    return next;
  }

  /** Patches an object (merge, JSON or server-side apply). Apply creates a missing object. */
  patch(
    info: ResourceInfo,
    namespace: string | undefined,
    name: string,
    type: PatchType,
    body: unknown,
    options: WriteOptions & { force?: boolean; strategic?: boolean } = {},
  ): { object: KubeObject; created: boolean } {
    const ns = this.requireNamespace(info, namespace);
    if (type === "apply") return this.apply(info, ns, name, body, options);
    const current = this.mustGet(info, ns, name);
    let patched: unknown;
    if (type === "merge") {
      if (!isObject(body))
        throw badRequest(
          "json: cannot unmarshal array into Go value of type map[string]interface {}",
        );
      patched = applyMergePatch(current, body);
    } else {
      patched = applyJsonPatch(current, body);
    }
    if (!isObject(patched) || !isObject(patched["metadata"])) {
      throw badRequest("the patched object is not a valid Kubernetes object");
    }
    const proposed = patched as KubeObject;
    const rvIn = proposed.metadata.resourceVersion;
    if (rvIn !== undefined && rvIn !== current.metadata.resourceVersion) {
      throw conflict(this.gr(info), name, OPTIMISTIC_LOCK_MESSAGE);
    }
    if (proposed.metadata.uid !== undefined && proposed.metadata.uid !== current.metadata.uid) {
      throw conflict(
        this.gr(info),
        name,
        `Precondition failed: UID in precondition: ${String(proposed.metadata.uid)}, UID in object meta: ${current.metadata.uid}`,
      );
    }
    if (proposed.metadata.name !== current.metadata.name) {
      throw badRequest(
        `the name of the object (${String(proposed.metadata.name)}) does not match the name on the URL (${name})`,
      );
    }
    const object = this.commitUpdate(
      info,
      current,
      proposed,
      options.subresource,
      options.fieldManager,
    );
    return { object, created: false };
  }

  private apply(
    info: ResourceInfo,
    namespace: string | undefined,
    name: string,
    body: unknown,
    options: WriteOptions & { force?: boolean },
  ): { object: KubeObject; created: boolean } {
    if (!options.fieldManager) {
      throw invalid("PatchOptions", "meta.k8s.io", "", [
        {
          field: "fieldManager",
          reason: "FieldValueRequired",
          message: "Required value: is required for apply patch",
        },
      ]);
    }
    if (!isObject(body) || !isObject(body["metadata"])) {
      throw badRequest(
        "error decoding YAML: the applied configuration must be an object with metadata",
      );
    }
    const config = cloneJson(body) as KubeObject;
    const gv = groupVersion(info);
    if (!config.apiVersion || !config.kind) {
      throw badRequest(
        `invalid object type: ${config.apiVersion ? "" : "apiVersion"}${config.kind ? "" : " kind"} must be set`.trim(),
      );
    }
    this.checkKind(info, config);
    if (config.metadata.name && config.metadata.name !== name) {
      throw badRequest(
        `the name of the object (${config.metadata.name}) does not match the name on the URL (${name})`,
      );
    }
    if (info.namespaced && config.metadata.namespace && config.metadata.namespace !== namespace) {
      throw badRequest(
        "the namespace of the provided object does not match the namespace sent on the request",
      );
    }
    config.metadata.name = name;
    if (namespace) config.metadata.namespace = namespace;
    else delete config.metadata.namespace;
    const scope = this.scopeOf(info, options.subresource);
    if (scope === "main") delete config["status"];
    if (scope === "status") {
      for (const k of Object.keys(config))
        if (!["apiVersion", "kind", "metadata", "status"].includes(k)) delete config[k];
      config.metadata = { name, ...(namespace ? { namespace } : {}) };
    }
    const actor = this.actor(info, options.fieldManager, options.subresource);
    const current = this.get(info, namespace, name);
    const rvIn = config.metadata.resourceVersion;
    if (rvIn && rvIn !== current?.metadata.resourceVersion) {
      if (!current) throw notFound(this.gr(info), name);
      throw conflict(this.gr(info), name, OPTIMISTIC_LOCK_MESSAGE);
    }
    if (config.metadata.uid && current && config.metadata.uid !== current.metadata.uid) {
      throw conflict(
        this.gr(info),
        name,
        `Precondition failed: UID in precondition: ${config.metadata.uid}, UID in object meta: ${current.metadata.uid}`,
      );
    }
    const run = (live: KubeObject | undefined): KubeObject => {
      const result = serverSideApply(live, config, actor, scope, options.force === true);
      if (result.conflicts.length > 0) {
        const causes = result.conflicts.map((c) => ({
          reason: "FieldManagerConflict",
          message: `conflict with "${c.manager}"${c.apiVersion !== gv ? ` using ${c.apiVersion}` : ""}`,
          field: c.field,
        }));
        const lines = result.conflicts.map(
          (c) =>
            `conflict with "${c.manager}"${c.apiVersion !== gv ? ` using ${c.apiVersion}` : ""}: ${c.field}`,
        );
        const message =
          lines.length === 1
            ? `Apply failed with 1 conflict: ${lines[0]}`
            : `Apply failed with ${lines.length} conflicts: ${lines.join("\n")}`;
        const err = conflict(this.gr(info), name, "");
        err.status.message = message;
        err.status.details = { ...err.status.details, causes };
        (err as { message: string }).message = message;
        throw err;
      }
      return result.object;
    };
    if (!current) {
      if (options.subresource === "status") throw notFound(this.gr(info), name);
      const created = run(undefined);
      const mf = created.metadata.managedFields;
      const obj = this.create(info, created, {
        namespace,
        fieldManager: options.fieldManager,
        apply: true,
        resetStatus: false,
      });
      if (mf && mf.length > 0 && !obj.metadata.managedFields) {
        obj.metadata.managedFields = mf;
      }
      return { object: obj, created: true };
    }
    const object = this.commitUpdate(
      info,
      current,
      shallowCopy(current),
      options.subresource,
      options.fieldManager,
      () => {
        const merged = run(current);
        // Keep server-owned metadata and the other half (status/main) as they are.
        for (const k of [
          "uid",
          "creationTimestamp",
          "deletionTimestamp",
          "deletionGracePeriodSeconds",
          "resourceVersion",
        ] as const) {
          if (current.metadata[k] === undefined) delete merged.metadata[k];
          else (merged.metadata as Record<string, unknown>)[k] = current.metadata[k];
        }
        if (info.generation && !jsonEqual(specOf(current), specOf(merged))) {
          merged.metadata.generation = (current.metadata.generation ?? 0) + 1;
        } else if (current.metadata.generation !== undefined) {
          merged.metadata.generation = current.metadata.generation;
        }
        if (current.metadata.deletionTimestamp) {
          const before = new Set(current.metadata.finalizers ?? []);
          const added = (merged.metadata.finalizers ?? []).filter((f) => !before.has(f));
          if (added.length > 0) {
            throw invalid(info.kind, info.group, name, [
              {
                field: "metadata.finalizers",
                reason: "FieldValueForbidden",
                message: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{${added
                  .map((f) => JSON.stringify(f))
                  .join(", ")}}`,
              },
            ]);
          }
        }
        if (merged.metadata.finalizers?.length === 0) delete merged.metadata.finalizers;
        return merged;
      },
    );
    return { object, created: false };
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
    const ns = this.requireNamespace(info, namespace);
    const current = this.mustGet(info, ns, name);
    const pre = options.preconditions;
    if (pre?.uid && pre.uid !== current.metadata.uid) {
      throw conflict(
        this.gr(info),
        name,
        `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata.uid}`,
      );
    }
    if (pre?.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion) {
      throw conflict(
        this.gr(info),
        name,
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`,
      );
    }
    const policy = options.propagationPolicy ?? "Background";
    if (info.resource === "namespaces") {
      if (name === "default" || name === "kube-system") {
        throw new KubeApiError(
          failure(
            403,
            "Forbidden",
            `namespaces "${name}" is forbidden: this namespace may not be deleted`,
            {
              name,
              kind: "namespaces",
            },
          ),
        );
      }
      if (current.metadata.deletionTimestamp) return current;
      const terminating = shallowCopy(current);
      terminating.metadata.deletionTimestamp = nowTimestamp();
      terminating.metadata.deletionGracePeriodSeconds = 0;
      terminating["status"] = { phase: "Terminating" };
      terminating.metadata.resourceVersion = this.nextRv();
      this.commitModify(info, current, terminating);
      this.deleteNamespaceContents(name);
      this.finishNamespaceIfTerminating(name);
      return this.get(info, undefined, name) ?? terminating;
    }
    if (policy !== "Background") {
      // Like the real server: the object is kept with the garbage collector's finalizer
      // (foregroundDeletion or orphan), which the collector removes once it has done its part.
      const wanted = policy === "Foreground" ? FOREGROUND_FINALIZER : ORPHAN_FINALIZER;
      const other = policy === "Foreground" ? ORPHAN_FINALIZER : FOREGROUND_FINALIZER;
      const finalizers = (current.metadata.finalizers ?? []).filter((f) => f !== other);
      if (!finalizers.includes(wanted)) finalizers.push(wanted);
      const next = shallowCopy(current);
      next.metadata.finalizers = finalizers;
      next.metadata.deletionTimestamp ??= nowTimestamp();
      next.metadata.deletionGracePeriodSeconds ??= 0;
      if (!jsonEqual(next, current)) {
        next.metadata.resourceVersion = this.nextRv();
        this.commitModify(info, current, next);
      }
      const uid = current.metadata.uid!;
      this.scheduleGc(() => this.processDeletingOwner(uid));
      return this.get(info, ns, name) ?? next;
    }
    if ((current.metadata.finalizers ?? []).length > 0) {
      if (current.metadata.deletionTimestamp) return current;
      const next = shallowCopy(current);
      next.metadata.deletionTimestamp = nowTimestamp();
      next.metadata.deletionGracePeriodSeconds = 0;
      next.metadata.resourceVersion = this.nextRv();
      this.commitModify(info, current, next);
      return next;
    }
    this.commitRemove(info, current);
    return current;
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
