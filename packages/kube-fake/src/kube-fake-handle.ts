/**
 * The handle of a running fake ({@link KubeFake}) and the options of its in-process patch and
 * delete: what tests call; `kube-fake.ts` builds it.
 *
 * @module
 */
import type { KubeconfigOptions } from "./kubeconfig.js";
import type {
  DeniedRequest,
  FailRequestsRule,
  KubeObject,
  RecordedRequest,
  TokenUser,
} from "./types.js";

/** Options of {@link KubeFake.patch}. */
export interface PatchOptions {
  /**
   * `merge` (RFC 7386, default), `strategic` (strategic merge patch, built-in kinds only), `json`
   * (RFC 6902) or `apply` (server-side apply).
   */
  type?: "merge" | "strategic" | "json" | "apply";
  subresource?: "status";
  /** Field manager (default `kube-fake`; over HTTP, apply requires one). */
  fieldManager?: string;
  /** Take over conflicting fields on `apply`. */
  force?: boolean;
}

/** Options of {@link KubeFake.delete}. */
export interface DeleteOptions {
  preconditions?: { uid?: string; resourceVersion?: string };
  propagationPolicy?: "Background" | "Foreground" | "Orphan";
}

/**
 * A running fake Kubernetes API server. The direct methods work in-process with the same semantics
 * and the same watch events as the HTTP API; they throw {@link KubeApiError} on failure and return
 * copies (changing them changes nothing stored).
 */
export interface KubeFake {
  /** Base URL, e.g. `http://127.0.0.1:34567`. */
  readonly url: string;
  /**
   * A kubeconfig (cluster, user and context `kube-fake`, current context set) for this server,
   * with the admin token or the given one.
   */
  kubeconfigYaml(options?: KubeconfigOptions): string;
  /** Writes {@link KubeFake.kubeconfigYaml} to a file. */
  writeKubeconfig(path: string, options?: KubeconfigOptions): Promise<void>;
  /**
   * Mints a bearer token of a ServiceAccount: user `system:serviceaccount:<namespace>:<name>`,
   * groups `system:serviceaccounts`, `system:serviceaccounts:<namespace>`,
   * `system:authenticated`. TokenReview authenticates it; with `rbac` on, requests with it are
   * authorized by RBAC. The ServiceAccount need not exist.
   */
  serviceAccountToken(namespace: string, name: string): string;
  /** Mints a bearer token of any user (`system:authenticated` is added to its groups). */
  mintToken(user: TokenUser): string;
  /** Creates an object (its resource from apiVersion + kind); `status` is kept as given. */
  create(obj: KubeObject): KubeObject;
  /** Gets an object, or undefined. */
  get(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    name: string,
  ): KubeObject | undefined;
  /** Lists objects (in name order), optionally in one namespace and by label selector. */
  list(
    apiVersion: string,
    kind: string,
    options?: { namespace?: string; labelSelector?: string },
  ): KubeObject[];
  /** Replaces an object (resourceVersion checked when set), or only its status. */
  update(obj: KubeObject, options?: { subresource?: "status" }): KubeObject;
  /** Patches an object (merge by default). */
  patch(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    name: string,
    patch: unknown,
    options?: PatchOptions,
  ): KubeObject;
  /**
   * Deletes an object; returns it as removed, or with `deletionTimestamp` set when finalizers hold
   * it (with `Foreground` or `Orphan`, the garbage collector's finalizer holds it until the
   * collector has handled its dependents); undefined when it did not exist. Dependents are
   * deleted later, by the garbage collector (see {@link KubeFake.gcIdle}).
   */
  delete(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    name: string,
    options?: DeleteOptions,
  ): KubeObject | undefined;
  /** Sets the full log text of containers of a pod (followers receive what was added). */
  setPodLogs(namespace: string, pod: string, logs: Record<string, string>): void;
  /** Appends text to the logs of containers of a pod (followers receive it). */
  appendPodLogs(namespace: string, pod: string, logs: Record<string, string>): void;
  /**
   * Breaks the next `times` (default 1) log reads of a container off after
   * `afterBytes` bytes: the response announces the whole log, sends that much
   * and the connection is cut (a kubelet or network failure mid-stream).
   */
  cutPodLogs(
    namespace: string,
    pod: string,
    container: string,
    afterBytes: number,
    times?: number,
  ): void;
  /**
   * Resolves once the garbage collector has nothing left to do: the dependents of removed owners
   * are deleted (or orphaned), and owners deleted in the foreground or with `Orphan` are gone.
   * The collector runs `gcDelayMs` after the owner's change, as on a real cluster.
   */
  gcIdle(): Promise<void>;
  /** Forgets the watch history: any watch or continue at an older resourceVersion gets 410 Gone. */
  compact(): void;
  /** Ends every open watch stream (the server stays up). */
  dropWatches(): void;
  /** Stops listening and cuts every connection; state is kept ("API server down"). */
  stop(): Promise<void>;
  /** Listens again on the same host and port. */
  start(): Promise<void>;
  /** HTTP requests served, by `${verb} ${resource}[/${subresource}]` (e.g. `patch pipelineruns`). */
  requestCounts(): Record<string, number>;
  /**
   * Makes matching HTTP requests fail with `status` (default 503, with the Status a real API
   * server sends) for the next `times` matches (default: until cleared), before they have any
   * effect; e.g. `failRequests({ verb: "list", resource: "taskruns", status: 500, times: 3 })`.
   * Returns a function that removes the rule. Failed requests are still counted and recorded.
   * In-process calls are never failed.
   */
  failRequests(rule?: FailRequestsRule): () => void;
  /**
   * The HTTP requests to resources served since the start or the last
   * {@link KubeFake.resetRequestCounts}, oldest first (the last 10,000): verb, resource, path and
   * query parameters, e.g. to assert a watch was opened with `allowWatchBookmarks=true`.
   */
  requests(): RecordedRequest[];
  /**
   * The HTTP requests refused with 401 or 403 (unknown token, RBAC, impersonation) since the
   * start or the last {@link KubeFake.resetRequestCounts}, oldest first: who, what, the message.
   */
  deniedRequests(): DeniedRequest[];
  /** The query parameters of the last watch of `resource` (plural), or undefined if none. */
  lastWatchQuery(resource: string): Record<string, string> | undefined;
  /**
   * Clears {@link KubeFake.requestCounts}, {@link KubeFake.requests},
   * {@link KubeFake.deniedRequests} and {@link KubeFake.connectionCount}.
   */
  resetRequestCounts(): void;
  /**
   * TCP connections accepted since the start or the last
   * {@link KubeFake.resetRequestCounts}: a client that does not reuse
   * connections opens one per request.
   */
  connectionCount(): number;
  /** Stops for good and ends every stream. */
  close(): Promise<void>;
}
