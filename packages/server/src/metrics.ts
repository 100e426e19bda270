/**
 * Prometheus metrics of the API server: RPCs by service, method and code, and
 * their latency, exposed in the Prometheus text format on `GET /metrics`.
 *
 * @module
 */
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";

/** Latency histogram buckets, in seconds. */
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface Series {
  service: string;
  method: string;
  code: string;
  count: number;
  sum: number;
  buckets: number[];
}

/** The server's metrics: a Connect interceptor that records, and a renderer. */
export interface ServerMetrics {
  /** Records every RPC it wraps. Mount it on every router that serves RPCs. */
  readonly interceptor: Interceptor;
  /** The Prometheus text exposition (format 0.0.4) of everything recorded. */
  render(): string;
  /** The content type of {@link ServerMetrics.render}'s output. */
  readonly contentType: string;
}

/** The snake_case name of a Connect code, as gRPC spells it (`not_found`). */
function codeLabel(code: Code | undefined): string {
  if (code === undefined) return "ok";
  return Code[code].replace(/([a-z])([A-Z])/g, "$1_$2").toLowerCase();
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

/**
 * Create the metrics of one server. `now` returns seconds with sub-millisecond
 * precision and is injectable for tests.
 */
export function createServerMetrics(options: { now?: () => number } = {}): ServerMetrics {
  const now = options.now ?? (() => performance.now() / 1000);
  const series = new Map<string, Series>();
  let inFlight = 0;

  function observe(service: string, method: string, code: Code | undefined, seconds: number): void {
    const label = codeLabel(code);
    const key = `${service}\u0000${method}\u0000${label}`;
    let s = series.get(key);
    if (!s) {
      s = { service, method, code: label, count: 0, sum: 0, buckets: BUCKETS.map(() => 0) };
      series.set(key, s);
    }
    s.count++;
    s.sum += seconds;
    for (let i = 0; i < BUCKETS.length; i++) if (seconds <= BUCKETS[i]!) s.buckets[i]!++;
  }

  const interceptor: Interceptor = (next) => async (req) => {
    const start = now();
    inFlight++;
    try {
      const res = await next(req);
      observe(req.service.typeName, req.method.name, undefined, now() - start);
      return res;
    } catch (err) {
      observe(req.service.typeName, req.method.name, ConnectError.from(err).code, now() - start);
      throw err;
    } finally {
      inFlight--;
    }
  };

  function render(): string {
    const lines: string[] = [];
    const sorted = [...series.values()].sort((a, b) =>
      `${a.service}.${a.method}.${a.code}`.localeCompare(`${b.service}.${b.method}.${b.code}`),
    );
    lines.push(
      "# HELP tekton_results_rpc_requests_total RPCs handled, by service, method and code.",
    );
    lines.push("# TYPE tekton_results_rpc_requests_total counter");
    for (const s of sorted) {
      lines.push(
        `tekton_results_rpc_requests_total{service="${escapeLabel(s.service)}",method="${escapeLabel(s.method)}",code="${s.code}"} ${s.count}`,
      );
    }
    lines.push(
      "# HELP tekton_results_rpc_duration_seconds Time to handle an RPC (unary: until the response).",
    );
    lines.push("# TYPE tekton_results_rpc_duration_seconds histogram");
    for (const s of sorted) {
      const labels = `service="${escapeLabel(s.service)}",method="${escapeLabel(s.method)}",code="${s.code}"`;
      BUCKETS.forEach((le, i) => {
        lines.push(
          `tekton_results_rpc_duration_seconds_bucket{${labels},le="${le}"} ${s.buckets[i]}`,
        );
      });
      lines.push(`tekton_results_rpc_duration_seconds_bucket{${labels},le="+Inf"} ${s.count}`);
      lines.push(`tekton_results_rpc_duration_seconds_sum{${labels}} ${s.sum}`);
      lines.push(`tekton_results_rpc_duration_seconds_count{${labels}} ${s.count}`);
    }
    lines.push("# HELP tekton_results_rpc_in_flight RPCs being handled now.");
    lines.push("# TYPE tekton_results_rpc_in_flight gauge");
    lines.push(`tekton_results_rpc_in_flight ${inFlight}`);
    const mem = process.memoryUsage();
    lines.push("# HELP process_resident_memory_bytes Resident memory size in bytes.");
    lines.push("# TYPE process_resident_memory_bytes gauge");
    lines.push(`process_resident_memory_bytes ${mem.rss}`);
    lines.push("# HELP nodejs_heap_used_bytes V8 heap in use, in bytes.");
    lines.push("# TYPE nodejs_heap_used_bytes gauge");
    lines.push(`nodejs_heap_used_bytes ${mem.heapUsed}`);
    const cpu = process.cpuUsage();
    lines.push("# HELP process_cpu_seconds_total User and system CPU time spent, in seconds.");
    lines.push("# TYPE process_cpu_seconds_total counter");
    lines.push(`process_cpu_seconds_total ${(cpu.user + cpu.system) / 1e6}`);
    return lines.join("\n") + "\n";
  }

  return { interceptor, render, contentType: "text/plain; version=0.0.4; charset=utf-8" };
}
