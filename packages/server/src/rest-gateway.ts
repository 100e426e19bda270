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
import {
  fromJson,
  getOption,
  ScalarType,
  toJson,
  type DescField,
  type DescMessage,
  type DescMethod,
  type DescMethodStreaming,
  type DescMethodUnary,
  type DescService,
  type JsonObject,
  type JsonValue,
  type Message,
  type Registry,
} from "@bufbuild/protobuf";
import {
  Code,
  ConnectError,
  createConnectRouter,
  createRouterTransport,
  type ConnectRouter,
  type ConnectRouterOptions,
  type Transport,
} from "@connectrpc/connect";
import type * as nodeHttp from "node:http";
import type * as nodeHttp2 from "node:http2";
import { Logs, Results, createApiRegistry } from "@tekton-results/proto";
import { http, type HttpRule } from "@tekton-results/proto/google-api";
import { Logs as LogsV1alpha3 } from "@tekton-results/proto/v1alpha3";
import type { Logger } from "@tekton-results/runtime";

/** A request of the node `http` or `http2` (compatibility API) server. */
export type NodeServerRequest = nodeHttp.IncomingMessage | nodeHttp2.Http2ServerRequest;

/**
 * A response of the node `http` or `http2` (compatibility API) server, with
 * `write` and `writeHead` made compatible (as connect-node types it).
 */
export type NodeServerResponse = (
  Omit<nodeHttp.ServerResponse, "write"> | Omit<nodeHttp2.Http2ServerResponse, "write">
) & {
  write(chunk: string | Uint8Array, callback?: (err: Error | null | undefined) => void): boolean;
  write(
    chunk: string | Uint8Array,
    encoding: BufferEncoding,
    callback?: (err: Error | null | undefined) => void,
  ): boolean;
  writeHead(status: number, headers?: nodeHttp.OutgoingHttpHeaders): unknown;
};

/** A request handler for both HTTP versions. */
export type NodeHandlerFn = (request: NodeServerRequest, response: NodeServerResponse) => void;

/** The default limit of a REST request body: 16 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;

/** The services the gateway transcodes by default. */
export const DEFAULT_REST_SERVICES: readonly DescService[] = [Results, Logs, LogsV1alpha3];

/** One segment of a path template. */
type Segment = { kind: "literal"; value: string } | { kind: "*" } | { kind: "**" };

/** A variable of a path template: the field it binds and the segments it spans. */
interface Variable {
  /** Field names (proto names) from the request message to the bound field. */
  fieldPath: string[];
  start: number;
  /** Exclusive. */
  end: number;
}

/** A parsed `google.api.http` path template. */
export interface PathTemplate {
  readonly segments: readonly Segment[];
  readonly variables: readonly Variable[];
  readonly verb: string | undefined;
}

/** One route of the gateway: an HTTP method and path bound to an RPC. */
export interface RestRoute {
  /** Upper-case HTTP method. */
  readonly httpMethod: string;
  /** The template as written in the annotation. */
  readonly path: string;
  readonly template: PathTemplate;
  /** `""` (no body), `"*"` (the whole request) or a field path. */
  readonly body: string;
  /** The field of the response that is the HTTP body, or `""` for the whole response. */
  readonly responseBody: string;
  readonly method: DescMethodUnary | DescMethodStreaming;
}

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

/** The HTTP status that stands for a Connect code (as grpc-gateway maps them). */
export function httpStatusFromCode(code: Code): number {
  switch (code) {
    case Code.Canceled:
      return 499;
    case Code.Unknown:
      return 500;
    case Code.InvalidArgument:
      return 400;
    case Code.DeadlineExceeded:
      return 504;
    case Code.NotFound:
      return 404;
    case Code.AlreadyExists:
      return 409;
    case Code.PermissionDenied:
      return 403;
    case Code.ResourceExhausted:
      return 429;
    case Code.FailedPrecondition:
      return 400;
    case Code.Aborted:
      return 409;
    case Code.OutOfRange:
      return 400;
    case Code.Unimplemented:
      return 501;
    case Code.Internal:
      return 500;
    case Code.Unavailable:
      return 503;
    case Code.DataLoss:
      return 500;
    case Code.Unauthenticated:
      return 401;
  }
}

/**
 * Parse a `google.api.http` path template (`/v1/{name=shelves/*}/books:verb`).
 * Throws on a malformed template.
 */
