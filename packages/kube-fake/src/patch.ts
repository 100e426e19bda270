/**
 * JSON helpers and patches: deep copy and equality of JSON values, RFC 7386 merge patch and
 * RFC 6902 JSON patch (with `test`; a failed operation is 422).
 *
 * @module
 */
import { badRequest, unprocessable } from "./errors.js";

/** A JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Whether a value is a JSON object (not null, not an array). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** A deep copy of a JSON value (undefined members are dropped, like a JSON round trip). */
export function cloneJson<T>(value: T): T {
  return copy(value) as T;
}

function copy(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) {
      const v = value[i] as unknown;
      out[i] = v === undefined ? null : copy(v);
    }
    return out;
  }
  if (value instanceof Date) return value.toISOString();
  const out: Record<string, unknown> = {};
  for (const key in value) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined && typeof v !== "function") out[key] = copy(v);
  }
  return out;
}

/** Deep equality of JSON values (key order ignored). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => jsonEqual(x, b[i]));
  }
  if (isObject(a)) {
    if (!isObject(b)) return false;
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    if (ka.length !== kb.length) return false;
    return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}

/**
 * Applies an RFC 7386 JSON merge patch to `target` (not modified) and returns the result:
 * objects merge recursively, `null` deletes a key, anything else (arrays included) replaces.
 */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return cloneJson(patch);
  const result: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}

/** One RFC 6902 operation. */
export interface JsonPatchOperation {
  op: "add" | "remove" | "replace" | "move" | "copy" | "test";
  path: string;
  value?: unknown;
  from?: string;
}

function parsePointer(pointer: string): string[] {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) throw unprocessable(`invalid JSON pointer: "${pointer}"`);
  return pointer
    .slice(1)
    .split("/")
    .map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function arrayIndex(token: string, length: number, forAdd: boolean, pointer: string): number {
  if (forAdd && token === "-") return length;
  if (!/^(0|[1-9][0-9]*)$/.test(token)) {
    throw unprocessable(`invalid array index "${token}" in "${pointer}"`);
  }
  const i = Number(token);
  if (i > length || (!forAdd && i === length)) {
    throw unprocessable(`array index ${i} out of bounds in "${pointer}"`);
  }
  return i;
}

function getAt(doc: unknown, tokens: string[], pointer: string): unknown {
  let cur = doc;
  for (const t of tokens) {
    if (Array.isArray(cur)) cur = cur[arrayIndex(t, cur.length, false, pointer)];
    else if (isObject(cur) && Object.prototype.hasOwnProperty.call(cur, t)) cur = cur[t];
    else throw unprocessable(`doc is missing path: "${pointer}"`);
  }
  return cur;
}

function parentOf(doc: unknown, tokens: string[], pointer: string): unknown {
  return getAt(doc, tokens.slice(0, -1), pointer);
}

function addAt(doc: unknown, tokens: string[], value: unknown, pointer: string): unknown {
  if (tokens.length === 0) return value;
  const parent = parentOf(doc, tokens, pointer);
  const last = tokens[tokens.length - 1]!;
  if (Array.isArray(parent))
    parent.splice(arrayIndex(last, parent.length, true, pointer), 0, value);
  else if (isObject(parent)) parent[last] = value;
  else throw unprocessable(`doc is missing path: "${pointer}"`);
  return doc;
}

function removeAt(doc: unknown, tokens: string[], pointer: string): unknown {
  if (tokens.length === 0) return null;
  const parent = parentOf(doc, tokens, pointer);
  const last = tokens[tokens.length - 1]!;
  if (Array.isArray(parent)) parent.splice(arrayIndex(last, parent.length, false, pointer), 1);
  else if (isObject(parent) && Object.prototype.hasOwnProperty.call(parent, last))
    delete parent[last];
  else throw unprocessable(`unable to remove nonexistent key: ${last}: missing value`);
  return doc;
}

/**
 * Applies an RFC 6902 JSON patch (add, remove, replace, move, copy, test) to a copy of `target`.
 * A failed operation (including a failed `test`) throws a 422 {@link KubeApiError}.
 */
export function applyJsonPatch(target: unknown, operations: unknown): unknown {
  if (!Array.isArray(operations)) {
    throw badRequest("json: cannot unmarshal object into Go value of type jsonpatch.Patch");
  }
  let doc = cloneJson(target);
  for (const raw of operations as JsonPatchOperation[]) {
    if (!isObject(raw) || typeof raw.path !== "string")
      throw unprocessable("invalid JSON patch operation");
    const tokens = parsePointer(raw.path);
    switch (raw.op) {
      case "add":
        doc = addAt(doc, tokens, cloneJson(raw.value), raw.path);
        break;
      case "remove":
        doc = removeAt(doc, tokens, raw.path);
        break;
      case "replace":
        getAt(doc, tokens, raw.path);
        doc = removeAt(doc, tokens, raw.path);
        doc = addAt(doc, tokens, cloneJson(raw.value), raw.path);
        break;
      case "move": {
        const from = parsePointer(raw.from ?? "");
        const value = getAt(doc, from, raw.from ?? "");
        doc = removeAt(doc, from, raw.from ?? "");
        doc = addAt(doc, tokens, value, raw.path);
        break;
      }
      case "copy": {
        const value = cloneJson(getAt(doc, parsePointer(raw.from ?? ""), raw.from ?? ""));
        doc = addAt(doc, tokens, value, raw.path);
        break;
      }
      case "test": {
        const actual = getAt(doc, tokens, raw.path);
        if (!jsonEqual(actual, raw.value)) {
          throw unprocessable(`testing value ${raw.path} failed: test failed`);
        }
        break;
      }
      default:
        throw unprocessable(`Unexpected kind: ${String((raw as { op?: unknown }).op)}`);
    }
  }
  return doc;
}
