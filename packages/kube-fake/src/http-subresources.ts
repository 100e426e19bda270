/**
 * Subresources and virtual resources over HTTP: a pod's `log` (container choice, `tailLines`,
 * `limitBytes`, `follow` as a chunked stream, planned cuts) and the create-only reviews
 * (TokenReview, SubjectAccessReview and the self reviews). The `status` subresource is a write
 * target handled with the write verbs.
 *
 * @module
 */
import { badRequest, invalid } from "./errors.js";
import { queryFlag, type OpenStream, type ResourceCall } from "./http-context.js";
import {
  mediaType,
  notAllowed,
  parseObjectBody,
  readBodyBytes,
  send,
  sendJson,
} from "./http-io.js";
import { decodeReviewProtobuf, PROTOBUF_TYPE } from "./review-protobuf.js";
import {
  rbacDecider,
  reviewAccess,
  reviewSelf,
  reviewSelfAccess,
  reviewSelfRules,
  reviewToken,
} from "./reviews.js";
import type { KubeObject } from "./types.js";

/** The answer to a review (see `reviews.ts`). */
function answerReview(call: ResourceCall, body: KubeObject): KubeObject {
  const { ctx, target, user } = call;
  const rbac = ctx.auth?.rbac;
  const authorize = ctx.options.authorize;
  switch (target.info.resource) {
    case "tokenreviews":
      return reviewToken(body, (token) => ctx.authenticator.review(token));
    case "subjectaccessreviews":
      return reviewAccess(body, authorize ?? (rbac ? rbacDecider(rbac) : undefined));
    case "selfsubjectaccessreviews":
      return reviewSelfAccess(body, user, rbac, authorize);
    case "selfsubjectrulesreviews":
      return reviewSelfRules(body, user, rbac);
    default:
      return reviewSelf(body, user);
  }
}

/** POST of a review (token, access, self): answered 201 with `status`, nothing stored. */
export async function serveReview(call: ResourceCall, method: string): Promise<void> {
  const { req, res, target } = call;
  if (method !== "POST" || target.name) throw notAllowed();
  call.count("create");
  const bytes = await readBodyBytes(req);
  const body = (
    mediaType(req.headers["content-type"]) === PROTOBUF_TYPE
      ? decodeReviewProtobuf(bytes, target.info.kind)
      : parseObjectBody(bytes.toString("utf8"), req.headers["content-type"])
  ) as KubeObject;
  sendJson(res, 201, answerReview(call, body));
}

/** kube-apiserver's shortest and default lifetimes of a requested token, in seconds. */
const TOKEN_MIN_SECONDS = 600;
const TOKEN_DEFAULT_SECONDS = 3600;

/**
 * POST of a ServiceAccount's `token` (a TokenRequest): a token minted for the account (its
 * user name and groups, authorized by RBAC as the account), answered 201 with the request and
 * `status.token`. The fake does not expire tokens; `expirationTimestamp` says when a real one would.
 */
export async function serveTokenRequest(call: ResourceCall, method: string): Promise<void> {
  const { ctx, req, res, target } = call;
  if (method !== "POST") throw notAllowed();
  call.count("create");
  const namespace = target.namespace!;
  const name = target.name!;
  ctx.store.mustGet(target.info, namespace, name);
  const text = (await readBodyBytes(req)).toString("utf8");
  const body = (text.trim() ? parseObjectBody(text, req.headers["content-type"]) : {}) as {
    spec?: { audiences?: unknown; expirationSeconds?: unknown; boundObjectRef?: unknown };
  };
  const spec = body.spec ?? {};
  const seconds =
    spec.expirationSeconds === undefined || spec.expirationSeconds === null
      ? TOKEN_DEFAULT_SECONDS
      : Number(spec.expirationSeconds);
  if (!Number.isInteger(seconds) || seconds < TOKEN_MIN_SECONDS) {
    throw invalid("TokenRequest", "authentication.k8s.io", name, [
      {
        field: "spec.expirationSeconds",
        reason: "FieldValueInvalid",
        message: `Invalid value: ${JSON.stringify(spec.expirationSeconds)}: may not specify a duration less than 10 minutes`,
      },
    ]);
  }
  const now = Date.now();
  sendJson(res, 201, {
    kind: "TokenRequest",
    apiVersion: "authentication.k8s.io/v1",
    metadata: { name, namespace, creationTimestamp: null },
    spec: {
      audiences: Array.isArray(spec.audiences) ? spec.audiences : [],
      expirationSeconds: seconds,
      boundObjectRef: spec.boundObjectRef ?? null,
    },
    status: {
      token: ctx.authenticator.mintServiceAccount(namespace, name),
      expirationTimestamp: new Date(now + seconds * 1000).toISOString().replace(/\.\d{3}Z$/, "Z"),
    },
  });
}

/** The container a log request is for: the `container` parameter, or the pod's only one. */
function containerOf(call: ResourceCall, pod: KubeObject): string {
  const { ctx, q, target } = call;
  const name = target.name!;
  const spec = (pod["spec"] ?? {}) as {
    containers?: Array<{ name?: string }>;
    initContainers?: Array<{ name?: string }>;
  };
  const declared = (spec.containers ?? []).map((c) => c.name ?? "").filter(Boolean);
  const init = (spec.initContainers ?? []).map((c) => c.name ?? "").filter(Boolean);
  const withLogs = ctx.logs.containers(target.namespace!, name);
  const container = q.get("container") ?? "";
  if (!container) {
    const candidates = declared.length > 0 ? declared : withLogs;
    if (candidates.length !== 1) {
      throw badRequest(
        `a container name must be specified for pod ${name}, choose one of: [${candidates.join(" ")}]${init.length ? ` or one of the init containers: [${init.join(" ")}]` : ""}`,
      );
    }
    return candidates[0]!;
  }
  if (!declared.includes(container) && !init.includes(container) && !withLogs.includes(container)) {
    throw badRequest(`container ${container} is not valid for pod ${name}`);
  }
  return container;
}

/** GET of a pod's log: whole, tailed, limited, cut as planned, or followed. */
export function serveLog(call: ResourceCall, method: string): void {
  const { ctx, req, res, q, target } = call;
  if (method !== "GET") throw notAllowed();
  call.count("get");
  const ns = target.namespace!;
  const name = target.name!;
  const pod = ctx.store.mustGet(target.info, ns, name);
  const container = containerOf(call, pod);
  let text = ctx.logs.get(ns, name, container);
  const fullLength = text.length;
  const tail = q.get("tailLines");
  if (tail !== null && /^[0-9]+$/.test(tail)) {
    const lines = text.split(/(?<=\n)/);
    text = lines.slice(Math.max(0, lines.length - Number(tail))).join("");
  }
  const limitBytes = q.get("limitBytes");
  const limit = limitBytes !== null && /^[0-9]+$/.test(limitBytes) ? Number(limitBytes) : undefined;
  if (limit !== undefined) text = Buffer.from(text).subarray(0, limit).toString("utf8");
  const follow = queryFlag(q, "follow");
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
