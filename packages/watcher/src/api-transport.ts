/**
 * The connection to the Results API: gRPC over HTTP/2 (h2c for `http://`,
 * TLS for `https://`, with an optional private CA) with an optional bearer
 * token read from a file, calls refused at a GOAWAY sent again, and
 * clients whose calls are paced by a rate limiter and counted.
 *
 * @module
 */
import { readFile } from "node:fs/promises";
import type { Http2Session } from "node:http2";
import type { Interceptor, Transport } from "@connectrpc/connect";
import { createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { retryRefusedStreams, type NodeTlsOptions } from "@tekton-results/client/node";
import type { RateLimiter } from "./rate-limiter.js";

/** A transport to the Results API and the means to close its connection. */
export interface ApiConnection {
  transport: Transport;
  /** Close the HTTP/2 session. */
  close(): void;
}

/**
 * An interceptor that sends `Authorization: Bearer <token>` with the token
 * read from `tokenFile` (re-read at most every `refreshMs`, so rotated
 * projected service-account tokens are picked up).
 */
export function bearerTokenInterceptor(tokenFile: string, refreshMs = 60_000): Interceptor {
  let cached: { token: string; at: number } | undefined;
  return (next) => async (req) => {
    const now = Date.now();
    if (!cached || now - cached.at >= refreshMs) {
      cached = { token: (await readFile(tokenFile, "utf8")).trim(), at: now };
    }
    if (cached.token !== "") req.header.set("Authorization", `Bearer ${cached.token}`);
    return next(req);
  };
}

/**
 * An `Http2SessionManager` whose connections cannot crash the process.
 * connect-node 2.1 destroys a connection that receives GOAWAY without open
 * streams (a server restarting gracefully) with an error that Node raises on
 * the session a moment later; when a request reconnects in between, the
 * manager has already removed its listeners and that error is an uncaught
 * exception (connectrpc/connect-es#1768). Every session used here keeps a
 * listener that ignores such late errors (streams still report their own).
 */
class GuardedSessionManager extends Http2SessionManager {
  private readonly guarded = new WeakSet<Http2Session>();

  override async request(
    ...args: Parameters<Http2SessionManager["request"]>
  ): ReturnType<Http2SessionManager["request"]> {
    const stream = await super.request(...args);
    const session = stream.session;
    if (session && !this.guarded.has(session)) {
      this.guarded.add(session);
      session.on("error", () => {});
    }
    return stream;
  }
}

/**
 * The HTTP/2 session manager of a Results API connection: connect-node's,
 * guarded against the uncaught error of a GOAWAY on an idle connection.
 * `tls` (a CA, a server name) applies to `https://` URLs.
 */
export function createSessionManager(baseUrl: string, tls?: NodeTlsOptions): Http2SessionManager {
  return tls
    ? new GuardedSessionManager(baseUrl, undefined, tls)
    : new GuardedSessionManager(baseUrl);
}

/**
 * Connect to the Results API at `baseUrl` (gRPC over HTTP/2, uncompressed
 * replies: the watcher runs next to the API).
 */
export function createApiConnection(
  baseUrl: string,
  options: { tokenFile?: string; interceptors?: Interceptor[]; tls?: NodeTlsOptions } = {},
): ApiConnection {
  const sessionManager = createSessionManager(baseUrl, options.tls);
  const interceptors = [...(options.interceptors ?? [])];
  if (options.tokenFile) interceptors.push(bearerTokenInterceptor(options.tokenFile));
  // Innermost, to see connect-node's own error: a call refused at a GOAWAY
  // (the server's maximum connection age) was never processed; send it again.
  interceptors.push(retryRefusedStreams());
  const transport = createGrpcTransport({
    baseUrl,
    sessionManager,
    interceptors,
    // Replies are records the watcher just sent, over a cluster network: gzip
    // cost both processes ~5% of their CPU per run and saved nothing worth it.
    acceptCompression: [],
  });
  return { transport, close: () => sessionManager.abort() };
}

/** The unary and client-streaming methods the watcher paces. */
const PACED_METHODS = new Set([
  "getResult",
  "createResult",
  "updateResult",
  "getRecord",
  "createRecord",
  "updateRecord",
  "updateLog",
  "listResults",
  "deleteResult",
]);

/**
 * `client` with each of its API calls (`getResult`, `createRecord`,
 * `updateLog`, ...) waiting for a token of `limiter` first and reported to
 * `onCall` with its method name.
 */
export function pacedClient<T extends object>(
  client: T,
  limiter: RateLimiter,
  onCall: (method: string) => void = () => {},
): T {
  return new Proxy(client, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof prop !== "string" || typeof value !== "function" || !PACED_METHODS.has(prop)) {
        return value;
      }
      const fn = value as (...args: unknown[]) => Promise<unknown>;
      return async (...args: unknown[]) => {
        await limiter.take();
        onCall(prop);
        return fn.apply(target, args);
      };
    },
  });
}
