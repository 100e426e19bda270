/**
 * The watcher, composed: informers feed a rate-limited work queue keyed by
 * run; the leader's workers reconcile each key through the Results API and
 * write back to the run. Every dependency (Kubernetes client, informers,
 * Results API transport, clock, logger) can be injected, so tests compose it
 * in-process.
 *
 * @module
 */
import type { Transport } from "@connectrpc/connect";
import type { KubeConfig } from "@kubernetes/client-node";
import { createLogsClient, createResultsClient } from "@tekton-results/client";
import { apiTlsOptions, tlsErrorInterceptor } from "./api-tls.js";
import { createApiConnection, pacedClient, type ApiConnection } from "./api-transport.js";
import { createBackoff, type Backoff } from "./backoff.js";
import { sleep, systemClock, type Clock, noopLogger, type Logger } from "@tekton-results/runtime";
import { DEFAULT_SUMMARY_LABELS, type WatcherConfig } from "./config.js";
import { errorKind, errorMessage, RetryBefore } from "./errors.js";
import { reuseConnections } from "./kube-agents.js";
import { clusterServer, loadKubeConfig } from "./kube-config.js";
import { createKubeClient, type KubeClient } from "./kube-client.js";
import { createLeaderElector, type LeaderElector } from "./leader-election.js";
import { createLogUploader } from "./log-uploader.js";
import { createNamespaceCleaner, type NamespaceCleaner } from "./namespace-cleanup.js";
import {
  clusterNamespaces,
  NAMESPACE_KIND,
  namespaceInfo,
  type ClusterNamespaces,
} from "./namespaces.js";
import { createWatcherMetrics, type WatcherMetrics } from "./metrics.js";
import { startMetricsServer, type MetricsServer } from "./metrics-server.js";
import { createRateLimiter } from "./rate-limiter.js";
import { createReconciler } from "./reconciler.js";
import { createRunIndex } from "./run-index.js";
import {
  createInformerFactory,
  createRunInformer,
  type InformerFactory,
  type RunInformer,
} from "./run-informer.js";
import { RUN_KINDS, type RunKindName } from "./run-kinds.js";
import { keyOfRun } from "./run.js";
import { createUpserter } from "./upsert.js";
import { createWorkQueue } from "./work-queue.js";

/** Settings of a watcher: {@link WatcherConfig} fields, all optional but `apiUrl` (unless a transport is given). */
export type WatcherSettings = Partial<WatcherConfig>;

/** Options of {@link createWatcher}. */
export interface WatcherOptions extends WatcherSettings {
  /** The Results API transport; default: gRPC over HTTP/2 to `apiUrl`. */
  transport?: Transport;
  /**
   * The cluster; default: `kubeconfig`, else `$KUBECONFIG`, `~/.kube/config`
   * or the pod's service account ({@link loadKubeConfig}: none of them is a
   * {@link NoClusterError}). The watcher makes it reuse connections
   * ({@link reuseConnections}: one keep-alive agent per credentials).
   */
  kubeConfig?: KubeConfig;
  /** The Kubernetes calls; default: over `kubeConfig`. */
  kube?: KubeClient;
  /** The informers' source; default: client-node's `makeInformer` over `kubeConfig`. */
  informerFactory?: InformerFactory;
  clock?: Clock;
  logger?: Logger;
  metrics?: WatcherMetrics;
  /** Retry delays of failed keys; default 100 ms doubling up to 5 minutes. */
  backoff?: Backoff;
  /** The cluster's namespaces for the namespace clean-up; default: over `kubeConfig`. */
  namespaces?: ClusterNamespaces;
  /** With the namespace clean-up: between sweeps (0: only at start); default one hour. */
  namespaceSweepIntervalMs?: number;
  /** With the namespace clean-up: a sweep's margin (see `DEFAULT_SWEEP_MARGIN_MS`). */
  namespaceSweepMarginMs?: number;
}

