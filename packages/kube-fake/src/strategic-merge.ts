/**
 * Strategic merge patch, as kube-apiserver applies it to built-in kinds (what `kubectl apply`
 * sends client-side, and `kubectl patch` by default): objects merge recursively and `null` deletes
 * a key; lists with a merge key (containers by `name`, ports by `containerPort`, ...) merge item by
 * item, lists of scalars with the merge strategy merge as sets, other lists are replaced. The
 * directives: `$patch` (`replace`, `delete`, and `merge`), `$retainKeys`,
 * `$setElementOrder/<list>` and `$deleteFromPrimitiveList/<list>`. The merge metadata comes from
 * {@link ResourceInfo.patchMeta} (the Go types' `patchStrategy`/`patchMergeKey` tags).
 *
 * @module
 */
import { badRequest } from "./errors.js";
import { cloneJson, isObject, jsonEqual } from "./patch.js";
import type { PatchField, PatchFields, ResourceInfo } from "./resource-info.js";
import { METADATA_PATCH } from "./resources-deployment.js";

const SET_ORDER = "$setElementOrder/";
const DELETE_FROM = "$deleteFromPrimitiveList/";

/** Applies a strategic merge patch to `target` (not modified) and returns the result. */
export function applyStrategicMergePatch(
  info: ResourceInfo,
  target: unknown,
  patch: unknown,
): unknown {
  if (!isObject(patch)) {
    throw badRequest("json: cannot unmarshal array into Go value of type map[string]interface {}");
  }
  const fields: PatchFields = {
    ...info.patchMeta,
    metadata: { fields: METADATA_PATCH },
  };
  return mergeMap(isObject(target) ? target : {}, patch, fields) ?? {};
}

/** Merges a patch map into `original`; undefined when the patch deletes the map. */
function mergeMap(
  original: Record<string, unknown>,
  patch: Record<string, unknown>,
  fields: PatchFields | undefined,
): Record<string, unknown> | undefined {
  const directive = patch["$patch"];
  if (directive === "delete") return undefined;
  if (directive === "replace") return stripDirectives(patch) as Record<string, unknown>;
  if (directive !== undefined && directive !== "merge") {
    throw badRequest(`unknown patch type: ${String(directive)} in map: ${JSON.stringify(patch)}`);
  }
  const result: Record<string, unknown> = { ...original };
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith(DELETE_FROM)) {
      const field = key.slice(DELETE_FROM.length);
      const drop = Array.isArray(value) ? value : [];
      const current = result[field];
      if (Array.isArray(current))
        result[field] = current.filter((x) => !drop.some((d) => jsonEqual(d, x)));
    }
  }
  for (const [key, value] of Object.entries(patch)) {
    if (key === "$patch" || key === "$retainKeys" || key.startsWith("$")) continue;
    if (value === null) {
      delete result[key];
      continue;
    }
    const meta = fields?.[key];
    if (meta?.replace) {
      result[key] = stripDirectives(value);
    } else if (isObject(value)) {
      const merged = mergeMap(isObject(result[key]) ? result[key] : {}, value, meta?.fields);
      if (merged === undefined) delete result[key];
      else result[key] = merged;
    } else if (Array.isArray(value) && meta && (meta.mergeKey || meta.set)) {
      result[key] = mergeList(Array.isArray(result[key]) ? result[key] : [], value, meta);
    } else {
      result[key] = stripDirectives(value);
    }
  }
  for (const [key, order] of Object.entries(patch)) {
    if (!key.startsWith(SET_ORDER) || !Array.isArray(order)) continue;
    const field = key.slice(SET_ORDER.length);
    const list = result[field];
    if (Array.isArray(list)) result[field] = reorder(list, order, fields?.[field]?.mergeKey);
  }
  const retain = patch["$retainKeys"];
  if (Array.isArray(retain)) {
    for (const key of Object.keys(result)) if (!retain.includes(key)) delete result[key];
  }
  return result;
}

/** Merges a patch list into a list with a merge key (or a set of scalars). */
function mergeList(original: unknown[], patch: unknown[], meta: PatchField): unknown[] {
  if (patch.some((item) => isObject(item) && item["$patch"] === "replace")) {
    return patch
      .filter((item) => !(isObject(item) && item["$patch"] === "replace"))
      .map(stripDirectives);
  }
  if (!meta.mergeKey) {
    const out = [...original];
    for (const item of patch) if (!out.some((x) => jsonEqual(x, item))) out.push(cloneJson(item));
    return out;
  }
  const key = meta.mergeKey;
  const out = [...original];
  for (const item of patch) {
    if (!isObject(item))
      throw badRequest(`invalid list item for merge key "${key}": ${JSON.stringify(item)}`);
    if (!(key in item)) {
      throw badRequest(`map: ${JSON.stringify(item)} does not contain declared merge key: ${key}`);
    }
    const at = out.findIndex((x) => isObject(x) && jsonEqual(x[key], item[key]));
    if (item["$patch"] === "delete") {
      for (let i = out.length - 1; i >= 0; i--) {
        const x = out[i];
        if (isObject(x) && jsonEqual(x[key], item[key])) out.splice(i, 1);
      }
      continue;
    }
    const merged = mergeMap(at >= 0 && isObject(out[at]) ? out[at] : {}, item, meta.fields);
    if (merged === undefined) continue;
    if (at >= 0) out[at] = merged;
    else out.push(merged);
  }
  return out;
}

/**
 * Orders a merged list as `$setElementOrder` says: the listed items in that order, the items the
 * patch did not mention (kept by the server) after them in their own order.
 */
function reorder(list: unknown[], order: unknown[], key: string | undefined): unknown[] {
  const id = (x: unknown): unknown => (key && isObject(x) ? x[key] : x);
  const ordered: unknown[] = [];
  const rest = [...list];
  for (const o of order) {
    const at = rest.findIndex((x) => jsonEqual(id(x), id(o)));
    if (at >= 0) ordered.push(...rest.splice(at, 1));
  }
  return [...ordered, ...rest];
}

/** A copy of a patch value without directives (for values that replace what was there). */
function stripDirectives(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value
      .filter((x) => !(isObject(x) && x["$patch"] !== undefined && Object.keys(x).length === 1))
      .map(stripDirectives);
  }
  if (!isObject(value)) return cloneJson(value);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (k.startsWith("$")) continue;
    if (v !== null) out[k] = stripDirectives(v);
  }
  return out;
}
