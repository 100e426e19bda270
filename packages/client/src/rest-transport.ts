/**
 * A Connect {@link Transport} that speaks the API's REST/JSON mapping (the `google.api.http`
 * annotations: `GET /apis/results.tekton.dev/v1alpha2/parents/{parent}/records?filter=...`)
 * instead of gRPC or Connect, so that a client works through a route or an ingress that passes
 * only those paths, as upstream's `tkn-results` does. The clients of this package
 * (`createResultsClient`, `createLogsClient`) run over it unchanged.
 *
 * Each method goes to the route the server's REST gateway serves it on (the same route table,
 * `@tekton-results/proto/rest`): its path variables from the request's fields, the body field
 * (`body: "*"` or a field) as JSON, the other set fields as query parameters. A unary answer is
 * proto JSON; a server stream of `google.api.HttpBody` (GetLog) is the body's bytes as they
 * come, one message per chunk; other server streams are `{"result": ...}` lines. An error answer
 * (`{"code", "message"}`, or any other body with an HTTP error status) becomes a
 * {@link ConnectError} with that code (else the code of the HTTP status), so callers see the
 * same errors as over gRPC. Methods without a route (the client-streaming `UpdateLog`) go to
 * `fallback` when one is given, else fail with `Unimplemented`.
 *
 * @module
 */
import {
  create,
  fromJson,
  toJson,
  type DescField,
  type DescMessage,
  type DescMethodStreaming,
  type DescMethodUnary,
  type JsonObject,
  type JsonValue,
  type Message,
  type MessageInitShape,
  type Registry,
} from "@bufbuild/protobuf";
import {
  Code,
  ConnectError,
  createContextValues,
  type ContextValues,
  type Interceptor,
  type StreamResponse,
  type Transport,
  type UnaryResponse,
} from "@connectrpc/connect";
import {
  runStreamingCall,
  runUnaryCall,
  universalClientResponseFromFetch,
  type UniversalClientFn,
} from "@connectrpc/connect/protocol";
import { createApiRegistry, Logs, Results } from "@tekton-results/proto";
import { buildRestRoutes, expandPathTemplate, type RestRoute } from "@tekton-results/proto/rest";

/** Options of {@link createRestTransport}. */
export interface RestTransportOptions {
  /**
   * The server and any path prefix in front of the API (upstream's `host` + `api-path`), e.g.
   * `https://results.example.com/proxy`; the routes' paths (`/apis/...`) are appended to it.
   */
  baseUrl: string;
  /**
   * The HTTP client: default `fetch` ({@link createRestFetchClient}). From Node, connect-node's `createNodeHttpClient({
   * httpVersion: "1.1", nodeOptions: { ca, rejectUnauthorized } })` brings TLS options.
   */
  httpClient?: UniversalClientFn;
  /** Interceptors, as for any Connect transport (e.g. one that sets `Authorization`). */
  interceptors?: Interceptor[];
  /** The timeout of a call that sets none. Default: none. */
  defaultTimeoutMs?: number;
  /** For JSON of `Any` values. Default: every type of the API. */
  registry?: Registry;
  /** Where methods without a REST route go (e.g. a gRPC transport); default: `Unimplemented`. */
  fallback?: Transport;
}

type AnyMethod = DescMethodUnary | DescMethodStreaming;

/** The value at a field path (proto names) of a message, as a path template needs it: text. */
function fieldText(
  schema: DescMessage,
  message: Message,
  path: readonly string[],
): string | undefined {
  let desc: DescMessage | undefined = schema;
  let value: unknown = message;
  for (const name of path) {
    const field: DescField | undefined = desc?.fields.find((f) => f.name === name);
    if (!field || value === null || typeof value !== "object") return undefined;
    value = (value as Record<string, unknown>)[field.localName];
    desc = field.fieldKind === "message" ? field.message : undefined;
  }
  return typeof value === "string" || typeof value === "number" || typeof value === "bigint"
    ? String(value)
    : undefined;
}

/** `a.b` query parameters of a JSON object (repeated for lists), skipping `skip` paths. */
function queryParams(json: JsonObject, skip: readonly string[], prefix = ""): [string, string][] {
  const out: [string, string][] = [];
  for (const [key, value] of Object.entries(json)) {
    const name = prefix + key;
    if (skip.includes(name)) continue;
    if (value === null) continue;
    if (Array.isArray(value)) {
      for (const v of value) if (v !== null && typeof v !== "object") out.push([name, String(v)]);
    } else if (typeof value === "object") {
      out.push(...queryParams(value, skip, `${name}.`));
    } else {
      out.push([name, String(value)]);
    }
  }
  return out;
}

