import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import yaml from "js-yaml";
import { apiGroup, apiGroupList, apiResourceList, apiVersions, versionInfo } from "./discovery.js";
import {
  badRequest,
  failure,
  KubeApiError,
  methodNotAllowed,
  unsupportedMediaType,
} from "./errors.js";
import type { RequestFaults } from "./faults.js";
import type { PodLogs } from "./pod-logs.js";
import {
  OPENAPI_V2_JSON,
  OPENAPI_V2_PROTOBUF,
  OPENAPI_V2_PROTOBUF_TYPE,
  openApiV3Document,
  openApiV3Index,
} from "./openapi.js";
import { findResource, groupVersion, type ResourceInfo } from "./resources.js";
import { reviewAccess, reviewToken } from "./reviews.js";
import { parseFieldSelector, parseLabelSelector } from "./selectors.js";
import type { DeleteOptions } from "./deletion.js";
import type { PatchType } from "./patches.js";
import type { ObjectStore } from "./store.js";
import type { WatchEventType } from "./watchers.js";
import { toTable, wantsTable, type IncludeObject } from "./table.js";
import type { KubeFakeOptions, KubeObject, RecordedRequest, RequestVerb } from "./types.js";

/** An open streaming response (watch or followed log) that can be ended or cut. */
export interface OpenStream {
  /** Ends the stream cleanly (the client sees the end of the body). */
  end(): void;
}

/** What the HTTP handler needs from the fake. */
export interface HttpContext {
  store: ObjectStore;
  logs: PodLogs;
  options: KubeFakeOptions;
  bookmarkIntervalMs: number;
  /** Lifetime of a watch without `timeoutSeconds`: a random time in `[min, max]` ms. */
  watchLifetimeMs: readonly [number, number];
  counts: Map<string, number>;
  /** Planned failures and the request log. */
  faults: RequestFaults;
  streams: Set<OpenStream>;
  serverAddress(): string;
}

const MAX_BODY = 3 * 1024 * 1024;

interface Target {
  info: ResourceInfo;
  namespace?: string;
  name?: string;
  subresource?: string;
}

function send(
  res: ServerResponse,
  code: number,
  body: string,
  contentType = "application/json",
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(code, {
    "Content-Type": contentType,
    "Content-Length": Buffer.byteLength(body),
    "Cache-Control": "no-cache, private",
    "Audit-Id": randomUUID(),
  });
  res.end(body);
}

function sendJson(res: ServerResponse, code: number, value: unknown): void {
  send(res, code, JSON.stringify(value));
}

function sendError(res: ServerResponse, err: unknown): void {
  if (err instanceof KubeApiError) {
    sendJson(res, err.code, err.status);
    return;
  }
  sendJson(
    res,
    500,
    failure(
      500,
      "InternalError",
      'an error on the server ("internal error") has prevented the request from succeeding',
    ),
  );
}

function notFoundPath(): KubeApiError {
  return new KubeApiError(
    failure(404, "NotFound", "the server could not find the requested resource", {}),
  );
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY)
      throw new KubeApiError(
        failure(413, "RequestEntityTooLarge", `Request entity too large: limit is ${MAX_BODY}`),
      );
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Parses a create/update body: JSON, or YAML when sent as `application/yaml`. */
function parseObjectBody(text: string, contentType: string | undefined): unknown {
  const type = mediaType(contentType);
  if (type === "application/yaml" || type === "application/x-yaml") {
    try {
      return yaml.load(text);
    } catch (e) {
      throw badRequest(`error converting YAML to JSON: ${(e as Error).message}`);
    }
  }
  return parseJsonBody(text);
}

function parseJsonBody(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw badRequest(`error decoding request body: ${(e as Error).message}`);
  }
}

function mediaType(header: string | undefined): string {
  return (header ?? "").split(";")[0]!.trim().toLowerCase();
}

