/**
 * Who is denied what: the Results server's PermissionDenied and Unauthenticated messages read
 * back into their parts (the user, the verb, the resource, the namespace or the cluster scope),
 * and what the user can do about each.
 *
 * The server's Kubernetes authorizer words a denial as
 * `user "alice" cannot list records.results.tekton.dev in namespace "ci"` (or
 * `... at the cluster scope`), optionally followed by `: <RBAC's reason>`.
 *
 * @module
 */

/** A denial's parts, when the message names them. */
export interface Denial {
  /** The Kubernetes user (`system:serviceaccount:ns:name` for a ServiceAccount). */
  user: string;
  /** The verb, e.g. `list`. */
  verb: string;
  /** The resource, e.g. `records.results.tekton.dev`. */
  resource: string;
  /** The namespace; `undefined` for the cluster scope (all namespaces). */
  namespace: string | undefined;
}

const DENIAL =
  /^user "([^"]+)" cannot (\S+) (\S+)(?: "[^"]*")? (?:in namespace "([^"]+)"|at the cluster scope)/;

/** The parts of a PermissionDenied message, or `undefined` when it is worded otherwise. */
export function parseDenial(message: string): Denial | undefined {
  const m = DENIAL.exec(message);
  if (!m) return undefined;
  return { user: m[1]!, verb: m[2]!, resource: m[3]!, namespace: m[4] };
}

/** The read-only ClusterRole the deployment installs (docs/deploy.md, roles for users). */
export const READONLY_ROLE = "tekton-results-readonly";

/** The `kubectl` subject flag of a user: `--serviceaccount=ns:name` or `--user=name`. */
function subjectFlag(user: string): string {
  const sa = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(user);
  return sa ? `--serviceaccount=${sa[1]}:${sa[2]}` : `--user=${user}`;
}

/** A name for a binding of `user`: letters, digits and dashes. */
function bindingName(user: string): string {
  const tail = user.split(":").pop() ?? user;
  const safe = tail.toLowerCase().replace(/[^a-z0-9-]+/g, "-");
  return `results-reader-${safe}`.replace(/-+$/, "").slice(0, 63);
}

/** The command an administrator runs to grant read access to the denied user. */
export function grantCommand(denial: Denial): string {
  const subject = subjectFlag(denial.user);
  const name = bindingName(denial.user);
  return denial.namespace === undefined
    ? `kubectl create clusterrolebinding ${name} --clusterrole=${READONLY_ROLE} ${subject}`
    : `kubectl -n ${denial.namespace} create rolebinding ${name} --clusterrole=${READONLY_ROLE} ${subject}`;
}

/** What to do about a denial (the server's message says what was denied), one or two sentences. */
export function denialAdvice(denial: Denial): string {
  return denial.namespace === undefined
    ? `Pick a namespace you can read in the Namespace box (all namespaces needs read access in every one), or ask an administrator to grant ${denial.user} that access with the command below.`
    : `An administrator can grant ${denial.user} read access in "${denial.namespace}" with the command below. Or pick another namespace, or use another token.`;
}

/** Why the server wants credentials, read from its Unauthenticated message. */
export type SignInReason = "missing" | "rejected" | "other";

/** The reason of an Unauthenticated message of the server's Kubernetes authorizer. */
export function signInReason(message: string): SignInReason {
  if (/missing bearer token|not a bearer token/i.test(message)) return "missing";
  if (/invalid bearer token/i.test(message)) return "rejected";
  return "other";
}
