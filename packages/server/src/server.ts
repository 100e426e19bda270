/**
 * The API server: one TCP port that serves gRPC, gRPC-Web and Connect (over
 * HTTP/2 and HTTP/1.1, cleartext or TLS), the REST/JSON paths, gRPC health
 * and reflection, `GET /healthz`, `GET /readyz` and, when given metrics,
 * `GET /metrics`.
 *
 * This module assembles them; the port shared by both HTTP versions is
 * `listener.ts` (`listener-tls.ts` with TLS, its certificate `tls.ts`), the
 * plain endpoints `endpoints.ts`, the REST paths `rest-gateway.ts`.
 *
 * @module
 */
import type * as http from "node:http";
import type { DescFile, DescService } from "@bufbuild/protobuf";
import { createConnectRouter, type ConnectRouter, type Interceptor } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { allFiles, createApiRegistry, Results } from "@tekton-results/proto";
import type { Logger } from "@tekton-results/runtime";
import type { ResultsStore } from "@tekton-results/storage";
import { createCorsHandler } from "./cors.js";
import { createEndpoints, sendText, storeReadinessCheck } from "./endpoints.js";
import {
  createHealthRoutes,
  createHealthStatus,
  createReadinessProbe,
  ServingStatus,
  type HealthStatus,
} from "./health.js";
import {
  DEFAULT_MAX_CONNECTION_AGE_GRACE_MS,
  DEFAULT_MAX_CONNECTION_AGE_MS,
  type ConnectionAgeOptions,
} from "./connection-age.js";
import {
  createListener,
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  DEFAULT_HTTP1_KEEP_ALIVE_TIMEOUT_MS,
  DEFAULT_IDLE_TIMEOUT_MS,
  timeoutOption,
  type ListeningAddress,
} from "./listener.js";
import type { ServerMetrics } from "./metrics.js";
import { createTlsListener } from "./listener-tls.js";
import type { NodeHandlerFn } from "./node-http.js";
import { createReflectionRoutes, REFLECTION_SERVICE_NAMES } from "./reflection.js";
import { createRequestLog, requestLogContextValues, type RequestLogLevel } from "./request-log.js";
import {
  createRestGateway,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_REST_SERVICES,
  type RestGateway,
} from "./rest-gateway.js";
import {
  createCertificateReloader,
  loadClientCa,
  type LoadedCertificate,
  type TlsOptions,
} from "./tls.js";
import type { UiHandler } from "./ui.js";

