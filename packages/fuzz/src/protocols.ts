/**
 * Sending a generated request over one protocol and describing the answer as
 * an {@link Outcome}: typed calls through Connect's Node transports (gRPC and
 * Connect binary over HTTP/2, gRPC-Web and Connect JSON over HTTP/1.1), raw
 * bodies in each protocol's framing, and REST over HTTP/1.1.
 *
 * @module
 */
import * as http2 from "node:http2";
import { create, type DescService } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import {
  createConnectTransport,
  createGrpcTransport,
  createGrpcWebTransport,
  Http2SessionManager,
} from "@connectrpc/connect-node";
import { Logs, LogSchema, Results } from "@tekton-results/proto";
import { Logs as LogsV3 } from "@tekton-results/proto/v1alpha3";
import { SERVICES, type Protocol, type RawRequest, type UploadRequest } from "./gen/requests.js";

/** What a request got back. */
export interface Outcome {
  /** The gRPC status code (0 for OK), from the answer or mapped from the HTTP status. */
  code: Code | 0;
  /** The HTTP status when the protocol has a meaningful one (REST, Connect unary, raw). */
  httpStatus?: number;
  /** Every text of an error answer: message, details, headers (scanned for leaks). */
  errorText: string;
  /** A `next_page_token` the answer carried. */
  nextPageToken?: string;
  /** The request never got an answer (connection refused or reset): a crash. */
  noAnswer?: string;
}

const DESCRIPTORS: Record<keyof typeof SERVICES, DescService> = {
  results: Results,
  logs: Logs,
  logs3: LogsV3,
};

const TIMEOUT_MS = 30_000;

/** The connections to one server, one per protocol. */
export interface Connections {
  transport(protocol: Exclude<Protocol, "rest">): Transport;
  /** An HTTP/2 session for raw calls. */
  session(): http2.ClientHttp2Session;
  close(): void;
}

