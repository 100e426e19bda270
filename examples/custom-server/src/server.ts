/** A Results server composed from the packages: SQLite, bearer tokens, gRPC/Connect on h2c. @module */
import * as http2 from "node:http2";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { createResultsRoutes } from "@tekton-results/server";
import { createSqliteStore } from "@tekton-results/storage-sqlite";
import { createTokenAuthorizer, type TokenGrants } from "./token-authorizer.js";

/** Where to listen, the SQLite file, and who may do what. */
export interface ServerOptions {
  port: number;
  host?: string;
  filename: string;
  tokens: TokenGrants;
}

/** Start the server; resolves once it listens. `close()` ends connections, the server and the store. */
export async function startServer(options: ServerOptions) {
  const { port, host = "127.0.0.1", filename, tokens } = options;
  const store = await createSqliteStore({ filename });
  const routes = createResultsRoutes({ store, authorizer: createTokenAuthorizer(tokens) });
  const server = http2.createServer(connectNodeAdapter({ routes }));
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on("session", (session) => {
    sessions.add(session);
    session.once("close", () => sessions.delete(session));
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  return {
    url: `http://${host}:${(server.address() as { port: number }).port}`,
    async close() {
      for (const session of sessions) session.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
    },
  };
}
