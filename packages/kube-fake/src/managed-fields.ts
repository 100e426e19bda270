/**
 * Field ownership (`metadata.managedFields`): which manager owns which fields, the Update entries
 * writes record ({@link recordUpdate}) and server-side apply with its conflicts
 * ({@link serverSideApply}). The paths and sets it works on are in `field-sets.ts`.
 *
 * @module
 */
import {
  disown,
  fieldSetOf,
  formatPath,
  fromFieldsV1,
  overlaps,
  pathKey,
  removeAt,
  toFieldsV1,
  valueAt,
  type FieldPath,
  type FieldScope,
  type FieldSet,
} from "./field-sets.js";
import { cloneJson, isObject, jsonEqual } from "./patch.js";
import type { KubeObject, ManagedFieldsEntry } from "./types.js";

/** One manager's ownership, parsed. */
export interface Ownership {
  manager: string;
  operation: "Apply" | "Update";
  subresource?: string;
  apiVersion: string;
  time: string;
  fields: FieldSet;
}

/** Parses `metadata.managedFields`. */
export function readOwnership(obj: KubeObject): Ownership[] {
  return (obj.metadata.managedFields ?? []).map((e) => {
    const o: Ownership = {
      manager: e.manager,
      operation: e.operation,
      apiVersion: e.apiVersion,
      time: e.time,
      fields: fromFieldsV1(e.fieldsV1),
    };
    if (e.subresource) o.subresource = e.subresource;
    return o;
  });
}

/** Serializes ownerships back to `metadata.managedFields` (entries owning nothing are dropped). */
export function writeOwnership(entries: Ownership[]): ManagedFieldsEntry[] {
  return entries
    .filter((e) => e.fields.size > 0)
    .map((e) => {
      const m: ManagedFieldsEntry = {
        manager: e.manager,
        operation: e.operation,
        apiVersion: e.apiVersion,
        time: e.time,
        fieldsType: "FieldsV1",
        fieldsV1: toFieldsV1(e.fields),
      };
      if (e.subresource) m.subresource = e.subresource;
      return m;
    });
}

function entryFor(
  entries: Ownership[],
  manager: string,
  operation: "Apply" | "Update",
  subresource: string | undefined,
  apiVersion: string,
  time: string,
): Ownership {
  let e = entries.find(
    (x) => x.manager === manager && x.operation === operation && x.subresource === subresource,
  );
  if (!e) {
    e = { manager, operation, apiVersion, time, fields: new Map() };
    if (subresource) e.subresource = subresource;
    entries.push(e);
  }
  e.time = time;
  e.apiVersion = apiVersion;
  return e;
}

/** Who is changing an object, for field ownership. */
export interface Actor {
  manager: string;
  subresource?: string;
  apiVersion: string;
  time: string;
}

/**
 * Records an Update operation (create, PUT, merge/json patch) by `actor`: the fields it changed
 * move to its `Update` entry (taken from any other manager); removed fields are disowned by all.
 */
export function recordUpdate(
  before: KubeObject | undefined,
  after: KubeObject,
  actor: Actor,
  scope: FieldScope,
): ManagedFieldsEntry[] {
  const entries = before ? readOwnership(before) : [];
  const oldSet = before ? fieldSetOf(before, scope) : new Map<string, FieldPath>();
  const newSet = fieldSetOf(after, scope);
  const changed: FieldPath[] = [];
  for (const [k, p] of newSet) {
    if (!oldSet.has(k) || !jsonEqual(valueAt(before, p).value, valueAt(after, p).value))
      changed.push(p);
  }
  const removed: FieldPath[] = [];
  for (const [k, p] of oldSet) if (!newSet.has(k)) removed.push(p);
  if (changed.length === 0 && removed.length === 0) return before?.metadata.managedFields ?? [];
  for (const e of entries) {
    for (const p of changed) disown(e.fields, p);
    for (const p of removed) disown(e.fields, p);
  }
  if (changed.length > 0) {
    const mine = entryFor(
      entries,
      actor.manager,
      "Update",
      actor.subresource,
      actor.apiVersion,
      actor.time,
    );
    for (const p of changed) mine.fields.set(pathKey(p), p);
  }
  return writeOwnership(entries);
}

