/**
 * Client mistakes the Connect framework reports as server faults, answered
 * as what they are. `@connectrpc/connect` parses a request message before
 * any implementation or interceptor runs, and reports a message that is not
 * valid protobuf ("parse binary: premature EOF") or a compressed frame
 * without an encoding as `Internal` — HTTP 500 on Connect, grpc-status 13 on
 * gRPC and gRPC-Web. Both are the client's doing: they become
 * `InvalidArgument` (HTTP 400), with the same message.
 *
 * {@link withClientErrorCodes} wraps the routes: after they registered
 * their handlers, each handler's answer is rewritten when it is such an
 * error (a Connect unary error body, a gRPC trailer, a gRPC-Web trailer
 * frame). Errors raised while an implementation reads a request stream
 * reach `toConnectError`, which maps them with {@link isClientDecodingError}.
 *
 * @module
 */
import { Code, type ConnectRouter } from "@connectrpc/connect";
import type { UniversalHandler, UniversalServerResponse } from "@connectrpc/connect/protocol";

const CLIENT_DECODING =
  /^(parse binary: |received compressed envelope, but do not know how to decompress)/;

/** True when an `Internal` error with this message is a request the client garbled. */
export function isClientDecodingError(code: Code, message: string): boolean {
  return code === Code.Internal && CLIENT_DECODING.test(message);
}

function decodeGrpcMessage(value: string | null): string {
  if (value === null) return "";
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Rewrite a gRPC status held in headers (a trailer, or a trailers-only header). */
function fixGrpcStatus(headers: Headers | undefined): void {
  if (!headers || headers.get("grpc-status") !== String(Code.Internal)) return;
  if (isClientDecodingError(Code.Internal, decodeGrpcMessage(headers.get("grpc-message")))) {
    headers.set("grpc-status", String(Code.InvalidArgument));
  }
}

/** A gRPC-Web trailer frame (flag 0x80) with the status rewritten, or the chunk unchanged. */
function fixGrpcWebTrailer(chunk: Uint8Array): Uint8Array {
  if (chunk.length < 5 || (chunk[0]! & 0x80) === 0 || (chunk[0]! & 0x01) !== 0) return chunk;
  const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  if (view.getUint32(1) !== chunk.length - 5) return chunk;
  const text = new TextDecoder().decode(chunk.subarray(5));
  const headers = new Headers();
  for (const line of text.split("\r\n")) {
    const i = line.indexOf(":");
    if (i > 0) headers.append(line.slice(0, i).trim(), line.slice(i + 1).trim());
  }
  fixGrpcStatus(headers);
  if (headers.get("grpc-status") !== String(Code.InvalidArgument)) return chunk;
  const replaced = text.replace(/grpc-status:\s*13/i, `grpc-status: ${Code.InvalidArgument}`);
  const data = new TextEncoder().encode(replaced);
  const out = new Uint8Array(5 + data.length);
  out[0] = chunk[0]!;
  new DataView(out.buffer).setUint32(1, data.length);
  out.set(data, 5);
  return out;
}

async function* rewriteBody(
  body: AsyncIterable<Uint8Array>,
  res: UniversalServerResponse,
  grpcWeb: boolean,
): AsyncIterable<Uint8Array> {
  for await (const chunk of body) yield grpcWeb ? fixGrpcWebTrailer(chunk) : chunk;
  // gRPC trailers are final once the body has been produced, and sent after it.
  fixGrpcStatus(res.trailer);
}

/** A Connect unary error answer (HTTP 500, JSON body) rewritten to InvalidArgument, or unchanged. */
async function fixConnectUnary(res: UniversalServerResponse): Promise<UniversalServerResponse> {
  if (res.status !== 500 || !res.body || res.header?.get("content-encoding")) return res;
  const chunks: Uint8Array[] = [];
  for await (const chunk of res.body) chunks.push(chunk);
  const bytes = Buffer.concat(chunks);
  const again = {
    ...res,
    body: (async function* () {
      yield bytes;
    })(),
  };
  let parsed: { code?: unknown; message?: unknown };
  try {
    parsed = JSON.parse(bytes.toString("utf8")) as typeof parsed;
  } catch {
    return again;
  }
  if (parsed.code !== "internal" || typeof parsed.message !== "string") return again;
  if (!isClientDecodingError(Code.Internal, parsed.message)) return again;
  const body = Buffer.from(JSON.stringify({ ...parsed, code: "invalid_argument" }));
  const header = new Headers(res.header);
  header.set("content-length", String(body.length));
  return {
    ...res,
    status: 400,
    header,
    body: (async function* () {
      yield body;
    })(),
  };
}

function wrap(handler: UniversalHandler): UniversalHandler {
  const fn = async (req: Parameters<UniversalHandler>[0]): Promise<UniversalServerResponse> => {
    const res = await handler(req);
    const type = res.header?.get("content-type") ?? "";
    if (type.startsWith("application/grpc")) {
      const grpcWeb = type.startsWith("application/grpc-web");
      fixGrpcStatus(res.header);
      return res.body ? { ...res, body: rewriteBody(res.body, res, grpcWeb) } : res;
    }
    return fixConnectUnary(res);
  };
  return Object.assign(fn, {
    protocolNames: handler.protocolNames,
    service: handler.service,
    method: handler.method,
    requestPath: handler.requestPath,
    allowedMethods: handler.allowedMethods,
    supportedContentType: handler.supportedContentType,
  });
}

/**
 * Routes that register what `routes` registers, each handler answering
 * `InvalidArgument` instead of `Internal` for a request message it cannot
 * decode.
 */
export function withClientErrorCodes(
  routes: (router: ConnectRouter) => void,
): (router: ConnectRouter) => void {
  return (router) => {
    const first = router.handlers.length;
    routes(router);
    const handlers = router.handlers;
    for (let i = first; i < handlers.length; i++) handlers[i] = wrap(handlers[i]!);
  };
}
