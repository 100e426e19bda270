/**
 * The whole system in-process for end-to-end tests: the fake Kubernetes API
 * server, the real Results API server (SQLite in memory, real socket) and a
 * watcher between them.
 */
import { KubeConfig } from "@kubernetes/client-node";
import {
  createKubeFake,
  type KubeFake,
  type KubeFakeOptions,
  type KubeObject,
} from "@tekton-results/kube-fake";
import {
  createResultsRoutes,
  createResultsServer,
  type ResultsServer,
} from "@tekton-results/server";
import { createSqliteStore, type SqliteStore } from "@tekton-results/storage-sqlite";
import { createResultsClient, type ResultsClient } from "@tekton-results/client";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { Code, ConnectError } from "@connectrpc/connect";
import type { LogStore } from "@tekton-results/log-store";
import { createApiConnection, createSessionManager } from "../src/api-transport.js";
import { createWatcher, type Watcher, type WatcherOptions } from "../src/watcher.js";

/** A running stack. */
export interface Stack {
  kube: KubeFake;
  kubeConfig: KubeConfig;
  apiUrl: string;
  /** A client of the Results API (its own connection). */
  client: ResultsClient;
  store: SqliteStore;
  /** RPCs the server handled, by method name. */
  calls: string[];
  /** The Authorization header of every RPC ("" when absent). */
  authorizations: string[];
  watcher: Watcher;
  /** Make the Results API answer Unavailable to the watchers (true) or serve again (false). */
  setApiDown(down: boolean): void;
  /** Start another watcher against the same cluster and API. */
  newWatcher(options?: Partial<WatcherOptions>): Watcher;
  /**
   * Take the Results API server down for real: close it (cutting its
   * connections) and, for a file database, close the store too.
   */
  stopApi(): Promise<void>;
  /** Bring the API server back on the same port (reopening the same database file). */
  startApi(): Promise<void>;
  close(): Promise<void>;
}

/** Start the stack; the watcher is created (not started) with `options`. */
export async function startStack(
  options: Partial<WatcherOptions> = {},
  extra: {
    logs?: LogStore;
    /** A SQLite database file (default: in memory); needed to reopen it in `startApi`. */
    filename?: string;
    /** Options of the fake Kubernetes API server (e.g. a short history). */
    kubeFake?: KubeFakeOptions;
  } = {},
): Promise<Stack> {
  const kube = await createKubeFake(extra.kubeFake);
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(kube.kubeconfigYaml());
  const filename = extra.filename ?? ":memory:";
  let store = await createSqliteStore({ filename });
  const calls: string[] = [];
  const authorizations: string[] = [];
  const serve = async (port: number) => {
    const s: ResultsServer = createResultsServer({
      routes: createResultsRoutes({ store, ...(extra.logs ? { logs: extra.logs } : {}) }),
      store,
      interceptors: [
        (next) => async (req) => {
          calls.push(req.method.name);
          authorizations.push(req.header.get("authorization") ?? "");
          return next(req);
        },
      ],
    });
    return { server: s, address: await s.listen(port, "127.0.0.1") };
  };
  const first = await serve(0);
  const { address } = first;
  let { server } = first;
  let serverUp = true;
  const { url } = address;
  const sessions = createSessionManager(url);
  const client = createResultsClient(
    createGrpcTransport({ baseUrl: url, sessionManager: sessions }),
  );
  const watchers: Watcher[] = [];
  let apiDown = false;
  // The watchers' connection is the watcher's own (as in production), plus a switch.
  const watcherConnection = createApiConnection(url, {
    interceptors: [
      (next) => async (req) => {
        if (apiDown) throw new ConnectError("the API is down (test)", Code.Unavailable);
        return next(req);
      },
    ],
  });
  const watcherTransport = watcherConnection.transport;
  const newWatcher = (more: Partial<WatcherOptions> = {}) => {
    const w = createWatcher({
      apiUrl: url,
      transport: watcherTransport,
      kubeConfig,
      leaderElect: false,
      workers: 2,
      qps: 0,
      ...options,
      ...more,
    });
    watchers.push(w);
    return w;
  };
  const watcher = newWatcher();
  return {
    kube,
    kubeConfig,
    apiUrl: url,
    client,
    calls,
    authorizations,
    watcher,
    newWatcher,
    get store() {
      return store;
    },
    setApiDown(down) {
      apiDown = down;
    },
    async stopApi() {
      if (!serverUp) return;
      serverUp = false;
      await server.close({ deadlineMs: 0 });
      if (filename !== ":memory:") await store.close();
    },
    async startApi() {
      if (serverUp) return;
      if (filename !== ":memory:") store = await createSqliteStore({ filename });
      ({ server } = await serve(address.port));
      serverUp = true;
    },
    async close() {
      await Promise.all(watchers.map((w) => w.stop({ deadlineMs: 2000 })));
      sessions.abort();
      watcherConnection.close();
      if (serverUp) await server.close({ deadlineMs: 1000 });
      await kube.close();
      if (serverUp || filename === ":memory:") await store.close();
    },
  };
}

