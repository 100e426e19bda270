/**
 * Lists and their paging: selectors, `limit` with opaque continue tokens (pages are a consistent
 * snapshot at the first page's resourceVersion, rebuilt from the change history), and
 * `resourceVersion` + `resourceVersionMatch` (`NotOlderThan`, `Exact`).
 *
 * @module
 */
import { parseResourceVersion, type ChangeLog } from "./change-log.js";
import { badRequest, expired, failure, KubeApiError } from "./errors.js";
import { Collection, type Entry } from "./object-table.js";
import { resourceKey } from "./resources.js";
import { matchesLabels, type CompiledFieldSelector, type LabelSelector } from "./selectors.js";
import type { KubeObject } from "./types.js";

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

/** The resourceVersion a list is served at, and the key it starts after (continue). */
function listPoint(log: ChangeLog, options: ListOptions): { listRv: number; start?: string } {
  if (options.continueToken) {
    const token = decodeContinue(options.continueToken);
    if (token.rv < log.oldestKept) {
      throw expired(
        "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.",
      );
    }
    return { listRv: token.rv, start: token.start };
  }
  let listRv = log.current;
  if (options.resourceVersion && options.resourceVersion !== "0") {
    const wanted = parseResourceVersion(options.resourceVersion);
    if (options.resourceVersionMatch === "Exact") {
      log.requireKept(wanted);
      listRv = wanted;
    }
    if (wanted > log.current) {
      throw new KubeApiError(
        failure(504, "Timeout", `Too large resource version: ${wanted}, current: ${log.current}`, {
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
  return { listRv };
}

/** The collection as it was at `rv` (the current state when nothing changed since). */
function viewAt(
  log: ChangeLog,
  coll: Collection,
  namespace: string | undefined,
  rv: number,
): { keys: string[]; get(key: string): Entry | undefined } {
  const undo = log.undoTo(rv, resourceKey(coll.info), namespace);
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

/** The index of the first key after `start` in sorted `keys`. */
function firstAfter(keys: string[], start: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! <= start) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Lists a collection (one page when `limit` is set). */
export function listCollection(log: ChangeLog, coll: Collection, options: ListOptions): ListPage {
  const ns = coll.info.namespaced ? options.namespace : undefined;
  const { listRv, start } = listPoint(log, options);
  const view = viewAt(log, coll, ns, listRv);
  let i = start !== undefined ? firstAfter(view.keys, start) : 0;
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
