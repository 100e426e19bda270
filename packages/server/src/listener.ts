/**
 * One TCP port for cleartext HTTP/2 (h2c, "prior knowledge") and HTTP/1.1:
 * each connection's first bytes are peeked, and the socket is handed to an
 * HTTP/2 server when they are the HTTP/2 connection preface, else to an
 * HTTP/1.1 server. Idle HTTP/2 connections are closed with GOAWAY, silent new
 * connections are dropped, connections past their maximum age are closed
 * (`connection-age.ts`), and a drain closes everything gracefully. The
 * pieces a TLS listener shares (the connection book, the drain) are exported
 * for `listener-tls.ts`.
 *
 * @module
 */
import * as http from "node:http";
import * as http2 from "node:http2";
import * as net from "node:net";
import type { Logger } from "@tekton-results/runtime";
import {
  closeHttp1AtAge,
  closeSessionAtAge,
  countHttp1Requests,
  type ConnectionAgeOptions,
} from "./connection-age.js";
import type { NodeHandlerFn } from "./node-http.js";
import {
  DEFAULT_HEADERS_TIMEOUT_MS,
  DEFAULT_MAX_CONCURRENT_STREAMS,
  DEFAULT_REQUEST_TIMEOUT_MS,
} from "./request-limits.js";

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

/**
 * The default time an HTTP/1.1 keep-alive connection may wait for its next
 * request before it is closed: 5 s (Node.js's default).
 */
export const DEFAULT_HTTP1_KEEP_ALIVE_TIMEOUT_MS = 5_000;

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

/** Where a server listens. */
export interface ListeningAddress {
  host: string;
  port: number;
  /** `http://host:port`, `https://` with TLS (IPv6 hosts in brackets). */
  url: string;
}

/** Options of {@link createListener}. */
export interface ListenerOptions {
  /** The request handler of both HTTP versions. */
  handler: NodeHandlerFn;
  logger?: Logger | undefined;
  /** HTTP/2 receive windows, in bytes (65535 to 2^31-1); see `ResultsServerOptions`. */
  http2Windows?: { streamBytes?: number; connectionBytes?: number } | undefined;
  /** No open stream for this long closes an HTTP/2 connection (ms; 0: never; see {@link timeoutOption}). */
  idleTimeoutMs: number;
  /** A new connection silent for this long is dropped (ms, at least 1). */
  handshakeTimeoutMs: number;
  /** An idle HTTP/1.1 keep-alive connection is closed after this long (ms; 0: never). Default 5 s. */
  http1KeepAliveTimeoutMs?: number | undefined;
  /** The maximum connection age; default: unlimited. */
  connectionAge?: ConnectionAgeOptions | undefined;
  /** Whether the server is shutting down (new connections and sessions are refused). */
  isDraining: () => boolean;
  /** Requests being handled now (a drain waits for none). */
  inFlight: () => number;
  /** Most concurrent streams a client may open on one HTTP/2 connection. Default 100. */
  maxConcurrentStreams?: number | undefined;
  /** How long an HTTP/1.1 request's head may take to arrive (ms, at least 1). Default 10 s. */
  headersTimeoutMs?: number | undefined;
  /** How long an HTTP/1.1 request may take to arrive, head and body (ms; 0: none). Default 60 s. */
  requestTimeoutMs?: number | undefined;
}

/**
 * The HTTP/1.1 server of {@link createListener}: node's keep-alive, head
 * (`headersTimeout`) and whole-request (`requestTimeout`) limits, checked
 * every second, for every request of a connection (a slow head or body is
 * answered 408 and the connection closed). Node checks them only on
 * connections of a server that emitted `listening`; this one never listens
 * (the dispatcher hands it its sockets), so it is told it does.
 */
function createHttp1Server(options: ListenerOptions, handler: NodeHandlerFn): http.Server {
  const headersTimeout = options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS;
  const request = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const h1 = http.createServer(
    {
      keepAliveTimeout: options.http1KeepAliveTimeoutMs ?? DEFAULT_HTTP1_KEEP_ALIVE_TIMEOUT_MS,
      headersTimeout,
      // node refuses a request timeout shorter than the head's (0: none).
      requestTimeout: request === 0 ? 0 : Math.max(request, headersTimeout),
      connectionsCheckingInterval: Math.min(1_000, headersTimeout),
    },
    handler,
  );
  h1.emit("listening");
  return h1;
}

