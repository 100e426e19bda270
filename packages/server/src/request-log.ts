/**
 * The request log: one line per RPC (gRPC, gRPC-Web, Connect) and per REST
 * request, with the procedure, protocol, code, duration, the caller (when the
 * authorizer names one) and the peer address. It is written at `debug` by
 * default, so the default `info` log level leaves it out.
 *
 * RPCs are logged by a Connect interceptor ({@link RequestLog.interceptor});
 * a REST request, whose RPC runs through an in-process transport with no peer
 * and no HTTP status, is logged by {@link RequestLog.rest} around the REST
 * gateway, the interceptor only noting its procedure and code. Never logged:
 * headers (tokens), query strings (filters), request or response bodies.
 *
 * @module
 */
import { AsyncLocalStorage } from "node:async_hooks";
import {
  Code,
  ConnectError,
  createContextKey,
  createContextValues,
  type ContextValues,
  type Interceptor,
  type StreamResponse,
} from "@connectrpc/connect";
import { noopLogger, type Logger } from "@tekton-results/runtime";
import type { NodeServerRequest, NodeServerResponse } from "./node-http.js";

/** The snake_case name of a Connect code, as gRPC spells it (`not_found`); `ok` for none. */
export function codeLabel(code: Code | undefined): string {
  if (code === undefined) return "ok";
  return Code[code].replace(/([a-z])([A-Z])/g, "$1_$2").toLowerCase();
}

/** Where the request log goes: nowhere, or the logger at this level. */
export type RequestLogLevel = "off" | "debug" | "info";

/** Every {@link RequestLogLevel}. */
export const REQUEST_LOG_LEVELS: readonly RequestLogLevel[] = ["off", "debug", "info"];

/** The default {@link RequestLogLevel}: `debug`, off at the default `info` log level. */
export const DEFAULT_REQUEST_LOG_LEVEL: RequestLogLevel = "debug";

/** Where a request came from. */
export interface RequestPeer {
  /** `address:port` of the client's connection (`[v6]:port`), when known. */
  address?: string;
  /** The HTTP version, `1.1` or `2.0`. */
  http: string;
}

/** What the request being handled has learnt about itself, for its log line. */
interface RequestNotes {
  /** The caller, as the authorizer named it. */
  user?: string;
  /** The user the caller impersonates. */
  impersonating?: string;
  /** Set on a REST request: the RPC it called and how that ended. */
  rest?: { procedure?: string; code?: string };
}

const notes = new AsyncLocalStorage<RequestNotes>();

const peerKey = createContextKey<RequestPeer | undefined>(undefined, {
  description: "the peer of the request, for the request log",
});

/**
 * Name the caller of the request being handled (the user an authorizer
 * authenticated, and the user it impersonates), for its request log line.
 * Does nothing outside a logged request.
 */
export function noteRequestCaller(user: string, impersonating?: string): void {
  const current = notes.getStore();
  if (!current) return;
  current.user = user;
  if (impersonating !== undefined) current.impersonating = impersonating;
}

/** The caller fields of a log line. */
function callerFields(context: RequestNotes): Record<string, string> {
  return {
    ...(context.user !== undefined ? { user: context.user } : {}),
    ...(context.impersonating !== undefined ? { impersonating: context.impersonating } : {}),
  };
}

/** The peer of a node request. */
export function requestPeer(req: NodeServerRequest): RequestPeer {
  const socket = req.socket as { remoteAddress?: string; remotePort?: number } | undefined;
  const host = socket?.remoteAddress;
  const peer: RequestPeer = { http: req.httpVersion };
  if (host !== undefined) {
    peer.address = `${host.includes(":") ? `[${host}]` : host}:${socket?.remotePort ?? 0}`;
  }
  return peer;
}

/**
 * The Connect context values of a node request, carrying its peer to the
 * interceptor: pass as `connectNodeAdapter({ contextValues })`.
 */
export function requestLogContextValues(req: NodeServerRequest): ContextValues {
  return createContextValues().set(peerKey, requestPeer(req));
}

/** The RPC protocol of a request, from its content type. */
function protocolOf(header: Headers): string {
  const type = header.get("content-type") ?? "";
  if (type.startsWith("application/grpc-web")) return "grpc-web";
  if (type.startsWith("application/grpc")) return "grpc";
  return "connect";
}

