/**
 * The request listener of the fake API server: authenticates and authorizes each request when RBAC
 * is on (`http-auth.ts`), then routes it to the non-resource paths
 * (`http-routes.ts`), or to the handler of its verb on a resource: reads (`http-reads.ts`),
 * writes (`http-writes.ts`), subresources and reviews (`http-subresources.ts`); failures are
 * answered as `Status` objects (`http-io.ts`).
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { UserInfo } from "./authn.js";
import { badRequest, KubeApiError } from "./errors.js";
import {
  authorizeOrThrow,
  recordDenial,
  requestUser,
  resourceAttributes,
  type HttpAuth,
} from "./http-auth.js";
import { resourceCall, type HttpContext } from "./http-context.js";
import { notAllowed, notFoundPath, sendError } from "./http-io.js";
import { serveGet, serveListOrWatch } from "./http-reads.js";
import { resolve, serveNonResource, servesSubresource, type Target } from "./http-routes.js";
import type { RequestAttributes } from "./rbac.js";
import { serveLog, serveReview, serveTokenRequest } from "./http-subresources.js";
import {
  serveCreate,
  serveDelete,
  serveDeleteCollection,
  servePatch,
  serveUpdate,
} from "./http-writes.js";

/** The user of a request, once authenticated and authorized (refusals are recorded). */
function authorizeRequest(
  ctx: HttpContext,
  auth: HttpAuth,
  req: IncomingMessage,
  method: string,
  path: string,
  target: Target | undefined,
  url: URL,
): UserInfo {
  let attrs: RequestAttributes | undefined;
  try {
    const user = requestUser(auth, req);
    attrs = target
      ? resourceAttributes(user, method, target, url.searchParams)
      : { user, verb: method.toLowerCase(), path };
    authorizeOrThrow(auth.rbac, attrs);
    return user;
  } catch (err) {
    if (err instanceof KubeApiError && (err.code === 401 || err.code === 403)) {
      recordDenial(ctx.denials, err, path, attrs);
    }
    throw err;
  }
}

async function handle(ctx: HttpContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://kube-fake");
  const path = url.pathname.replace(/\/+$/, "") || "/";
  const method = (req.method ?? "GET").toUpperCase();
  const segments = path.split("/").filter(Boolean).map(decodeURIComponent);
  const target = resolve(segments);
  const user = ctx.auth
    ? authorizeRequest(ctx, ctx.auth, req, method, path, target, url)
    : undefined;
  if (method === "GET" && serveNonResource(req, res, path, segments, () => ctx.serverAddress()))
    return;

  if (!target || !servesSubresource(target)) throw notFoundPath();
  const call = resourceCall(ctx, req, res, url, target, user);
  if (target.info.virtual) return serveReview(call, method);
  if (call.q.has("dryRun") && method !== "GET") {
    throw badRequest("dryRun is not supported by kube-fake");
  }

  if (target.name === undefined) {
    const allNamespaces = target.info.namespaced && target.namespace === undefined;
    if (method === "GET") return serveListOrWatch(call);
    if (method === "POST") return serveCreate(call, allNamespaces);
    if (method === "DELETE") return serveDeleteCollection(call, allNamespaces);
    throw notAllowed();
  }
  if (target.subresource === "log") return serveLog(call, method);
  if (target.subresource === "token") return serveTokenRequest(call, method);
  const subresource = target.subresource === "status" ? ("status" as const) : undefined;
  switch (method) {
    case "GET":
      return serveGet(call);
    case "PUT":
      return serveUpdate(call, subresource);
    case "PATCH":
      return servePatch(call, subresource);
    case "DELETE":
      return serveDelete(call, subresource);
    default:
      throw notAllowed();
  }
}

/** Creates the request listener of the fake API server. */
export function createHttpHandler(
  ctx: HttpContext,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(ctx, req, res).catch((err: unknown) => sendError(res, err));
  };
}
