/**
 * The create-only reviews: TokenReview (against the `tokens` option) and SubjectAccessReview
 * (decided by the `authorize` option), answered with the request plus `status`.
 *
 * @module
 */
import { badRequest } from "./errors.js";
import { cloneJson, isObject } from "./patch.js";
import type { AuthorizeDecision, KubeObject, TokenUser } from "./types.js";

/** Answers a TokenReview: the request plus `status` (authenticated and user, or not). */
export function reviewToken(body: KubeObject, tokens: Record<string, TokenUser>): KubeObject {
  const spec = isObject(body["spec"]) ? body["spec"] : {};
  const token = spec["token"];
  if (typeof token !== "string" || token === "")
    throw badRequest("token is required for TokenReview in authentication");
  const out = cloneJson(body);
  out.apiVersion = "authentication.k8s.io/v1";
  out.kind = "TokenReview";
  out.metadata = { ...(out.metadata ?? {}), creationTimestamp: undefined };
  delete out.metadata.creationTimestamp;
  const user = Object.prototype.hasOwnProperty.call(tokens, token) ? tokens[token] : undefined;
  const audiences = Array.isArray(spec["audiences"]) ? spec["audiences"] : undefined;
  if (user) {
    const u: Record<string, unknown> = { username: user.username };
    if (user.uid) u["uid"] = user.uid;
    if (user.groups) u["groups"] = user.groups;
    out["status"] = { authenticated: true, user: u, ...(audiences ? { audiences } : {}) };
  } else {
    out["status"] = { user: {}, error: "invalid bearer token" };
  }
  return out;
}

/** Answers a SubjectAccessReview with `authorize` (allow-all when absent). */
export function reviewAccess(
  body: KubeObject,
  authorize: ((spec: Record<string, unknown>) => AuthorizeDecision) | undefined,
): KubeObject {
  const spec = isObject(body["spec"]) ? body["spec"] : undefined;
  if (!spec) throw badRequest("spec is required for SubjectAccessReview");
  if (!spec["resourceAttributes"] && !spec["nonResourceAttributes"]) {
    throw badRequest(
      "exactly one of nonResourceAttributes or resourceAttributes must be specified",
    );
  }
  if (!spec["user"] && !spec["groups"])
    throw badRequest("at least one of user or group must be specified");
  const decision = authorize ? authorize(cloneJson(spec)) : true;
  const allowed = typeof decision === "boolean" ? decision : decision.allowed;
  const reason = typeof decision === "boolean" ? undefined : decision.reason;
  const out = cloneJson(body);
  out.apiVersion = "authorization.k8s.io/v1";
  out.kind = "SubjectAccessReview";
  out.metadata = { ...(out.metadata ?? {}) };
  out["status"] = { allowed, ...(reason ? { reason } : {}) };
  return out;
}