/** A field that another manager owns with a different value. */
export interface ApplyConflict {
  manager: string;
  apiVersion: string;
  field: string;
}

function mergeApplied(live: unknown, config: unknown, path: FieldPath): unknown {
  if (isObject(config)) {
    const out: Record<string, unknown> = isObject(live) ? { ...live } : {};
    for (const [k, v] of Object.entries(config)) {
      if (v === undefined) continue;
      if (v === null) delete out[k];
      else out[k] = mergeApplied(out[k], v, [...path, `f:${k}`]);
    }
    return out;
  }
  if (
    Array.isArray(config) &&
    Array.isArray(live) &&
    path.length === 2 &&
    path[0] === "f:metadata"
  ) {
    if (path[1] === "f:finalizers") {
      const out = [...live];
      for (const item of config) if (!out.some((x) => jsonEqual(x, item))) out.push(item);
      return out;
    }
    if (path[1] === "f:ownerReferences") {
      const out = [...live] as unknown[];
      for (const item of config) {
        const uid = isObject(item) ? item["uid"] : undefined;
        const idx = out.findIndex((x) => isObject(x) && x["uid"] === uid);
        if (idx >= 0) out[idx] = cloneJson(item);
        else out.push(cloneJson(item));
      }
      return out;
    }
  }
  return cloneJson(config);
}

/** The outcome of a server-side apply. */
export interface ApplyResult {
  /** The object after the apply (with updated `managedFields`). */
  object: KubeObject;
  /** Conflicts found (empty when none or when forced). */
  conflicts: ApplyConflict[];
}

/**
 * Server-side apply of `config` by `actor` onto `live` (undefined: the object is being created).
 * Conflicts are fields another manager owns with a different value than `config` sets; with
 * `force` they are taken over instead. Fields this manager applied before but no longer applies
 * are removed from the object unless another manager owns them.
 */
export function serverSideApply(
  live: KubeObject | undefined,
  config: KubeObject,
  actor: Actor,
  scope: FieldScope,
  force: boolean,
): ApplyResult {
  const base: KubeObject = live
    ? cloneJson(live)
    : {
        apiVersion: config.apiVersion,
        kind: config.kind,
        metadata: { name: config.metadata.name },
      };
  const entries = live ? readOwnership(live) : [];
  const applied = fieldSetOf(config, scope);
  const conflicts: ApplyConflict[] = [];
  for (const e of entries) {
    if (
      e.manager === actor.manager &&
      e.operation === "Apply" &&
      e.subresource === actor.subresource
    ) {
      continue;
    }
    if (e.manager === actor.manager && e.operation === "Update") continue;
    for (const p of applied.values()) {
      if (!overlaps(e.fields, p)) continue;
      if (jsonEqual(valueAt(config, p).value, valueAt(base, p).value)) continue;
      conflicts.push({ manager: e.manager, apiVersion: e.apiVersion, field: formatPath(p) });
      if (force) disown(e.fields, p);
    }
  }
  if (conflicts.length > 0 && !force) return { object: base, conflicts };
  const mine = entryFor(
    entries,
    actor.manager,
    "Apply",
    actor.subresource,
    actor.apiVersion,
    actor.time,
  );
  const previously = mine.fields;
  // Merge the applied configuration into the live object.
  const merged = mergeApplied(base, config, []) as KubeObject;
  merged.metadata = { ...merged.metadata };
  // Remove what this manager stopped applying (when nobody else owns it).
  for (const [k, p] of previously) {
    if (applied.has(k)) continue;
    const ownedElsewhere = entries.some((e) => e !== mine && overlaps(e.fields, p));
    if (!ownedElsewhere && !overlaps(applied, p)) removeAt(merged, p);
  }
  mine.fields = new Map(applied);
  // Fields now set to a different value by this apply are no longer shared with Update owners.
  for (const e of entries) {
    if (e === mine || e.operation === "Apply") continue;
    for (const p of applied.values()) {
      if (
        e.fields.has(pathKey(p)) &&
        !jsonEqual(valueAt(live, p).value, valueAt(config, p).value)
      ) {
        e.fields.delete(pathKey(p));
      }
    }
  }
  merged.metadata.managedFields = writeOwnership(entries);
  return { object: merged, conflicts: force ? [] : conflicts };
}
