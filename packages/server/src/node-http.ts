/**
 * The request, response and handler types of node's `http` and `http2`
 * (compatibility API) servers, as one: the server, the REST gateway and CORS
 * handle both HTTP versions with the same code.
 *
 * @module
 */
import type * as nodeHttp from "node:http";
import type * as nodeHttp2 from "node:http2";

/** A request of the node `http` or `http2` (compatibility API) server. */
export type NodeServerRequest = nodeHttp.IncomingMessage | nodeHttp2.Http2ServerRequest;

/**
 * A response of the node `http` or `http2` (compatibility API) server, with
 * `write` and `writeHead` made compatible (as connect-node types it).
 */
export type NodeServerResponse = (
  Omit<nodeHttp.ServerResponse, "write"> | Omit<nodeHttp2.Http2ServerResponse, "write">
) & {
  write(chunk: string | Uint8Array, callback?: (err: Error | null | undefined) => void): boolean;
  write(
    chunk: string | Uint8Array,
    encoding: BufferEncoding,
    callback?: (err: Error | null | undefined) => void,
  ): boolean;
  writeHead(status: number, headers?: nodeHttp.OutgoingHttpHeaders): unknown;
};

/** A request handler for both HTTP versions. */
export type NodeHandlerFn = (request: NodeServerRequest, response: NodeServerResponse) => void;
