/**
 * The REST/JSON gateway: HTTP requests on the paths of the `google.api.http`
 * annotations are transcoded into RPCs and answered with proto JSON.
 *
 * The route table is read from the service descriptors (nothing is written by
 * hand), and every call goes through an in-process Connect transport over the
 * same routes as gRPC and Connect, so validation, authorization and error
 * mapping are the same code path for every protocol.
 *
 * @module
 */
import type { DescService, Message, Registry } from "@bufbuild/protobuf";
import {
  Code,
  ConnectError,
  createConnectRouter,
  createRouterTransport,
  type ConnectRouter,
  type ConnectRouterOptions,
  type Transport,
} from "@connectrpc/connect";
import { Logs, Results, createApiRegistry } from "@tekton-results/proto";
import { Logs as LogsV1alpha3 } from "@tekton-results/proto/v1alpha3";
import type { Logger } from "@tekton-results/runtime";
import type { NodeServerRequest, NodeServerResponse } from "./node-http.js";
import {
  errorBody,
  forwardedHeaders,
  GatewayError,
  httpStatusFromCode,
  sendError,
  write,
  type Writable,
} from "./rest-http.js";
import { buildRestRoutes, matchPathTemplate, type RestRoute } from "./rest-routes.js";
import { buildRequest, isHttpBody, sendMessage, type TranscodeOptions } from "./rest-transcode.js";

export type { NodeHandlerFn, NodeServerRequest, NodeServerResponse } from "./node-http.js";
export { errorBody, httpStatusFromCode } from "./rest-http.js";
export {
  buildRestRoutes,
  matchPathTemplate,
  parsePathTemplate,
  type PathTemplate,
  type RestRoute,
} from "./rest-routes.js";

/** The default limit of a REST request body: 16 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;

/** The services the gateway transcodes by default. */
export const DEFAULT_REST_SERVICES: readonly DescService[] = [Results, Logs, LogsV1alpha3];

/** Options of {@link createRestGateway}. */
export interface RestGatewayOptions {
  /** The RPC routes, the same function that is mounted for gRPC and Connect. */
  routes: (router: ConnectRouter) => void;
  /** Router options (interceptors, limits) for the in-process transport. */
  routerOptions?: ConnectRouterOptions;
  /** Services whose annotations make the route table. Default {@link DEFAULT_REST_SERVICES}. */
  services?: readonly DescService[];
  /** Largest accepted request body; larger ones get 413. Default {@link DEFAULT_MAX_BODY_BYTES}. */
  maxBodyBytes?: number;
  /** For JSON of `Any` values. Default: every type of the API. */
  registry?: Registry;
  /** Emit fields with default values in responses. Default false. */
  emitDefaults?: boolean;
  logger?: Logger;
}

/** The REST gateway. */
export interface RestGateway {
  /** The route table, most specific first. */
  readonly routes: readonly RestRoute[];
  /**
   * Answer one HTTP request: transcode it when a route matches, else 404
   * (unknown path) or 405 (known path, other method), both with a JSON error.
   * Never rejects.
   */
  handle(req: NodeServerRequest, res: NodeServerResponse): Promise<void>;
}

/** Create the REST gateway over `options.routes`. */
export function createRestGateway(options: RestGatewayOptions): RestGateway {
  const routes = buildRestRoutes(options.services ?? DEFAULT_REST_SERVICES);
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const registry = options.registry ?? createApiRegistry();
  const emitDefaults = options.emitDefaults ?? false;
  const logger = options.logger;
  const transport: Transport = createRouterTransport(options.routes, {
    router: options.routerOptions,
    transport: { jsonOptions: { registry }, readMaxBytes: maxBodyBytes },
  });
  const probe = createConnectRouter(options.routerOptions);
  options.routes(probe);
  const served = new Set(probe.handlers.map((h) => `${h.service.typeName}/${h.method.name}`));

  const transcoding: TranscodeOptions = { maxBodyBytes, registry, emitDefaults };

  /** Call the RPC of `route` and write its answer (each message of a stream as a JSON line). */
  async function invoke(
    route: RestRoute,
    request: Message,
    req: NodeServerRequest,
    res: Writable,
  ): Promise<void> {
    const abort = new AbortController();
    res.on("close", () => {
      if (!res.writableEnded) abort.abort();
    });
    const header = forwardedHeaders(req);
    const method = route.method;
    const bodyField = route.responseBody;
    if (method.methodKind === "unary") {
      const response = await transport.unary(method, abort.signal, undefined, header, request);
      await sendMessage(res, method.output, response.message, bodyField, transcoding);
      return;
    }
    const stream = await transport.stream(method, abort.signal, undefined, header, single(request));
    let first = true;
    try {
      for await (const message of stream.message) {
        await sendMessage(res, method.output, message, bodyField, transcoding, {
          first,
          unary: false,
        });
        first = false;
      }
    } catch (err) {
      if (first) throw err;
      const error = ConnectError.from(err);
      if (!isHttpBody(method.output) && bodyField === "") {
        await write(res, JSON.stringify({ error: errorBody(error.code, error.rawMessage) }) + "\n");
        res.end();
      } else {
        res.destroy();
      }
      return;
    }
    if (first) {
      res.writeHead(200, {
        "content-type": isHttpBody(method.output) ? "text/plain" : "application/json",
      });
    }
    res.end();
  }

  async function handle(req: NodeServerRequest, nodeRes: NodeServerResponse): Promise<void> {
    const res = nodeRes as unknown as Writable;
    try {
      const url = new URL(req.url ?? "/", "http://localhost");
      let segments: string[];
      try {
        segments = url.pathname.slice(1).split("/").map(decodeURIComponent);
      } catch {
        throw new GatewayError(400, Code.InvalidArgument, "malformed percent-encoding in path");
      }
      const httpMethod = (req.method ?? "GET").toUpperCase();
      const allowed = new Set<string>();
      for (const route of routes) {
        const bound = matchPathTemplate(route.template, segments);
        if (!bound) continue;
        if (route.httpMethod !== httpMethod) {
          allowed.add(route.httpMethod);
          continue;
        }
        const method = route.method;
        if (!served.has(`${method.parent.typeName}/${method.name}`)) {
          req.resume();
          throw new GatewayError(
            501,
            Code.Unimplemented,
            `${method.parent.typeName}.${method.name} is not implemented`,
          );
        }
        const request = await buildRequest(route, bound, url, req, transcoding);
        await invoke(route, request, req, res);
        return;
      }
      req.resume();
      if (allowed.size > 0) {
        sendError(res, 405, Code.Unimplemented, "method not allowed", {
          allow: [...allowed].sort().join(", "),
        });
      } else {
        sendError(res, 404, Code.NotFound, "not found");
      }
    } catch (err) {
      if (err instanceof GatewayError) {
        sendError(res, err.status, err.code, err.message);
        return;
      }
      if (err instanceof ConnectError) {
        // Errors from the routes are already mapped (and logged) by their interceptors.
        sendError(res, httpStatusFromCode(err.code), err.code, err.rawMessage);
        return;
      }
      logger?.error({ err: describe(err), path: req.url }, "REST gateway failure");
      sendError(res, 500, Code.Internal, "internal error");
    }
  }

  return { routes, handle };
}

async function* single<T>(value: T): AsyncIterable<T> {
  yield value;
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