/** Open (lazily) the connections to the server at `url`. */
export function connect(url: string): Connections {
  // Raised from Node's 10 MiB: the client's own limit, reached by the 5 MiB bodies it sends.
  const nodeOptions = { maxSessionMemory: 256 };
  const manager = new Http2SessionManager(url, undefined, nodeOptions);
  let raw: http2.ClientHttp2Session | undefined;
  const transports = {
    grpc: createGrpcTransport({ baseUrl: url, sessionManager: manager }),
    "connect-binary": createConnectTransport({
      baseUrl: url,
      httpVersion: "2",
      sessionManager: manager,
      useBinaryFormat: true,
    }),
    "grpc-web": createGrpcWebTransport({ baseUrl: url, httpVersion: "1.1" }),
    "connect-json": createConnectTransport({ baseUrl: url, httpVersion: "1.1" }),
  };
  return {
    transport: (p) => transports[p],
    session() {
      if (!raw || raw.closed || raw.destroyed) {
        raw = http2.connect(url, nodeOptions);
        raw.on("error", () => undefined);
      }
      return raw;
    },
    close() {
      manager.abort();
      raw?.close();
    },
  };
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

/** The outcome of a thrown error: a ConnectError's code and texts, or no answer. */
export function errorOutcome(err: unknown): Outcome {
  const ce = ConnectError.from(err);
  const headers: string[] = [];
  ce.metadata.forEach((v, k) => void headers.push(`${k}: ${v}`));
  const text = [ce.rawMessage, JSON.stringify(ce.details), ...headers].join("\n");
  const cause = (ce.cause as { code?: string } | undefined)?.code;
  const network = /ECONNREFUSED|ECONNRESET|EPIPE|ERR_HTTP2_(SESSION|GOAWAY|STREAM_CANCEL)/.test(
    `${cause ?? ""} ${ce.rawMessage}`,
  );
  return {
    code: ce.code,
    errorText: text,
    ...(network && ce.code === Code.Unavailable ? { noAnswer: ce.rawMessage } : {}),
  };
}

/** Call `method` of `service` with `fields` through `transport`. */
export async function callRpc(
  transport: Transport,
  service: keyof typeof SERVICES,
  method: string,
  fields: Record<string, unknown>,
): Promise<Outcome> {
  const desc = DESCRIPTORS[service];
  const client = createClient(desc, transport) as unknown as Record<
    string,
    (req: unknown, opts: unknown) => unknown
  >;
  const fn = client[lowerFirst(method)];
  if (!fn) throw new Error(`no method ${service}.${method}`);
  const signal = AbortSignal.timeout(TIMEOUT_MS);
  try {
    const answer = fn(fields, { signal });
    if (typeof (answer as AsyncIterable<unknown>)[Symbol.asyncIterator] === "function") {
      for await (const chunk of answer as AsyncIterable<unknown>) void chunk;
      return { code: 0, errorText: "" };
    }
    const message = (await answer) as { nextPageToken?: string };
    return {
      code: 0,
      errorText: "",
      ...(message.nextPageToken ? { nextPageToken: message.nextPageToken } : {}),
    };
  } catch (err) {
    return errorOutcome(err);
  }
}

/** An UpdateLog stream; cut (aborted) after `cutAfter` messages when set. */
export async function callUpload(transport: Transport, req: UploadRequest): Promise<Outcome> {
  const client = createClient(Logs, transport);
  const abort = new AbortController();
  const count = Math.max(req.names.length, req.chunks.length, 1);
  async function* messages() {
    for (let i = 0; i < count; i++) {
      if (req.cutAfter !== undefined && i === req.cutAfter) {
        abort.abort();
        await new Promise((r) => setTimeout(r, 5));
        return;
      }
      yield create(LogSchema, {
        name: req.names[i] ?? "",
        data: req.chunks[i] ?? new Uint8Array(0),
      });
    }
  }
  try {
    await client.updateLog(messages(), {
      signal: AbortSignal.any([abort.signal, AbortSignal.timeout(TIMEOUT_MS)]),
    });
    return { code: 0, errorText: "" };
  } catch (err) {
    const outcome = errorOutcome(err);
    // The client's own abort: the server's side is checked by the next requests and the data set.
    return abort.signal.aborted ? { ...outcome, code: 0 } : outcome;
  }
}

/** The 5-byte gRPC frame of `body`, honest or lying. */
function frame(body: Uint8Array, how: RawRequest["frame"]): Uint8Array {
  if (how === "none") return body;
  const out = new Uint8Array(5 + body.length);
  const length =
    how === "short"
      ? Math.max(0, body.length - 1)
      : how === "long"
        ? body.length + 100
        : body.length;
  out[0] = how === "compressed" ? 1 : 0;
  new DataView(out.buffer).setUint32(1, length);
  out.set(body, 5);
  return out;
}

/** One HTTP/2 request; resolves with the headers, trailers and body. */
function h2Request(
  session: http2.ClientHttp2Session,
  headers: http2.OutgoingHttpHeaders,
  body: Uint8Array,
): Promise<{
  headers: http2.IncomingHttpHeaders;
  trailers: http2.IncomingHttpHeaders;
  body: Buffer;
}> {
  return new Promise((resolve, reject) => {
    const req = session.request(headers);
    const chunks: Buffer[] = [];
    let head: http2.IncomingHttpHeaders = {};
    let trailers: http2.IncomingHttpHeaders = {};
    const timer = setTimeout(() => req.close(http2.constants.NGHTTP2_CANCEL), TIMEOUT_MS);
    req.on("response", (h) => (head = h));
    req.on("trailers", (t) => (trailers = t));
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      clearTimeout(timer);
      resolve({ headers: head, trailers, body: Buffer.concat(chunks) });
    });
    req.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.end(body);
  });
}

const CONNECT_CODES: Record<string, Code> = Object.fromEntries(
  Object.entries(Code)
    .filter(([, v]) => typeof v === "number")
    .map(([k, v]) => [
      k.replace(/[A-Z]/g, (c, i: number) => (i ? "_" : "") + c.toLowerCase()),
      v as Code,
    ]),
);

function grpcStatus(h: http2.IncomingHttpHeaders | Record<string, string>): Code | 0 | undefined {
  const s = h["grpc-status"];
  return s === undefined ? undefined : (Number(s) as Code | 0);
}

