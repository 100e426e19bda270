/**
 * A REST-only reverse proxy, as a route or an ingress that passes only the API's REST paths:
 * it forwards `<prefix>/apis/...` to the server (without the prefix) and answers anything else
 * (gRPC and Connect paths among them) with its own 404 page. Over TLS when given a certificate.
 */
import {
  createServer as createHttpServer,
  request,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";

/** A running proxy: its URL, and the `Authorization` headers of the requests it forwarded. */
export interface RestProxy {
  url: string;
  /** The path and `Authorization` header of each forwarded request. */
  forwarded: { path: string; authorization: string | undefined }[];
  /** The paths it refused. */
  refused: string[];
  close(): Promise<void>;
}

/** Options of {@link startRestProxy}. */
export interface RestProxyOptions {
  /** The server behind it (`http://127.0.0.1:port`). */
  target: string;
  /** A path prefix the proxy serves the API under (stripped before forwarding). */
  prefix?: string;
  /** Serve HTTPS with this certificate and key (PEM). */
  tls?: { cert: string; key: string };
}

/** Start the proxy on 127.0.0.1. */
export async function startRestProxy(options: RestProxyOptions): Promise<RestProxy> {
  const prefix = options.prefix ?? "";
  const target = new URL(options.target);
  const forwarded: RestProxy["forwarded"] = [];
  const refused: string[] = [];
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const url = req.url ?? "/";
    if (!url.startsWith(`${prefix}/apis/`)) {
      refused.push(url);
      req.resume();
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("404 page not found\n");
      return;
    }
    const path = url.slice(prefix.length);
    forwarded.push({ path, authorization: req.headers.authorization });
    const out = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path,
        headers: { ...req.headers, host: target.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on("error", () => res.destroy());
    req.pipe(out);
  };
  const server = options.tls
    ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, handler)
    : createHttpServer(handler);
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${options.tls ? "https" : "http"}://127.0.0.1:${port}`,
    forwarded,
    refused,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

/** A server that accepts connections and requests and never answers (for timeouts). */
export async function startSilentServer(): Promise<{ url: string; close(): Promise<void> }> {
  const server = createHttpServer(() => {
    // Never answers: the client's timeout is what ends the call.
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
