/**
 * Field paths and field sets, the vocabulary of field ownership (`managedFields`): the leaf paths
 * an object sets, their `FieldsV1` JSON form, reading and removing the value at a path, overlap
 * and the rendering of a path in conflict messages.
 *
 * @module
 */
import { isObject, jsonEqual } from "./patch.js";

/**
 * Field paths and sets in the `FieldsV1` vocabulary of server-side apply: a path is a list of
 * elements `f:<field>` (map key), `v:<json>` (set item, e.g. a finalizer) and `k:<json>` (list item
 * by key, e.g. an ownerReference by uid).
 */
export type FieldPath = string[];

/** A set of field paths (leaves), keyed by their joined form. */
export type FieldSet = Map<string, FieldPath>;

const SEP = "\u0000";

/** The map key of a path. */
export function pathKey(path: FieldPath): string {
  return path.join(SEP);
}

/** Metadata fields the server owns; never part of a field set. */
const SERVER_METADATA = new Set([
  "name",
  "namespace",
  "uid",
  "resourceVersion",
  "generation",
  "creationTimestamp",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
  "managedFields",
  "selfLink",
  "generateName",
]);

/** Which part of an object an operation touches: the main resource or the status subresource. */
export type FieldScope = "main" | "status" | "all";

function walk(value: unknown, path: FieldPath, out: FieldSet): void {
  if (isObject(value)) {
    const keys = Object.keys(value).filter((k) => value[k] !== undefined);
    if (keys.length === 0) {
      if (path.length > 0) out.set(pathKey(path), path);
      return;
    }
    for (const k of keys) walk(value[k], [...path, `f:${k}`], out);
    return;
  }
  if (Array.isArray(value) && path.length === 2 && path[0] === "f:metadata") {
    if (path[1] === "f:finalizers") {
      for (const item of value) {
        const p = [...path, `v:${JSON.stringify(item)}`];
        out.set(pathKey(p), p);
      }
      return;
    }
    if (path[1] === "f:ownerReferences") {
      for (const item of value) {
        const uid = isObject(item) ? item["uid"] : undefined;
        const p = [...path, `k:${JSON.stringify({ uid })}`];
        out.set(pathKey(p), p);
      }
      return;
    }
  }
  out.set(pathKey(path), path);
}

/**
 * The leaf field paths set in `obj`, restricted to `scope` (`main` leaves out `status` for kinds
 * with a status subresource, `status` keeps only `status`). Server-owned metadata is never included.
 */
export function fieldSetOf(obj: Record<string, unknown>, scope: FieldScope): FieldSet {
  const out: FieldSet = new Map();
  for (const [key, value] of Object.entries(obj)) {
    if (value === undefined || key === "apiVersion" || key === "kind") continue;
    if (scope === "main" && key === "status") continue;
    if (scope === "status" && key !== "status") continue;
    if (key === "metadata" && isObject(value)) {
      for (const [mk, mv] of Object.entries(value)) {
        if (mv === undefined || SERVER_METADATA.has(mk)) continue;
        walk(mv, ["f:metadata", `f:${mk}`], out);
      }
      continue;
    }
    walk(value, [`f:${key}`], out);
  }
  return out;
}

/** Converts a field set to the nested `fieldsV1` JSON form. */
export function toFieldsV1(set: FieldSet): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const path of set.values()) {
    let node = root;
    for (const el of path) {
      let next = node[el] as Record<string, unknown> | undefined;
      if (!next) {
        next = {};
        node[el] = next;
      }
      node = next;
    }
  }
  // A list/set with owned items also owns the list itself, as the real server records (".").
  const mark = (node: Record<string, unknown>): void => {
    for (const [k, child] of Object.entries(node)) {
      if (k === ".") continue;
      const c = child as Record<string, unknown>;
      const keys = Object.keys(c);
      if (keys.some((ck) => ck.startsWith("v:") || ck.startsWith("k:"))) c["."] = {};
      if (k.startsWith("k:") && keys.length > 0) c["."] = {};
      mark(c);
    }
  };
  mark(root);
  return root;
}

