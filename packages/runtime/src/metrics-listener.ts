/**
 * A plain HTTP listener of its own for Prometheus: `GET /metrics`, with
 * `GET /healthz` (alive) and, when given a readiness function, `GET /readyz`.
 * What the server's `--metrics-port` listens with; the watcher's
 * `--metrics-addr` endpoints are the same three.
 *
 * @module
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";

/** What a metrics listener serves: a Prometheus registry, say (prom-client's `Registry` fits). */
export interface MetricsSource {
  /** The text exposition of every metric. */
  metrics(): Promise<string>;
  /** Its content type. */
  readonly contentType: string;
}

/** Options of {@link startMetricsListener}. */
export interface MetricsListenerOptions {
  /** The port; 0 picks a free one. */
  port: number;
  /** The address to bind. Default `0.0.0.0`. */
  host?: string;
  /** Served at `GET /metrics`. */
  source: MetricsSource;
  /** When given, `GET /readyz` answers 200 while it returns true, else 503. */
  ready?: () => boolean;
}

/** A listening metrics endpoint. */
export interface MetricsListener {
  /** `http://host:port` it listens on. */
  readonly url: string;
  /** The port it listens on (the one picked for port 0). */
  readonly port: number;
  /** Stop listening and close every connection. */
  close(): Promise<void>;
}

function reply(res: http.ServerResponse, status: number, body: string, type = "text/plain"): void {
  res.writeHead(status, { "Content-Type": type, "Content-Length": Buffer.byteLength(body) });
  res.end(body);
}

/** The request handler of a metrics listener. */
function metricsHandler(options: MetricsListenerOptions): http.RequestListener {
  return (req, res) => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { Allow: "GET, HEAD" }).end();
      return;
    }
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/metrics") {
      options.source.metrics().then(
        (text) => reply(res, 200, text, options.source.contentType),
        (err: unknown) =>
          reply(res, 500, `cannot collect metrics: ${err instanceof Error ? err.message : err}\n`),
      );
      return;
    }
    if (path === "/healthz") return reply(res, 200, "ok\n");
    if (path === "/readyz" && options.ready) {
      const ready = options.ready();
      return reply(res, ready ? 200 : 503, ready ? "ok\n" : "not ready\n");
    }
    reply(res, 404, "not found\n");
  };
}

/** Listen on `host:port` and serve the metrics of `source`. Rejects when the port cannot be bound. */
export async function startMetricsListener(
  options: MetricsListenerOptions,
): Promise<MetricsListener> {
  const server = http.createServer(metricsHandler(options));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? "0.0.0.0", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
