/**
 * `createKubeFake`: the handle of a fake API server. It owns the {@link ObjectStore}, the pod
 * logs, the HTTP server with its connections and open streams, request counts and faults, and
 * offers the in-process operations with the same semantics as the HTTP API.
 *
 * @module
 */
import { writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { createServer as createTlsServer } from "node:https";
import type { Socket } from "node:net";
import { ADMIN_TOKEN, Authenticator } from "./authn.js";
import { KubeApiError, failure } from "./errors.js";
import { RequestFaults } from "./faults.js";
import type { OpenStream } from "./http-context.js";
import { createHttpHandler } from "./http-handler.js";
import { kubeconfig, type KubeconfigOptions } from "./kubeconfig.js";
import { cloneJson } from "./patch.js";
import { PodLogs } from "./pod-logs.js";
import { RbacAuthorizer } from "./rbac.js";
import { ClusterRoleAggregation } from "./rbac-aggregation.js";
import { storeBootstrapPolicy } from "./rbac-bootstrap.js";
import { selfSignedCertificate } from "./self-signed.js";
import { findResource, findResourceByKind, type ResourceInfo } from "./resources.js";
import { parseLabelSelector } from "./selectors.js";
import { ObjectStore } from "./store.js";
import type {
  FailRequestsRule,
  KubeFakeOptions,
  KubeObject,
  RecordedRequest,
  TokenUser,
} from "./types.js";

export type { KubeconfigOptions } from "./kubeconfig.js";

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
  /** The query parameters of the last watch of `resource` (plural), or undefined if none. */
  lastWatchQuery(resource: string): Record<string, string> | undefined;
  /**
   * Clears {@link KubeFake.requestCounts}, {@link KubeFake.requests} and
   * {@link KubeFake.connectionCount}.
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

function resourceOf(apiVersion: string, kind: string): ResourceInfo {
  const info = findResourceByKind(apiVersion, kind);
  if (!info || info.virtual) {
    throw new KubeApiError(
      failure(
        404,
        "NotFound",
        `the server could not find the requested resource (kind ${kind} in ${apiVersion})`,
      ),
    );
  }
  return info;
}

/** kube-apiserver's watch lifetime: `--min-request-timeout` (1800 s) to twice that. */
const DEFAULT_WATCH_LIFETIME_MS = [1_800_000, 3_600_000] as const;
/** The longest delay `setTimeout` keeps (about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Starts a fake Kubernetes API server (listening when the promise resolves). */
export async function createKubeFake(options: KubeFakeOptions = {}): Promise<KubeFake> {
  const host = options.host ?? "127.0.0.1";
  const watchLifetimeMs = options.watchLifetimeMs ?? DEFAULT_WATCH_LIFETIME_MS;
  const [minLife, maxLife] = watchLifetimeMs;
  if (!(minLife > 0 && maxLife >= minLife && maxLife <= MAX_TIMER_MS))
    throw new TypeError(
      `watchLifetimeMs must be [min, max] with 0 < min <= max <= ${MAX_TIMER_MS}`,
    );
  const gcDelayMs = options.gcDelayMs ?? 5;
  if (!(gcDelayMs >= 0 && gcDelayMs <= MAX_TIMER_MS))
    throw new TypeError(`gcDelayMs must be between 0 and ${MAX_TIMER_MS}`);
  const store = new ObjectStore(
    options.historyLimit ?? 10_000,
    options.autoCreateNamespaces ?? true,
    gcDelayMs,
    options.admission,
  );
  const logs = new PodLogs();
  const podsInfo = findResource("", "v1", "pods")!;
  store.onRemoved((info, obj) => {
    if (info === podsInfo) logs.remove(obj.metadata.namespace!, obj.metadata.name);
  });
  const authenticator = new Authenticator(options.tokens ?? {});
  let aggregation: ClusterRoleAggregation | undefined;
  if (options.rbac) {
    storeBootstrapPolicy(store);
    aggregation = new ClusterRoleAggregation(store);
    aggregation.sync();
  }
  const rbac = aggregation && new RbacAuthorizer(store, () => aggregation.sync());
  const tlsFiles = options.tls ? selfSignedCertificate() : undefined;
  const counts = new Map<string, number>();
  const faults = new RequestFaults(10_000);
  const streams = new Set<OpenStream>();
  const sockets = new Set<Socket>();
  let connections = 0;
  let port = options.port ?? 0;
  let server: Server | undefined;
  let closed = false;

  const handler = createHttpHandler({
    store,
    logs,
    options,
    bookmarkIntervalMs: options.bookmarkIntervalMs ?? 1000,
    watchLifetimeMs: [minLife, maxLife],
    counts,
    faults,
    streams,
    serverAddress: () => `${host}:${port}`,
    authenticator,
    ...(rbac ? { auth: { authenticator, rbac } } : {}),
  });

  const listen = async (): Promise<void> => {
    const s = tlsFiles ? createTlsServer(tlsFiles, handler) : createServer(handler);
    s.keepAliveTimeout = 5000;
    s.on("connection", (socket) => {
      connections++;
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      s.once("error", reject);
      s.listen(port, host, () => {
        s.off("error", reject);
        resolve();
      });
    });
    const address = s.address();
    if (address && typeof address === "object") port = address.port;
    server = s;
  };

  const shutdown = async (): Promise<void> => {
    const s = server;
    server = undefined;
    // Cut connections like a server going away: open watches see an aborted body, not a clean end.
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  };

  await listen();
  const urlHost = host.includes(":") ? `[${host}]` : host;
  const url = `${tlsFiles ? "https" : "http"}://${urlHost}:${port}`;

  const kubeconfigYaml = (opts: KubeconfigOptions = {}): string =>
    kubeconfig(url, opts.token ?? ADMIN_TOKEN);

  return {
    url,
    kubeconfigYaml,
    async writeKubeconfig(path, opts) {
      await writeFile(path, kubeconfigYaml(opts), { mode: 0o600 });
    },
    serviceAccountToken(namespace, name) {
      return authenticator.mintServiceAccount(namespace, name);
    },
    mintToken(user) {
      return authenticator.mint(user);
    },
    create(obj) {
      const info = resourceOf(obj.apiVersion, obj.kind);
      return cloneJson(store.create(info, obj, {}));
    },
    get(apiVersion, kind, namespace, name) {
      const obj = store.get(resourceOf(apiVersion, kind), namespace, name);
      return obj ? cloneJson(obj) : undefined;
    },
    list(apiVersion, kind, opts = {}) {
      const info = resourceOf(apiVersion, kind);
      const page = store.list(info, {
        ...(opts.namespace ? { namespace: opts.namespace } : {}),
        labels: parseLabelSelector(opts.labelSelector),
      });
      return page.items.map((i) => cloneJson(i.obj));
    },
    update(obj, opts = {}) {
      const info = resourceOf(obj.apiVersion, obj.kind);
      return cloneJson(
        store.update(info, obj, opts.subresource ? { subresource: opts.subresource } : {}),
      );
    },
    patch(apiVersion, kind, namespace, name, body, opts = {}) {
      const info = resourceOf(apiVersion, kind);
      const { object } = store.patch(info, namespace, name, opts.type ?? "merge", body, {
        ...(opts.subresource ? { subresource: opts.subresource } : {}),
        fieldManager: opts.fieldManager || "kube-fake",
        force: opts.force === true,
      });
      return cloneJson(object);
    },
    delete(apiVersion, kind, namespace, name, opts = {}) {
      const info = resourceOf(apiVersion, kind);
      if (!store.get(info, namespace, name)) return undefined;
      return cloneJson(store.deleteObject(info, namespace, name, opts));
    },
    setPodLogs(namespace, pod, podLogs) {
      logs.set(namespace, pod, podLogs);
    },
    appendPodLogs(namespace, pod, podLogs) {
      logs.append(namespace, pod, podLogs);
    },
    cutPodLogs(namespace, pod, container, afterBytes, times = 1) {
      if (!Number.isInteger(afterBytes) || afterBytes < 0 || !Number.isInteger(times) || times < 1)
        throw new TypeError("afterBytes must be an integer >= 0 and times an integer >= 1");
      logs.cut(namespace, pod, container, afterBytes, times);
    },
    compact() {
      store.compact();
    },
    dropWatches() {
      for (const stream of [...streams]) stream.end();
    },
    stop: shutdown,
    async start() {
      if (closed) throw new Error("kube-fake is closed");
      if (!server) await listen();
    },
    requestCounts() {
      return Object.fromEntries(counts);
    },
    failRequests(rule = {}) {
      return faults.add(rule);
    },
    requests() {
      return faults.requests();
    },
    lastWatchQuery(resource) {
      return faults
        .requests()
        .reverse()
        .find((r) => r.verb === "watch" && r.resource === resource)?.query;
    },
    resetRequestCounts() {
      counts.clear();
      faults.clearLog();
      connections = 0;
    },
    connectionCount() {
      return connections;
    },
    gcIdle() {
      return store.gcIdle();
    },
    async close() {
      closed = true;
      aggregation?.dispose();
      store.dispose();
      await shutdown();
    },
  };
}
