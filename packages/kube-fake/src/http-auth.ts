/**
 * Authentication and authorization of HTTP requests when RBAC is on (`rbac: true`): the user of
 * the request ({@link Authenticator}), impersonation (`Impersonate-User`, `Impersonate-Group`,
 * `Impersonate-Uid`, `Impersonate-Extra-*`, each checked with the `impersonate` verb), the
 * authorizer attributes of the request (verb, API group, resource, subresource, namespace, name;
 * or path and verb), and the 403 Forbidden a denial gets, with kube-apiserver's message.
 *
 * @module
 */
import type { IncomingMessage } from "node:http";
import {
  parseServiceAccountUsername,
  serviceAccountGroups,
  type Authenticator,
  type UserInfo,
} from "./authn.js";
import { badRequest, forbidden, type KubeApiError } from "./errors.js";
import type { Target } from "./http-routes.js";
import type { RbacAuthorizer, RequestAttributes } from "./rbac.js";
import type { DeniedRequest } from "./types.js";

/** What authorizing HTTP requests needs. */
export interface HttpAuth {
  authenticator: Authenticator;
  rbac: RbacAuthorizer;
}

/** The message of a denial, as kube-apiserver's `forbiddenMessage`. */
function forbiddenMessage(attrs: RequestAttributes): string {
  const user = attrs.user.username;
  const r = attrs.resource;
  if (!r) return `User "${user}" cannot ${attrs.verb} path "${attrs.path}"`;
  const resource = r.subresource ? `${r.resource}/${r.subresource}` : r.resource;
  const scope = r.namespace ? `in the namespace "${r.namespace}"` : "at the cluster scope";
  return `User "${user}" cannot ${attrs.verb} resource "${resource}" in API group "${r.group}" ${scope}`;
}

/** Remembers a refused request (bounded to the last 10,000). */
export function recordDenial(
  denials: DeniedRequest[],
  err: KubeApiError,
  path: string,
  attrs?: RequestAttributes,
): void {
  const r = attrs?.resource;
  const d: DeniedRequest = {
    code: err.code === 401 ? 401 : 403,
    path,
    message: err.status.message,
    ...(attrs ? { user: attrs.user.username, verb: attrs.verb } : {}),
    ...(r ? { group: r.group, resource: r.resource } : {}),
    ...(r?.subresource ? { subresource: r.subresource } : {}),
    ...(r?.namespace ? { namespace: r.namespace } : {}),
    ...(r?.name !== undefined ? { name: r.name } : {}),
  };
  denials.push(d);
  if (denials.length > 10_000) denials.splice(0, denials.length - 10_000);
}

/** Throws the 403 of kube-apiserver unless RBAC allows the request. */
export function authorizeOrThrow(rbac: RbacAuthorizer, attrs: RequestAttributes): void {
  const decision = rbac.authorize(attrs);
  if (decision.allowed) return;
  const why = forbiddenMessage(attrs) + (decision.reason ? `: ${decision.reason}` : "");
  const r = attrs.resource;
  throw forbidden(r ? { group: r.group, resource: r.resource } : undefined, r?.name, why);
}

function headerValues(req: IncomingMessage, name: string): string[] {
  const v = req.headers[name];
  return v === undefined ? [] : (Array.isArray(v) ? v : v.split(",")).map((s) => s.trim());
}

/**
 * The user a request acts as: the authenticated one, or the one it impersonates once each
 * impersonated attribute is allowed (`impersonate` on `users`, `groups`, `serviceaccounts`,
 * `uids`, `userextras/<key>`).
 */