/** Resolves `/api/v1/...` and `/apis/{g}/{v}/...` paths to a resource target. */
function resolve(segments: string[]): Target | undefined {
  let group: string;
  let version: string;
  let rest: string[];
  if (segments[0] === "api" && segments.length >= 3) {
    group = "";
    version = segments[1]!;
    rest = segments.slice(2);
  } else if (segments[0] === "apis" && segments.length >= 4) {
    group = segments[1]!;
    version = segments[2]!;
    rest = segments.slice(3);
  } else {
    return undefined;
  }
  if (rest[0] === "namespaces" && rest.length >= 3) {
    const info = findResource(group, version, rest[2]!);
    if (info) {
      if (!info.namespaced || rest.length > 5) return undefined;
      const t: Target = { info, namespace: rest[1]! };
      if (rest[3] !== undefined) t.name = rest[3];
      if (rest[4] !== undefined) t.subresource = rest[4];
      return t;
    }
  }
  const info = findResource(group, version, rest[0]!);
  if (!info || rest.length > 3) return undefined;
  if (info.namespaced && rest.length > 1) return undefined;
  const t: Target = { info };
  if (rest[1] !== undefined) t.name = rest[1];
  if (rest[2] !== undefined) t.subresource = rest[2];
  return t;
}

function countKey(verb: RequestVerb, t: Target): string {
  return `${verb} ${t.info.resource}${t.subresource ? `/${t.subresource}` : ""}`;
}

function defaultManager(req: IncomingMessage): string {
  const ua = req.headers["user-agent"] ?? "";
  const prefix = ua.split("/")[0]!.trim();
  return prefix || "unknown";
}

