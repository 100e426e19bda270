/**
 * Limits on a request's time: the per-request deadline (a unary RPC answers
 * DeadlineExceeded when its handler runs past it, and no request but an
 * UpdateLog stream may take longer than it to arrive), and their defaults
 * with those of the listener (concurrent HTTP/2 streams, HTTP/1.1 header time).
 *
 * @module
 */
import * as http2 from "node:http2";
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import type { NodeHandlerFn } from "./node-http.js";

/** The default per-request deadline (`--request-timeout-ms`): 60 s. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;
/** The default time an HTTP/1.1 request's head may take to arrive (`--headers-timeout-ms`): 10 s. */
export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
/** The default of concurrent streams per HTTP/2 connection (`--max-concurrent-streams`): 100. */
export const DEFAULT_MAX_CONCURRENT_STREAMS = 100;

/** The message of an RPC cut at the server's deadline. */
export function deadlineMessage(ms: number): string {
  return `the request ran longer than the server's limit of ${ms} ms`;
}

/**
 * An interceptor answering DeadlineExceeded when a unary RPC takes longer
 * than `ms` (0: no deadline). Streams (GetLog, UpdateLog) are left alone: a
 * log may take long to send, and the idle and age limits of the connection
 * govern them. The handler itself is not stopped (storage calls have their
 * own statement timeouts); only its answer is dropped.
 */
export function deadlineInterceptor(ms: number): Interceptor {
  return (next) => async (req) => {
    if (ms === 0 || req.method.methodKind !== "unary") return next(req);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new ConnectError(deadlineMessage(ms), Code.DeadlineExceeded)),
        ms,
      );
    });
    try {
      return await Promise.race([next(req), deadline]);
    } finally {
      clearTimeout(timer);
    }
  };
}

/** Whether the request is an UpdateLog stream, which may take as long as its log. */
function isUpload(url: string | undefined): boolean {
  return (url ?? "").split("?")[0]!.endsWith("/UpdateLog");
}

/**
 * Wrap `handler` so that a request (other than an UpdateLog stream) whose
 * body has not fully arrived `ms` after its head has its HTTP/2 stream
 * cancelled, or its HTTP/1.1 connection closed: a slow client cannot hold a
 * stream or a connection, and the memory of its half-read body, forever.
 * 0: no limit.
 */
export function withBodyDeadline(handler: NodeHandlerFn, ms: number): NodeHandlerFn {
  if (ms === 0) return handler;
  return (req, res) => {
    if (!req.complete && !isUpload(req.url)) {
      const timer = setTimeout(() => {
        if (req.complete) return;
        if (req.httpVersionMajor !== 2) {
          req.socket.destroy();
          return;
        }
        const stream = (req as http2.Http2ServerRequest).stream;
        if (!stream.destroyed) stream.close(http2.constants.NGHTTP2_CANCEL);
      }, ms);
      timer.unref();
      const clear = (): void => clearTimeout(timer);
      req.once("end", clear);
      req.once("close", clear);
      res.once("close", clear);
    }
    handler(req, res);
  };
}
