/**
 * `createKubeFake`: starts a fake API server and builds its handle ({@link KubeFake}, typed in
 * `kube-fake-handle.ts`). It owns the {@link ObjectStore}, the pod logs, the tokens and the RBAC
 * authorizer, the HTTP(S) server with its connections and open streams, request counts and
 * faults, and offers the in-process operations with the same semantics as the HTTP API.
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
import type { HttpContext, OpenStream } from "./http-context.js";
import { createHttpHandler } from "./http-handler.js";
import { createUpgradeHandler } from "./http-portforward.js";
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
import type { DeniedRequest, KubeFakeOptions } from "./types.js";
import type { KubeFake } from "./kube-fake-handle.js";

export type { KubeconfigOptions } from "./kubeconfig.js";
export type { DeleteOptions, KubeFake, PatchOptions } from "./kube-fake-handle.js";

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
  const denials: DeniedRequest[] = [];
  const tlsFiles = options.tls ? selfSignedCertificate() : undefined;
  const counts = new Map<string, number>();
  const faults = new RequestFaults(10_000);
  const streams = new Set<OpenStream>();
  const sockets = new Set<Socket>();
  let connections = 0;
  let port = options.port ?? 0;
  let server: Server | undefined;
  let closed = false;

  const context: HttpContext = {
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
    denials,
  };
  const handler = createHttpHandler(context);
  const upgrade = createUpgradeHandler(context);

  const listen = async (): Promise<void> => {
    const s = tlsFiles ? createTlsServer(tlsFiles, handler) : createServer(handler);
    s.keepAliveTimeout = 5000;
    s.on("upgrade", upgrade);
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
    deniedRequests() {
      return denials.map((d) => ({ ...d }));
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
      denials.length = 0;
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