function listObject(
  info: ResourceInfo,
  page: {
    items: Array<{ json: string }>;
    resourceVersion: string;
    continueToken?: string;
    remainingItemCount?: number;
  },
): string {
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

/** Creates the request listener of the fake API server. */
export function createHttpHandler(
  ctx: HttpContext,
): (req: IncomingMessage, res: ServerResponse) => void {
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://kube-fake");
    /** Counts and records a request to a resource, and fails it when a fault rule says so. */
    const count = (verb: RequestVerb, t: Target): void => {
      const key = countKey(verb, t);
      ctx.counts.set(key, (ctx.counts.get(key) ?? 0) + 1);
      const facts = {
        verb,
        resource: t.info.resource,
        ...(t.namespace ? { namespace: t.namespace } : {}),
      };
      const planned = ctx.faults.take(facts);
      const recorded: RecordedRequest = {
        ...facts,
        ...(t.subresource ? { subresource: t.subresource } : {}),
        ...(t.name !== undefined ? { name: t.name } : {}),
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
      };
      if (planned) recorded.injectedStatus = planned.code;
      ctx.faults.record(recorded);
      if (planned) throw planned;
    };
    const path = url.pathname.replace(/\/+$/, "") || "/";
    const q = url.searchParams;
    const method = (req.method ?? "GET").toUpperCase();
    const segments = path.split("/").filter(Boolean).map(decodeURIComponent);

    // ---- discovery and health ----
    if (method === "GET") {
      if (path === "/version") return sendJson(res, 200, versionInfo());
      if (path === "/healthz" || path === "/livez" || path === "/readyz")
        return send(res, 200, "ok", "text/plain; charset=utf-8");
      if (path === "/api") return sendJson(res, 200, apiVersions(ctx.serverAddress()));
      if (path === "/apis") return sendJson(res, 200, apiGroupList());
      if (path === "/openapi/v2") {
        if ((req.headers.accept ?? "").includes(OPENAPI_V2_PROTOBUF_TYPE)) {
          // A real server answers the protobuf document as an octet stream (Go's
          // mime parser rejects the requested type's "@v1.0").
          res.writeHead(200, {
            "Content-Type": "application/octet-stream",
            "Content-Length": OPENAPI_V2_PROTOBUF.length,
          });
          res.end(OPENAPI_V2_PROTOBUF);
          return;
        }
        return sendJson(res, 200, OPENAPI_V2_JSON);
      }
      if (path === "/openapi/v3") return sendJson(res, 200, openApiV3Index());
      if (path.startsWith("/openapi/v3/")) {
        const doc = openApiV3Document(path.slice("/openapi/v3/".length));
        return doc ? sendJson(res, 200, doc) : sendError(res, notFoundPath());
      }
      if (segments[0] === "api" && segments.length === 2) {
        const list = apiResourceList("", segments[1]!);
        return list ? sendJson(res, 200, list) : sendError(res, notFoundPath());
      }
      if (segments[0] === "apis" && segments.length === 2) {
        const g = apiGroup(segments[1]!);
        return g ? sendJson(res, 200, g) : sendError(res, notFoundPath());
      }
      if (segments[0] === "apis" && segments.length === 3) {
        const list = apiResourceList(segments[1]!, segments[2]!);
        return list ? sendJson(res, 200, list) : sendError(res, notFoundPath());
      }
    }
    const target = resolve(segments);
    if (!target) throw notFoundPath();
    const { info } = target;
    if (
      target.subresource &&
      !(target.subresource === "status" && info.statusSubresource) &&
      !(target.subresource === "log" && info.logSubresource)
    ) {
      throw notFoundPath();
    }

    // ---- reviews (create only) ----
    if (info.virtual) {
      if (method !== "POST" || target.name) {
        throw methodNotAllowed("the server does not allow this method on the requested resource");
      }
      count("create", target);
      const body = parseObjectBody(await readBody(req), req.headers["content-type"]) as KubeObject;
      const answer =
        info.resource === "tokenreviews"
          ? reviewToken(body, ctx.options.tokens ?? {})
          : reviewAccess(body, ctx.options.authorize);
      return sendJson(res, 201, answer);
    }

    if (q.has("dryRun") && method !== "GET") {
      throw badRequest("dryRun is not supported by kube-fake");
    }
    const { store } = ctx;
    const isCollection = target.name === undefined;
    const allNamespaces = info.namespaced && target.namespace === undefined;

    if (method === "GET" && isCollection) {
      const watch = q.get("watch") === "true" || q.get("watch") === "1";
      count(watch ? "watch" : "list", target);
      const labels = parseLabelSelector(q.get("labelSelector") ?? undefined);
      const fields = parseFieldSelector(
        q.get("fieldSelector") ?? undefined,
        info.resource,
        info.custom === true,
      );
      if (watch) return startWatch(req, res, target, labels, fields, q);
      const limit = q.get("limit") ? Number(q.get("limit")) : undefined;
      const page = store.list(info, {
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
        if (page.remainingItemCount !== undefined)
          meta.remainingItemCount = page.remainingItemCount;
        return sendJson(
          res,
          200,
          toTable(
            info,
            page.items.map((i) => i.obj),
            meta,
            includeObject(q),
          ),
        );
      }
      return send(res, 200, listObject(info, page));
    }

    if (method === "POST" && isCollection) {
      if (allNamespaces)
        throw methodNotAllowed("the server does not allow this method on the requested resource");
      count("create", target);
      const body = parseObjectBody(await readBody(req), req.headers["content-type"]) as KubeObject;
      const created = store.create(info, body, {
        ...(target.namespace ? { namespace: target.namespace } : {}),
        fieldManager: q.get("fieldManager") || defaultManager(req),
        resetStatus: true,
        owned: true,
      });
      return send(res, 201, store.jsonOf(info, created));
    }

    if (method === "DELETE" && isCollection) {
      if (allNamespaces)
        throw methodNotAllowed("the server does not allow this method on the requested resource");
      count("deletecollection", target);
      const text = await readBody(req);
      const del = deleteOptions(text ? parseJsonBody(text) : {}, q);
      const deleted = store.deleteCollection(
        info,
        {
          ...(target.namespace ? { namespace: target.namespace } : {}),
          labels: parseLabelSelector(q.get("labelSelector") ?? undefined),
          fields: parseFieldSelector(
            q.get("fieldSelector") ?? undefined,
            info.resource,
            info.custom === true,
          ),
        },
        del,
      );
      return sendJson(res, 200, {
        apiVersion: groupVersion(info),
        kind: info.listKind,
        metadata: { resourceVersion: store.currentResourceVersion() },
        items: deleted,
      });
    }

    if (isCollection)
      throw methodNotAllowed("the server does not allow this method on the requested resource");
    const name = target.name!;

    if (target.subresource === "log") {
      if (method !== "GET")
        throw methodNotAllowed("the server does not allow this method on the requested resource");
      count("get", target);
      return serveLog(req, res, target, q);
    }
    const subresource = target.subresource === "status" ? ("status" as const) : undefined;

    switch (method) {
      case "GET": {
        count("get", target);
        const obj = store.mustGet(info, target.namespace, name);
        if (wantsTable(req.headers.accept)) {
          return sendJson(
            res,
            200,
            toTable(
              info,
              [obj],
              { resourceVersion: obj.metadata.resourceVersion! },
              includeObject(q),
            ),
          );
        }
        return send(res, 200, store.jsonOf(info, obj));
      }
      case "PUT": {
        count("update", target);
        const body = parseObjectBody(
          await readBody(req),
          req.headers["content-type"],
        ) as KubeObject;
        const updated = store.update(info, body, {
          ...(target.namespace ? { namespace: target.namespace } : {}),
          name,
          ...(subresource ? { subresource } : {}),
          fieldManager: q.get("fieldManager") || defaultManager(req),
          owned: true,
        });
        return send(res, 200, store.jsonOf(info, updated));
      }
      case "PATCH": {
        count("patch", target);
        const type = mediaType(req.headers["content-type"]);
        let patchType: PatchType;
        let body: unknown;
        const text = await readBody(req);
        if (type === "application/merge-patch+json") patchType = "merge";
        else if (type === "application/json-patch+json") patchType = "json";
        else if (type === "application/strategic-merge-patch+json" && !info.custom)
          patchType = "merge";
        else if (type === "application/apply-patch+yaml") patchType = "apply";
        else {
          throw unsupportedMediaType(
            `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml${info.custom ? "" : ", application/strategic-merge-patch+json"}`,
          );
        }
        if (patchType === "apply") {
          try {
            body = yaml.load(text);
          } catch (e) {
            throw badRequest(`error converting YAML to JSON: ${(e as Error).message}`);
          }
        } else {
          body = parseJsonBody(text);
        }
        const force = q.get("force") === "true" || q.get("force") === "1";
        if (q.has("force") && patchType !== "apply") {
          throw unprocessableForce();
        }
        const manager = q.get("fieldManager") || (patchType === "apply" ? "" : defaultManager(req));
        const { object, created } = store.patch(info, target.namespace, name, patchType, body, {
          ...(subresource ? { subresource } : {}),
          fieldManager: manager,
          force,
        });
        return send(res, created ? 201 : 200, store.jsonOf(info, object));
      }
      case "DELETE": {
        if (subresource)
          throw methodNotAllowed("the server does not allow this method on the requested resource");
        count("delete", target);
        const text = await readBody(req);
        const del = deleteOptions(text ? parseJsonBody(text) : {}, q);
        const obj = store.deleteObject(info, target.namespace, name, del);
        return sendJson(res, 200, obj);
      }
      default:
        throw methodNotAllowed("the server does not allow this method on the requested resource");
    }
  };

  function includeObject(q: URLSearchParams): IncludeObject {
    const v = q.get("includeObject");
    return v === "None" || v === "Object" ? v : "Metadata";
  }

  function unprocessableForce(): KubeApiError {
    return new KubeApiError(
      failure(
        422,
        "Invalid",
        'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch',
        {
          kind: "PatchOptions",
          group: "meta.k8s.io",
          causes: [
            {
              reason: "FieldValueForbidden",
              message: "Forbidden: may not be specified for non-apply patch",
              field: "force",
            },
          ],
        },
      ),
    );
  }

  function deleteOptions(body: unknown, q: URLSearchParams): DeleteOptions {
    const b = (body ?? {}) as {
      preconditions?: { uid?: string; resourceVersion?: string };
      propagationPolicy?: string;
      orphanDependents?: boolean;
    };
    const out: DeleteOptions = {};
    if (b.preconditions) out.preconditions = b.preconditions;
    const policy =
      q.get("propagationPolicy") ??
      b.propagationPolicy ??
      (b.orphanDependents ? "Orphan" : undefined);
    if (policy !== undefined && policy !== null) {
      if (policy !== "Background" && policy !== "Foreground" && policy !== "Orphan") {
        throw badRequest(
          `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${policy}"`,
        );
      }
      out.propagationPolicy = policy;
    }
    return out;
  }

  function startWatch(
    req: IncomingMessage,
    res: ServerResponse,
    target: Target,
    labels: ReturnType<typeof parseLabelSelector>,
    fields: ReturnType<typeof parseFieldSelector>,
    q: URLSearchParams,
  ): void {
    const rv = q.get("resourceVersion") ?? "";
    if (rv && !/^[0-9]+$/.test(rv)) throw badRequest(`invalid resource version: ${rv}`);
    const timeoutSeconds = q.get("timeoutSeconds") ? Number(q.get("timeoutSeconds")) : undefined;
    const bookmarks =
      q.get("allowWatchBookmarks") === "true" || q.get("allowWatchBookmarks") === "1";
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
          const table = toTable(
            target.info,
            [obj],
            { resourceVersion: obj.metadata.resourceVersion! },
            include,
          );
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

  function serveLog(
    req: IncomingMessage,
    res: ServerResponse,
    target: Target,
    q: URLSearchParams,
  ): void {
    const ns = target.namespace!;
    const name = target.name!;
    const pod = ctx.store.mustGet(target.info, ns, name);
    const spec = (pod["spec"] ?? {}) as {
      containers?: Array<{ name?: string }>;
      initContainers?: Array<{ name?: string }>;
    };
    const declared = (spec.containers ?? []).map((c) => c.name ?? "").filter(Boolean);
    const init = (spec.initContainers ?? []).map((c) => c.name ?? "").filter(Boolean);
    const withLogs = ctx.logs.containers(ns, name);
    let container = q.get("container") ?? "";
    if (!container) {
      const candidates = declared.length > 0 ? declared : withLogs;
      if (candidates.length !== 1) {
        throw badRequest(
          `a container name must be specified for pod ${name}, choose one of: [${candidates.join(" ")}]${init.length ? ` or one of the init containers: [${init.join(" ")}]` : ""}`,
        );
      }
      container = candidates[0]!;
    } else if (
      !declared.includes(container) &&
      !init.includes(container) &&
      !withLogs.includes(container)
    ) {
      throw badRequest(`container ${container} is not valid for pod ${name}`);
    }
    let text = ctx.logs.get(ns, name, container);
    const fullLength = text.length;
    const tail = q.get("tailLines");
    if (tail !== null && /^[0-9]+$/.test(tail)) {
      const lines = text.split(/(?<=\n)/);
      text = lines.slice(Math.max(0, lines.length - Number(tail))).join("");
    }
    const limitBytes = q.get("limitBytes");
    const limit =
      limitBytes !== null && /^[0-9]+$/.test(limitBytes) ? Number(limitBytes) : undefined;
    if (limit !== undefined) text = Buffer.from(text).subarray(0, limit).toString("utf8");
    const follow = q.get("follow") === "true" || q.get("follow") === "1";
    const cutAfter = ctx.logs.takeCut(ns, name, container);
    if (cutAfter !== undefined) {
      // A planned failure: announce the whole log, send part of it, cut the connection.
      const bytes = Buffer.from(text);
      res.writeHead(200, { "Content-Type": "text/plain", "Content-Length": bytes.length });
      res.write(bytes.subarray(0, Math.min(cutAfter, bytes.length)), () => {
        setTimeout(() => res.destroy(), 20);
      });
      return;
    }
    if (!follow) {
      send(res, 200, text, "text/plain");
      return;
    }
    res.writeHead(200, {
      "Content-Type": "text/plain",
      "Transfer-Encoding": "chunked",
      "Cache-Control": "no-cache, private",
    });
    res.flushHeaders();
    if (text) res.write(text);
    let closed = false;
    let written = Buffer.byteLength(text);
    const stream: OpenStream = { end: () => finish() };
    const finish = (): void => {
      if (closed) return;
      closed = true;
      unfollow();
      ctx.streams.delete(stream);
      res.end();
    };
    const unfollow = ctx.logs.follow(ns, name, container, fullLength, {
      write: (more) => {
        if (closed) return;
        if (limit !== undefined) {
          const room = limit - written;
          if (room <= 0) return finish();
          const chunk = Buffer.from(more).subarray(0, room);
          written += chunk.length;
          res.write(chunk);
          if (written >= limit) finish();
          return;
        }
        res.write(more);
      },
      end: finish,
    });
    ctx.streams.add(stream);
    req.on("close", finish);
    res.on("close", finish);
    res.on("error", finish);
  }

  return (req, res) => {
    handle(req, res).catch((err: unknown) => sendError(res, err));
  };
}