/** The gRPC-Web trailers frame of a body (flag 0x80), as headers. */
function grpcWebTrailers(body: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let at = 0;
  while (at + 5 <= body.length) {
    const flag = body[at]!;
    const len = body.readUInt32BE(at + 1);
    const payload = body.subarray(at + 5, at + 5 + len);
    if (flag & 0x80) {
      for (const line of payload.toString("utf8").split("\r\n")) {
        const i = line.indexOf(":");
        if (i > 0) out[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
      }
    }
    at += 5 + len;
  }
  return out;
}

/** Post a raw body to an RPC's path in the framing of `protocol`. */
export async function callRaw(
  url: string,
  conns: Connections,
  protocol: Exclude<Protocol, "rest">,
  req: RawRequest,
): Promise<Outcome> {
  const path = `/${SERVICES[req.service]}/${req.method}`;
  try {
    if (protocol === "grpc" || protocol === "connect-binary") {
      const grpc = protocol === "grpc";
      const res = await h2Request(
        conns.session(),
        {
          ":method": "POST",
          ":path": path,
          "content-type": grpc ? "application/grpc" : "application/proto",
          ...(grpc ? { te: "trailers" } : {}),
        },
        grpc ? frame(req.body, req.frame) : req.body,
      );
      const status = Number(res.headers[":status"]);
      const text = `${res.body.toString("utf8")}\n${JSON.stringify(res.headers)}\n${JSON.stringify(res.trailers)}`;
      if (grpc) {
        const code =
          grpcStatus(res.trailers) ??
          grpcStatus(res.headers) ??
          (status === 200 ? Code.Unknown : codeOfHttpStatus(status));
        return { code, httpStatus: status, errorText: code === 0 ? "" : text };
      }
      return connectOutcome(status, res.body.toString("utf8"), text);
    }
    const web = protocol === "grpc-web";
    const res = await fetch(`${url}${path}`, {
      method: "POST",
      headers: { "content-type": web ? "application/grpc-web+proto" : "application/json" },
      body: web ? frame(req.body, req.frame) : req.body,
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const body = Buffer.from(await res.arrayBuffer());
    const headers = Object.fromEntries(res.headers.entries());
    const text = `${body.toString("utf8")}\n${JSON.stringify(headers)}`;
    if (web) {
      const code =
        grpcStatus(headers) ??
        grpcStatus(grpcWebTrailers(body)) ??
        (res.status === 200 ? Code.Unknown : codeOfHttpStatus(res.status));
      return { code, httpStatus: res.status, errorText: code === 0 ? "" : text };
    }
    return connectOutcome(res.status, body.toString("utf8"), text);
  } catch (err) {
    return { code: Code.Unavailable, errorText: String(err), noAnswer: String(err) };
  }
}

function connectOutcome(status: number, body: string, text: string): Outcome {
  if (status === 200) return { code: 0, httpStatus: status, errorText: "" };
  let code: Code | 0 = Code.Unknown;
  try {
    const parsed = JSON.parse(body) as { code?: string | number };
    // A Connect error names its code; the server's fallback answers REST's numeric one.
    code =
      typeof parsed.code === "number"
        ? (parsed.code as Code)
        : (CONNECT_CODES[parsed.code ?? ""] ?? Code.Unknown);
  } catch {
    code = codeOfHttpStatus(status);
  }
  return { code, httpStatus: status, errorText: text };
}

/** The gRPC code an HTTP error status stands for (REST, Connect without a body). */
export function codeOfHttpStatus(status: number): Code | 0 {
  if (status < 300) return 0;
  const map: Record<number, Code> = {
    400: Code.InvalidArgument,
    401: Code.Unauthenticated,
    403: Code.PermissionDenied,
    404: Code.NotFound,
    405: Code.Unimplemented,
    408: Code.DeadlineExceeded,
    409: Code.AlreadyExists,
    411: Code.InvalidArgument,
    412: Code.FailedPrecondition,
    413: Code.ResourceExhausted,
    415: Code.InvalidArgument,
    429: Code.ResourceExhausted,
    431: Code.ResourceExhausted,
    499: Code.Canceled,
    501: Code.Unimplemented,
    503: Code.Unavailable,
    504: Code.DeadlineExceeded,
  };
  return map[status] ?? (status >= 500 ? Code.Internal : Code.InvalidArgument);
}
