/**
 * The typed client of the `tekton.results.v1alpha2.Logs` service, with helpers
 * to read a whole log, upload one, and walk every page of log records.
 *
 * @module
 */
import { createClient, type CallOptions, type Client, type Transport } from "@connectrpc/connect";
import { Logs, type LogSummary, type Record } from "@tekton-results/proto";
import { paginate, type ListAllOptions } from "./pagination.js";
import type { ListRecordsInit } from "./results-client.js";

/** A chunk of log text: bytes, or a string (sent as UTF-8). */
export type LogChunk = Uint8Array | string;

/**
 * The client of the Logs service: its RPCs (`getLog` server streaming,
 * `listLogs`, `updateLog` client streaming, `deleteLog`) plus helpers.
 */
export type LogsClient = Client<typeof Logs> & {
  /**
   * The whole log `name` (`{parent}/results/{result}/logs/{record}`), its
   * streamed chunks concatenated. NotFound when nothing is stored.
   */
  readLog(name: string, options?: CallOptions): Promise<Uint8Array>;
  /** {@link LogsClient.readLog} decoded as UTF-8 text. */
  readLogText(name: string, options?: CallOptions): Promise<string>;
  /**
   * Store the log `name` from `chunks` (appended in order) with one UpdateLog
   * stream; resolves to the server's summary (`record`, `bytesReceived`).
   */
  uploadLog(
    name: string,
    chunks: Iterable<LogChunk> | AsyncIterable<LogChunk>,
    options?: CallOptions,
  ): Promise<LogSummary>;
  /**
   * Every log record matching `request` (ListLogs) across all pages; same
   * paging rules as `ResultsClient.listAllRecords`.
   */
  listAllLogs(
    request: ListRecordsInit,
    options?: ListAllOptions,
  ): AsyncGenerator<Record, void, undefined>;
};

/** Concatenate byte arrays into one. */
function concat(parts: readonly Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

/**
 * Create a client of the Logs service (v1alpha2) over any Connect transport.
 * Streaming RPCs need a transport that supports them: gRPC or Connect over
 * HTTP/2 in Node; in browsers, server streaming (`getLog`) works with
 * `createConnectTransport` and `createGrpcWebTransport`, client streaming
 * (`updateLog`) does not.
 */
export function createLogsClient(transport: Transport): LogsClient {
  const client = createClient(Logs, transport);
  const encoder = new TextEncoder();
  async function readLog(name: string, options?: CallOptions): Promise<Uint8Array> {
    const parts: Uint8Array[] = [];
    let total = 0;
    for await (const body of client.getLog({ name }, options)) {
      parts.push(body.data);
      total += body.data.byteLength;
    }
    return concat(parts, total);
  }
  return {
    ...client,
    readLog,
    async readLogText(name, options) {
      return new TextDecoder().decode(await readLog(name, options));
    },
    uploadLog(name, chunks, options) {
      async function* messages() {
        for await (const chunk of chunks) {
          yield { name, data: typeof chunk === "string" ? encoder.encode(chunk) : chunk };
        }
      }
      return client.updateLog(messages(), options);
    },
    listAllLogs(request, options) {
      return paginate<Record>(
        async (pageToken, pageSize, callOptions) => {
          const res = await client.listLogs({ ...request, pageToken, pageSize }, callOptions);
          return { items: res.records, nextPageToken: res.nextPageToken };
        },
        request.pageToken ?? "",
        request.pageSize ?? 0,
        options,
      );
    },
  };
}
