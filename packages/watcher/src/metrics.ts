/**
 * The watcher's Prometheus metrics, rendered in the text exposition format
 * (0.0.4): runs stored, deleted and not stored by the deadline, store latency,
 * queue depth, errors by kind, leadership and Kubernetes requests.
 *
 * @module
 */

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
  /** The number of keys waiting in the work queue. */
  setQueueDepth(depth: number): void;
  /** Whether this replica leads. */
  setLeader(leader: boolean): void;
  /** The Prometheus text exposition of everything recorded. */
  render(): string;
  /** The content type of {@link WatcherMetrics.render}'s output. */
  readonly contentType: string;
  /** The current value of a counter, for tests and logs: `counter("watcher_runs_stored_total", {kind})`. */
  counter(name: string, labels?: Record<string, string>): number;
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

function labelText(labels: Record<string, string>): string {
  const entries = Object.entries(labels).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return "";
  return `{${entries.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(",")}}`;
}

interface CounterFamily {
  help: string;
  label: string;
  values: Map<string, number>;
}

/** Create the metrics of one watcher. */
export function createWatcherMetrics(): WatcherMetrics {
  const counters = new Map<string, CounterFamily>();
  function family(name: string, help: string, label: string): CounterFamily {
    let f = counters.get(name);
    if (!f) {
      f = { help, label, values: new Map() };
      counters.set(name, f);
    }
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
  const inc = (f: CounterFamily, value: string) =>
    f.values.set(value, (f.values.get(value) ?? 0) + 1);

  const latency = { count: 0, sum: 0, buckets: STORE_LATENCY_BUCKETS.map(() => 0) };
  let depth = 0;
  let leader = 0;

  return {
    contentType: "text/plain; version=0.0.4; charset=utf-8",
    runStored(kind, seconds) {
      inc(stored, kind);
      if (seconds === undefined || !Number.isFinite(seconds)) return;
      const s = Math.max(0, seconds);
      latency.count++;
      latency.sum += s;
      STORE_LATENCY_BUCKETS.forEach((b, i) => {
        if (s <= b) latency.buckets[i]!++;
      });
    },
    runDeleted: (kind) => inc(deleted, kind),
    runNotStored: (kind) => inc(notStored, kind),
    error: (kind) => inc(errors, kind),
    kubernetesRequest: (verb) => inc(kubeRequests, verb),
    apiCall: (method) => inc(apiCalls, method),
    reconciled: (kind) => inc(reconciles, kind),
    setQueueDepth(d) {
      depth = d;
    },
    setLeader(l) {
      leader = l ? 1 : 0;
    },
    counter(name, labels = {}) {
      const f = counters.get(name);
      if (!f) return 0;
      return f.values.get(labels[f.label] ?? "") ?? 0;
    },
    render() {
      const lines: string[] = [];
      for (const [name, f] of counters) {
        lines.push(`# HELP ${name} ${f.help}`, `# TYPE ${name} counter`);
        for (const [value, n] of [...f.values].sort(([a], [b]) => a.localeCompare(b))) {
          lines.push(`${name}${labelText({ [f.label]: value })} ${n}`);
        }
      }
      const h = "watcher_store_latency_seconds";
      lines.push(
        `# HELP ${h} Time from a run's completion to its final state stored.`,
        `# TYPE ${h} histogram`,
      );
      STORE_LATENCY_BUCKETS.forEach((b, i) =>
        lines.push(`${h}_bucket{le="${b}"} ${latency.buckets[i]!}`),
      );
      lines.push(
        `${h}_bucket{le="+Inf"} ${latency.count}`,
        `${h}_sum ${latency.sum}`,
        `${h}_count ${latency.count}`,
      );
      lines.push(
        "# HELP watcher_queue_depth Run keys waiting in the work queue.",
        "# TYPE watcher_queue_depth gauge",
        `watcher_queue_depth ${depth}`,
        "# HELP watcher_is_leader 1 when this replica holds the lease and processes runs.",
        "# TYPE watcher_is_leader gauge",
        `watcher_is_leader ${leader}`,
      );
      return `${lines.join("\n")}\n`;
    },
  };
}