/** Leader election settings that elect and fail over within seconds, for tests with replicas. */
export const fastElection = {
  leaderElect: true,
  leaseName: "watcher",
  leaseNamespace: "tekton-pipelines",
  leaseDurationMs: 3_000,
  renewDeadlineMs: 2_000,
  retryPeriodMs: 100,
};

/** Poll `check` until it returns a truthy value (or stops throwing), failing after `timeoutMs`. */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  what: string,
  timeoutMs = 10_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
      last = new Error(`${what}: got ${JSON.stringify(value)}`);
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out waiting for ${what}: ${last instanceof Error ? last.message : String(last)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A PipelineRun object; `extra.metadata` is merged into its metadata, `extra.spec` into its spec. */
export function pipelineRunObject(
  name: string,
  namespace = "ns",
  extra: { metadata?: Record<string, unknown>; spec?: Record<string, unknown> } = {},
): KubeObject {
  return {
    apiVersion: "tekton.dev/v1",
    kind: "PipelineRun",
    metadata: {
      name,
      namespace,
      labels: { "tekton.dev/pipeline": "build" },
      ...(extra.metadata ?? {}),
    },
    spec: { pipelineRef: { name: "build" }, ...(extra.spec ?? {}) },
  } as KubeObject;
}

/** A TaskRun object owned by `parent`. */
export function childTaskRunObject(name: string, parent: KubeObject): KubeObject {
  return {
    apiVersion: "tekton.dev/v1",
    kind: "TaskRun",
    metadata: {
      name,
      namespace: parent.metadata.namespace,
      labels: { "tekton.dev/pipelineRun": parent.metadata.name, "tekton.dev/pipelineTask": name },
      ownerReferences: [
        {
          apiVersion: "tekton.dev/v1",
          kind: "PipelineRun",
          name: parent.metadata.name!,
          uid: parent.metadata.uid!,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: { taskRef: { name } },
  } as KubeObject;
}

/** Set a run's status (through the status subresource) to running or finished with `reason`. */
export function setStatus(kube: KubeFake, obj: KubeObject, reason?: string): KubeObject {
  const finished = reason !== undefined;
  const status = {
    startTime: "2026-01-01T00:00:00Z",
    ...(finished ? { completionTime: new Date().toISOString() } : {}),
    conditions: [
      {
        type: "Succeeded",
        status: !finished ? "Unknown" : reason === "Succeeded" ? "True" : "False",
        reason: reason ?? "Running",
        lastTransitionTime: new Date().toISOString(),
      },
    ],
  };
  return kube.patch(
    obj.apiVersion,
    obj.kind,
    obj.metadata.namespace,
    obj.metadata.name!,
    { status },
    {
      type: "merge",
      subresource: "status",
    },
  );
}

/** Every item of an async iterable (Node 20 has no `Array.fromAsync`). */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
