/**
 * The authorization port of the Results service. Every RPC asks the
 * {@link Authorizer} for (resource, verb, parent) before it touches storage.
 *
 * @module
 */

/** The resources of API group `results.tekton.dev`. */
export type AuthResource = "results" | "records" | "logs";

/** The verbs checked on them. */
export type AuthVerb = "create" | "get" | "update" | "delete" | "list";

/** What one RPC needs permission for. */
export interface AuthRequest {
  /** The resource the RPC acts on. */
  resource: AuthResource;
  /** What it does to it. `GetRecordListSummary` is `records` `get`. */
  verb: AuthVerb;
  /** The namespace (the name's parent), or `-` for a cluster-wide list. */
  parent: string;
  /** The request headers (bearer token, impersonation headers). */
  header: Headers;
}

/**
 * Decides whether a request may proceed. Resolves when it may; rejects with a
 * `ConnectError` of code `Unauthenticated` (bad or missing credentials) or
 * `PermissionDenied` (valid credentials without the permission).
 */
export interface Authorizer {
  /** Resolve to allow, throw to deny. */
  authorize(request: AuthRequest): Promise<void>;
}

/** An authorizer that allows everything: the default, for local use and tests. */
export const allowAll: Authorizer = {
  authorize: () => Promise.resolve(),
};