/** Options of {@link createRequestLog}. */
export interface RequestLogOptions {
  /** Receives the lines. Default: none (nothing is logged). */
  logger?: Logger | undefined;
  /** Default {@link DEFAULT_REQUEST_LOG_LEVEL}. */
  level?: RequestLogLevel | undefined;
  /** Milliseconds; injectable for tests. Default: `performance.now()`. */
  now?: () => number;
}

/** The request log of one server. */
export interface RequestLog {
  /** Logs every RPC it wraps (notes the procedure and code of a REST request's RPC). */
  readonly interceptor: Interceptor;
  /**
   * Run `handle` (the REST gateway) for `req`, and log one line when the
   * response ends: method and path (without the query), the RPC, status,
   * code, duration, caller and peer.
   */
  rest(req: NodeServerRequest, res: NodeServerResponse, handle: () => Promise<void>): Promise<void>;
}

/** Pass each message of `stream` on, running its producer within `context`, and report how it ended. */
async function* tracked<T>(
  stream: AsyncIterable<T>,
  context: RequestNotes,
  end: (err: unknown) => void,
): AsyncGenerator<T> {
  const it = stream[Symbol.asyncIterator]();
  let error: unknown;
  try {
    for (;;) {
      const step = await notes.run(context, () => it.next());
      if (step.done) return;
      yield step.value;
    }
  } catch (err) {
    error = err ?? new Error("stream failed");
    throw err;
  } finally {
    end(error);
  }
}

/** Create the request log of one server. */
export function createRequestLog(options: RequestLogOptions = {}): RequestLog {
  const logger = options.logger ?? noopLogger;
  const wanted = options.logger ? (options.level ?? DEFAULT_REQUEST_LOG_LEVEL) : "off";
  // A pino logger whose level drops the lines: skip the work of making them.
  const enabled = (logger as { isLevelEnabled?: (level: string) => boolean }).isLevelEnabled;
  const level = wanted !== "off" && enabled?.call(logger, wanted) === false ? "off" : wanted;
  const now = options.now ?? (() => performance.now());
  const write = (fields: Record<string, unknown>): void => {
    if (level !== "off") logger[level](fields, "request");
  };
  const elapsed = (start: number): number => Math.round((now() - start) * 1000) / 1000;
  const codeOf = (err: unknown): string =>
    codeLabel(err === undefined ? undefined : ConnectError.from(err).code);

  const interceptor: Interceptor = (next) => async (req) => {
    if (level === "off") return next(req);
    const procedure = `/${req.service.typeName}/${req.method.name}`;
    const outer = notes.getStore();
    const rest = outer?.rest;
    const context: RequestNotes = rest ? outer : {};
    const start = now();
    let done = false;
    const end = (err: unknown): void => {
      if (done) return;
      done = true;
      if (rest) {
        rest.procedure = procedure;
        rest.code = codeOf(err);
        return;
      }
      const peer = req.contextValues.get(peerKey);
      write({
        procedure,
        protocol: protocolOf(req.header),
        code: codeOf(err),
        duration_ms: elapsed(start),
        ...callerFields(context),
        ...(peer?.address !== undefined ? { peer: peer.address } : {}),
        ...(peer ? { http: peer.http } : {}),
      });
    };
    try {
      const res = await notes.run(context, () => next(req));
      if (!res.stream) {
        end(undefined);
        return res;
      }
      return { ...res, message: tracked(res.message, context, end) } as StreamResponse;
    } catch (err) {
      end(err);
      throw err;
    }
  };

  async function rest(
    req: NodeServerRequest,
    res: NodeServerResponse,
    handle: () => Promise<void>,
  ): Promise<void> {
    if (level === "off") return handle();
    const context: RequestNotes = { rest: {} };
    const start = now();
    const peer = requestPeer(req);
    let done = false;
    const end = (): void => {
      if (done) return;
      done = true;
      const { procedure, code } = context.rest ?? {};
      write({
        method: req.method ?? "GET",
        path: (req.url ?? "/").split("?")[0],
        protocol: "rest",
        ...(procedure !== undefined ? { procedure } : {}),
        status: res.statusCode,
        ...(code !== undefined ? { code } : {}),
        duration_ms: elapsed(start),
        ...callerFields(context),
        ...(peer.address !== undefined ? { peer: peer.address } : {}),
        http: peer.http,
      });
    };
    res.once("finish", end);
    res.once("close", end);
    await notes.run(context, handle);
  }

  return { interceptor, rest };
}
