/**
 * The typed client of the `tekton.results.v1alpha2.Results` service, with
 * helpers that walk every page of a list.
 *
 * @module
 */
import type { MessageInitShape } from "@bufbuild/protobuf";
import { createClient, type Client, type Transport } from "@connectrpc/connect";
import {
  Results,
  type ListRecordsRequestSchema,
  type ListResultsRequestSchema,
  type Record,
  type Result,
} from "@tekton-results/proto";
import { paginate, type ListAllOptions } from "./pagination.js";

/** A ListResults request as the helpers take it (any subset of the message's fields). */
export type ListResultsInit = MessageInitShape<typeof ListResultsRequestSchema>;

/** A ListRecords request as the helpers take it (any subset of the message's fields). */
export type ListRecordsInit = MessageInitShape<typeof ListRecordsRequestSchema>;

/**
 * The client of the Results service: every RPC of the service
 * (`createResult`, `getResult`, `updateResult`, `deleteResult`, `listResults`,
 * `createRecord`, `getRecord`, `updateRecord`, `deleteRecord`, `listRecords`,
 * `getRecordListSummary`) plus the page-walking helpers.
 */
export type ResultsClient = Client<typeof Results> & {
  /**
   * Every Result matching `request` (its `parent`, `filter`, `orderBy`), across
   * all pages: `for await (const result of client.listAllResults({ parent: "ns" }))`.
   * Starts at `request.pageToken` when given. The page size is
   * `options.pageSize`, else `request.pageSize`, else the server's default.
   */
  listAllResults(
    request: ListResultsInit,
    options?: ListAllOptions,
  ): AsyncGenerator<Result, void, undefined>;
  /**
   * Every Record matching `request` across all pages:
   * `for await (const record of client.listAllRecords({ parent: "ns/results/-", filter }))`.
   * Same paging rules as {@link ResultsClient.listAllResults}.
   */
  listAllRecords(
    request: ListRecordsInit,
    options?: ListAllOptions,
  ): AsyncGenerator<Record, void, undefined>;
};

/**
 * Create a client of the Results service over any Connect transport:
 * `createGrpcTransport` / `createConnectTransport` from `@connectrpc/connect-node`
 * in Node, `createConnectTransport` / `createGrpcWebTransport` from
 * `@connectrpc/connect-web` in browsers.
 */
export function createResultsClient(transport: Transport): ResultsClient {
  const client = createClient(Results, transport);
  return {
    ...client,
    listAllResults(request, options) {
      return paginate<Result>(
        async (pageToken, pageSize, callOptions) => {
          const res = await client.listResults({ ...request, pageToken, pageSize }, callOptions);
          return { items: res.results, nextPageToken: res.nextPageToken };
        },
        request.pageToken ?? "",
        request.pageSize ?? 0,
        options,
      );
    },
    listAllRecords(request, options) {
      return paginate<Record>(
        async (pageToken, pageSize, callOptions) => {
          const res = await client.listRecords({ ...request, pageToken, pageSize }, callOptions);
          return { items: res.records, nextPageToken: res.nextPageToken };
        },
        request.pageToken ?? "",
        request.pageSize ?? 0,
        options,
      );
    },
  };
}
