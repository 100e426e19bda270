/**
 * The demo's system, on one machine and in one process: a fake Kubernetes
 * API server, the Results API server (SQLite and a log directory on disk) and
 * the watcher between them. The server serves the web UI at `/` (`@tekton-results/web`, when
 * built; else its pages say how to build it).
 *
 * @module
 */
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { KubeConfig } from "@kubernetes/client-node";
import {
  createLogsClient,
  createResultsClient,
  type LogsClient,
  type ResultsClient,
} from "@tekton-results/client";
import { createKubeFake, type KubeFake } from "@tekton-results/kube-fake";
import { createDirectoryLogStore } from "@tekton-results/log-store";
import { createResultsRoutes, createResultsServer, loadUi } from "@tekton-results/server";
import { createSqliteStore } from "@tekton-results/storage-sqlite";
import { createWatcher, type Watcher } from "@tekton-results/watcher";

/** Options of {@link startDemoStack}. */
export interface DemoStackOptions {
  /** Where the database, the logs and the kubeconfig go. Default: a new temporary directory, removed on close. */
  dataDir?: string;
  /** Port of the Results API. Default 0 (a free port). */
  port?: number;
  /** Host both servers listen on. Default `127.0.0.1`. */
  host?: string;
}

/** The running system. */
export interface DemoStack {
  /** The fake cluster (in-process access). */
  kube: KubeFake;
  /** A kubeconfig for the fake cluster. */
  kubeConfig: KubeConfig;
  /** The kubeconfig file, for `kubectl --kubeconfig`. */
  kubeconfigPath: string;
  /** The Results API base URL (gRPC, Connect, gRPC-Web and REST on one port). */
  apiUrl: string;
  /** The web UI's URL (`<apiUrl>/`): the same server serves it. */
  uiUrl: string;
  /**
   * Why the web UI is not shown at {@link DemoStack.uiUrl}, e.g. "the web UI is not built: its
   * pages say how to build it"; `undefined` when it is served.
   */
  uiProblem: string | undefined;
  /** The data directory. */
  dataDir: string;
  /** True when {@link DemoStack.dataDir} is temporary (removed on close). */
  temporary: boolean;
  /** The SQLite database file. */
  databasePath: string;
  /** The directory of stored logs. */
  logsDir: string;
  /** A client of the Results service. */
  client: ResultsClient;
  /** A client of the Logs service. */
  logs: LogsClient;
  /** The watcher (started). */
  watcher: Watcher;
  /** Stop everything, in order: watcher, clients, server, cluster, database; then remove a temporary directory. */
  close(): Promise<void>;
}

/** Where the reference deployment runs the API (`deploy/base`). */
const API_NAMESPACE = "tekton-pipelines";
const API_POD = "tekton-results-api-0";
const API_LABELS = { "app.kubernetes.io/name": "tekton-results-api" };

/** The API's Service and its Pod, which the fake cluster's port-forward relays to the server. */
function storeApiService(kube: KubeFake): void {
  kube.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: API_NAMESPACE } });
  kube.create({
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "tekton-results-api-service", namespace: API_NAMESPACE },
    spec: { selector: API_LABELS, ports: [{ name: "server", port: 8080, targetPort: 8080 }] },
  });
  kube.create({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: API_POD, namespace: API_NAMESPACE, labels: API_LABELS },
    spec: { containers: [{ name: "api", image: "tekton-results-api" }] },
    status: { phase: "Running" },
  });
}

/** Start the fake cluster, the Results server and the watcher. */
export async function startDemoStack(options: DemoStackOptions = {}): Promise<DemoStack> {
  const host = options.host ?? "127.0.0.1";
  const temporary = options.dataDir === undefined;
  const dataDir =
    options.dataDir === undefined
      ? await mkdtemp(join(tmpdir(), "tekton-results-demo-"))
      : resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true });
  const databasePath = join(dataDir, "results.db");
  const logsDir = join(dataDir, "logs");
  const kubeconfigPath = join(dataDir, "kubeconfig");

  const cleanups: (() => Promise<void> | void)[] = [];
  const closeAll = async () => {
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch {
        // Best effort: the rest must still be closed.
      }
    }
    if (temporary) await rm(dataDir, { recursive: true, force: true });
  };
  try {
    // The API's Service and Pod in tekton-pipelines, as the reference deployment has them: its
    // port-forward (tkn-results with no host configured) reaches this process's API server.
    const api: { address?: { host: string; port: number } } = {};
    const kube = await createKubeFake({
      host,
      portForward: (t) =>
        t.namespace === API_NAMESPACE && t.pod === API_POD && t.port === 8080
          ? api.address
          : undefined,
    });
    cleanups.push(() => kube.close());
    await kube.writeKubeconfig(kubeconfigPath);
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromString(kube.kubeconfigYaml());

    const store = await createSqliteStore({ filename: databasePath });
    cleanups.push(() => store.close());
    // The web UI, as `tekton-results-server` serves it; its warnings (not installed, not built)
    // are kept to be printed next to its URL.
    const uiWarnings: string[] = [];
    const ui = await loadUi({
      debug: () => undefined,
      info: () => undefined,
      error: (_fields, msg) => uiWarnings.push(msg),
      warn: (_fields, msg) => uiWarnings.push(msg.replace(/ \(--ui=false[^)]*\)$/, "")),
    });
    const server = createResultsServer({
      routes: createResultsRoutes({ store, logs: createDirectoryLogStore({ dir: logsDir }) }),
      store,
      ui,
    });
    const { url: apiUrl } = await server.listen(options.port ?? 0, host);
    cleanups.push(() => server.close({ deadlineMs: 1000 }));
    api.address = { host, port: Number(new URL(apiUrl).port) };
    storeApiService(kube);

    const sessions = new Http2SessionManager(apiUrl);
    cleanups.push(() => sessions.abort());
    const transport = createGrpcTransport({ baseUrl: apiUrl, sessionManager: sessions });

    const watcher = createWatcher({
      apiUrl,
      kubeConfig,
      leaderElect: false,
      logs: true,
      workers: 4,
      qps: 0,
    });
    cleanups.push(() => watcher.stop({ deadlineMs: 2000 }));
    await watcher.start();

    let closing: Promise<void> | undefined;
    return {
      kube,
      kubeConfig,
      kubeconfigPath,
      apiUrl,
      uiUrl: `${apiUrl}/`,
      uiProblem: uiWarnings[0],
      dataDir,
      temporary,
      databasePath,
      logsDir,
      client: createResultsClient(transport),
      logs: createLogsClient(transport),
      watcher,
      close: () => (closing ??= closeAll()),
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
