/**
 * The real API server, in-process on 127.0.0.1 and a free port, over a given
 * store, with gRPC clients: one HTTP/2 connection per simulated client.
 *
 * @module
 */
import { createClient, type Client } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { Results } from "@tekton-results/proto";
import { createResultsRoutes, createResultsServer } from "@tekton-results/server";
import type { ResultsStore } from "@tekton-results/storage";

/** A typed client of the Results service. */
export type ResultsClient = Client<typeof Results>;

/** A running server with its clients. */
export interface ApiHarness {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** One client per simulated caller, each on its own HTTP/2 connection. */
  readonly clients: readonly ResultsClient[];
  /** Stop the server (the store stays open). */
  close(): Promise<void>;
}

/**
 * Whether clients ask for compressed responses. connect-node clients accept
 * gzip and brotli by default, and connect-node servers then compress every
 * response of 1 KiB or more; Go gRPC clients (`tkn-results`) ask for none.
 * Default `false`; `--compression` sets it.
 */
let acceptCompression = false;

/** Make the clients created from now on ask for compressed responses (or not). */
export function setAcceptCompression(accept: boolean): void {
  acceptCompression = accept;
}

/** `count` gRPC clients of the server at `url`, each with its own connection. */
export function createClients(url: string, count: number): ResultsClient[] {
  return Array.from({ length: count }, () =>
    createClient(
      Results,
      createGrpcTransport({
        baseUrl: url,
        ...(acceptCompression ? {} : { acceptCompression: [] }),
      }),
    ),
  );
}

/** Start the full server (routes, interceptors, REST, health) over `store`. */
export async function startApiServer(store: ResultsStore, clients: number): Promise<ApiHarness> {
  const server = createResultsServer({ routes: createResultsRoutes({ store }), store });
  const address = await server.listen(0, "127.0.0.1");
  return {
    url: address.url,
    clients: createClients(address.url, clients),
    close: () => server.close({ deadlineMs: 1000 }),
  };
}
