/**
 * The HTTP side of the REST gateway: the status of each Connect code, the
 * JSON error body, and reading requests and writing responses on both HTTP
 * versions.
 *
 * @module
 */
import type { JsonObject, JsonValue } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import type { NodeServerRequest } from "./node-http.js";

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

/** A request the gateway refuses before calling the RPC. */
export class GatewayError extends Error {
  /** `status` is the HTTP status, `code` the code of the JSON error body. */
  constructor(
    readonly status: number,
    readonly code: Code,
    message: string,
  ) {
    super(message);
  }
}

/** Read a request body, at most `limit` bytes (413 beyond). */
export async function readBody(req: NodeServerRequest, limit: number): Promise<Buffer> {
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

/** The minimal writable response surface shared by the HTTP/1.1 and HTTP/2 compat APIs. */
export interface Writable {
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

/** Answer `status` with `body` as JSON (and `headers`). */
export function sendJson(
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

/**
 * Answer an error with the JSON error body, or cut the response when its
 * headers are already sent.
 */
export function sendError(
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
export function forwardedHeaders(req: NodeServerRequest): Headers {
  const out = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    const lower = name.toLowerCase();
    if (lower !== "authorization" && !lower.startsWith("impersonate-")) continue;
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) out.append(lower, v);
  }
  return out;
}

/** Write `chunk`, waiting for drain (or close) when the response buffers. */
export async function write(res: Writable, chunk: Uint8Array | string): Promise<void> {
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
