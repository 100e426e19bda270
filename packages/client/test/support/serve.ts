/**
 * Serve Connect routes on real sockets for tests: HTTP/2 cleartext (for the
 * gRPC and Connect transports of connect-node) or HTTP/1.1 (for the
 * fetch-based transports of connect-web), on 127.0.0.1 and a free port.
 *
 * @module
 */
import * as http from "node:http";
import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import type { ConnectRouter } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";

/** A server listening on 127.0.0.1. */
export interface TestServer {
  /** `http://127.0.0.1:<port>` */
  baseUrl: string;
  /** Close the open connections, then the server. */
  close(): Promise<void>;
}

/** Serve `routes` over HTTP/2 cleartext; `close()` ends the open sessions first. */
export async function serveHttp2(routes: (router: ConnectRouter) => void): Promise<TestServer> {
  const server = http2.createServer(connectNodeAdapter({ routes }));
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on("session", (session) => {
    sessions.add(session);
    session.once("close", () => sessions.delete(session));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    async close() {
      for (const session of sessions) session.destroy();
      await new Promise<void>((resolve, reject) =>
        server.close((err) => (err ? reject(err) : resolve())),
      );
    },
  };
}

/** Serve `routes` over HTTP/1.1 (what browsers' fetch speaks without TLS). */
export async function serveHttp1(routes: (router: ConnectRouter) => void): Promise<TestServer> {
  const server = http.createServer(connectNodeAdapter({ routes }));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) =>
        server.close((err) => (err ? reject(err) : resolve())),
      );
    },
  };
}
