/**
 * Prometheus metrics of the API server: RPCs by service, method and code, and
 * their latency, connections closed for their maximum age, with prom-client's default process and Node.js metrics, in a
 * registry of the server's own (several servers in one process, as in tests,
 * keep separate counts), exposed on `GET /metrics`.
 *
 * @module
 */
import { ConnectError, type Code, type Interceptor } from "@connectrpc/connect";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { HttpVersion } from "./connection-age.js";
import { codeLabel } from "./request-log.js";

/** Latency histogram buckets, in seconds. */
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The server's metrics: a Connect interceptor that records, and a renderer. */
export interface ServerMetrics {
  /** Records every RPC it wraps. Mount it on every router that serves RPCs. */
  readonly interceptor: Interceptor;
  /** Count a connection closed for its maximum age (`--max-connection-age-ms`). */
  connectionClosedForAge(http: HttpVersion): void;
  /** The registry holding every metric of this server (its own, not prom-client's global one). */
  readonly registry: Registry;
  /** The Prometheus text exposition (format 0.0.4) of everything recorded. */
  render(): Promise<string>;
  /** The content type of {@link ServerMetrics.render}'s output. */
  readonly contentType: string;
}

/** Options of {@link createServerMetrics}. */
export interface ServerMetricsOptions {
  /** Seconds with sub-millisecond precision; injectable for tests. Default: `performance.now()`. */
  now?: () => number;
}

/** Create the metrics of one server, in a registry of its own. */
export function createServerMetrics(options: ServerMetricsOptions = {}): ServerMetrics {
  const now = options.now ?? (() => performance.now() / 1000);
  const registry = new Registry();
  const registers = [registry];
  const labelNames = ["service", "method", "code"] as const;
  const requests = new Counter({
    name: "tekton_results_rpc_requests_total",
    help: "RPCs handled, by service, method and code.",
    labelNames,
    registers,
  });
  const duration = new Histogram({
    name: "tekton_results_rpc_duration_seconds",
    help: "Time to handle an RPC (unary: until the response).",
    labelNames,
    buckets: BUCKETS,
    registers,
  });
  const inFlight = new Gauge({
    name: "tekton_results_rpc_in_flight",
    help: "RPCs being handled now.",
    registers,
  });
  const closedForAge = new Counter({
    name: "tekton_results_connections_closed_for_age_total",
    help: "Connections asked to close at their maximum age (HTTP/2: GOAWAY), by HTTP version.",
    labelNames: ["http"] as const,
    registers,
  });
  new Gauge({
    name: "nodejs_heap_used_bytes",
    help: "V8 heap in use, in bytes (as nodejs_heap_size_used_bytes).",
    registers,
    collect() {
      this.set(process.memoryUsage().heapUsed);
    },
  });
  collectDefaultMetrics({ register: registry });

  function observe(service: string, method: string, code: Code | undefined, seconds: number): void {
    const labels = { service, method, code: codeLabel(code) };
    requests.inc(labels);
    duration.observe(labels, seconds);
  }

  const interceptor: Interceptor = (next) => async (req) => {
    const start = now();
    inFlight.inc();
    try {
      const res = await next(req);
      observe(req.service.typeName, req.method.name, undefined, now() - start);
      return res;
    } catch (err) {
      observe(req.service.typeName, req.method.name, ConnectError.from(err).code, now() - start);
      throw err;
    } finally {
      inFlight.dec();
    }
  };

  return {
    interceptor,
    connectionClosedForAge: (http) => closedForAge.inc({ http }),
    registry,
    render: () => registry.metrics(),
    contentType: registry.contentType,
  };
}
