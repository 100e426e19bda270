/**
 * The API server: one TCP port that serves gRPC, gRPC-Web and Connect (over
 * HTTP/2 cleartext and HTTP/1.1), the REST/JSON paths, gRPC health and
 * reflection, `GET /healthz`, `GET /readyz` and, when given metrics,
 * `GET /metrics`.
 *
 * Cleartext HTTP/2 (h2c, "prior knowledge") and HTTP/1.1 share the port: each
 * connection's first bytes are peeked, and the socket is handed to an HTTP/2
 * server when they are the HTTP/2 connection preface, else to an HTTP/1.1 server.
 *
 * @module
 */
import * as http from "node:http";
import * as http2 from "node:http2";
import * as net from "node:net";
import type { DescFile, DescService } from "@bufbuild/protobuf";
import { createConnectRouter, type ConnectRouter, type Interceptor } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { allFiles, createApiRegistry, Results } from "@tekton-results/proto";
import type { ResultsStore } from "@tekton-results/storage";
import type { Logger } from "@tekton-results/runtime";
import {
  createHealthRoutes,
  createHealthStatus,
  createReadinessProbe,
  ServingStatus,
  type HealthStatus,
} from "./health.js";
import type { ServerMetrics } from "./metrics.js";
import { createCorsHandler } from "./cors.js";
import { createReflectionRoutes, REFLECTION_SERVICE_NAMES } from "./reflection.js";
import {
  createRestGateway,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_REST_SERVICES,
  type NodeHandlerFn,
  type NodeServerRequest,
  type NodeServerResponse,
  type RestGateway,
} from "./rest-gateway.js";

/** The HTTP/2 connection preface a client sends first. */
const H2_PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1");

/**
 * The default time a new connection may take to send its first bytes (the
 * HTTP/2 preface or an HTTP/1.1 request line) before it is closed: 10 s.
 */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;

/**
 * The default time an HTTP/2 connection may stay without an open stream
 * before the server sends GOAWAY and closes it: 120 s. Clients reconnect
 * when they next need the server.
 */
export const DEFAULT_IDLE_TIMEOUT_MS = 120_000;

/** How long an idle HTTP/2 session closed with GOAWAY may take to go before it is cut. */
const IDLE_CLOSE_GRACE_MS = 5_000;

/**
 * The default HTTP/2 stream receive window the server announces
 * (SETTINGS_INITIAL_WINDOW_SIZE): 1 MiB, instead of HTTP/2's 64 KiB, so that
 * a large CreateRecord or UpdateRecord body is not paced by WINDOW_UPDATE
 * round trips.
 */
export const DEFAULT_HTTP2_STREAM_WINDOW_BYTES = 1 << 20;

/** The default HTTP/2 connection receive window of the server: 4 MiB. */
export const DEFAULT_HTTP2_CONNECTION_WINDOW_BYTES = 4 << 20;

/** The largest HTTP/2 window (2^31 - 1). */
const MAX_HTTP2_WINDOW_BYTES = 2 ** 31 - 1;

/** The default grace period of {@link ResultsServer.close}: 10 seconds. */
export const DEFAULT_SHUTDOWN_DEADLINE_MS = 10_000;

