/**
 * The maximum connection age (`--max-connection-age-ms`), modelled on
 * grpc-go's `keepalive.ServerParameters.MaxConnectionAge` and
 * `MaxConnectionAgeGrace`: once a connection is older than the age, plus or
 * minus a random 10% (so that connections opened together do not all go
 * together), it is asked to go, and its clients open a new connection for
 * their next request, through the load balancer, reaching replicas added
 * since.
 *
 * - HTTP/2 (h2c and TLS): GOAWAY (Node's `session.close()`, whose last
 *   stream ID is the last stream the session accepted: those streams go on),
 *   sent as its next request arrives; a session still open the grace later
 *   is cut.
 * - HTTP/1.1: its next response (or the one in progress, if its headers are
 *   not sent yet) says `Connection: close`, and the connection is closed after
 *   it; an idle one is left to its keep-alive timeout.
 *
 * @module
 */
import type * as http from "node:http";
import type * as http2 from "node:http2";
import type * as net from "node:net";
import type { Logger } from "@tekton-results/runtime";
import type { ConnectionBook } from "./listener.js";

/** The default maximum connection age: 0, unlimited (grpc-go's default). */
export const DEFAULT_MAX_CONNECTION_AGE_MS = 0;

/**
 * The default time an HTTP/2 connection past its maximum age may take to
 * finish its streams after GOAWAY before it is cut: 60 s. Twice the
 * PostgreSQL statement timeout (30 s), so any unary RPC that was running
 * finishes; a GetLog or UpdateLog of the largest log (256 MiB) at 5 MB/s or
 * more does too. What it bounds is only how long a stuck or endless stream
 * (a health `Watch`) keeps the old connection: new requests already go to a
 * new one.
 */
export const DEFAULT_MAX_CONNECTION_AGE_GRACE_MS = 60_000;

/** The longest delay a Node.js timer takes (2^31-1 ms). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The HTTP version of a connection closed for its age, as the request log writes it. */
export type HttpVersion = "1.1" | "2.0";

/** When and how connections are closed for their age. */
export interface ConnectionAgeOptions {
  /** The maximum age of a connection, in ms (jittered by ±10%); 0: unlimited. */
  maxAgeMs: number;
  /** How long an HTTP/2 connection may finish its streams after GOAWAY, in ms; 0: no limit. */
  graceMs: number;
  /** Called when a connection is asked to go for its age. */
  onClosedForAge?: ((http: HttpVersion) => void) | undefined;
  /** A number in [0, 1) for the jitter. Default `Math.random`. */
  random?: (() => number) | undefined;
}

/**
 * `ageMs` plus a random jitter of up to ±10% (grpc-go's), at least 1 ms and
 * at most the longest timer.
 */
export function jitteredAge(ageMs: number, random: () => number = Math.random): number {
  const jitter = ageMs / 10;
  const aged = Math.round(ageMs - jitter + random() * 2 * jitter);
  return Math.min(MAX_TIMER_MS, Math.max(1, aged));
}

/** The `address:port` of the other end of `socket`, for the log. */
function peerOf(socket: net.Socket | undefined): string | undefined {
  const host = socket?.remoteAddress;
  if (host === undefined) return undefined;
  return `${host.includes(":") ? `[${host}]` : host}:${socket?.remotePort ?? 0}`;
}

/** Run `fn` after `session`'s or `socket`'s jittered age, unless it closes first. */
function atAge(
  closable: { once(event: "close", listener: () => void): unknown },
  options: ConnectionAgeOptions,
  fn: () => void,
): void {
  const timer = setTimeout(fn, jitteredAge(options.maxAgeMs, options.random));
  timer.unref();
  closable.once("close", () => clearTimeout(timer));
}

/** The longest wait for a session's next request before its GOAWAY at its age: 1 s. */
const MAX_WAIT_FOR_REQUEST_MS = 1_000;

/**
 * Send GOAWAY to `session` at its age (unless it is closing already), and
 * cut it if it is still open `graceMs` later.
 *
 * The GOAWAY goes as the session's next request arrives (or, without one,
 * {@link MAX_WAIT_FOR_REQUEST_MS} later, or the age when shorter): it counts
 * that request in, and precedes its response, so a client that sends its
 * requests one after another reads the GOAWAY before it sends the next one
 * (on a new connection) and never sees a request refused. (Node.js cannot
 * send grpc-go's first GOAWAY, which lets streams in flight in, so a request
 * a client sends at the very moment of the GOAWAY is refused:
 * REFUSED_STREAM, never processed, safe to retry.)
 */
