/**
 * Authentication of requests when RBAC is on: the kubeconfig's admin token (`system:masters`), the
 * `tokens` option, and tokens minted by the fake (for ServiceAccounts or any user); no
 * `Authorization` header is the anonymous user; any other token is 401 Unauthorized, as
 * kube-apiserver answers it.
 *
 * @module
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { failure, KubeApiError } from "./errors.js";
import type { TokenUser } from "./types.js";

/** Who a request is from: a user name, groups and optionally a uid and extra. */
export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

/** The bearer token of the fake's kubeconfig: the cluster admin. */
export const ADMIN_TOKEN = "kube-fake";
/** The user the admin token authenticates as. */
export const ADMIN_USER: UserInfo = {
  username: "kube-fake-admin",
  groups: ["system:masters", "system:authenticated"],
};
/** The user of requests without credentials. */
export const ANONYMOUS: UserInfo = {
  username: "system:anonymous",
  groups: ["system:unauthenticated"],
};

/** The user name of a ServiceAccount: `system:serviceaccount:<namespace>:<name>`. */
export function serviceAccountUsername(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}

/** The groups of a ServiceAccount's user (without `system:authenticated`). */
export function serviceAccountGroups(namespace: string): string[] {
  return ["system:serviceaccounts", `system:serviceaccounts:${namespace}`];
}

/** The namespace and name of a ServiceAccount user name, or undefined for other users. */
export function parseServiceAccountUsername(
  username: string,
): { namespace: string; name: string } | undefined {
  const m = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(username);
  return m ? { namespace: m[1]!, name: m[2]! } : undefined;
}

/** The 401 a request with an unknown token gets. */
export function unauthorized(): KubeApiError {
  return new KubeApiError(failure(401, "Unauthorized", "Unauthorized"));
}

function withAuthenticated(groups: readonly string[]): string[] {
  return groups.includes("system:authenticated")
    ? [...groups]
    : [...groups, "system:authenticated"];
}

/** The tokens the fake knows: the `tokens` option and the minted ones. */
export class Authenticator {
  private readonly minted = new Map<string, TokenUser>();

  constructor(private readonly configured: Record<string, TokenUser>) {}

  /** Mints a token for a user (`system:authenticated` is added to its groups). */
  mint(user: TokenUser): string {
    const token = `kube-fake.${randomBytes(18).toString("base64url")}`;
    this.minted.set(token, {
      username: user.username,
      ...(user.uid ? { uid: user.uid } : {}),
      groups: withAuthenticated(user.groups ?? []),
    });
    return token;
  }

  /** Mints a token of a ServiceAccount (its user name and groups, as its projected tokens have). */
  mintServiceAccount(namespace: string, name: string): string {
    return this.mint({
      username: serviceAccountUsername(namespace, name),
      groups: serviceAccountGroups(namespace),
    });
  }

  /** What a token authenticates as for TokenReview (the `tokens` option as given), if known. */
  review(token: string): TokenUser | undefined {
    if (Object.prototype.hasOwnProperty.call(this.configured, token)) return this.configured[token];
    return this.minted.get(token);
  }

  /** The user of a request: admin, known token, or anonymous; 401 for any other credential. */
  authenticate(req: IncomingMessage): UserInfo {
    const header = req.headers.authorization;
    if (!header) return ANONYMOUS;
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) throw unauthorized();
    const token = m[1]!;
    if (token === ADMIN_TOKEN) return ADMIN_USER;
    const user = this.review(token);
    if (!user) throw unauthorized();
    return {
      username: user.username,
      ...(user.uid ? { uid: user.uid } : {}),
      groups: withAuthenticated(user.groups ?? []),
    };
  }
}
