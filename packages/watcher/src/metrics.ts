/**
 * The watcher's Prometheus metrics: runs stored, deleted and not stored by the
 * deadline, store latency, queue depth, errors by kind, leadership and
 * Kubernetes requests, with prom-client's default process and Node.js metrics,
 * in a registry of the watcher's own (several watchers in one process, as in
 * tests, keep separate counts).
 *
 * @module
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

/** Store latency buckets (completion -> stored), in seconds. */
export const STORE_LATENCY_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800];

/** The watcher's metrics. */
export interface WatcherMetrics {
  /** A run's final state was stored (`kind` = PipelineRun, TaskRun, CustomRun). */
  runStored(kind: string, latencySeconds: number | undefined): void;
  /** A run was deleted after its grace period. */
  runDeleted(kind: string): void;
  /** A run's finalizer was released at the store deadline without its final state stored. */
  runNotStored(kind: string): void;
  /** An error of `kind` (`api_unavailable`, `permanent`, `kubernetes`, ...). */
  error(kind: string): void;
  /** A Kubernetes API request of `verb`. */
  kubernetesRequest(verb: string): void;
  /** A Results API call (`method`) and whether it wrote. */
  apiCall(method: string): void;
  /** A run key was reconciled (`kind` = PipelineRun, TaskRun, CustomRun). */
  reconciled(kind: string): void;
  /**
   * A Result deleted by the namespace clean-up (`trigger` = `deleted`: its
   * namespace's deletion; `sweep`: a sweep found its namespace gone).
   */
  namespaceResultsDeleted(trigger: string): void;
  /** The number of keys waiting in the work queue. */
  setQueueDepth(depth: number): void;
  /** Whether this replica leads. */
  setLeader(leader: boolean): void;
  /** The registry holding every metric of this watcher (its own, not prom-client's global one). */
  readonly registry: Registry;
  /** The Prometheus text exposition of everything recorded. */
  render(): Promise<string>;
  /** The content type of {@link WatcherMetrics.render}'s output. */
  readonly contentType: string;
  /**
   * The current value of a counter, synchronously, for tests and logs:
   * `counter("watcher_runs_stored_total", {kind})`; 0 for an unknown name.
   */
  counter(name: string, labels?: Record<string, string>): number;
}

/**
 * A counter of one label. Its values are also kept here because prom-client
 * reads a metric's values only asynchronously, and {@link WatcherMetrics.counter}
 * is read synchronously (tests poll it).
 */
interface CounterFamily {
  metric: Counter<string>;
  label: string;
  values: Map<string, number>;
}

/** Create the metrics of one watcher, in a registry of its own. */
export function createWatcherMetrics(): WatcherMetrics {
  const registry = new Registry();
  const registers = [registry];
  const counters = new Map<string, CounterFamily>();
  function family(name: string, help: string, label: string): CounterFamily {
    const metric = new Counter({ name, help, labelNames: [label], registers });
    const f: CounterFamily = { metric, label, values: new Map() };
    counters.set(name, f);
    return f;
  }
  const stored = family("watcher_runs_stored_total", "Runs whose final state was stored.", "kind");
  const deleted = family(
    "watcher_runs_deleted_total",
    "Runs deleted after their grace period.",
    "kind",
  );
  const notStored = family(
    "watcher_runs_not_stored_total",
    "Runs whose finalizer was released at the store deadline before their final state was stored.",
    "kind",
  );
  const errors = family("watcher_errors_total", "Errors by kind.", "kind");
  const kubeRequests = family(
    "watcher_kubernetes_requests_total",
    "Requests to the Kubernetes API by verb.",
    "verb",
  );
  const apiCalls = family(
    "watcher_results_api_calls_total",
    "Results API calls by method.",
    "method",
  );
  const reconciles = family(
    "watcher_reconciles_total",
    "Run keys reconciled (taken from the work queue), by kind.",
    "kind",
  );
  const namespaceDeletes = family(
    "watcher_namespace_results_deleted_total",
    "Results deleted because their namespace was deleted, by trigger (deleted, sweep).",
    "trigger",
  );
  const inc = (f: CounterFamily, value: string): void => {
    f.values.set(value, (f.values.get(value) ?? 0) + 1);
    f.metric.inc({ [f.label]: value });
  };

  const latency = new Histogram({
    name: "watcher_store_latency_seconds",
    help: "Time from a run's completion to its final state stored.",
    buckets: STORE_LATENCY_BUCKETS,
    registers,
  });
  const depth = new Gauge({
    name: "watcher_queue_depth",
    help: "Run keys waiting in the work queue.",
    registers,
  });
  const leader = new Gauge({
    name: "watcher_is_leader",
    help: "1 when this replica holds the lease and processes runs.",
    registers,
  });
  collectDefaultMetrics({ register: registry });

  return {
    registry,
    contentType: registry.contentType,
    runStored(kind, seconds) {
      inc(stored, kind);
      if (seconds === undefined || !Number.isFinite(seconds)) return;
      latency.observe(Math.max(0, seconds));
    },
    runDeleted: (kind) => inc(deleted, kind),
    runNotStored: (kind) => inc(notStored, kind),
    error: (kind) => inc(errors, kind),
    kubernetesRequest: (verb) => inc(kubeRequests, verb),
    apiCall: (method) => inc(apiCalls, method),
    reconciled: (kind) => inc(reconciles, kind),
    namespaceResultsDeleted: (trigger) => inc(namespaceDeletes, trigger),
    setQueueDepth: (d) => depth.set(d),
    setLeader: (l) => leader.set(l ? 1 : 0),
    counter(name, labels = {}) {
      const f = counters.get(name);
      if (!f) return 0;
      return f.values.get(labels[f.label] ?? "") ?? 0;
    },
    render: () => registry.metrics(),
  };
}
