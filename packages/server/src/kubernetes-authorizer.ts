/**
 * An {@link Authorizer} backed by the Kubernetes API, as the Results API is
 * authorized in a cluster: the caller's bearer token is checked with a
 * TokenReview, the permission with a SubjectAccessReview on
 * (`results.tekton.dev`, resource, verb, namespace = parent), and
 * `Impersonate-*` headers are honoured when the caller may impersonate.
 *
 * Decisions (token reviews and access reviews, allowed or denied) are cached
 * for a short time, and concurrent identical reviews share one call, so that
 * authorization costs the API server a few requests per caller and period
 * rather than one per RPC. Failures to reach Kubernetes are never cached.
 *
 * Imported from `@tekton-results/server/kubernetes-authorizer`, so that a
 * server without it does not load `@kubernetes/client-node`.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { Code, ConnectError } from "@connectrpc/connect";
import { AuthenticationV1Api, AuthorizationV1Api, type KubeConfig } from "@kubernetes/client-node";
import { WILDCARD } from "@tekton-results/proto";
import type { Authorizer, AuthRequest } from "./auth.js";
import { noteRequestCaller } from "./request-log.js";
import type { Logger } from "@tekton-results/runtime";

/** The API group of the Results API's resources in SubjectAccessReviews. */
export const RESULTS_API_GROUP = "results.tekton.dev";

/** Default lifetime of a cached decision: 10 seconds. */
export const DEFAULT_AUTH_CACHE_TTL_MS = 10_000;

/** Default bound of each decision cache (token reviews, access reviews). */
export const DEFAULT_AUTH_CACHE_ENTRIES = 10_000;