/** Parses a nested `fieldsV1` JSON form into a field set. */
export function fromFieldsV1(fields: Record<string, unknown> | undefined): FieldSet {
  const out: FieldSet = new Map();
  const visit = (node: Record<string, unknown>, path: FieldPath): void => {
    const keys = Object.keys(node).filter((k) => k !== ".");
    if (keys.length === 0) {
      if (path.length > 0) out.set(pathKey(path), path);
      return;
    }
    if (path[path.length - 1]?.startsWith("k:")) {
      out.set(pathKey(path), path);
      return;
    }
    for (const k of keys) visit((node[k] ?? {}) as Record<string, unknown>, [...path, k]);
  };
  visit(fields ?? {}, []);
  return out;
}

interface Located {
  found: boolean;
  value?: unknown;
}

/** The value at a field path in an object. */
export function valueAt(obj: unknown, path: FieldPath): Located {
  let cur: unknown = obj;
  for (const el of path) {
    const body = el.slice(2);
    if (el.startsWith("f:")) {
      if (!isObject(cur) || !Object.prototype.hasOwnProperty.call(cur, body))
        return { found: false };
      cur = cur[body];
    } else if (el.startsWith("v:")) {
      if (!Array.isArray(cur)) return { found: false };
      const item = JSON.parse(body) as unknown;
      const hit = cur.find((x) => jsonEqual(x, item));
      if (hit === undefined) return { found: false };
      cur = hit;
    } else {
      if (!Array.isArray(cur)) return { found: false };
      const key = JSON.parse(body) as Record<string, unknown>;
      const hit = cur.find(
        (x) => isObject(x) && Object.entries(key).every(([k, v]) => jsonEqual(x[k], v)),
      );
      if (hit === undefined) return { found: false };
      cur = hit;
    }
  }
  return { found: true, value: cur };
}

/** Removes the field at `path` from `obj` (in place), pruning maps it leaves empty below metadata/spec. */
export function removeAt(obj: Record<string, unknown>, path: FieldPath): void {
  const parents: Array<{ node: unknown; el: string }> = [];
  let cur: unknown = obj;
  for (const el of path) {
    parents.push({ node: cur, el });
    const next = valueAt(cur, [el]);
    if (!next.found) return;
    cur = next.value;
  }
  for (let i = parents.length - 1; i >= 0; i--) {
    const { node, el } = parents[i]!;
    const body = el.slice(2);
    if (el.startsWith("f:") && isObject(node)) delete node[body];
    else if (Array.isArray(node)) {
      const target = valueAt(node, [el]).value;
      const idx = node.indexOf(target);
      if (idx >= 0) node.splice(idx, 1);
    }
    // Stop unless the parent became empty (and is not a top-level field).
    if (i <= 1) break;
    const parent = parents[i - 1]!;
    const container = valueAt(parent.node, [parent.el]).value;
    const empty = Array.isArray(container)
      ? container.length === 0
      : isObject(container) && Object.keys(container).length === 0;
    if (!empty) break;
  }
}

function isPrefix(a: FieldPath, b: FieldPath): boolean {
  if (a.length > b.length) return false;
  return a.every((el, i) => el === b[i]);
}

/** Whether `set` owns `path`, an ancestor (atomic) or a descendant of it. */
export function overlaps(set: FieldSet, path: FieldPath): boolean {
  if (set.has(pathKey(path))) return true;
  for (const p of set.values()) if (isPrefix(p, path) || isPrefix(path, p)) return true;
  return false;
}

/** Removes from `set` every path equal to, below or above `path`. */
export function disown(set: FieldSet, path: FieldPath): void {
  for (const [k, p] of set) if (isPrefix(p, path) || isPrefix(path, p)) set.delete(k);
}

/** Renders a field path like the real server does in conflict messages (`.metadata.labels.app`). */
export function formatPath(path: FieldPath): string {
  return path
    .map((el) => {
      const body = el.slice(2);
      if (el.startsWith("f:")) return `.${body}`;
      if (el.startsWith("v:")) return `[${body}]`;
      const key = JSON.parse(body) as Record<string, unknown>;
      return `[${Object.entries(key)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(",")}]`;
    })
    .join("");
}
