/**
 * A bearer-token authorizer: a fixed map from token to the namespaces it may
 * use. Stands in for Kubernetes TokenReview/SubjectAccessReview in setups
 * without a cluster.
 *
 * @module
 */
import { Code, ConnectError } from "@connectrpc/connect";
import type { Authorizer } from "@tekton-results/server";

/** Token -> the namespaces it may act in; `"*"` grants every namespace and cluster-wide lists. */
export type TokenGrants = { readonly [token: string]: readonly string[] };

/**
 * Create an authorizer for `createResultsRoutes({ authorizer })`. A missing,
 * malformed or unknown bearer token is `Unauthenticated`; a known token used
 * outside its namespaces (or for a cluster-wide list without `"*"`) is
 * `PermissionDenied`. Every verb is allowed inside a granted namespace.
 */
export function createTokenAuthorizer(grants: TokenGrants): Authorizer {
  const table = new Map(
    Object.entries(grants).map(([token, namespaces]) => [token, new Set(namespaces)]),
  );
  return {
    authorize({ parent, header }) {
      const match = /^Bearer\s+(\S+)$/i.exec(header.get("authorization") ?? "");
      const namespaces = match?.[1] !== undefined ? table.get(match[1]) : undefined;
      if (namespaces === undefined) {
        return Promise.reject(
          new ConnectError("missing or invalid bearer token", Code.Unauthenticated),
        );
      }
      if (!namespaces.has("*") && !namespaces.has(parent)) {
        return Promise.reject(
          new ConnectError(
            `not allowed in namespace ${JSON.stringify(parent)}`,
            Code.PermissionDenied,
          ),
        );
      }
      return Promise.resolve();
    },
  };
}