/** A Kubernetes user as a TokenReview reports it (or as impersonation makes it). */
export interface KubernetesUser {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

/** The `resourceAttributes` of a SubjectAccessReview. */
export interface ResourceAttributes {
  group: string;
  resource: string;
  verb: string;
  /** Empty or absent for a cluster-scoped review. */
  namespace?: string;
  name?: string;
  subresource?: string;
}

/** What a SubjectAccessReview answered. */
export interface AccessDecision {
  allowed: boolean;
  reason?: string;
}

/**
 * The two Kubernetes reviews the authorizer needs. {@link createKubernetesReviewer}
 * makes them with `@kubernetes/client-node`; tests or other clients can
 * supply their own. Both reject when Kubernetes cannot be reached.
 */
export interface KubernetesReviewer {
  /** The user behind `token`, or `undefined` when the token is not valid (for `audiences`). */
  reviewToken(token: string, audiences: readonly string[]): Promise<KubernetesUser | undefined>;
  /** Whether `user` may do what `attributes` say. */
  reviewAccess(user: KubernetesUser, attributes: ResourceAttributes): Promise<AccessDecision>;
}

/** Options of {@link createKubernetesAuthorizer}. */
export interface KubernetesAuthorizerOptions {
  /**
   * Where the reviews go: a loaded kubeConfig (e.g. `loadFromCluster()` in a
   * pod). Needed unless {@link KubernetesAuthorizerOptions.reviewer} is given.
   */
  kubeConfig?: KubeConfig;
  /** Makes the reviews (default: {@link createKubernetesReviewer} over `kubeConfig`). */
  reviewer?: KubernetesReviewer;
  /**
   * Audiences the tokens must be meant for (TokenReview `spec.audiences`);
   * empty (default): the API server's own audiences.
   */
  audiences?: readonly string[];
  /** How long a decision is reused, in ms. Default {@link DEFAULT_AUTH_CACHE_TTL_MS}; 0 disables caching. */
  cacheTtlMs?: number;
  /** Most cached decisions of each kind (oldest dropped first). Default {@link DEFAULT_AUTH_CACHE_ENTRIES}. */
  maxCacheEntries?: number;
  /** Honour `Impersonate-*` headers (each use checked with a review). Default true. */
  impersonation?: boolean;
  /** Milliseconds since the epoch. Default `Date.now`. */
  now?: () => number;
  /** Where failures to reach Kubernetes are reported. */
  logger?: Logger;
}

/** Make the reviews with `@kubernetes/client-node` against the cluster `kubeConfig` names. */
export function createKubernetesReviewer(kubeConfig: KubeConfig): KubernetesReviewer {
  const authentication = kubeConfig.makeApiClient(AuthenticationV1Api);
  const authorization = kubeConfig.makeApiClient(AuthorizationV1Api);
  return {
    async reviewToken(token, audiences) {
      const review = await authentication.createTokenReview({
        body: {
          apiVersion: "authentication.k8s.io/v1",
          kind: "TokenReview",
          spec: { token, ...(audiences.length > 0 ? { audiences: [...audiences] } : {}) },
        },
      });
      const status = review.status;
      if (!status?.authenticated || !status.user?.username) return undefined;
      // A token for other audiences is not one for us (the review says which it matched).
      if (audiences.length > 0 && !(status.audiences ?? []).some((a) => audiences.includes(a))) {
        return undefined;
      }
      return {
        username: status.user.username,
        ...(status.user.uid ? { uid: status.user.uid } : {}),
        groups: status.user.groups ?? [],
        ...(status.user.extra ? { extra: status.user.extra } : {}),
      };
    },
    async reviewAccess(user, attributes) {
      const review = await authorization.createSubjectAccessReview({
        body: {
          apiVersion: "authorization.k8s.io/v1",
          kind: "SubjectAccessReview",
          spec: {
            user: user.username,
            ...(user.uid ? { uid: user.uid } : {}),
            groups: user.groups,
            ...(user.extra ? { extra: user.extra } : {}),
            resourceAttributes: { ...attributes },
          },
        },
      });
      const status = review.status;
      return {
        allowed: status?.allowed === true && status.denied !== true,
        ...(status?.reason ? { reason: status.reason } : {}),
      };
    },
  };
}

/** A bounded cache of decisions that shares in-flight lookups and never keeps failures. */
function createDecisionCache<T>(ttlMs: number, maxEntries: number, now: () => number) {
  const entries = new Map<string, { expires: number; value: Promise<T> }>();
  return {
    get(key: string, load: () => Promise<T>): Promise<T> {
      const hit = entries.get(key);
      if (hit && hit.expires > now()) return hit.value;
      if (hit) entries.delete(key);
      const value = load();
      if (ttlMs <= 0) return value;
      // In flight: shared until it settles; then kept for the TTL, or dropped on failure.
      const entry = { expires: Number.POSITIVE_INFINITY, value };
      entries.set(key, entry);
      while (entries.size > maxEntries) {
        const oldest = entries.keys().next().value as string;
        entries.delete(oldest);
      }
      value.then(
        () => {
          entry.expires = now() + ttlMs;
        },
        () => {
          if (entries.get(key) === entry) entries.delete(key);
        },
      );
      return value;
    },
  };
}

/** The impersonation a request asks for, from its `Impersonate-*` headers. */
interface Impersonation {
  user: string;
  groups: string[];
  /** An `Impersonate-Group` header was sent (even an empty one). */
  groupsSpecified: boolean;
  uid?: string;
  extra: Record<string, string[]>;
}

const IMPERSONATE_EXTRA = "impersonate-extra-";

function splitValues(value: string | null): string[] {
  if (value === null) return [];
  return value
    .split(",")
    .map((v) => v.trim())
    .filter((v) => v !== "");
}

/** Read the `Impersonate-*` headers; `undefined` when there are none. */
function impersonationOf(header: Headers): Impersonation | undefined {
  const user = header.get("impersonate-user")?.trim() ?? "";
  const groups = splitValues(header.get("impersonate-group"));
  const uid = header.get("impersonate-uid")?.trim() ?? "";
  const extra: Record<string, string[]> = {};
  header.forEach((value, name) => {
    const lower = name.toLowerCase();
    if (!lower.startsWith(IMPERSONATE_EXTRA)) return;
    let key = lower.slice(IMPERSONATE_EXTRA.length);
    try {
      key = decodeURIComponent(key);
    } catch {
      throw new ConnectError(`malformed header ${name}`, Code.InvalidArgument);
    }
    extra[key] = [...(extra[key] ?? []), ...splitValues(value)];
  });
  const asked = groups.length > 0 || uid !== "" || Object.keys(extra).length > 0;
  if (user === "") {
    if (asked) {
      throw new ConnectError(
        "Impersonate-Group, Impersonate-Uid and Impersonate-Extra-* need Impersonate-User",
        Code.InvalidArgument,
      );
    }
    return undefined;
  }
  const groupsSpecified = header.get("impersonate-group") !== null;
  return { user, groups, groupsSpecified, ...(uid !== "" ? { uid } : {}), extra };
}

const SERVICE_ACCOUNT_PREFIX = "system:serviceaccount:";

/**
 * The reviews that allow `caller` to impersonate, as the Kubernetes API
 * server makes them: users (or the service account), each group, the uid and
 * each extra value.
 */
function impersonationChecks(imp: Impersonation): ResourceAttributes[] {
  const checks: ResourceAttributes[] = [];
  const sa = splitServiceAccount(imp.user);
  if (sa) {
    checks.push({
      group: "",
      resource: "serviceaccounts",
      verb: "impersonate",
      namespace: sa.namespace,
      name: sa.name,
    });
  } else {
    checks.push({ group: "", resource: "users", verb: "impersonate", name: imp.user });
  }
  for (const group of imp.groups) {
    checks.push({ group: "", resource: "groups", verb: "impersonate", name: group });
  }
  if (imp.uid !== undefined) {
    checks.push({
      group: "authentication.k8s.io",
      resource: "uids",
      verb: "impersonate",
      name: imp.uid,
    });
  }
  for (const [key, values] of Object.entries(imp.extra)) {
    for (const value of values) {
      checks.push({
        group: "authentication.k8s.io",
        resource: "userextras",
        subresource: key,
        verb: "impersonate",
        name: value,
      });
    }
  }
  return checks;
}

/** A DNS-1123 label: a namespace name. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** A DNS-1123 subdomain: a service account name. */
const DNS_SUBDOMAIN =
  /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * The namespace and name of a service account username
 * (`system:serviceaccount:{namespace}:{name}`, both valid names), as
 * Kubernetes' `serviceaccount.SplitUsername` reads it; `undefined` for any
 * other username (it is then an ordinary user).
 */
function splitServiceAccount(username: string): { namespace: string; name: string } | undefined {
  if (!username.startsWith(SERVICE_ACCOUNT_PREFIX)) return undefined;
  const parts = username.slice(SERVICE_ACCOUNT_PREFIX.length).split(":");
  if (parts.length !== 2) return undefined;
  const [namespace, name] = parts as [string, string];
  if (!DNS_LABEL.test(namespace) || !DNS_SUBDOMAIN.test(name)) return undefined;
  return { namespace, name };
}

const ALL_AUTHENTICATED = "system:authenticated";
const ALL_UNAUTHENTICATED = "system:unauthenticated";
const ANONYMOUS = "system:anonymous";

/**
 * The user a request acts as once impersonation is allowed, with the groups
 * kube-apiserver gives it (apiserver `WithImpersonation`): a service account
 * gets `system:serviceaccounts` and `system:serviceaccounts:{namespace}` only
 * when no `Impersonate-Group` is sent; anyone but `system:anonymous` gets
 * `system:authenticated` unless the groups hold `system:authenticated` or
 * `system:unauthenticated`; `system:anonymous` gets `system:unauthenticated`
 * unless it is there.
 */
function impersonatedUser(imp: Impersonation): KubernetesUser {
  const sa = splitServiceAccount(imp.user);
  const groups =
    sa && !imp.groupsSpecified
      ? ["system:serviceaccounts", `system:serviceaccounts:${sa.namespace}`]
      : [...imp.groups];
  if (imp.user !== ANONYMOUS) {
    if (!groups.includes(ALL_AUTHENTICATED) && !groups.includes(ALL_UNAUTHENTICATED)) {
      groups.push(ALL_AUTHENTICATED);
    }
  } else if (!groups.includes(ALL_UNAUTHENTICATED)) {
    groups.push(ALL_UNAUTHENTICATED);
  }
  return {
    username: imp.user,
    ...(imp.uid !== undefined ? { uid: imp.uid } : {}),
    groups,
    ...(Object.keys(imp.extra).length > 0 ? { extra: imp.extra } : {}),
  };
}

function describeAttributes(a: ResourceAttributes): string {
  const what = `${a.verb} ${a.group ? `${a.resource}.${a.group}` : a.resource}${a.subresource ? `/${a.subresource}` : ""}${a.name ? ` "${a.name}"` : ""}`;
  return a.namespace ? `${what} in namespace "${a.namespace}"` : `${what} at the cluster scope`;
}

/** The bearer token of an `Authorization` header; `undefined` when there is none. */
export function bearerToken(header: Headers): string | undefined {
  const value = header.get("authorization");
  if (value === null) return undefined;
  const match = /^Bearer[ \t]+([^\s]+)[ \t]*$/i.exec(value);
  return match?.[1];
}

function cacheKey(parts: unknown[]): string {
  return createHash("sha256").update(JSON.stringify(parts)).digest("base64url");
}

function sortedUser(user: KubernetesUser): unknown[] {
  const extra = user.extra
    ? Object.entries(user.extra)
        .map(([k, v]) => [k, [...v].sort()] as const)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    : [];
  return [user.username, user.uid ?? "", [...user.groups].sort(), extra];
}

/**
 * Create the Kubernetes-backed authorizer. A request without a bearer token,
 * or with one Kubernetes does not accept, is `Unauthenticated`; a valid one
 * without the permission (or the right to impersonate) is `PermissionDenied`
 * with the reason; Kubernetes out of reach is `Unavailable` (the cause
 * logged, never sent).
 */
export function createKubernetesAuthorizer(options: KubernetesAuthorizerOptions): Authorizer {
  const reviewer =
    options.reviewer ??
    (options.kubeConfig ? createKubernetesReviewer(options.kubeConfig) : undefined);
  if (!reviewer) throw new TypeError("createKubernetesAuthorizer needs kubeConfig or reviewer");
  const ttl = options.cacheTtlMs ?? DEFAULT_AUTH_CACHE_TTL_MS;
  const max = options.maxCacheEntries ?? DEFAULT_AUTH_CACHE_ENTRIES;
  if (!Number.isFinite(ttl) || ttl < 0) throw new TypeError("cacheTtlMs must be >= 0");
  if (!Number.isInteger(max) || max < 1) throw new TypeError("maxCacheEntries must be >= 1");
  const now = options.now ?? Date.now;
  const audiences = [...(options.audiences ?? [])];
  const impersonation = options.impersonation ?? true;
  const logger = options.logger;
  const tokens = createDecisionCache<KubernetesUser | undefined>(ttl, max, now);
  const access = createDecisionCache<AccessDecision>(ttl, max, now);

  function unavailable(err: unknown, review: string): ConnectError {
    logger?.error(
      { err: err instanceof Error ? err.message : String(err), review },
      "authorization: Kubernetes review failed",
    );
    return new ConnectError("authorization is unavailable", Code.Unavailable);
  }

  async function authenticate(token: string): Promise<KubernetesUser> {
    let user: KubernetesUser | undefined;
    try {
      user = await tokens.get(cacheKey(["token", token, audiences]), () =>
        reviewer!.reviewToken(token, audiences),
      );
    } catch (err) {
      throw unavailable(err, "TokenReview");
    }
    if (!user) throw new ConnectError("invalid bearer token", Code.Unauthenticated);
    return user;
  }

  async function allowed(user: KubernetesUser, attributes: ResourceAttributes): Promise<void> {
    let decision: AccessDecision;
    try {
      decision = await access.get(cacheKey(["access", sortedUser(user), attributes]), () =>
        reviewer!.reviewAccess(user, attributes),
      );
    } catch (err) {
      throw unavailable(err, "SubjectAccessReview");
    }
    if (!decision.allowed) {
      throw new ConnectError(
        `user "${user.username}" cannot ${describeAttributes(attributes)}${decision.reason ? `: ${decision.reason}` : ""}`,
        Code.PermissionDenied,
      );
    }
  }

  return {
    async authorize(request: AuthRequest): Promise<void> {
      const token = bearerToken(request.header);
      if (token === undefined) {
        throw new ConnectError(
          request.header.has("authorization")
            ? "the Authorization header is not a bearer token"
            : "missing bearer token (Authorization: Bearer <token>)",
          Code.Unauthenticated,
        );
      }
      let user = await authenticate(token);
      noteRequestCaller(user.username);
      const imp = impersonationOf(request.header);
      if (imp) {
        noteRequestCaller(user.username, imp.user);
        if (!impersonation) {
          throw new ConnectError("impersonation is disabled on this server", Code.PermissionDenied);
        }
        for (const check of impersonationChecks(imp)) await allowed(user, check);
        user = impersonatedUser(imp);
      }
      await allowed(user, {
        group: RESULTS_API_GROUP,
        resource: request.resource,
        verb: request.verb,
        ...(request.parent === WILDCARD ? {} : { namespace: request.parent }),
      });
    },
  };
}
