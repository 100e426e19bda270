/**
 * The RBAC authorizer, as kube-apiserver's: a request is allowed when a rule of a role bound to
 * its user matches it. ClusterRoleBindings grant their ClusterRole everywhere; RoleBindings grant
 * their Role or ClusterRole in their namespace only. Subjects are Users, Groups and
 * ServiceAccounts; rules match by verb, API group, resource (`resource/subresource`, `*`,
 * `*\/subresource`), resourceNames, or by nonResourceURLs (`/path`, `/prefix/*`, `*`). Members of
 * `system:masters` are always allowed. A binding to a missing role is skipped and named in the
 * reason of a denial, as kube-apiserver does.
 *
 * @module
 */
import type { UserInfo } from "./authn.js";
import { isObject } from "./patch.js";
import { findResource, type ResourceInfo } from "./resources.js";
import type { ObjectStore } from "./store.js";
import type { KubeObject } from "./types.js";

/** An RBAC `PolicyRule`. */
export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

/** What a request asks, as the authorizer sees it (kube-apiserver's authorizer attributes). */
export interface RequestAttributes {
  user: UserInfo;
  /** `get list watch create update patch delete deletecollection impersonate ...`, or for
   * non-resource requests the lowercase HTTP method. */
  verb: string;
  /** Present for resource requests. */
  resource?: {
    group: string;
    resource: string;
    subresource?: string;
    namespace?: string;
    name?: string;
  };
  /** The URL path of a non-resource request. */
  path?: string;
}

/** The authorizer's decision and its reason (empty when denied without remark). */
export interface Decision {
  allowed: boolean;
  reason: string;
}

const RBAC = "rbac.authorization.k8s.io";
const info = (resource: string): ResourceInfo => findResource(RBAC, "v1", resource)!;

interface Subject {
  kind?: string;
  name?: string;
  namespace?: string;
}

function describeSubject(s: Subject, bindingNamespace: string): string {
  if (s.kind === "ServiceAccount")
    return `ServiceAccount "${s.name}/${s.namespace || bindingNamespace}"`;
  return `${s.kind} "${s.name}"`;
}

function appliesTo(user: UserInfo, s: Subject, bindingNamespace: string): boolean {
  switch (s.kind) {
    case "User":
      return user.username === s.name;
    case "Group":
      return user.groups.includes(s.name ?? "");
    case "ServiceAccount": {
      const ns = s.namespace || bindingNamespace;
      return ns !== "" && user.username === `system:serviceaccount:${ns}:${s.name}`;
    }
    default:
      return false;
  }
}

const has = (list: string[] | undefined, value: string): boolean =>
  (list ?? []).some((x) => x === "*" || x === value);

function resourceMatches(
  rule: PolicyRule,
  resource: string,
  subresource: string | undefined,
): boolean {
  const combined = subresource ? `${resource}/${subresource}` : resource;
  return (rule.resources ?? []).some(
    (r) => r === "*" || r === combined || (subresource !== undefined && r === `*/${subresource}`),
  );
}

function urlMatches(rule: PolicyRule, path: string): boolean {
  return (rule.nonResourceURLs ?? []).some(
    (u) => u === "*" || u === path || (u.endsWith("*") && path.startsWith(u.slice(0, -1))),
  );
}

/** Whether one rule allows a request. */
export function ruleAllows(rule: PolicyRule, attrs: RequestAttributes): boolean {
  if (!has(rule.verbs, attrs.verb)) return false;
  const r = attrs.resource;
  if (!r) return urlMatches(rule, attrs.path ?? "");
  if (!has(rule.apiGroups, r.group) || !resourceMatches(rule, r.resource, r.subresource))
    return false;
  const names = rule.resourceNames ?? [];
  return names.length === 0 || (r.name !== undefined && names.includes(r.name));
}

function rulesOf(obj: KubeObject | undefined): PolicyRule[] {
  const rules = obj?.["rules"];
  return Array.isArray(rules) ? (rules.filter(isObject) as unknown as PolicyRule[]) : [];
}

/** Each binding that applies to a user, with the rules of its role (or why it has none). */
interface Grant {
  describe: () => string;
  rules: PolicyRule[];
  missing?: string;
}

/** The RBAC authorizer over the roles and bindings in a store. */
export class RbacAuthorizer {
  /** `beforeRead` brings derived state (aggregated ClusterRoles) up to date before a decision. */
  constructor(
    private readonly store: ObjectStore,
    private readonly beforeRead: () => void = () => {},
  ) {}

  /** The grants of a user: cluster-wide, then (with a namespace) in that namespace. */
  private *grants(user: UserInfo, namespace: string | undefined): Generator<Grant> {
    this.beforeRead();
    for (const { obj: b } of this.store.list(info("clusterrolebindings")).items) {
      const subject = ((b["subjects"] ?? []) as Subject[]).find((s) => appliesTo(user, s, ""));
      if (!subject) continue;
      const ref = (b["roleRef"] ?? {}) as { kind?: string; name?: string };
      const role =
        ref.kind === "ClusterRole"
          ? this.store.get(info("clusterroles"), undefined, ref.name ?? "")
          : undefined;
      yield {
        describe: () =>
          `ClusterRoleBinding "${b.metadata.name}" of ClusterRole "${ref.name}" to ${describeSubject(subject, "")}`,
        rules: rulesOf(role),
        ...(role ? {} : { missing: `clusterrole.${RBAC} "${ref.name}" not found` }),
      };
    }
    if (!namespace) return;
    for (const { obj: b } of this.store.list(info("rolebindings"), { namespace }).items) {
      const subject = ((b["subjects"] ?? []) as Subject[]).find((s) =>
        appliesTo(user, s, namespace),
      );
      if (!subject) continue;
      const ref = (b["roleRef"] ?? {}) as { kind?: string; name?: string };
      const role =
        ref.kind === "Role"
          ? this.store.get(info("roles"), namespace, ref.name ?? "")
          : ref.kind === "ClusterRole"
            ? this.store.get(info("clusterroles"), undefined, ref.name ?? "")
            : undefined;
      yield {
        describe: () =>
          `RoleBinding "${b.metadata.name}/${namespace}" of ${ref.kind} "${ref.name}" to ${describeSubject(subject, namespace)}`,
        rules: rulesOf(role),
        ...(role
          ? {}
          : { missing: `${(ref.kind ?? "role").toLowerCase()}.${RBAC} "${ref.name}" not found` }),
      };
    }
  }

  /** Decides a request. */
  authorize(attrs: RequestAttributes): Decision {
    if (attrs.user.groups.includes("system:masters")) return { allowed: true, reason: "" };
    const missing: string[] = [];
    for (const grant of this.grants(attrs.user, attrs.resource?.namespace)) {
      if (grant.missing) missing.push(grant.missing);
      if (grant.rules.some((rule) => ruleAllows(rule, attrs))) {
        return { allowed: true, reason: `RBAC: allowed by ${grant.describe()}` };
      }
    }
    const errors = missing.length === 1 ? missing[0] : `[${missing.join(", ")}]`;
    return { allowed: false, reason: missing.length > 0 ? `RBAC: ${errors}` : "" };
  }

  /** The rules that apply to a user in a namespace (SelfSubjectRulesReview). */
  rulesFor(user: UserInfo, namespace: string | undefined): PolicyRule[] {
    if (user.groups.includes("system:masters")) {
      return [
        { verbs: ["*"], apiGroups: ["*"], resources: ["*"] },
        { verbs: ["*"], nonResourceURLs: ["*"] },
      ];
    }
    return [...this.grants(user, namespace)].flatMap((g) => g.rules);
  }
}