export function requestUser(auth: HttpAuth, req: IncomingMessage): UserInfo {
  const user = auth.authenticator.authenticate(req);
  const username = req.headers["impersonate-user"];
  const groups = headerValues(req, "impersonate-group");
  const uid = req.headers["impersonate-uid"];
  const extraHeaders = Object.keys(req.headers).filter((h) => h.startsWith("impersonate-extra-"));
  if (typeof username !== "string") {
    if (groups.length > 0 || uid !== undefined || extraHeaders.length > 0) {
      throw badRequest(`requested ${JSON.stringify(groups)} without impersonating a user`);
    }
    return user;
  }
  const check = (
    resource: string,
    name: string,
    group = "",
    namespace?: string,
    subresource?: string,
  ): void =>
    authorizeOrThrow(auth.rbac, {
      user,
      verb: "impersonate",
      resource: {
        group,
        resource,
        name,
        ...(namespace ? { namespace } : {}),
        ...(subresource ? { subresource } : {}),
      },
    });
  const sa = parseServiceAccountUsername(username);
  if (sa) check("serviceaccounts", sa.name, "", sa.namespace);
  else check("users", username);
  for (const g of groups) check("groups", g);
  if (typeof uid === "string") check("uids", uid, "authentication.k8s.io");
  const extra: Record<string, string[]> = {};
  for (const h of extraHeaders) {
    const key = decodeURIComponent(h.slice("impersonate-extra-".length));
    extra[key] = headerValues(req, h);
    for (const v of extra[key]) check("userextras", v, "authentication.k8s.io", undefined, key);
  }
  const out = sa && groups.length === 0 ? serviceAccountGroups(sa.namespace) : [...groups];
  if (
    username !== "system:anonymous" &&
    !out.includes("system:authenticated") &&
    !out.includes("system:unauthenticated")
  ) {
    out.push("system:authenticated");
  }
  return {
    username,
    groups: out,
    ...(typeof uid === "string" ? { uid } : {}),
    ...(extraHeaders.length > 0 ? { extra } : {}),
  };
}

/** The authorizer attributes of a request to a resource, as kube-apiserver's RequestInfo. */
export function resourceAttributes(
  user: UserInfo,
  method: string,
  target: Target,
  q: URLSearchParams,
): RequestAttributes {
  const { info } = target;
  let name = target.name;
  let verb: string;
  switch (method) {
    case "GET":
    case "HEAD":
      verb =
        name !== undefined
          ? "get"
          : q.get("watch") === "true" || q.get("watch") === "1"
            ? "watch"
            : "list";
      if (name === undefined) {
        // A list or watch of one object by field selector is authorized for that name.
        for (const term of (q.get("fieldSelector") ?? "").split(",")) {
          const m = /^\s*metadata\.name\s*==?\s*([^\s]+)\s*$/.exec(term);
          if (m) name = m[1];
        }
      }
      break;
    case "POST":
      verb = "create";
      break;
    case "PUT":
      verb = "update";
      break;
    case "PATCH":
      verb = "patch";
      break;
    case "DELETE":
      verb = name !== undefined ? "delete" : "deletecollection";
      break;
    default:
      verb = method.toLowerCase();
  }
  // Requests to a namespace object are in that namespace.
  const namespace =
    info.group === "" && info.resource === "namespaces" ? target.name : target.namespace;
  return {
    user,
    verb,
    resource: {
      group: info.group,
      resource: info.resource,
      ...(target.subresource ? { subresource: target.subresource } : {}),
      ...(namespace ? { namespace } : {}),
      ...(name !== undefined ? { name } : {}),
    },
  };
}

/**
 * Throws 403 unless the user of a server-side apply that would create its object may also
 * `create` it, as kube-apiserver checks (`pipelineruns.tekton.dev "x" is forbidden: <reason>`).
 */
export function authorizeCreateOnApply(rbac: RbacAuthorizer, user: UserInfo, target: Target): void {
  const attrs = resourceAttributes(user, "POST", target, new URLSearchParams());
  attrs.resource!.name = target.name!;
  const decision = rbac.authorize(attrs);
  if (decision.allowed) return;
  const { group, resource } = target.info;
  throw forbidden({ group, resource }, target.name, decision.reason);
}