/** The listener of {@link createListener}. */
export interface Listener {
  /** Start accepting connections. Port 0 picks a free port. */
  listen(port: number, host?: string): Promise<ListeningAddress>;
  /**
   * Stop accepting, send GOAWAY to every HTTP/2 session, close idle HTTP/1.1
   * connections, and wait until every connection is gone and no request is in
   * flight, or `deadlineMs` (then cut what is left). Call once.
   */
  drain(deadlineMs: number): Promise<void>;
  /** During a drain: cut what is left now instead of at the deadline. */
  cutNow(): void;
}

function windowOption(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 65_535 || value > MAX_HTTP2_WINDOW_BYTES) {
    throw new RangeError(`${name} must be an integer from 65535 to ${MAX_HTTP2_WINDOW_BYTES}`);
  }
  return value;
}

/** A timeout option in ms, from `min` to 2^31-1; `fallback` when unset. */
export function timeoutOption(
  value: number | undefined,
  fallback: number,
  name: string,
  min: number,
): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min || value > 2 ** 31 - 1) {
    throw new RangeError(`${name} must be an integer from ${min} to ${2 ** 31 - 1}`);
  }
  return value;
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/**
 * Send GOAWAY and close `session` once it has had no open stream for
 * `idleTimeoutMs` (counted from its start and from the end of its last
 * stream); cut it if it is still there {@link IDLE_CLOSE_GRACE_MS} later.
 */