/** The request a route makes of a message: its URL (after `baseUrl`) and JSON body. */
function encodeRequest(
  route: RestRoute,
  message: Message,
  registry: Registry,
): { path: string; body: string | undefined } | undefined {
  const path = expandPathTemplate(route.template, (fieldPath) =>
    fieldText(route.method.input, message, fieldPath),
  );
  if (path === undefined) return undefined;
  const json = toJson(route.method.input, message, { useProtoFieldName: true, registry });
  const obj: JsonObject =
    json !== null && typeof json === "object" && !Array.isArray(json) ? json : {};
  const bound = route.template.variables.map((v) => v.fieldPath.join("."));
  let body: string | undefined;
  if (route.body === "*") body = JSON.stringify(obj);
  else if (route.body !== "") body = JSON.stringify(obj[route.body] ?? {});
  const query =
    route.body === "*" ? [] : queryParams(obj, route.body === "" ? bound : [...bound, route.body]);
  const search = new URLSearchParams(query).toString();
  return { path: search === "" ? path : `${path}?${search}`, body };
}

async function readAll(body: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    size += chunk.length;
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** The code of an HTTP status without a JSON error body: grpc-gateway's mapping, read back. */
function codeOfStatus(status: number): Code {
  switch (status) {
    case 400:
      return Code.InvalidArgument;
    case 401:
      return Code.Unauthenticated;
    case 403:
      return Code.PermissionDenied;
    case 404:
      return Code.NotFound;
    case 409:
      return Code.Aborted;
    case 429:
      return Code.ResourceExhausted;
    case 499:
      return Code.Canceled;
    case 501:
      return Code.Unimplemented;
    case 502:
    case 503:
      return Code.Unavailable;
    case 504:
      return Code.DeadlineExceeded;
    default:
      return status >= 500 ? Code.Internal : Code.Unknown;
  }
}

/**
 * The {@link ConnectError} of an error answer: the gateway's `{"code", "message"}` body, else the
 * HTTP status's code with the body's first line (an ingress's own 404 page, say).
 */
export function restError(status: number, text: string): ConnectError {
  try {
    const body = JSON.parse(text) as { code?: unknown; message?: unknown; error?: unknown };
    const err = (typeof body.error === "object" && body.error !== null ? body.error : body) as {
      code?: unknown;
      message?: unknown;
    };
    if (typeof err.code === "number" && err.code > 0 && err.code <= 16) {
      return new ConnectError(
        typeof err.message === "string" ? err.message : `HTTP ${status}`,
        err.code as Code,
      );
    }
  } catch {
    // Not JSON: a proxy's or an ingress's own answer.
  }
  const line = text.trim().split("\n")[0]?.slice(0, 200) ?? "";
  return new ConnectError(
    line === "" ? `HTTP ${status}` : `HTTP ${status}: ${line}`,
    codeOfStatus(status),
  );
}

function isHttpBody(schema: DescMessage): boolean {
  return schema.typeName === "google.api.HttpBody";
}

/** Lines of a byte stream (the last one without its newline too). */
async function* lines(body: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let pending = "";
  for await (const chunk of body) {
    pending += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = pending.indexOf("\n")) >= 0) {
      yield pending.slice(0, nl);
      pending = pending.slice(nl + 1);
    }
  }
  pending += decoder.decode();
  if (pending.trim() !== "") yield pending;
}

/**
 * An HTTP client over `fetch` for REST's small JSON bodies: the body is sent whole (Connect's
 * streaming fetch client needs `duplex: "half"`, which not every `fetch` takes).
 */
export function createRestFetchClient(fetchFn: typeof fetch = globalThis.fetch): UniversalClientFn {
  return async (req) => {
    const body = req.body === undefined ? undefined : await readAll(req.body);
    const res = await fetchFn(req.url, {
      method: req.method,
      headers: req.header,
      ...(body !== undefined ? { body } : {}),
      ...(req.signal ? { signal: req.signal } : {}),
    });
    return universalClientResponseFromFetch(res);
  };
}

/**
 * A Connect transport over the REST/JSON routes of the Results and Logs services (v1alpha2).
 *
 * ```ts
 * const client = createResultsClient(createRestTransport({ baseUrl: "https://results.example" }));
 * ```
 */