export function closeSessionAtAge(
  session: http2.ServerHttp2Session,
  options: ConnectionAgeOptions,
  logger: Logger | undefined,
): void {
  if (options.maxAgeMs <= 0) return;
  const { maxAgeMs, graceMs } = options;
  const goaway = (): void => {
    session.off("stream", goaway);
    if (session.closed || session.destroyed) return;
    const peer = peerOf(session.socket);
    logger?.debug({ maxAgeMs, graceMs, peer }, "closing an HTTP/2 connection at its maximum age");
    options.onClosedForAge?.("2.0");
    session.close();
    if (graceMs <= 0 || session.destroyed) return;
    const cut = setTimeout(() => {
      if (session.destroyed) return;
      logger?.info(
        { maxAgeMs, graceMs, peer },
        "cutting an HTTP/2 connection past its age and grace",
      );
      session.destroy();
    }, graceMs);
    cut.unref();
    session.once("close", () => clearTimeout(cut));
  };
  atAge(session, options, () => {
    if (session.closed || session.destroyed) return;
    // After the listener that hands the stream to the request handler.
    session.once("stream", goaway);
    const wait = Math.min(MAX_WAIT_FOR_REQUEST_MS, maxAgeMs);
    const quiet = setTimeout(goaway, wait);
    quiet.unref();
    session.once("stream", () => clearTimeout(quiet));
    session.once("close", () => clearTimeout(quiet));
  });
}

/**
 * Mark the HTTP/1.1 connection `socket` past its age at its age: its
 * responses from then on, and those in progress whose headers are not sent
 * yet, say `Connection: close` (see {@link countHttp1Requests}), and Node.js
 * closes it after such a response. An idle connection is not closed at its
 * age (a request the client sends at that moment would fail): its next
 * response closes it, or its keep-alive timeout does.
 */
export function closeHttp1AtAge(
  socket: net.Socket,
  book: ConnectionBook,
  options: ConnectionAgeOptions,
  logger: Logger | undefined,
): void {
  if (options.maxAgeMs <= 0) return;
  atAge(socket, options, () => {
    if (socket.destroyed) return;
    book.h1Expired.add(socket);
    for (const res of book.h1Busy.get(socket) ?? []) closeAfter(res, socket, options, logger);
  });
}

/** Connections already counted as closed for their age. */
const counted = new WeakSet<net.Socket>();

/** Make `res` close its connection `socket`, past its age, if its headers are not sent yet. */
function closeAfter(
  res: http.ServerResponse,
  socket: net.Socket,
  options: ConnectionAgeOptions,
  logger: Logger | undefined,
): void {
  if (res.headersSent) return;
  res.setHeader("connection", "close");
  if (counted.has(socket)) return;
  counted.add(socket);
  logger?.debug(
    { maxAgeMs: options.maxAgeMs, peer: peerOf(socket) },
    "closing an HTTP/1.1 connection at its maximum age",
  );
  options.onClosedForAge?.("1.1");
}

/**
 * Count the HTTP/1.1 requests in progress on each connection of `server` in
 * `book`; on a connection past its age (with `age`), answer with `Connection: close`.
 */
export function countHttp1Requests(
  server: net.Server,
  book: ConnectionBook,
  age: ConnectionAgeOptions | undefined,
  logger: Logger | undefined,
): void {
  // First, before the handler writes the response.
  server.prependListener("request", (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (req.httpVersionMajor !== 1) return;
    const socket = req.socket;
    let responses = book.h1Busy.get(socket);
    if (!responses) book.h1Busy.set(socket, (responses = new Set()));
    responses.add(res);
    if (age && book.h1Expired.has(socket)) closeAfter(res, socket, age, logger);
    res.once("close", () => {
      responses.delete(res);
      if (responses.size === 0 && book.h1Busy.get(socket) === responses) {
        book.h1Busy.delete(socket);
      }
    });
  });
}
