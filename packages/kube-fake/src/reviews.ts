/**
 * The create-only reviews, answered with the request plus `status`: TokenReview (the `tokens`
 * option and minted tokens), SubjectAccessReview (the `authorize` option, else RBAC when on, else
 * allowed), and the self reviews of the requesting user: SelfSubjectAccessReview,
 * SelfSubjectRulesReview and SelfSubjectReview.
 *
 * @module
 */
import { ADMIN_USER, type UserInfo } from "./authn.js";
import { badRequest } from "./errors.js";
import { cloneJson, isObject } from "./patch.js";
import type { PolicyRule, RbacAuthorizer, RequestAttributes } from "./rbac.js";
import type { AuthorizeDecision, KubeObject, TokenUser } from "./types.js";

/** Decides the `spec` of a SubjectAccessReview. */
export type AccessDecider = (spec: Record<string, unknown>) => AuthorizeDecision;

/** Answers a TokenReview: the request plus `status` (authenticated and user, or not). */
export function reviewToken(
  body: KubeObject,
  lookup: (token: string) => TokenUser | undefined,
): KubeObject {
  const spec = isObject(body["spec"]) ? body["spec"] : {};
  const token = spec["token"];
  if (typeof token !== "string" || token === "")
    throw badRequest("token is required for TokenReview in authentication");
  const out = cloneJson(body);
  out.apiVersion = "authentication.k8s.io/v1";
  out.kind = "TokenReview";
  out.metadata = { ...(out.metadata ?? {}), creationTimestamp: undefined };
  delete out.metadata.creationTimestamp;
  const user = lookup(token);
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

/** The authorizer attributes of a SubjectAccessReview `spec` for a user. */
function reviewAttributes(spec: Record<string, unknown>, user: UserInfo): RequestAttributes {
  const ra = spec["resourceAttributes"] as Record<string, string | undefined> | undefined;
  if (ra) {
    const r: NonNullable<RequestAttributes["resource"]> = {
      group: ra["group"] ?? "",
      resource: ra["resource"] ?? "",
    };
    if (ra["subresource"]) r.subresource = ra["subresource"];
    if (ra["namespace"]) r.namespace = ra["namespace"];
    if (ra["name"]) r.name = ra["name"];
    return { user, verb: ra["verb"] ?? "", resource: r };
  }
  const nra = (spec["nonResourceAttributes"] ?? {}) as Record<string, string | undefined>;
  return { user, verb: nra["verb"] ?? "", path: nra["path"] ?? "" };
}

/** A decider of SubjectAccessReviews by RBAC, for the user in the `spec`. */
export function rbacDecider(rbac: RbacAuthorizer): AccessDecider {
  return (spec) => {
    const user: UserInfo = {
      username: typeof spec["user"] === "string" ? spec["user"] : "",
      groups: Array.isArray(spec["groups"]) ? (spec["groups"] as string[]) : [],
    };
    return rbac.authorize(reviewAttributes(spec, user));
  };
}

/** Answers a SubjectAccessReview with `decide` (allow-all when absent). */
export function reviewAccess(body: KubeObject, decide: AccessDecider | undefined): KubeObject {
  const spec = isObject(body["spec"]) ? body["spec"] : undefined;
  if (!spec) throw badRequest("spec is required for SubjectAccessReview");
  checkAttributes(spec);
  if (!spec["user"] && !spec["groups"])
    throw badRequest("at least one of user or group must be specified");
  return answerAccess(body, "SubjectAccessReview", decide ? decide(cloneJson(spec)) : true);
}

function checkAttributes(spec: Record<string, unknown>): void {
  if (!spec["resourceAttributes"] === !spec["nonResourceAttributes"]) {
    throw badRequest(
      "exactly one of nonResourceAttributes or resourceAttributes must be specified",
    );
  }
}

/**
 * Answers a SelfSubjectAccessReview for the requesting user: by RBAC when on; otherwise by the
 * `authorize` option (its `spec` without user) or allowed.
 */
export function reviewSelfAccess(
  body: KubeObject,
  user: UserInfo | undefined,
  rbac: RbacAuthorizer | undefined,
  authorize: AccessDecider | undefined,
): KubeObject {
  const spec = isObject(body["spec"]) ? body["spec"] : {};
  checkAttributes(spec);
  const decision =
    rbac && user
      ? rbac.authorize(reviewAttributes(spec, user))
      : authorize
        ? authorize(cloneJson(spec))
        : true;
  return answerAccess(body, "SelfSubjectAccessReview", decision);
}

function answerAccess(body: KubeObject, kind: string, decision: AuthorizeDecision): KubeObject {
  const allowed = typeof decision === "boolean" ? decision : decision.allowed;
  const reason = typeof decision === "boolean" ? undefined : decision.reason;
  const out = cloneJson(body);
  out.apiVersion = "authorization.k8s.io/v1";
  out.kind = kind;
  out.metadata = { ...(out.metadata ?? {}) };
  out["status"] = { allowed, ...(reason ? { reason } : {}) };
  return out;
}

/** Answers a SelfSubjectRulesReview: the rules that apply to the user in `spec.namespace`. */
export function reviewSelfRules(
  body: KubeObject,
  user: UserInfo | undefined,
  rbac: RbacAuthorizer | undefined,
): KubeObject {
  const spec = isObject(body["spec"]) ? body["spec"] : {};
  const namespace = typeof spec["namespace"] === "string" ? spec["namespace"] : undefined;
  const rules: PolicyRule[] =
    rbac && user
      ? rbac.rulesFor(user, namespace)
      : [
          { verbs: ["*"], apiGroups: ["*"], resources: ["*"] },
          { verbs: ["*"], nonResourceURLs: ["*"] },
        ];
  const out = cloneJson(body);
  out.apiVersion = "authorization.k8s.io/v1";
  out.kind = "SelfSubjectRulesReview";
  out.metadata = { ...(out.metadata ?? {}) };
  out["status"] = {
    resourceRules: rules
      .filter((r) => (r.resources ?? []).length > 0)
      .map(({ nonResourceURLs: _, ...r }) => r),
    nonResourceRules: rules
      .filter((r) => (r.nonResourceURLs ?? []).length > 0)
      .map((r) => ({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs })),
    incomplete: false,
  };
  return out;
}

/** Answers a SelfSubjectReview: the requesting user (`kubectl auth whoami`). */
export function reviewSelf(body: KubeObject, user: UserInfo | undefined): KubeObject {
  const out = cloneJson(body);
  out.apiVersion = "authentication.k8s.io/v1";
  out.kind = "SelfSubjectReview";
  out.metadata = { ...(out.metadata ?? {}) };
  out["status"] = { userInfo: cloneJson(user ?? ADMIN_USER) };
  return out;
}