export { migratedSchemaCheck, storeReadinessCheck, type MigratableStore } from "./endpoints.js";
export {
  DEFAULT_MAX_CONNECTION_AGE_GRACE_MS,
  DEFAULT_MAX_CONNECTION_AGE_MS,
} from "./connection-age.js";
export {
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  DEFAULT_HTTP1_KEEP_ALIVE_TIMEOUT_MS,
  DEFAULT_HTTP2_CONNECTION_WINDOW_BYTES,
  DEFAULT_HTTP2_STREAM_WINDOW_BYTES,
  DEFAULT_IDLE_TIMEOUT_MS,
  type ListeningAddress,
} from "./listener.js";
import {
  DEFAULT_HEADERS_TIMEOUT_MS,
  DEFAULT_MAX_CONCURRENT_STREAMS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  deadlineInterceptor,
  withBodyDeadline,
} from "./request-limits.js";

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
  /**
   * Serve `GET /metrics` on the API port (default true); false when the
   * metrics have a listener of their own (`--metrics-port`): RPCs are still
   * recorded, and `/metrics` on the API port is then 404.
   */
  metricsEndpoint?: boolean;
  /**
   * The level of the request log (one line per RPC and REST request, see
   * `request-log.ts`) on `logger`: `off`, `debug` or `info`. Default `debug`.
   */
  requestLogLevel?: RequestLogLevel;
  /** Extra interceptors for every RPC (after the metrics and request log interceptors). */
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
   * keep-alive connections close after `http1KeepAliveTimeoutMs`. Default
   * {@link DEFAULT_IDLE_TIMEOUT_MS}.
   */
  idleTimeoutMs?: number;
  /**
   * How long an HTTP/1.1 keep-alive connection may wait for its next request
   * before it is closed, in ms; 0: never. Behind a proxy that keeps
   * connections to the server open, make it longer than the proxy's idle
   * timeout. Default {@link DEFAULT_HTTP1_KEEP_ALIVE_TIMEOUT_MS}.
   */
  http1KeepAliveTimeoutMs?: number;
  /**
   * The maximum age of a connection, in ms, jittered by ±10% (grpc-go's
   * `MaxConnectionAge`): an HTTP/2 connection then gets GOAWAY (as its next
   * request arrives, so that a client calling one call after another never
   * races it), an HTTP/1.1 one is closed after its next response, which says
   * `Connection: close`, and clients reconnect, through the load balancer,
   * for their next request (see `connection-age.ts`).
   * 0: unlimited. Default {@link DEFAULT_MAX_CONNECTION_AGE_MS}.
   */
  maxConnectionAgeMs?: number;
  /**
   * How long an HTTP/2 connection past its maximum age may finish its streams
   * after GOAWAY before it is cut, in ms; 0: no limit. Default
   * {@link DEFAULT_MAX_CONNECTION_AGE_GRACE_MS}.
   */
  maxConnectionAgeGraceMs?: number;
  /**
   * How long a new connection may take to send the HTTP/2 preface or the
   * first bytes of an HTTP/1.1 request before it is closed, in ms (at least 1).
   * Default {@link DEFAULT_HANDSHAKE_TIMEOUT_MS}.
   */
  handshakeTimeoutMs?: number;
  /**
   * The per-request deadline, in ms (0: none): a unary RPC (and REST call)
   * running longer answers DeadlineExceeded, and a request other than an
   * UpdateLog stream whose body has not arrived by then is cut. Default
   * {@link DEFAULT_REQUEST_TIMEOUT_MS}.
   */
  requestTimeoutMs?: number;
  /** How long an HTTP/1.1 request's head may take to arrive, in ms. Default {@link DEFAULT_HEADERS_TIMEOUT_MS}. */
  headersTimeoutMs?: number;
  /** Most concurrent streams per HTTP/2 connection. Default {@link DEFAULT_MAX_CONCURRENT_STREAMS}. */
  maxConcurrentStreams?: number;
  /**
   * Serve over TLS with this certificate: HTTP/2 (ALPN `h2`) and HTTP/1.1 on
   * the one port, the certificate reloaded when its files change. Throws a
   * `TlsFileError` when the files cannot be read or the key does not match.
   * Default: cleartext.
   */
  tls?: TlsOptions;
  /**
   * The web UI, asked first for each request no API path or endpoint took (see `ui.ts`,
   * `loadUi`). Default: none, every such request goes to the REST gateway.
   */
  ui?: UiHandler | undefined;
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
  /**
   * Report not ready (`/readyz` 503, every health status NOT_SERVING) while
   * going on serving as before: the start of a shutdown delay, for load
   * balancers to stop sending new connections before {@link ResultsServer.close}.
   */
  reportNotReady(): void;
  /** The request handler for both HTTP versions, to embed in another server. */
  readonly handler: NodeHandlerFn;
  /** The health status served by `grpc.health.v1.Health`. */
  readonly health: HealthStatus;
  /** The REST gateway. */
  readonly rest: RestGateway;
  /** Requests being handled now. */
  inFlight(): number;
  /** The certificate in service with TLS; `undefined` on a cleartext server. */
  certificate(): LoadedCertificate | undefined;
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/**
 * The RPC routes served over every protocol: `options.routes`, health and
 * reflection (which describes every service served).
 */
function servedRoutes(
  options: ResultsServerOptions,
  health: HealthStatus,
): (router: ConnectRouter) => void {
  const healthRoutes = createHealthRoutes(health);
  const probe = createConnectRouter();
  options.routes(probe);
  healthRoutes(probe);
  const services = [
    ...new Set([...probe.handlers.map((h) => h.service.typeName), ...REFLECTION_SERVICE_NAMES]),
  ];
  const reflectionRoutes = createReflectionRoutes({
    files: options.reflectionFiles ?? allFiles,
    services: () => services,
  });
  return (router) => {
    options.routes(router);
    healthRoutes(router);
    reflectionRoutes(router);
  };
}

/**
 * Count the requests in flight, and while draining ask HTTP/1.1 clients to
 * close their connection (and close it after the response).
 */
function countingHandler(
  inner: NodeHandlerFn,
  isDraining: () => boolean,
): { handler: NodeHandlerFn; inFlight: () => number } {
  let inFlight = 0;
  const handler: NodeHandlerFn = (req, res) => {
    inFlight++;
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      inFlight--;
      if (isDraining() && "httpVersionMajor" in req && req.httpVersionMajor === 1) {
        (req as http.IncomingMessage).socket.end();
      }
    };
    res.once("close", finish);
    res.once("finish", finish);
    if (isDraining() && req.httpVersionMajor === 1 && !res.headersSent) {
      (res as http.ServerResponse).setHeader("connection", "close");
    }
    inner(req, res);
  };
  return { handler, inFlight: () => inFlight };
}

