/**
 * Sending again the calls a server refused without processing them.
 *
 * When an HTTP/2 server asks a connection to go (GOAWAY: a maximum
 * connection age, a graceful restart), a request the client sent at that
 * very moment is reset with `REFUSED_STREAM`, which HTTP/2 defines as "not
 * processed: safe to retry". grpc-go retries such calls by itself
 * (transparent retry); connect-node reports them as `internal` errors. This
 * interceptor sends them again, on the transport's next connection.
 *
 * @module
 */
import { ConnectError, type Interceptor } from "@connectrpc/connect";

/** Whether `err` is a stream the server reset with `REFUSED_STREAM` (never processed). */
export function isRefusedStream(err: unknown): boolean {
  if (!(err instanceof ConnectError)) return false;
  const cause = err.cause as { code?: unknown; message?: unknown } | undefined;
  return (
    /REFUSED_STREAM/.test(err.rawMessage) ||
    (typeof cause?.message === "string" && /REFUSED_STREAM/.test(cause.message))
  );
}

/**
 * An interceptor that sends a unary call again (up to `attempts` times in
 * all, default 3) when the server refused its stream without processing it
 * ({@link isRefusedStream}). Streaming calls are not retried: their request
 * messages may already have been consumed. Safe for every method, writes
 * included, since a refused request never reached the service.
 */
export function retryRefusedStreams(attempts = 3): Interceptor {
  if (!Number.isInteger(attempts) || attempts < 1) {
    throw new RangeError(`attempts must be a positive integer, not ${attempts}`);
  }
  return (next) => async (req) => {
    if (req.stream) return next(req);
    for (let attempt = 1; ; attempt++) {
      try {
        return await next(req);
      } catch (err) {
        if (attempt >= attempts || !isRefusedStream(err) || req.signal.aborted) throw err;
      }
    }
  };
}