export function parsePathTemplate(template: string): PathTemplate {
  if (!template.startsWith("/")) throw new Error(`path template must start with "/": ${template}`);
  let rest = template.slice(1);
  let verb: string | undefined;
  const lastSlash = rest.lastIndexOf("/");
  const colon = rest.lastIndexOf(":");
  if (colon > lastSlash && colon > rest.lastIndexOf("}")) {
    verb = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const segments: Segment[] = [];
  const variables: Variable[] = [];
  const parseSegment = (raw: string): Segment => {
    if (raw === "*") return { kind: "*" };
    if (raw === "**") return { kind: "**" };
    if (raw === "" || /[{}=*]/.test(raw))
      throw new Error(`invalid segment ${JSON.stringify(raw)} in ${template}`);
    return { kind: "literal", value: raw };
  };
  let i = 0;
  while (i <= rest.length) {
    if (rest[i] === "{") {
      const close = rest.indexOf("}", i);
      if (close < 0) throw new Error(`unclosed variable in ${template}`);
      const inner = rest.slice(i + 1, close);
      const eq = inner.indexOf("=");
      const field = eq < 0 ? inner : inner.slice(0, eq);
      const pattern = eq < 0 ? "*" : inner.slice(eq + 1);
      const start = segments.length;
      for (const raw of pattern.split("/")) segments.push(parseSegment(raw));
      variables.push({ fieldPath: field.split("."), start, end: segments.length });
      i = close + 1;
      if (i < rest.length && rest[i] !== "/")
        throw new Error(`unexpected text after variable in ${template}`);
      i++;
    } else {
      let next = rest.indexOf("/", i);
      if (next < 0) next = rest.length;
      segments.push(parseSegment(rest.slice(i, next)));
      i = next + 1;
    }
  }
  const deep = segments.findIndex((s) => s.kind === "**");
  if (deep >= 0 && deep !== segments.length - 1)
    throw new Error(`"**" must be the last segment in ${template}`);
  return { segments, variables, verb };
}

/**
 * Match URL path segments (already percent-decoded) against a template.
 * Returns the bound variables (field path joined by "." -> value), or
 * undefined when the path does not match.
 */
export function matchPathTemplate(
  template: PathTemplate,
  pathSegments: readonly string[],
): Map<string, string> | undefined {
  let parts = pathSegments;
  if (template.verb !== undefined) {
    const last = parts[parts.length - 1];
    const suffix = `:${template.verb}`;
    if (last === undefined || !last.endsWith(suffix)) return undefined;
    parts = [...parts.slice(0, -1), last.slice(0, -suffix.length)];
  }
  const segs = template.segments;
  const deep = segs.length > 0 && segs[segs.length - 1]!.kind === "**";
  if (deep ? parts.length < segs.length - 1 : parts.length !== segs.length) return undefined;
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i]!;
    if (s.kind === "**") break;
    const p = parts[i]!;
    if (s.kind === "literal" ? p !== s.value : p === "") return undefined;
  }
  const bound = new Map<string, string>();
  for (const v of template.variables) {
    const end = segs[v.end - 1]?.kind === "**" ? parts.length : v.end;
    bound.set(v.fieldPath.join("."), parts.slice(v.start, end).join("/"));
  }
  return bound;
}

/** Orders templates: at the first differing segment, literal before `*` before `**`. */
function compareSpecificity(a: PathTemplate, b: PathTemplate): number {
  const rank = (s: Segment | undefined): number =>
    s === undefined ? 3 : s.kind === "literal" ? 0 : s.kind === "*" ? 1 : 2;
  const n = Math.max(a.segments.length, b.segments.length);
  for (let i = 0; i < n; i++) {
    const d = rank(a.segments[i]) - rank(b.segments[i]);
    if (d !== 0) return d;
  }
  return 0;
}

/** The route table of `services`, from their `google.api.http` annotations, most specific first. */
export function buildRestRoutes(services: readonly DescService[]): RestRoute[] {
  const routes: RestRoute[] = [];
  const add = (method: DescMethod, rule: HttpRule): void => {
    let httpMethod: string;
    let path: string;
    switch (rule.pattern.case) {
      case "get":
      case "put":
      case "post":
      case "delete":
      case "patch":
        httpMethod = rule.pattern.case.toUpperCase();
        path = rule.pattern.value;
        break;
      case "custom":
        httpMethod = rule.pattern.value.kind.toUpperCase();
        path = rule.pattern.value.path;
        break;
      default:
        return;
    }
    if (method.methodKind !== "unary" && method.methodKind !== "server_streaming") return;
    routes.push({
      httpMethod,
      path,
      template: parsePathTemplate(path),
      body: rule.body,
      responseBody: rule.responseBody,
      method,
    });
    for (const extra of rule.additionalBindings) add(method, extra);
  };
  for (const service of services) {
    for (const method of service.methods) {
      const rule = getOption(method, http);
      if (rule.pattern.case !== undefined) add(method, rule);
    }
  }
  return routes.sort((a, b) => compareSpecificity(a.template, b.template));
}