/** Options of {@link createResultsServer}. */
export interface ResultsServerOptions {
  /** The RPC routes, e.g. `createResultsRoutes(deps)`. Served over every protocol. */
  routes: (router: ConnectRouter) => void;
  /**
   * The store, for `GET /readyz`: ready while a cheap query answers
   * (see {@link storeReadinessCheck}). Ignored when `readiness` is given.
   */
  store?: ResultsStore;
  /** A custom readiness check: ready while it resolves. Default: a query on `store`, or always ready. */
  readiness?: () => Promise<unknown>;
  logger?: Logger;
  /** Largest request body (REST) and message (RPC). Default 16 MiB ({@link DEFAULT_MAX_BODY_BYTES}). */
  maxBodyBytes?: number;
  /** Records RPCs and serves `GET /metrics`. */
  metrics?: ServerMetrics;
  /** Extra interceptors for every RPC (after the metrics interceptor). */
  interceptors?: Interceptor[];
  /** Files described by reflection. Default: every file of the API. */
  reflectionFiles?: readonly DescFile[];
  /** Services with REST annotations to transcode. Default: Results and both Logs services. */
  restServices?: readonly DescService[];
  /** Services reported by the health service (besides `""`). Default: `tekton.results.v1alpha2.Results`. */
  healthServices?: readonly string[];
  /** Origins browsers may call from (`*` for any). Default: none, no CORS headers. */
  corsOrigins?: readonly string[];
  /**
   * HTTP/2 receive windows of the server's sessions, in bytes (65535 to
   * 2^31-1). Defaults: {@link DEFAULT_HTTP2_STREAM_WINDOW_BYTES} per stream,
   * {@link DEFAULT_HTTP2_CONNECTION_WINDOW_BYTES} per connection. They pace what
   * clients send; what the server sends is paced by the client's windows (see
   * the client package's README).
   */
  http2Windows?: { streamBytes?: number; connectionBytes?: number };
  /**
   * How long an HTTP/2 connection may have no open stream (from its preface
   * on, or since its last stream ended) before the server sends GOAWAY and
   * closes it, in ms; 0: never. A stream in progress, however slow or quiet
   * (a long GetLog, a slow UpdateLog), is never cut by it. Idle HTTP/1.1
   * keep-alive connections close after 5 s. Default {@link DEFAULT_IDLE_TIMEOUT_MS}.
   */
  idleTimeoutMs?: number;
  /**
   * How long a new connection may take to send the HTTP/2 preface or the
   * first bytes of an HTTP/1.1 request before it is closed, in ms (at least 1).
   * Default {@link DEFAULT_HANDSHAKE_TIMEOUT_MS}.
   */
  handshakeTimeoutMs?: number;
}

/** Where a server listens. */
export interface ListeningAddress {
  host: string;
  port: number;
  /** `http://host:port` (IPv6 hosts in brackets). */
  url: string;
}

/** Options of {@link ResultsServer.close}. */
export interface CloseOptions {
  /** How long in-flight requests may take before connections are cut. Default 10 s. */
  deadlineMs?: number;
}

/** A composed API server. */
export interface ResultsServer {
  /** Start accepting connections. Port 0 picks a free port. */
  listen(port: number, host?: string): Promise<ListeningAddress>;
  /**
   * Shut down gracefully: stop accepting connections, report NOT_SERVING,
   * let in-flight requests finish (HTTP/2 sessions get GOAWAY, idle HTTP/1.1
   * connections are closed), then cut whatever is left at the deadline.
   * Resolves when every connection is closed. Idempotent: a later call returns
   * the same promise, and one with `deadlineMs: 0` cuts the connections at once.
   */
  close(options?: CloseOptions): Promise<void>;
  /** The request handler for both HTTP versions, to embed in another server. */
  readonly handler: NodeHandlerFn;
  /** The health status served by `grpc.health.v1.Health`. */
  readonly health: HealthStatus;
  /** The REST gateway. */
  readonly rest: RestGateway;
  /** Requests being handled now. */
  inFlight(): number;
}

/**
 * A cheap query that succeeds while `store` is usable: one Result of one page.
 */
