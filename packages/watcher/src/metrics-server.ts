/**
 * The watcher's HTTP endpoints: `GET /metrics` (Prometheus), `GET /healthz`
 * (alive) and `GET /readyz` (informers synced), served by
 * `@tekton-results/runtime`'s metrics listener (the server's `--metrics-port`
 * uses the same one).
 *
 * @module
 */
import { startMetricsListener } from "@tekton-results/runtime";
import type { WatcherMetrics } from "./metrics.js";

/** A running metrics server. */
export interface MetricsServer {
  /** `http://host:port` it listens on. */
  readonly url: string;
  close(): Promise<void>;
}

/** Split `[host]:port` / `host:port` / `:port` into host and port. */
export function parseListenAddress(addr: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(addr.trim());
  if (!m) throw new RangeError(`not a [host]:port address: ${JSON.stringify(addr)}`);
  return { host: m[1] ?? (m[2] || "0.0.0.0"), port: Number(m[3]) };
}

/** Serve the endpoints on `addr` (`:9090`, `127.0.0.1:0`). */
export async function startMetricsServer(
  addr: string,
  metrics: WatcherMetrics,
  ready: () => boolean,
): Promise<MetricsServer> {
  const { host, port } = parseListenAddress(addr);
  const listener = await startMetricsListener({
    host,
    port,
    source: { metrics: () => metrics.render(), contentType: metrics.contentType },
    ready,
  });
  return { url: listener.url, close: () => listener.close() };
}