/** A request the gateway refuses before calling the RPC. */
class GatewayError extends Error {
  constructor(
    readonly status: number,
    readonly code: Code,
    message: string,
  ) {
    super(message);
  }
}

/** Find the field of `message` named `name` (proto name or lowerCamel JSON name). */
function findField(message: DescMessage, name: string): DescField | undefined {
  return message.fields.find((f) => f.name === name || f.jsonName === name);
}

/** Resolve a dotted field path; returns the proto names and the leaf field. */
function resolveFieldPath(
  message: DescMessage,
  path: readonly string[],
): { names: string[]; leaf: DescField } | undefined {
  const names: string[] = [];
  let current: DescMessage | undefined = message;
  let leaf: DescField | undefined;
  for (const part of path) {
    if (!current) return undefined;
    leaf = findField(current, part);
    if (!leaf) return undefined;
    names.push(leaf.name);
    current = leaf.fieldKind === "message" ? leaf.message : undefined;
  }
  return leaf ? { names, leaf } : undefined;
}

/** Set `value` at `path` in a JSON object, creating intermediate objects. */
function setJsonPath(target: JsonObject, path: readonly string[], value: JsonValue): void {
  let obj = target;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i]!;
    const next = obj[key];
    if (next === null || typeof next !== "object" || Array.isArray(next)) {
      const created: JsonObject = {};
      obj[key] = created;
      obj = created;
    } else {
      obj = next;
    }
  }
  obj[path[path.length - 1]!] = value;
}

/** The JSON value of one query parameter for `field`. */
function queryValue(field: DescField, raw: string): JsonValue {
  const scalar =
    field.fieldKind === "scalar"
      ? field.scalar
      : field.fieldKind === "list" && field.listKind === "scalar"
        ? field.scalar
        : undefined;
  if (scalar === ScalarType.BOOL) {
    {
      if (raw === "true" || raw === "1") return true;
      if (raw === "false" || raw === "0") return false;
      throw new GatewayError(
        400,
        Code.InvalidArgument,
        `invalid value for ${field.name}: ${JSON.stringify(raw)}`,
      );
    }
  }
  return raw;
}

/** Read a request body, at most `limit` bytes. */
async function readBody(req: NodeServerRequest, limit: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    throw new GatewayError(413, Code.ResourceExhausted, `request body larger than ${limit} bytes`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer | string>) {
    const buf = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    size += buf.length;
    if (size > limit) {
      req.resume();
      throw new GatewayError(
        413,
        Code.ResourceExhausted,
        `request body larger than ${limit} bytes`,
      );
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks, size);
}

/** Minimal writable response surface shared by the HTTP/1.1 and HTTP/2 compat APIs. */
interface Writable {
  readonly headersSent: boolean;
  readonly writableEnded: boolean;
  writeHead(status: number, headers?: Record<string, string | number | string[]>): unknown;
  write(chunk: string | Uint8Array): boolean;
  end(chunk?: string | Uint8Array): unknown;
  once(event: "drain" | "close", listener: () => void): unknown;
  off(event: "drain" | "close", listener: () => void): unknown;
  on(event: "close", listener: () => void): unknown;
  destroy(err?: Error): unknown;
}

function sendJson(
  res: Writable,
  status: number,
  body: JsonValue,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

/** The JSON error body: `{"code": <grpc int>, "message": "...", "details": []}`. */
export function errorBody(code: Code, message: string): JsonObject {
  return { code, message, details: [] };
}

function sendError(
  res: Writable,
  status: number,
  code: Code,
  message: string,
  headers?: Record<string, string>,
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, status, errorBody(code, message), headers);
}

/** Headers forwarded from the HTTP request to the RPC. */
function forwardedHeaders(req: NodeServerRequest): Headers {
  const out = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    const lower = name.toLowerCase();
    if (lower !== "authorization" && !lower.startsWith("impersonate-")) continue;
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) out.append(lower, v);
  }
  return out;
}

