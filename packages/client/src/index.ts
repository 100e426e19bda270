/**
 * The typed client SDK of the Tekton Results API, for Node and browsers.
 *
 * ```ts
 * import { createResultsClient, jsonRecordData, RECORD_TYPES } from "@tekton-results/client";
 * import { createGrpcTransport } from "@connectrpc/connect-node";
 *
 * const client = createResultsClient(createGrpcTransport({ baseUrl: "http://localhost:8080" }));
 * for await (const record of client.listAllRecords({ parent: "ns/results/-", filter: "data_type == PIPELINE_RUN" })) {
 *   console.log(record.name);
 * }
 * ```
 *
 * @module
 */

// ---- Clients ----
export {
  createResultsClient,
  type ResultsClient,
  type ListResultsInit,
  type ListRecordsInit,
} from "./results-client.js";
export { createLogsClient, type LogsClient, type LogChunk } from "./logs-client.js";
export type { ListAllOptions } from "./pagination.js";
export {
  createRestTransport,
  createRestFetchClient,
  restError,
  type RestTransportOptions,
} from "./rest-transport.js";

// ---- Record data ----
export { recordData, jsonRecordData } from "./record-data.js";

// ---- A PipelineRun's log ----
export {
  RUN_DATA_TYPES,
  pipelineRunTaskRuns,
  orderTaskRunsForLog,
  pipelineTaskOf,
  taskRunsOfPipelineRunFilter,
  type RunForLog,
} from "./pipeline-run-logs.js";

// ---- Errors ----
export {
  errorCode,
  hasCode,
  isNotFound,
  isAlreadyExists,
  isFailedPrecondition,
  isInvalidArgument,
  isUnauthenticated,
  isPermissionDenied,
  isUnavailable,
  isCanceled,
} from "./errors.js";
export { Code, ConnectError, type CallOptions, type Transport } from "@connectrpc/connect";

// ---- Names ----
export {
  parseResultName,
  parseRecordName,
  parseLogName,
  parseResultsParent,
  parseResultParent,
  formatResultName,
  formatRecordName,
  formatLogName,
  logNameOfRecord,
  recordNameOfLog,
  isValidSegment,
  InvalidNameError,
  NAME_SEGMENT_PATTERN,
  WILDCARD,
  type ResultName,
  type RecordName,
  type LogName,
} from "@tekton-results/proto";

// ---- Messages ----
export { create, type MessageInitShape } from "@bufbuild/protobuf";
export { timestampDate, timestampFromDate, type Timestamp } from "@bufbuild/protobuf/wkt";
export {
  RECORD_TYPES,
  ResultSchema,
  RecordSchema,
  AnySchema,
  RecordSummarySchema,
  RecordSummary_Status,
  RecordSummary_StatusSchema,
  LogSchema,
  LogSummarySchema,
  RecordListSummarySchema,
  type Result,
  type Record,
  type Any,
  type RecordSummary,
  type Log,
  type LogSummary,
  type RecordListSummary,
  type CreateResultRequest,
  type UpdateResultRequest,
  type GetResultRequest,
  type DeleteResultRequest,
  type ListResultsRequest,
  type ListResultsResponse,
  type CreateRecordRequest,
  type UpdateRecordRequest,
  type GetRecordRequest,
  type DeleteRecordRequest,
  type ListRecordsRequest,
  type ListRecordsResponse,
  type RecordListSummaryRequest,
} from "@tekton-results/proto";

// ---- For library authors ----
// The service descriptors (for `createClient`, `createRouterTransport`, other
// adapters) and the generic page walker behind the `listAll*` helpers.
export { Results, Logs } from "@tekton-results/proto";
export { paginate, type Page, type PageFetcher } from "./pagination.js";