export function storeReadinessCheck(store: ResultsStore): () => Promise<unknown> {
  return () =>
    store.listResults({ orderBy: [{ field: "create_time", direction: "asc" }], pageSize: 1 });
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

function sendText(
  res: NodeServerResponse,
  status: number,
  text: string,
  contentType = "text/plain; charset=utf-8",
): void {
  res.writeHead(status, { "content-type": contentType, "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function windowOption(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 65_535 || value > MAX_HTTP2_WINDOW_BYTES) {
    throw new RangeError(`${name} must be an integer from 65535 to ${MAX_HTTP2_WINDOW_BYTES}`);
  }
  return value;
}

function timeoutOption(value: number | undefined, fallback: number, name: string, min: number) {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min || value > 2 ** 31 - 1) {
    throw new RangeError(`${name} must be an integer from ${min} to ${2 ** 31 - 1}`);
  }
  return value;
}

/** Compose the API server. Nothing listens until {@link ResultsServer.listen}. */
export function createResultsServer(options: ResultsServerOptions): ResultsServer {
  const logger = options.logger;
  const idleTimeoutMs = timeoutOption(
    options.idleTimeoutMs,
    DEFAULT_IDLE_TIMEOUT_MS,
    "idleTimeoutMs",
    0,
  );
  const handshakeTimeoutMs = timeoutOption(
    options.handshakeTimeoutMs,
    DEFAULT_HANDSHAKE_TIMEOUT_MS,
    "handshakeTimeoutMs",
    1,
  );
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const registry = createApiRegistry();
  const interceptors = [
    ...(options.metrics ? [options.metrics.interceptor] : []),
    ...(options.interceptors ?? []),
  ];
  const health = createHealthStatus(options.healthServices ?? [Results.typeName]);
  const healthRoutes = createHealthRoutes(health);
  const restServices = options.restServices ?? DEFAULT_REST_SERVICES;

  const servedServices = (): string[] => {
    const probe = createConnectRouter();
    options.routes(probe);
    healthRoutes(probe);
    return [
      ...new Set([...probe.handlers.map((h) => h.service.typeName), ...REFLECTION_SERVICE_NAMES]),
    ];
  };
  const services = servedServices();
  const reflectionRoutes = createReflectionRoutes({
    files: options.reflectionFiles ?? allFiles,
    services: () => services,
  });

  const routes = (router: ConnectRouter): void => {
    options.routes(router);
    healthRoutes(router);
    reflectionRoutes(router);
  };
  const routerOptions = { interceptors, readMaxBytes: maxBodyBytes, jsonOptions: { registry } };
  const rest = createRestGateway({
    routes: options.routes,
    routerOptions,
    services: restServices,
    maxBodyBytes,
    registry,
    ...(logger ? { logger } : {}),
  });

  const check =
    options.readiness ??
    (options.store ? storeReadinessCheck(options.store) : () => Promise.resolve());
  const readiness = createReadinessProbe(check, {
    onError: (err) => logger?.warn({ err: describe(err) }, "readiness check failed"),
  });

  let draining = false;

  async function fallback(req: NodeServerRequest, res: NodeServerResponse): Promise<void> {
    const path = (req.url ?? "/").split("?")[0];
    const method = req.method ?? "GET";
    if (
      (path === "/healthz" || path === "/readyz" || path === "/metrics") &&
      method !== "GET" &&
      method !== "HEAD"
    ) {
      req.resume();
      res.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain; charset=utf-8" });
      res.end("method not allowed\n");
      return;
    }
    if (path === "/healthz") {
      sendText(res, 200, "ok\n");
      return;
    }
    if (path === "/readyz") {
      if (draining) {
        sendText(res, 503, "not ready: shutting down\n");
        return;
      }
      const result = await readiness();
      sendText(
        res,
        result.ready ? 200 : 503,
        result.ready ? "ok\n" : `not ready: ${result.reason ?? "unknown"}\n`,
      );
      return;
    }
    if (path === "/metrics" && options.metrics) {
      sendText(res, 200, options.metrics.render(), options.metrics.contentType);
      return;
    }
    await rest.handle(req, res);
  }

  const connectHandler = connectNodeAdapter({
    routes,
    ...routerOptions,
    fallback: (req, res) => {
      fallback(req, res).catch((err: unknown) => {
        logger?.error({ err: describe(err), path: req.url }, "request handler failure");
        if (!res.headersSent) sendText(res, 500, "internal error\n");
        else res.destroy();
      });
    },
  });

  const cors =
    options.corsOrigins && options.corsOrigins.length > 0
      ? createCorsHandler(options.corsOrigins)
      : undefined;

  let inFlight = 0;
  const handler: NodeHandlerFn = (req, res) => {
    inFlight++;
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      inFlight--;
      if (draining && "httpVersionMajor" in req && req.httpVersionMajor === 1) {
        (req as http.IncomingMessage).socket.end();
      }
    };
    res.once("close", finish);
    res.once("finish", finish);
    if (draining && req.httpVersionMajor === 1 && !res.headersSent) {
      (res as http.ServerResponse).setHeader("connection", "close");
    }
    if (cors?.(req, res)) return;
    connectHandler(req, res);
  };

  const streamWindow = windowOption(
    options.http2Windows?.streamBytes,
    DEFAULT_HTTP2_STREAM_WINDOW_BYTES,
    "http2Windows.streamBytes",
  );
  const connectionWindow = windowOption(
    options.http2Windows?.connectionBytes,
    DEFAULT_HTTP2_CONNECTION_WINDOW_BYTES,
    "http2Windows.connectionBytes",
  );

  const h1 = http.createServer({ keepAliveTimeout: 5_000 }, handler);
  const h2 = http2.createServer({ settings: { initialWindowSize: streamWindow } }, handler);
  const sockets = new Set<net.Socket>();
  const sessions = new Set<http2.ServerHttp2Session>();
  const h1Busy = new Map<net.Socket, number>();
  const h2Sockets = new WeakSet<net.Socket>();

  h1.on("request", (req: http.IncomingMessage, res: http.ServerResponse) => {
    const socket = req.socket;
    h1Busy.set(socket, (h1Busy.get(socket) ?? 0) + 1);
    res.once("close", () => {
      const n = (h1Busy.get(socket) ?? 1) - 1;
      if (n <= 0) h1Busy.delete(socket);
      else h1Busy.set(socket, n);
    });
  });
  h2.on("session", (session: http2.ServerHttp2Session) => {
    sessions.add(session);
    if (connectionWindow > 65_535) session.setLocalWindowSize(connectionWindow);
    session.on("close", () => sessions.delete(session));
    session.on("error", (err) => logger?.debug({ err: describe(err) }, "HTTP/2 session error"));
    if (idleTimeoutMs > 0) closeWhenIdle(session);
    if (draining) session.close();
  });

  /**
   * Send GOAWAY and close `session` once it has had no open stream for
   * `idleTimeoutMs` (counted from its start and from the end of its last
   * stream); cut it if it is still there {@link IDLE_CLOSE_GRACE_MS} later.
   */
  function closeWhenIdle(session: http2.ServerHttp2Session): void {
    let open = 0;
    let timer: NodeJS.Timeout | undefined;
    const onIdle = (): void => {
      if (session.closed || session.destroyed) return;
      logger?.debug({ idleTimeoutMs }, "closing an idle HTTP/2 connection");
      session.close();
      setTimeout(() => {
        if (!session.destroyed) session.destroy();
      }, IDLE_CLOSE_GRACE_MS).unref();
    };
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(onIdle, idleTimeoutMs);
      timer.unref();
    };
    session.on("stream", (stream: http2.ServerHttp2Stream) => {
      open++;
      clearTimeout(timer);
      stream.once("close", () => {
        open--;
        if (open === 0 && !session.closed && !session.destroyed) arm();
      });
    });
    session.once("close", () => clearTimeout(timer));
    arm();
  }
  h2.on("sessionError", (err: Error) =>
    logger?.debug({ err: describe(err) }, "HTTP/2 session error"),
  );

  /** Peek at the first bytes and hand the socket to the right HTTP server. */
  function dispatch(socket: net.Socket): void {
    sockets.add(socket);
    socket.once("close", () => {
      sockets.delete(socket);
      h1Busy.delete(socket);
    });
    socket.on("error", (err) => logger?.debug({ err: describe(err) }, "connection error"));
    if (draining) {
      socket.destroy();
      return;
    }
    let buffered = Buffer.alloc(0);
    // A connection that sends no request line or preface in time is dropped.
    const onIdle = (): void => {
      socket.destroy();
    };
    socket.setTimeout(handshakeTimeoutMs, onIdle);
    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      const n = Math.min(buffered.length, H2_PREFACE.length);
      const isH2 = buffered.subarray(0, n).equals(H2_PREFACE.subarray(0, n));
      if (isH2 && buffered.length < H2_PREFACE.length) return;
      socket.removeListener("data", onData);
      socket.setTimeout(0);
      socket.removeListener("timeout", onIdle);
      socket.pause();
      socket.unshift(buffered);
      if (isH2) {
        // The HTTP/2 session takes over reading; resuming here would let the
        // unshifted preface flow past it.
        h2Sockets.add(socket);
        h2.emit("connection", socket);
      } else {
        h1.emit("connection", socket);
        socket.resume();
      }
    };
    socket.on("data", onData);
  }

  const tcp = net.createServer({ noDelay: true }, dispatch);
  tcp.on("error", (err) => logger?.error({ err: describe(err) }, "listener error"));

  let closing: Promise<void> | undefined;
  let cutNow: (() => void) | undefined;

  async function close(closeOptions: CloseOptions = {}): Promise<void> {
    const deadlineMs = closeOptions.deadlineMs ?? DEFAULT_SHUTDOWN_DEADLINE_MS;
    draining = true;
    health.setAll(ServingStatus.NOT_SERVING);
    health.shutdown();
    const listenerClosed = new Promise<void>((resolve) => {
      if (!tcp.listening) resolve();
      else tcp.close(() => resolve());
    });
    for (const session of sessions) session.close();
    for (const socket of sockets) {
      // Idle HTTP/1.1 keep-alive connections and connections that sent nothing yet.
      if (!h1Busy.has(socket) && !h2Sockets.has(socket)) socket.destroy();
    }
    const allClosed = new Promise<void>((resolve) => {
      const poll = (): void => {
        if (sockets.size === 0 && inFlight === 0) {
          resolve();
          return;
        }
        const t = setTimeout(poll, 20);
        t.unref();
      };
      poll();
    });
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<"deadline">((resolve) => {
      timer = setTimeout(() => resolve("deadline"), deadlineMs);
      cutNow = () => resolve("deadline");
    });
    const outcome = await Promise.race([allClosed.then(() => "drained" as const), deadline]);
    clearTimeout(timer);
    if (outcome === "deadline") {
      logger?.warn(
        { inFlight, connections: sockets.size },
        "shutdown deadline reached; closing connections",
      );
      for (const session of sessions) session.destroy();
      for (const socket of sockets) socket.destroy();
    }
    await listenerClosed;
  }

  return {
    handler,
    health,
    rest,
    inFlight: () => inFlight,
    listen(port, host = "0.0.0.0") {
      return new Promise<ListeningAddress>((resolve, reject) => {
        const onError = (err: Error): void => reject(err);
        tcp.once("error", onError);
        tcp.listen(port, host, () => {
          tcp.removeListener("error", onError);
          const addr = tcp.address() as net.AddressInfo;
          const h =
            addr.family === "IPv6" || addr.address.includes(":")
              ? `[${addr.address}]`
              : addr.address;
          resolve({ host: addr.address, port: addr.port, url: `http://${h}:${addr.port}` });
        });
      });
    },
    close(closeOptions) {
      if (closing) {
        // A second call with a zero deadline cuts what is still open now.
        if (closeOptions?.deadlineMs === 0) cutNow?.();
        return closing;
      }
      closing = close(closeOptions);
      return closing;
    },
  };
}
