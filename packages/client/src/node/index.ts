/**
 * The Node-only part of the client SDK (`@tekton-results/client/node`):
 * trusting a private CA with connect-node's transports, explaining
 * certificate errors, and sending again the calls a server refused without
 * processing them (a GOAWAY's `REFUSED_STREAM`). The main entry `@tekton-results/client` stays
 * browser-safe and never imports this.
 *
 * ```ts
 * import { createGrpcTransport } from "@connectrpc/connect-node";
 * import { createResultsClient } from "@tekton-results/client";
 * import { trustCa } from "@tekton-results/client/node";
 *
 * const client = createResultsClient(
 *   createGrpcTransport({ baseUrl: "https://results.example:8080", ...trustCa({ caFile: "ca.crt" }) }),
 * );
 * ```
 *
 * @module
 */
export {
  trustCa,
  readCaFile,
  explainTlsError,
  CaFileError,
  type TrustCaOptions,
  type NodeTlsOptions,
  type TlsHintNames,
} from "./tls.js";
export { retryRefusedStreams, isRefusedStream } from "./refused-stream.js";