function closeWhenIdle(
  session: http2.ServerHttp2Session,
  idleTimeoutMs: number,
  logger: Logger | undefined,
): void {
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

/** Resolves once `done()` holds, polling every 20 ms. */
function until(done: () => boolean): Promise<void> {
  return new Promise<void>((resolve) => {
    const poll = (): void => {
      if (done()) {
        resolve();
        return;
      }
      setTimeout(poll, 20).unref();
    };
    poll();
  });
}

/** The connections of a listener, for its drain. */
export interface ConnectionBook {
  /** Open connections (the TLS sockets of a TLS listener). */
  sockets: Set<net.Socket>;
  sessions: Set<http2.ServerHttp2Session>;
  /** HTTP/1.1 connections with a request in progress, and their responses in progress. */
  h1Busy: Map<net.Socket, Set<http.ServerResponse>>;
  /** HTTP/1.1 connections past their maximum age (closed after their next response). */
  h1Expired: WeakSet<net.Socket>;
  /** Connections that carry an HTTP/2 session. */
  h2Sockets: WeakSet<net.Socket>;
}

/** An empty {@link ConnectionBook}. */
export function newConnectionBook(): ConnectionBook {
  return {
    sockets: new Set(),
    sessions: new Set(),
    h1Busy: new Map(),
    h1Expired: new WeakSet(),
    h2Sockets: new WeakSet(),
  };
}

/** Record `socket` in `book` until it closes. */
export function addConnection(book: ConnectionBook, socket: net.Socket, logger?: Logger): void {
  book.sockets.add(socket);
  socket.once("close", () => {
    book.sockets.delete(socket);
    book.h1Busy.delete(socket);
  });
  socket.on("error", (err) => logger?.debug({ err: describe(err) }, "connection error"));
}

/** The receive windows of {@link ListenerOptions.http2Windows}, checked, with their defaults. */
export function http2WindowSizes(options: ListenerOptions): { stream: number; connection: number } {
  return {
    stream: windowOption(
      options.http2Windows?.streamBytes,
      DEFAULT_HTTP2_STREAM_WINDOW_BYTES,
      "http2Windows.streamBytes",
    ),
    connection: windowOption(
      options.http2Windows?.connectionBytes,
      DEFAULT_HTTP2_CONNECTION_WINDOW_BYTES,
      "http2Windows.connectionBytes",
    ),
  };
}

/**
 * Record the HTTP/2 sessions of `server` in `book`: their connection window,
 * the idle GOAWAY, the GOAWAY at their maximum age, and no new session while
 * draining.
 */
export function manageSessions(
  server: net.Server,
  book: ConnectionBook,
  options: ListenerOptions,
  connectionWindow: number,
): void {
  const { logger, idleTimeoutMs, isDraining } = options;
  server.on("session", (session: http2.ServerHttp2Session) => {
    book.sessions.add(session);
    if (connectionWindow > 65_535) session.setLocalWindowSize(connectionWindow);
    session.on("close", () => book.sessions.delete(session));
    session.on("error", (err) => logger?.debug({ err: describe(err) }, "HTTP/2 session error"));
    if (idleTimeoutMs > 0) closeWhenIdle(session, idleTimeoutMs, logger);
    if (options.connectionAge) closeSessionAtAge(session, options.connectionAge, logger);
    if (isDraining()) session.close();
  });
  server.on("sessionError", (err: Error) =>
    logger?.debug({ err: describe(err) }, "HTTP/2 session error"),
  );
}

/**
 * The {@link Listener} of `server`, whose connections `book` records:
 * `listen` reports `scheme://host:port`, `drain` closes what `book` holds,
 * then calls `onClosed`.
 */
export function listenerOf(
  server: net.Server,
  book: ConnectionBook,
  options: ListenerOptions,
  scheme: "http" | "https",
  onClosed: () => void = () => {},
): Listener {
  const { logger } = options;
  const { sockets, sessions, h1Busy, h2Sockets } = book;
  server.on("error", (err) => logger?.error({ err: describe(err) }, "listener error"));
  let cutNow: (() => void) | undefined;

  async function drain(deadlineMs: number): Promise<void> {
    const listenerClosed = new Promise<void>((resolve) => {
      if (!server.listening) resolve();
      else server.close(() => resolve());
    });
    for (const session of sessions) session.close();
    for (const socket of sockets) {
      // Idle HTTP/1.1 keep-alive connections and connections that sent nothing yet.
      if (!h1Busy.has(socket) && !h2Sockets.has(socket)) socket.destroy();
    }
    const allClosed = until(() => sockets.size === 0 && options.inFlight() === 0);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<"deadline">((resolve) => {
      timer = setTimeout(() => resolve("deadline"), deadlineMs);
      cutNow = () => resolve("deadline");
    });
    const outcome = await Promise.race([allClosed.then(() => "drained" as const), deadline]);
    clearTimeout(timer);
    if (outcome === "deadline") {
      logger?.warn(
        { inFlight: options.inFlight(), connections: sockets.size },
        "shutdown deadline reached; closing connections",
      );
      for (const session of sessions) session.destroy();
      for (const socket of sockets) socket.destroy();
    }
    await listenerClosed;
    onClosed();
  }

  return {
    drain,
    cutNow: () => cutNow?.(),
    listen(port, host = "0.0.0.0") {
      return new Promise<ListeningAddress>((resolve, reject) => {
        const onError = (err: Error): void => reject(err);
        server.once("error", onError);
        server.listen(port, host, () => {
          server.removeListener("error", onError);
          const addr = server.address() as net.AddressInfo;
          const h =
            addr.family === "IPv6" || addr.address.includes(":")
              ? `[${addr.address}]`
              : addr.address;
          resolve({ host: addr.address, port: addr.port, url: `${scheme}://${h}:${addr.port}` });
        });
      });
    },
  };
}

/** An HTTP/1.1 and HTTP/2 (cleartext) listener on one port for `options.handler`. Nothing listens yet. */
export function createListener(options: ListenerOptions): Listener {
  const { handler, logger, handshakeTimeoutMs, isDraining } = options;
  const windows = http2WindowSizes(options);
  const h1 = createHttp1Server(options, handler);
  const h2 = http2.createServer(
    {
      settings: {
        initialWindowSize: windows.stream,
        maxConcurrentStreams: options.maxConcurrentStreams ?? DEFAULT_MAX_CONCURRENT_STREAMS,
      },
    },
    handler,
  );
  const book = newConnectionBook();
  countHttp1Requests(h1, book, options.connectionAge, logger);
  manageSessions(h2, book, options, windows.connection);

  /** Peek at the first bytes and hand the socket to the right HTTP server. */
  function dispatch(socket: net.Socket): void {
    addConnection(book, socket, logger);
    if (isDraining()) {
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
        book.h2Sockets.add(socket);
        h2.emit("connection", socket);
      } else {
        if (options.connectionAge) {
          closeHttp1AtAge(socket, book, options.connectionAge, logger);
        }
        h1.emit("connection", socket);
        socket.resume();
      }
    };
    socket.on("data", onData);
  }

  const tcp = net.createServer({ noDelay: true }, dispatch);
  return listenerOf(tcp, book, options, "http");
}