export function createRestTransport(options: RestTransportOptions): Transport {
  const routes = buildRestRoutes([Results, Logs]);
  const byMethod = new Map<AnyMethod, RestRoute[]>();
  for (const route of routes) {
    const list = byMethod.get(route.method) ?? [];
    list.push(route);
    byMethod.set(route.method, list);
  }
  const httpClient = options.httpClient ?? createRestFetchClient();
  const registry = options.registry ?? createApiRegistry();
  const base = options.baseUrl.replace(/\/+$/, "");

  /** The first route of `method` whose path `message` fills, and the request it makes. */
  function requestOf(method: AnyMethod, message: Message) {
    for (const route of byMethod.get(method) ?? []) {
      const encoded = encodeRequest(route, message, registry);
      if (encoded) return { route, url: base + encoded.path, body: encoded.body };
    }
    throw new ConnectError(
      `${method.parent.typeName}.${method.name}: the request's names fit no REST path of the method`,
      Code.InvalidArgument,
    );
  }

  async function send(method: AnyMethod, message: Message, header: Headers, signal: AbortSignal) {
    const { route, url, body } = requestOf(method, message);
    header.set("accept", "application/json");
    if (body !== undefined) header.set("content-type", "application/json");
    const res = await httpClient({
      url,
      method: route.httpMethod,
      header,
      signal,
      ...(body !== undefined
        ? {
            body: (async function* () {
              yield new TextEncoder().encode(body);
            })(),
          }
        : {}),
    });
    if (res.status < 200 || res.status > 299) {
      throw restError(res.status, new TextDecoder().decode(await readAll(res.body)));
    }
    return res;
  }

  return {
    async unary<I extends DescMessage, O extends DescMessage>(
      method: DescMethodUnary<I, O>,
      signal: AbortSignal | undefined,
      timeoutMs: number | undefined,
      header: ConstructorParameters<typeof Headers>[0] | undefined,
      input: MessageInitShape<I>,
      contextValues?: ContextValues,
    ): Promise<UnaryResponse<I, O>> {
      if (!byMethod.has(method)) {
        if (options.fallback) {
          return options.fallback.unary(method, signal, timeoutMs, header, input, contextValues);
        }
        throw new ConnectError(`${method.name} has no REST route`, Code.Unimplemented);
      }
      const { route, url } = requestOf(method, create(method.input, input));
      return runUnaryCall<I, O>({
        interceptors: options.interceptors ?? [],
        signal,
        timeoutMs: timeoutMs ?? options.defaultTimeoutMs,
        req: {
          stream: false,
          service: method.parent,
          method,
          requestMethod: route.httpMethod,
          url,
          header: new Headers(header),
          contextValues: contextValues ?? createContextValues(),
          message: input,
        },
        next: async (req) => {
          const res = await send(method, req.message, req.header, req.signal);
          const text = new TextDecoder().decode(await readAll(res.body));
          let json: JsonValue;
          try {
            json = text.trim() === "" ? {} : (JSON.parse(text) as JsonValue);
          } catch {
            throw new ConnectError(
              `the answer of ${method.name} is not JSON: ${text.slice(0, 80)}`,
              Code.Internal,
            );
          }
          return {
            stream: false,
            service: method.parent,
            method,
            header: res.header,
            trailer: res.trailer,
            message: fromJson(method.output, json, { ignoreUnknownFields: true, registry }),
          };
        },
      });
    },

    async stream<I extends DescMessage, O extends DescMessage>(
      method: DescMethodStreaming<I, O>,
      signal: AbortSignal | undefined,
      timeoutMs: number | undefined,
      header: ConstructorParameters<typeof Headers>[0] | undefined,
      input: AsyncIterable<MessageInitShape<I>>,
      contextValues?: ContextValues,
    ): Promise<StreamResponse<I, O>> {
      if (!byMethod.has(method) || method.methodKind !== "server_streaming") {
        if (options.fallback) {
          return options.fallback.stream(method, signal, timeoutMs, header, input, contextValues);
        }
        throw new ConnectError(`${method.name} has no REST route`, Code.Unimplemented);
      }
      return runStreamingCall<I, O>({
        interceptors: options.interceptors ?? [],
        signal,
        timeoutMs: timeoutMs ?? options.defaultTimeoutMs,
        req: {
          stream: true,
          service: method.parent,
          method,
          requestMethod: "GET",
          url: `${base}/${method.parent.typeName}/${method.name}`,
          header: new Headers(header),
          contextValues: contextValues ?? createContextValues(),
          message: input,
        },
        next: async (req) => {
          let first: Message | undefined;
          for await (const m of req.message) {
            first = m;
            break;
          }
          const res = await send(method, first ?? create(method.input), req.header, req.signal);
          const output = method.output;
          async function* messages() {
            if (isHttpBody(output)) {
              const contentType = res.header.get("content-type") ?? "";
              for await (const data of res.body) {
                yield create(output, { contentType, data } as unknown as MessageInitShape<O>);
              }
              return;
            }
            for await (const line of lines(res.body)) {
              if (line.trim() === "") continue;
              const parsed = JSON.parse(line) as { result?: JsonValue; error?: unknown };
              if (parsed.error !== undefined) throw restError(500, line);
              yield fromJson(output, parsed.result ?? {}, { ignoreUnknownFields: true, registry });
            }
          }
          return {
            stream: true,
            service: method.parent,
            method,
            header: res.header,
            trailer: res.trailer,
            message: messages(),
          };
        },
      });
    },
  };
}