/** A watcher; see {@link createWatcher}. */
export interface Watcher {
  /** Start the informers, the election (or the workers) and the metrics server. */
  start(): Promise<void>;
  /**
   * Stop gracefully: stop the informers and workers, wait for in-flight work
   * up to `deadlineMs` (default: `shutdownTimeoutMs`), release the lease,
   * close the endpoints and the API connection. Idempotent.
   */
  stop(options?: { deadlineMs?: number }): Promise<void>;
  /** True while this replica processes runs (leader, or no election). */
  isLeader(): boolean;
  /** True once every informer has listed its runs. */
  ready(): boolean;
  /** True when no key waits or is processed. */
  idle(): boolean;
  /** Queue every cached run again (a full resync). */
  resync(): void;
  /**
   * The namespace clean-up (`deleteResultsOnNamespaceDeletion`), `undefined`
   * when off: `idle()` tells that it has nothing left to do, `sweep()` sweeps.
   */
  readonly namespaceCleanup: Pick<NamespaceCleaner, "idle" | "sweep"> | undefined;
  /** The metrics. */
  readonly metrics: WatcherMetrics;
  /** Where `/metrics`, `/healthz` and `/readyz` are served, once started (`undefined` when disabled). */
  metricsUrl(): string | undefined;
}

/** Compose a watcher. */
export function createWatcher(options: WatcherOptions): Watcher {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? noopLogger;
  const metrics = options.metrics ?? createWatcherMetrics();
  const workers = options.workers ?? 4;
  const shutdownTimeoutMs = options.shutdownTimeoutMs ?? 30_000;

  let kc = options.kubeConfig;
  const needKubeConfig = !options.kube || !options.informerFactory;
  if (!kc && needKubeConfig) kc = loadKubeConfig(options.kubeconfig);
  // One keep-alive agent per credentials instead of a new connection per request.
  if (kc) reuseConnections(kc);
  const kube =
    options.kube ?? createKubeClient(kc!, { onRequest: (verb) => metrics.kubernetesRequest(verb) });
  const factory =
    options.informerFactory ??
    createInformerFactory(kc!, kube, {
      ...(options.namespace ? { namespace: options.namespace } : {}),
      ...(options.labelSelector ? { labelSelector: options.labelSelector } : {}),
    });

  let connection: ApiConnection;
  if (options.transport) {
    connection = { transport: options.transport, close: () => {} };
  } else {
    if (!options.apiUrl) throw new TypeError("createWatcher needs apiUrl or transport");
    const tls = apiTlsOptions(options);
    connection = createApiConnection(options.apiUrl, {
      ...(options.apiTokenFile ? { tokenFile: options.apiTokenFile } : {}),
      ...(tls ? { tls } : {}),
      interceptors: [tlsErrorInterceptor()],
    });
  }
  const limiter = createRateLimiter(options.qps ?? 50, options.burst ?? 100, clock);
  const onCall = (method: string) => metrics.apiCall(method);
  const results = pacedClient(createResultsClient(connection.transport), limiter, onCall);
  const logsClient = pacedClient(createLogsClient(connection.transport), limiter, onCall);

  const informers = new Map<RunKindName, RunInformer>();
  for (const kind of RUN_KINDS) {
    informers.set(
      kind.kind,
      createRunInformer({
        kind,
        factory,
        clock,
        logger,
        onError: () => metrics.error("kubernetes"),
        onConnect: () => metrics.kubernetesRequest("watch"),
      }),
    );
  }
  const cleanup = options.deleteResultsOnNamespaceDeletion
    ? namespaceCleanup(
        options.namespaces ??
          clusterNamespaces(kc!, {
            ...(options.namespace ? { scope: options.namespace } : {}),
            onRequest: (verb) => metrics.kubernetesRequest(verb),
          }),
      )
    : undefined;

  /** The namespace informer and the clean-up its DELETE events feed. */
  function namespaceCleanup(namespaces: ClusterNamespaces) {
    const informer = createRunInformer({
      kind: NAMESPACE_KIND,
      factory: () => namespaces.informerSource(),
      clock,
      logger,
      onError: () => metrics.error("kubernetes"),
      onConnect: () => metrics.kubernetesRequest("watch"),
    });
    const cleaner = createNamespaceCleaner({
      results,
      listNamespaces: namespaces.list,
      current: (name) => {
        const ns = informer.get("", name);
        return ns ? namespaceInfo(ns) : undefined;
      },
      ...(options.namespace ? { scope: options.namespace } : {}),
      clock,
      logger,
      metrics,
      ...(options.namespaceSweepIntervalMs !== undefined
        ? { sweepIntervalMs: options.namespaceSweepIntervalMs }
        : {}),
      ...(options.namespaceSweepMarginMs !== undefined
        ? { sweepMarginMs: options.namespaceSweepMarginMs }
        : {}),
    });
    informer.onEvent((type, ns) => {
      if (type === "delete" && ns.metadata?.name) cleaner.namespaceDeleted(ns.metadata.name);
    });
    return { informer, cleaner };
  }

  // Subscribes to the informers first: the children index is up to date when the handlers below run.
  const index = createRunIndex(informers);

  const queue = createWorkQueue({
    clock,
    backoff: options.backoff ?? createBackoff(),
    onDepth: (depth) => metrics.setQueueDepth(depth),
  });
  const reconciler = createReconciler({
    kube,
    upserter: createUpserter(results, { createFirst: options.writeBack ?? true }),
    index,
    metrics,
    clock,
    logger,
    enqueue: (key) => queue.add(key),
    settings: {
      managedBy: options.managedBy ?? [],
      summaryLabels: options.summaryLabels ?? DEFAULT_SUMMARY_LABELS,
      writeBack: options.writeBack ?? true,
      storeDeadlineMs: options.storeDeadlineMs ?? 600_000,
      completedRunGracePeriodMs: options.completedRunGracePeriodMs ?? 0,
      ...(options.deletionLabelSelector !== undefined
        ? { deletionLabelSelector: options.deletionLabelSelector }
        : {}),
    },
    ...(options.logs ? { logs: createLogUploader({ kube, results, logs: logsClient }) } : {}),
  });

  let leading = false;
  const ready = () => [...informers.values()].every((i) => i.hasSynced());
  for (const informer of informers.values()) {
    informer.onEvent((type, run) => {
      const key = keyOfRun(run, informer.kind);
      if (!leading) {
        // A standby keeps only the informers' cache (taking over, it queues
        // every cached run), and of deleted runs only those that may not be
        // stored: a queue it never drains would grow with every run, and
        // burst into calls for runs long gone when it takes over.
        if (type === "delete") reconciler.tombstoneIfUnstored(key, run);
        return;
      }
      if (type === "delete") reconciler.tombstone(key, run);
      else if (reconciler.absorbOwnEcho(run)) return;
      queue.add(key);
    });
  }

  let generation = 0;
  const running = new Set<Promise<void>>();
  let inFlight = 0;

  async function worker(gen: number): Promise<void> {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      if (gen !== generation) {
        // Leadership changed while waiting: hand the key back.
        queue.done(key);
        queue.add(key);
        return;
      }
      inFlight++;
      try {
        // Keys are `namespace/Kind/name`.
        metrics.reconciled(key.split("/")[1] ?? "");
        const outcome = await reconciler.reconcile(key);
        queue.forget(key);
        if (outcome.requeueAfterMs !== undefined) queue.addAfter(key, outcome.requeueAfterMs);
      } catch (thrown) {
        const err = thrown instanceof RetryBefore ? thrown.cause : thrown;
        const kind = errorKind(err);
        metrics.error(kind);
        logger.warn(
          { key, kind, error: errorMessage(err), failures: queue.failures(key) + 1 },
          "reconcile failed; retrying with backoff",
        );
        queue.addRateLimited(key);
        // A deadline (the store deadline) comes before the backoff: be back by then.
        if (thrown instanceof RetryBefore) queue.addAfter(key, thrown.withinMs);
      } finally {
        inFlight--;
        queue.done(key);
      }
      // A reconcile with nothing to write (a run already stored, another
      // controller's run) settles in microtasks only: without this, a run of
      // such keys (the echoes of every write-back after an initial sync) never
      // lets I/O callbacks run, stalling the other workers' calls, the
      // informers' watches, lease renewals and /metrics until the queue drains.
      await yieldToEventLoop();
    }
  }

  function startWorkers(): void {
    if (leading) return;
    leading = true;
    metrics.setLeader(true);
    cleanup?.cleaner.start();
    const gen = ++generation;
    if (ready()) {
      runWorkers(gen);
      return;
    }
    // No run is processed before every informer has listed its kind: an
    // incomplete cache misleads the reconciler (a PipelineRun whose children
    // are not cached yet looks as if they were all stored, and would be
    // deleted, its unstored children garbage-collected with it).
    logger.info(
      { unsynced: [...informers.values()].filter((i) => !i.hasSynced()).map((i) => i.kind.kind) },
      "waiting for the informers to sync before processing runs",
    );
    void Promise.all([...informers.values()].map((i) => i.synced())).then(() => {
      if (gen === generation && ready()) runWorkers(gen);
    });
  }

  function runWorkers(gen: number): void {
    // Queue every cached run before the workers take keys: a key a worker
    // already took would be queued again by the resync and reconciled twice.
    resync();
    for (let i = 0; i < workers; i++) {
      const p = worker(gen).finally(() => running.delete(p));
      running.add(p);
    }
  }

  function stopWorkers(): void {
    if (!leading) return;
    leading = false;
    generation++;
    metrics.setLeader(false);
    void cleanup?.cleaner.stop();
  }

  function resync(): void {
    for (const informer of informers.values()) {
      for (const run of informer.list()) queue.add(keyOfRun(run, informer.kind));
    }
    // Deleted runs still to be stored (remembered while standing by).
    for (const key of reconciler.tombstoneKeys()) queue.add(key);
  }

  const elector: LeaderElector | undefined =
    options.leaderElect === false
      ? undefined
      : createLeaderElector({
          kube,
          clock,
          logger,
          leaseName: options.leaseName ?? "tekton-results-watcher",
          leaseNamespace: options.leaseNamespace ?? options.namespace ?? "default",
          identity: options.identity ?? `tekton-results-watcher_${process.pid}`,
          leaseDurationMs: options.leaseDurationMs ?? 15_000,
          renewDeadlineMs: options.renewDeadlineMs ?? 10_000,
          retryPeriodMs: options.retryPeriodMs ?? 2_000,
          onStartedLeading: startWorkers,
          onStoppedLeading: stopWorkers,
        });

  let metricsServer: MetricsServer | undefined;
  let started = false;
  let stopping: Promise<void> | undefined;

  return {
    metrics,
    async start() {
      if (started) return;
      started = true;
      if (options.metricsAddr) {
        metricsServer = await startMetricsServer(options.metricsAddr, metrics, ready);
      }
      logger.info(
        {
          ...(kc ? { cluster: clusterServer(kc) } : {}),
          ...(options.apiUrl && !options.transport ? { api: options.apiUrl } : {}),
          namespace: options.namespace ?? "(all)",
          leaderElect: elector !== undefined,
          workers,
          logs: options.logs ?? false,
          writeBack: options.writeBack ?? true,
          deleteResultsOnNamespaceDeletion: cleanup !== undefined,
        },
        "starting",
      );
      await Promise.all(
        [...informers.values(), ...(cleanup ? [cleanup.informer] : [])].map((i) => i.start()),
      );
      if (elector) elector.start();
      else startWorkers();
    },
    stop(stopOptions = {}) {
      stopping ??= (async () => {
        const deadlineMs = stopOptions.deadlineMs ?? shutdownTimeoutMs;
        await Promise.all(
          [...informers.values(), ...(cleanup ? [cleanup.informer] : [])].map((i) => i.stop()),
        );
        stopWorkers();
        await cleanup?.cleaner.stop();
        const until = Date.now() + deadlineMs;
        while (inFlight > 0 && Date.now() < until) await sleep(systemClock, 20);
        if (inFlight > 0) logger.warn({ inFlight }, "stopping with work in flight");
        queue.shutDown();
        await elector?.stop();
        await metricsServer?.close();
        connection.close();
        logger.info({}, "stopped");
      })();
      return stopping;
    },
    isLeader: () => leading,
    ready,
    idle: () => queue.len() === 0 && queue.processing() === 0,
    resync,
    namespaceCleanup: cleanup?.cleaner,
    metricsUrl: () => metricsServer?.url,
  };
}

/** Resolve after pending I/O callbacks and timers have had their turn (a macrotask). */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
