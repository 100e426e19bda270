/**
 * The public types of the fake: objects and their metadata, options, admission, fault rules,
 * recorded requests, `Status`, and the users and decisions of reviews.
 *
 * @module
 */
/** An owner reference, as in `metadata.ownerReferences`. */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** One `metadata.managedFields` entry (server-side apply field ownership). */
export interface ManagedFieldsEntry {
  manager: string;
  operation: "Apply" | "Update";
  apiVersion: string;
  time: string;
  fieldsType: "FieldsV1";
  fieldsV1: Record<string, unknown>;
  subresource?: string;
}

/** Kubernetes object metadata (the fields the fake understands; others are kept as given). */
export interface ObjectMeta {
  /** The name; may be "" on create when `generateName` is set. */
  name: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: OwnerReference[];
  managedFields?: ManagedFieldsEntry[];
  [key: string]: unknown;
}

/** Any Kubernetes object: `apiVersion`, `kind`, `metadata` and the rest of its fields. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

/** A `meta/v1` Status cause. */
export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

/** A `meta/v1` Status object, as the API server sends for errors. */
export interface Status {
  kind: "Status";
  apiVersion: "v1";
  metadata: Record<string, unknown>;
  status: "Success" | "Failure";
  message: string;
  reason: string;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    uid?: string;
    causes?: StatusCause[];
    retryAfterSeconds?: number;
  };
  code: number;
}

/** What a bearer token authenticates as, for TokenReview. */
export interface TokenUser {
  username: string;
  uid?: string;
  groups?: string[];
}

/** The answer of an {@link KubeFakeOptions.authorize} callback. */
export type AuthorizeDecision = boolean | { allowed: boolean; reason?: string };

/** Options of {@link createKubeFake}. */
export interface KubeFakeOptions {
  /** Host to listen on. Default `127.0.0.1`. */
  host?: string;
  /** Port to listen on; 0 (default) picks a free port. */
  port?: number;
  /** Interval of `BOOKMARK` events on watches with `allowWatchBookmarks=true`. Default 1000 ms. */
  bookmarkIntervalMs?: number;
  /**
   * How long a watch without `timeoutSeconds` lasts: a random time in `[min, max]` milliseconds,
   * after which the server ends the stream cleanly (clients re-watch from their last
   * resourceVersion). Default `[1_800_000, 3_600_000]` (30-60 min, as kube-apiserver with its
   * default `--min-request-timeout` of 1800 s); tests can set it short.
   */
  watchLifetimeMs?: readonly [number, number];
  /**
   * Delay of the garbage collector: how long after an owner is removed (or marked for foreground
   * or orphan deletion) its dependents are deleted (or orphaned), each step of a cascade waiting
   * again. 0 runs it on the next turn of the event loop (`setImmediate`). Default 5 ms.
   */
  gcDelayMs?: number;
  /**
   * A validating admission hook, as a webhook: called for every create and update (PUT, patch,
   * server-side apply; an apply that creates is a create), over HTTP and in-process. A returned
   * message refuses the write with 400 BadRequest and that message, as the API server answers a
   * webhook's denial; `undefined` admits it. See {@link requireSpec}.
   */
  admission?: AdmissionHook;
  /** How many change events are kept for watches and continue tokens. Default 10,000. */
  historyLimit?: number;
  /**
   * Create a missing namespace when an object is created in it (default true). When false,
   * creating an object in a missing namespace fails with 404 NotFound like a real API server.
   */
  autoCreateNamespaces?: boolean;
  /** Tokens known to TokenReview; an unknown token answers `authenticated: false`. */
  tokens?: Record<string, TokenUser>;
  /**
   * Decides SubjectAccessReviews (receives the review's `spec`). Default: RBAC when `rbac` is on,
   * else allow everything.
   */
  authorize?: (spec: Record<string, unknown>) => AuthorizeDecision;
  /**
   * Authenticate and authorize HTTP requests as kube-apiserver with RBAC (default false: every
   * request is allowed). The kubeconfig's token is the admin (`system:masters`, always allowed);
   * the `tokens` option and minted tokens ({@link KubeFake.serviceAccountToken},
   * {@link KubeFake.mintToken}) are authorized by the Roles, ClusterRoles and bindings stored;
   * other tokens get 401; requests without a token are `system:anonymous`. The default cluster
   * roles (cluster-admin, admin, edit, view, system:discovery, system:basic-user,
   * system:auth-delegator, ...) are stored at start.
   */
  rbac?: boolean;
  /**
   * Serve HTTPS with a self-signed certificate made at start (default false: plain HTTP). kubectl
   * sends no credentials (token, impersonation) over plain HTTP, so use it with `rbac` and
   * kubectl; client-node sends them either way. The kubeconfig skips verification.
   */
  tls?: boolean;
  /**
   * Where `pods/portforward` connects: the address of a pod's port (a real listener of the test,
   * standing in for the container), or `undefined` when nothing listens there, which the client
   * sees as kubelet's "connection refused" on the error channel. Without this option every
   * forward is refused that way. The pod must exist and not have ended; the request needs
   * `create` on `pods/portforward` (as kube-apiserver asks of WebSocket upgrades since 1.35).
   */
  portForward?: (target: PortForwardTarget) => { host: string; port: number } | undefined;
}

