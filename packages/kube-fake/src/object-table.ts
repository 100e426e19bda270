/**
 * Object storage of the fake API server: one {@link Collection} per resource, indexed by
 * namespace and name with cached sorted key lists for listing, and an index of every stored
 * object by uid. Stored objects are never modified in place: a write stores a new object, so
 * readers may share the parts of stored objects.
 *
 * @module
 */
import { notFound } from "./errors.js";
import { resourceKey, type ResourceInfo } from "./resources.js";
import type { KubeObject } from "./types.js";

/** A stored object and its serialized JSON (computed on first use, then cached). */
export interface Entry {
  obj: KubeObject;
  json: string | undefined;
}

/** A stored object with the resource it belongs to. */
export interface Located {
  info: ResourceInfo;
  obj: KubeObject;
}

/** The stored objects of one resource, indexed by key (`namespace/name` or `name`) and namespace. */
export class Collection {
  /** Entries by key. */
  readonly items = new Map<string, Entry>();
  /** Entries by namespace (`""` for cluster-scoped objects), then by name. */
  readonly byNamespace = new Map<string, Map<string, Entry>>();
  private sorted: string[] | undefined;
  private readonly sortedByNamespace = new Map<string, string[]>();

  /** Creates the empty collection of a resource. */
  constructor(readonly info: ResourceInfo) {}

  /** The key of an object: `namespace/name`, or `name` for cluster-scoped objects. */
  static key(namespace: string | undefined, name: string): string {
    return namespace ? `${namespace}/${name}` : name;
  }

  /** Stores an entry under `key` (adding or replacing it). */
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

  /** Removes the entry of `obj` stored under `key`. */
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

/**
 * Every stored object: the collections by resource and the uid index. Objects are referred to
 * across collections (by the garbage collector) with a `ref`, `resourceKey\u0001key`.
 */
export class ObjectTable {
  private readonly collections = new Map<string, Collection>();
  private readonly byInfo = new Map<ResourceInfo, Collection>();
  /** uid -> ref of every stored object (to find owners). */
  private readonly byUid = new Map<string, string>();

  /** The collection of a resource (created empty on first use). */
  collection(info: ResourceInfo): Collection {
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

  /** A snapshot of the collections used so far. */
  allCollections(): Collection[] {
    return [...this.collections.values()];
  }

  /** The stored object (not a copy: callers must not modify it). */
  get(info: ResourceInfo, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.collection(info).items.get(
      Collection.key(info.namespaced ? namespace : undefined, name),
    )?.obj;
  }

  /** The stored object or a 404 error. */
  mustGet(info: ResourceInfo, namespace: string | undefined, name: string): KubeObject {
    const obj = this.get(info, namespace, name);
    if (!obj) throw notFound({ group: info.group, resource: info.resource }, name);
    return obj;
  }

  /** Serialized JSON of an object: cached when it is the stored one. */
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

  /** The key of an object in its collection and its ref across collections. */
  keysOf(info: ResourceInfo, obj: KubeObject): { key: string; ref: string } {
    const key = Collection.key(obj.metadata.namespace, obj.metadata.name);
    return { key, ref: `${resourceKey(info)}\u0001${key}` };
  }

  /** Stores a new object (and indexes its uid). */
  add(info: ResourceInfo, obj: KubeObject): { key: string; ref: string } {
    const keys = this.keysOf(info, obj);
    this.collection(info).set(keys.key, { obj, json: undefined });
    if (obj.metadata.uid) this.byUid.set(obj.metadata.uid, keys.ref);
    return keys;
  }

  /** Replaces a stored object by its next version. */
  replace(info: ResourceInfo, obj: KubeObject): { key: string; ref: string } {
    const keys = this.keysOf(info, obj);
    this.collection(info).set(keys.key, { obj, json: undefined });
    return keys;
  }

  /** Removes a stored object (and its uid). */
  remove(info: ResourceInfo, obj: KubeObject): { key: string; ref: string } {
    const keys = this.keysOf(info, obj);
    this.collection(info).remove(keys.key, obj);
    this.byUid.delete(obj.metadata.uid!);
    return keys;
  }

  /** The stored object at a ref. */
  at(ref: string): Located | undefined {
    const [rk, key] = ref.split("\u0001") as [string, string];
    const coll = this.collections.get(rk);
    const obj = coll?.items.get(key)?.obj;
    return coll && obj ? { info: coll.info, obj } : undefined;
  }

  /** Whether an object with this uid is stored. */
  hasUid(uid: string): boolean {
    return this.byUid.has(uid);
  }

  /** The stored object with this uid. */
  withUid(uid: string): Located | undefined {
    const ref = this.byUid.get(uid);
    return ref ? this.at(ref) : undefined;
  }
}