/** The checked maximum connection age of `options`; `undefined` when unlimited. */
function connectionAgeOptions(options: ResultsServerOptions): ConnectionAgeOptions | undefined {
  const maxAgeMs = timeoutOption(
    options.maxConnectionAgeMs,
    DEFAULT_MAX_CONNECTION_AGE_MS,
    "maxConnectionAgeMs",
    0,
  );
  const graceMs = timeoutOption(
    options.maxConnectionAgeGraceMs,
    DEFAULT_MAX_CONNECTION_AGE_GRACE_MS,
    "maxConnectionAgeGraceMs",
    0,
  );
  if (maxAgeMs === 0) return undefined;
  const metrics = options.metrics;
  return {
    maxAgeMs,
    graceMs,
    ...(metrics ? { onClosedForAge: (http) => metrics.connectionClosedForAge(http) } : {}),
  };
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
  const http1KeepAliveTimeoutMs = timeoutOption(
    options.http1KeepAliveTimeoutMs,
    DEFAULT_HTTP1_KEEP_ALIVE_TIMEOUT_MS,
    "http1KeepAliveTimeoutMs",
    0,
  );
  const connectionAge = connectionAgeOptions(options);
  const requestTimeoutMs = timeoutOption(
    options.requestTimeoutMs,
    DEFAULT_REQUEST_TIMEOUT_MS,
    "requestTimeoutMs",
    0,
  );
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const registry = createApiRegistry();
  const requestLog = createRequestLog({ logger, level: options.requestLogLevel });
  const interceptors = [
    ...(options.metrics ? [options.metrics.interceptor] : []),
    requestLog.interceptor,
    deadlineInterceptor(requestTimeoutMs),
    ...(options.interceptors ?? []),
  ];
  const health = createHealthStatus(options.healthServices ?? [Results.typeName]);
  const routes = servedRoutes(options, health);
  const routerOptions = { interceptors, readMaxBytes: maxBodyBytes, jsonOptions: { registry } };
  const rest = createRestGateway({
    routes: options.routes,
    routerOptions,
    services: options.restServices ?? DEFAULT_REST_SERVICES,
    maxBodyBytes,
    registry,
    ...(logger ? { logger } : {}),
  });

  const check =
    options.readiness ??
    (options.store ? storeReadinessCheck(options.store) : () => Promise.resolve());
  let draining = false;
  let notReady = false;
  const isDraining = (): boolean => draining;
  const endpoints = createEndpoints({
    readiness: createReadinessProbe(check, {
      onError: (err) => logger?.warn({ err: describe(err) }, "readiness check failed"),
    }),
    isDraining: () => draining || notReady,
    metrics: options.metricsEndpoint === false ? undefined : options.metrics,
    next: (req, res) =>
      options.ui?.(req, res)
        ? Promise.resolve()
        : requestLog.rest(req, res, () => rest.handle(req, res)),
  });

  const connectHandler = connectNodeAdapter({
    routes,
    ...routerOptions,
    contextValues: requestLogContextValues,
    fallback: (req, res) => {
      endpoints(req, res).catch((err: unknown) => {
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
  const { handler, inFlight } = countingHandler(
    withBodyDeadline((req, res) => {
      if (cors?.(req, res)) return;
      connectHandler(req, res);
    }, requestTimeoutMs),
    isDraining,
  );

  const listenerOptions = {
    handler,
    logger,
    http2Windows: options.http2Windows,
    idleTimeoutMs,
    handshakeTimeoutMs,
    http1KeepAliveTimeoutMs,
    connectionAge,
    isDraining,
    inFlight,
    requestTimeoutMs,
    headersTimeoutMs: timeoutOption(
      options.headersTimeoutMs,
      DEFAULT_HEADERS_TIMEOUT_MS,
      "headersTimeoutMs",
      1,
    ),
    maxConcurrentStreams: options.maxConcurrentStreams ?? DEFAULT_MAX_CONCURRENT_STREAMS,
  };
  const certificate = options.tls ? createCertificateReloader(options.tls, logger) : undefined;
  const listener = certificate
    ? createTlsListener({
        ...listenerOptions,
        certificate,
        minVersion: options.tls?.minVersion,
        clientCa: options.tls?.clientCaFile ? loadClientCa(options.tls.clientCaFile) : undefined,
        clientAuth: options.tls?.clientAuth,
      })
    : createListener(listenerOptions);

  let closing: Promise<void> | undefined;

  function reportNotReady(): void {
    notReady = true;
    health.setAll(ServingStatus.NOT_SERVING);
  }

  async function close(closeOptions: CloseOptions = {}): Promise<void> {
    draining = true;
    reportNotReady();
    health.shutdown();
    await listener.drain(closeOptions.deadlineMs ?? DEFAULT_SHUTDOWN_DEADLINE_MS);
  }

  return {
    handler,
    health,
    rest,
    inFlight,
    reportNotReady,
    certificate: () => certificate?.current(),
    listen: (port, host) => listener.listen(port, host),
    close(closeOptions) {
      if (closing) {
        // A second call with a zero deadline cuts what is still open now.
        if (closeOptions?.deadlineMs === 0) listener.cutNow();
        return closing;
      }
      closing = close(closeOptions);
      return closing;
    },
  };
}