/** A port of a pod that a client asked to forward to (see {@link KubeFakeOptions.portForward}). */
export interface PortForwardTarget {
  namespace: string;
  pod: string;
  port: number;
}

/** The audit verb of an HTTP request to the fake (`watch` is a list with `watch=true`). */
export type RequestVerb =
  "get" | "list" | "watch" | "create" | "update" | "patch" | "delete" | "deletecollection";

/**
 * Which HTTP requests {@link KubeFake.failRequests} makes fail, and how. Unset fields match
 * anything; a request matching several rules is failed by the oldest rule with `times` left.
 */
export interface FailRequestsRule {
  /** The audit verb to fail (`watch` is a list with `watch=true`). Default: every verb. */
  verb?: RequestVerb;
  /** The resource (plural, e.g. `taskruns`); also matches its subresources. Default: every resource. */
  resource?: string;
  /** The namespace in the request path. Default: any, including cluster-wide requests. */
  namespace?: string;
  /** The HTTP status to answer with. Default 503 (ServiceUnavailable). */
  status?: number;
  /** How many matching requests fail before the rule is spent. Default: every one (Infinity). */
  times?: number;
}

/** One HTTP request to a resource, as recorded by {@link KubeFake.requests}. */
export interface RecordedRequest {
  /** The audit verb, e.g. `watch`. */
  verb: RequestVerb;
  /** The resource (plural), e.g. `taskruns`. */
  resource: string;
  /** `status` or `log` when the request was to a subresource. */
  subresource?: string;
  /** The namespace in the request path (absent for cluster-wide requests). */
  namespace?: string;
  /** The object name in the request path (absent for collection requests). */
  name?: string;
  /** The URL path, e.g. `/apis/tekton.dev/v1/namespaces/default/taskruns`. */
  path: string;
  /** The query parameters (the last value of each). */
  query: Record<string, string>;
  /** The status answered by a {@link KubeFake.failRequests} rule, when one failed the request. */
  injectedStatus?: number;
}

/** An HTTP request refused by authentication (401) or RBAC (403), see {@link KubeFake.deniedRequests}. */
export interface DeniedRequest {
  /** 401 (unknown token) or 403 (not allowed, including impersonation). */
  code: 401 | 403;
  /** The user (after impersonation), absent for 401. */
  user?: string;
  /** The authorizer verb, e.g. `watch`, `impersonate`, or the lowercase method of a path. */
  verb?: string;
  /** The API group, resource, subresource, namespace and name of a resource request. */
  group?: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  /** The URL path. */
  path: string;
  /** The message of the Status sent. */
  message: string;
}

/** What an {@link AdmissionHook} judges. */
export interface AdmissionRequest {
  /** `create`, or `update` for PUT, patch and server-side apply of an existing object. */
  verb: "create" | "update";
  /** The resource (plural), e.g. `pipelineruns`. */
  resource: string;
  /** `status` when the write is to the status subresource. */
  subresource?: "status";
  /** The object as it would be stored (a copy). */
  object: KubeObject;
  /** The stored object an update replaces (a copy). */
  oldObject?: KubeObject;
}

/** A validating admission hook: a message refuses the write, `undefined` admits it. */
export type AdmissionHook = (request: AdmissionRequest) => string | undefined;
