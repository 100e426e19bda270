/**
 * The real API server, in-process on 127.0.0.1 and a free port, over a given
 * store, with gRPC clients: one HTTP/2 connection per simulated client.
 *
 * @module
 */
import { createClient, type Client } from "@connectrpc/connect";
import type * as http2 from "node:http2";
import { createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
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

/**
 * The HTTP/2 receive windows of the benchmark's clients: 1 MiB per stream
 * (SETTINGS_INITIAL_WINDOW_SIZE) and 4 MiB for the connection. HTTP/2's
 * default of 64 KiB for both makes a 260 KB ListRecords page wait for several
 * WINDOW_UPDATE round trips; gRPC clients (grpc-go's BDP estimation) open
 * their windows the same way. See the client package's README.
 */
export const CLIENT_STREAM_WINDOW_BYTES = 1 << 20;
/** The connection-level receive window of the benchmark's clients. */
export const CLIENT_CONNECTION_WINDOW_BYTES = 4 << 20;

/**
 * A session manager whose HTTP/2 sessions announce a stream window of
 * `streamWindow` bytes and open their connection window to `connectionWindow`
 * bytes as soon as they are used (Node has no `http2.connect` option for the
 * connection window; `setLocalWindowSize` is the way).
 */
export class WideWindowSessionManager extends Http2SessionManager {
  private readonly widened = new WeakSet<http2.Http2Session>();

  constructor(
    url: string,
    streamWindow = CLIENT_STREAM_WINDOW_BYTES,
    private readonly connectionWindow = CLIENT_CONNECTION_WINDOW_BYTES,
  ) {
    super(url, {}, { settings: { initialWindowSize: streamWindow } });
  }

  override async request(
    method: string,
    path: string,
    headers: http2.OutgoingHttpHeaders,
    options: Omit<http2.ClientSessionRequestOptions, "signal">,
  ): Promise<http2.ClientHttp2Stream> {
    const stream = await super.request(method, path, headers, options);
    const session = stream.session;
    if (session !== undefined && !this.widened.has(session)) {
      this.widened.add(session);
      session.setLocalWindowSize(this.connectionWindow);
    }
    return stream;
  }
}

/**
 * Whether clients keep HTTP/2's default 64 KiB windows instead of
 * {@link WideWindowSessionManager}'s. Default `false`; `--default-windows` sets it.
 */
let defaultWindows = false;

/** Make the clients created from now on keep HTTP/2's default windows (or not). */
export function setDefaultWindows(keep: boolean): void {
  defaultWindows = keep;
}

/** `count` gRPC clients of the server at `url`, each with its own connection. */
export function createClients(url: string, count: number): ResultsClient[] {
  return Array.from({ length: count }, () =>
    createClient(
      Results,
      createGrpcTransport({
        baseUrl: url,
        ...(defaultWindows ? {} : { sessionManager: new WideWindowSessionManager(url) }),
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
