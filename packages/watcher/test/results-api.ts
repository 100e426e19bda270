/**
 * The real Results API in-process for tests: the server's routes over a
 * SQLite in-memory store, reached through a router transport (no socket).
 */
import { createRouterTransport, type Transport } from "@connectrpc/connect";
import { createResultsRoutes } from "@tekton-results/server";
import { createSqliteStore, type SqliteStore } from "@tekton-results/storage-sqlite";
import { createResultsClient, type ResultsClient } from "@tekton-results/client";

/** An in-process Results API. */
export interface TestResultsApi {
  transport: Transport;
  client: ResultsClient;
  store: SqliteStore;
  /** Every RPC served, by method name (`GetResult`, `CreateRecord`...). */
  calls: string[];
  close(): Promise<void>;
}

/** Start an in-process Results API. */
export async function createTestResultsApi(): Promise<TestResultsApi> {
  const store = await createSqliteStore({ filename: ":memory:" });
  const calls: string[] = [];
  const transport = createRouterTransport(createResultsRoutes({ store }), {
    router: {
      interceptors: [
        (next) => async (req) => {
          calls.push(req.method.name);
          return next(req);
        },
      ],
    },
  });
  return {
    transport,
    client: createResultsClient(transport),
    store,
    calls,
    close: () => store.close(),
  };
}

/** The write RPCs among `calls`. */
export function writesOf(calls: readonly string[]): string[] {
  return calls.filter((c) => /^(Create|Update|Delete)/.test(c));
}