async function write(res: Writable, chunk: Uint8Array | string): Promise<void> {
  if (!res.write(chunk)) {
    // Wait for drain (or close), removing both listeners whichever fires, so
    // that a long stream (a log) does not pile up listeners.
    await new Promise<void>((resolve) => {
      const done = (): void => {
        res.off("drain", done);
        res.off("close", done);
        resolve();
      };
      res.once("drain", done);
      res.once("close", done);
    });
  }
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

  const toResponseJson = (schema: DescMessage, message: Message): JsonValue =>
    toJson(schema, message, {
      useProtoFieldName: true,
      registry,
      alwaysEmitImplicit: emitDefaults,
    });

  /** Build the request message of `route` from the path, the query and the body. */
  async function buildRequest(
    route: RestRoute,
    bound: Map<string, string>,
    url: URL,
    req: NodeServerRequest,
  ): Promise<Message> {
    const input = route.method.input;
    let json: JsonObject = {};
    const taken: string[][] = [];
    if (route.body !== "") {
      const raw = await readBody(req, maxBodyBytes);
      let parsed: JsonValue = {};
      const text = raw.toString("utf8").trim();
      if (text !== "") {
        try {
          parsed = JSON.parse(text) as JsonValue;
        } catch {
          throw new GatewayError(400, Code.InvalidArgument, "malformed JSON in request body");
        }
      }
      if (route.body === "*") {
        if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
          throw new GatewayError(400, Code.InvalidArgument, "request body must be a JSON object");
        }
        json = parsed;
      } else {
        const target = resolveFieldPath(input, route.body.split("."));
        if (!target) throw new GatewayError(500, Code.Internal, "internal error");
        setJsonPath(json, target.names, parsed);
        taken.push(target.names);
      }
    }
    if (route.body !== "*") {
      for (const [key, value] of groupQuery(url.searchParams)) {
        const target = resolveFieldPath(input, key.split("."));
        if (!target) continue;
        const names = target.names;
        if (taken.some((t) => t.every((n, i) => names[i] === n)) || bound.has(names.join(".")))
          continue;
        const field = target.leaf;
        const values = value.map((v) => queryValue(field, v));
        setJsonPath(json, names, field.fieldKind === "list" ? values : values[values.length - 1]!);
      }
    }
    for (const [path, value] of bound) {
      const target = resolveFieldPath(input, path.split("."));
      if (!target) throw new GatewayError(500, Code.Internal, "internal error");
      setJsonPath(json, target.names, value);
    }
    try {
      return fromJson(input, json, { ignoreUnknownFields: true, registry });
    } catch (err) {
      const message = err instanceof Error ? err.message : "invalid request";
      throw new GatewayError(400, Code.InvalidArgument, message);
    }
  }

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
      await sendMessage(res, method.output, response.message, bodyField, true);
      return;
    }
    const stream = await transport.stream(method, abort.signal, undefined, header, single(request));
    let first = true;
    try {
      for await (const message of stream.message) {
        await sendMessage(res, method.output, message, bodyField, first, false);
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

  async function sendMessage(
    res: Writable,
    schema: DescMessage,
    message: Message,
    bodyField: string,
    first: boolean,
    unary = true,
  ): Promise<void> {
    let outSchema = schema;
    let out: Message | JsonValue = message;
    if (bodyField !== "") {
      const field = findField(schema, bodyField);
      const value = field
        ? (message as unknown as Record<string, unknown>)[field.localName]
        : undefined;
      if (field?.fieldKind === "message" && value !== undefined) {
        outSchema = field.message;
        out = value as Message;
      } else {
        out = value === undefined ? null : (value as JsonValue);
      }
    }
    if (isHttpBody(outSchema) && out !== null && typeof out === "object" && "$typeName" in out) {
      const body = out as unknown as { contentType: string; data: Uint8Array };
      if (first)
        res.writeHead(200, { "content-type": body.contentType || "application/octet-stream" });
      if (unary) res.end(body.data);
      else await write(res, body.data);
      return;
    }
    const json =
      out !== null && typeof out === "object" && "$typeName" in out
        ? toResponseJson(outSchema, out as Message)
        : (out as JsonValue);
    if (unary) {
      sendJson(res, 200, json);
      return;
    }
    if (first) res.writeHead(200, { "content-type": "application/json" });
    await write(res, JSON.stringify({ result: json }) + "\n");
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
        const request = await buildRequest(route, bound, url, req);
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

function isHttpBody(schema: DescMessage): boolean {
  return schema.typeName === "google.api.HttpBody";
}

async function* single<T>(value: T): AsyncIterable<T> {
  yield value;
}

function groupQuery(params: URLSearchParams): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [k, v] of params) {
    const list = out.get(k);
    if (list) list.push(v);
    else out.set(k, [v]);
  }
  return out;
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
