/**
 * The read verbs over HTTP: get, list (JSON lists assembled from cached item JSON, or
 * `meta.k8s.io/v1` Tables for kubectl) and watch (a chunked stream of newline-delimited events
 * with bookmarks and a lifetime, ended cleanly like kube-apiserver's).
 *
 * @module
 */
import { randomUUID } from "node:crypto";
import { parseResourceVersion } from "./change-log.js";
import { failure, KubeApiError } from "./errors.js";
import { queryFlag, selectorsOf, type OpenStream, type ResourceCall } from "./http-context.js";
import { send, sendJson } from "./http-io.js";
import type { ListPage } from "./list-paging.js";
import { groupVersion, type ResourceInfo } from "./resources.js";
import type { CompiledFieldSelector, LabelSelector } from "./selectors.js";
import { toTable, wantsTable, type IncludeObject } from "./table.js";
import type { WatchEventType } from "./watchers.js";

function includeObject(q: URLSearchParams): IncludeObject {
  const v = q.get("includeObject");
  return v === "None" || v === "Object" ? v : "Metadata";
}

/** A list's JSON, with the items' cached JSON spliced in. */
function listObject(info: ResourceInfo, page: ListPage): string {
  const meta: Record<string, unknown> = { resourceVersion: page.resourceVersion };
  if (page.continueToken) meta["continue"] = page.continueToken;
  if (page.remainingItemCount !== undefined) meta["remainingItemCount"] = page.remainingItemCount;
  const head = JSON.stringify({
    apiVersion: groupVersion(info),
    kind: info.listKind,
    metadata: meta,
  });
  return `${head.slice(0, -1)},"items":[${page.items.map((i) => i.json).join(",")}]}`;
}

/** GET of a collection: a list, or a watch with `watch=true`. */
export function serveListOrWatch(call: ResourceCall): void {
  const { ctx, req, res, q, target } = call;
  const { info } = target;
  const watch = queryFlag(q, "watch");
  call.count(watch ? "watch" : "list");
  const { labels, fields } = selectorsOf(call);
  if (watch) return serveWatch(call, labels, fields);
  const limit = q.get("limit") ? Number(q.get("limit")) : undefined;
  const page = ctx.store.list(info, {
    ...(target.namespace ? { namespace: target.namespace } : {}),
    labels,
    fields,
    ...(limit !== undefined && Number.isFinite(limit) ? { limit } : {}),
    ...(q.get("continue") ? { continueToken: q.get("continue")! } : {}),
    ...(q.get("resourceVersion") ? { resourceVersion: q.get("resourceVersion")! } : {}),
    ...(q.get("resourceVersionMatch")
      ? { resourceVersionMatch: q.get("resourceVersionMatch")! }
      : {}),
  });
  if (wantsTable(req.headers.accept)) {
    const meta: { resourceVersion?: string; continue?: string; remainingItemCount?: number } = {
      resourceVersion: page.resourceVersion,
    };
    if (page.continueToken) meta.continue = page.continueToken;
    if (page.remainingItemCount !== undefined) meta.remainingItemCount = page.remainingItemCount;
    const items = page.items.map((i) => i.obj);
    return sendJson(res, 200, toTable(info, items, meta, includeObject(q)));
  }
  send(res, 200, listObject(info, page));
}

/** GET of one object, as JSON or as a Table. */
export function serveGet(call: ResourceCall): void {
  const { ctx, req, res, q, target } = call;
  const { info } = target;
  call.count("get");
  const obj = ctx.store.mustGet(info, target.namespace, target.name!);
  if (wantsTable(req.headers.accept)) {
    const meta = { resourceVersion: obj.metadata.resourceVersion! };
    return sendJson(res, 200, toTable(info, [obj], meta, includeObject(q)));
  }
  send(res, 200, ctx.store.jsonOf(info, obj));
}

/**
 * A watch: 200 with a chunked stream of `{type, object}` lines from `resourceVersion`; an expired
 * resourceVersion is one ERROR event and the end. Bookmarks with `allowWatchBookmarks`; the stream
 * ends after `timeoutSeconds` or a random lifetime in `watchLifetimeMs`.
 */
function serveWatch(
  call: ResourceCall,
  labels: LabelSelector,
  fields: CompiledFieldSelector,
): void {
  const { ctx, req, res, q, target } = call;
  const rv = q.get("resourceVersion") ?? "";
  if (rv) parseResourceVersion(rv);
  const timeoutSeconds = q.get("timeoutSeconds") ? Number(q.get("timeoutSeconds")) : undefined;
  const bookmarks = queryFlag(q, "allowWatchBookmarks");
  res.writeHead(200, {
    "Content-Type": "application/json",
    "Transfer-Encoding": "chunked",
    "Cache-Control": "no-cache, private",
    "Audit-Id": randomUUID(),
  });
  res.flushHeaders();
  let closed = false;
  const asTable = wantsTable(req.headers.accept);
  const include = includeObject(q);
  let firstTable = true;
  let unsubscribe: (() => void) | undefined;
  const timers: NodeJS.Timeout[] = [];
  const stream: OpenStream = { end: () => finish() };
  const finish = (): void => {
    if (closed) return;
    closed = true;
    unsubscribe?.();
    for (const t of timers) clearTimeout(t);
    ctx.streams.delete(stream);
    res.end();
  };
  const write = (type: WatchEventType, json: string): void => {
    if (closed) return;
    res.write(`{"type":"${type}","object":${json}}\n`);
  };
  ctx.streams.add(stream);
  req.on("close", finish);
  res.on("close", finish);
  res.on("error", finish);
  try {
    unsubscribe = ctx.store.watch(target.info, rv, {
      ...(target.namespace ? { namespace: target.namespace } : {}),
      labels,
      fields,
      send: (type, obj, json) => {
        if (!asTable) return write(type, json);
        // Like the real server, only the first Table event carries the column definitions.
        const meta = { resourceVersion: obj.metadata.resourceVersion! };
        const table = toTable(target.info, [obj], meta, include);
        if (!firstTable) table["columnDefinitions"] = [];
        firstTable = false;
        write(type, JSON.stringify(table));
      },
    });
  } catch (err) {
    const status =
      err instanceof KubeApiError ? err.status : failure(500, "InternalError", "internal error");
    write("ERROR", JSON.stringify(status));
    finish();
    return;
  }
  if (bookmarks && ctx.bookmarkIntervalMs > 0) {
    const timer = setInterval(() => {
      const bookmark = {
        kind: target.info.kind,
        apiVersion: groupVersion(target.info),
        metadata: { resourceVersion: ctx.store.currentResourceVersion() },
      };
      write("BOOKMARK", JSON.stringify(bookmark));
    }, ctx.bookmarkIntervalMs);
    timer.unref();
    timers.push(timer);
  }
  // Like kube-apiserver: the client's timeoutSeconds, or a random lifetime between
  // --min-request-timeout and twice that; the stream then ends cleanly.
  const [minMs, maxMs] = ctx.watchLifetimeMs;
  const lifetimeMs =
    timeoutSeconds !== undefined && Number.isFinite(timeoutSeconds) && timeoutSeconds > 0
      ? timeoutSeconds * 1000
      : minMs + Math.random() * (maxMs - minMs);
  const timer = setTimeout(finish, lifetimeMs);
  timer.unref();
  timers.push(timer);
}
