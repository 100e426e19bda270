/**
 * The watcher's HTTP endpoints: `GET /metrics` (Prometheus), `GET /healthz`
 * (alive) and `GET /readyz` (informers synced).
 *
 * @module
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
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
  const server = http.createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { Allow: "GET, HEAD" }).end();
      return;
    }
    if (path === "/metrics") {
      metrics.render().then(
        (text) => res.writeHead(200, { "Content-Type": metrics.contentType }).end(text),
        (err: unknown) =>
          res
            .writeHead(500, { "Content-Type": "text/plain" })
            .end(`cannot collect metrics: ${err instanceof Error ? err.message : String(err)}\n`),
      );
    } else if (path === "/healthz") {
      res.writeHead(200, { "Content-Type": "text/plain" }).end("ok\n");
    } else if (path === "/readyz") {
      const ok = ready();
      res
        .writeHead(ok ? 200 : 503, { "Content-Type": "text/plain" })
        .end(ok ? "ok\n" : "not ready\n");
    } else {
      res.writeHead(404, { "Content-Type": "text/plain" }).end("not found\n");
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
