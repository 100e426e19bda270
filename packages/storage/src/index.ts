/**
 * The storage port of Tekton Results: the {@link ResultsStore} interface every
 * backend implements, its model types, {@link StorageError}, the list query
 * and the CEL filter compiler that produces the backend-neutral filter AST.
 *
 * @module
 */
export type {
  DeleteResultsOutcome,
  ResultRef,
  ResultsStore,
  StoreCapabilities,
  UpdateOptions,
} from "./store.js";
export type {
  StoredResult,
  StoredRecord,
  StoredSummary,
  SummaryStatus,
  ResultUpdate,
  RecordUpdate,
} from "./model.js";
export { StorageError, isStorageError, type StorageErrorCode } from "./errors.js";
export { isExclusiveRunner, runExclusive, type ExclusiveRunner } from "./exclusive.js";
export type {
  ListQuery,
  ResultListQuery,
  RecordListQuery,
  ResultOrderField,
  RecordOrderField,
  OrderTerm,
  Direction,
  Cursor,
  Page,
} from "./query.js";
export {
  SUMMARY_FIELDS,
  SUMMARY_COUNT_FIELDS,
  SUMMARY_DURATION_FIELDS,
  SUMMARY_PERCENTILES,
  SUMMARY_PERIODS,
  SUMMARY_PATHS,
  SUCCEEDED_REASONS,
  formatSummaryDuration,
  type SummaryField,
  type SummaryPeriod,
  type SummaryTimeField,
  type SummaryGroupBy,
  type SummaryOrder,
  type RecordSummaryQuery,
  type RecordSummaryRow,
} from "./summary.js";
export { compileFilter, type CompileFilterOptions } from "./filter/cel.js";
export { FilterError } from "./filter/errors.js";
export { MAX_FILTER_DEPTH, MAX_FILTER_LENGTH, MAX_FILTER_NESTING } from "./filter/cel-limits.js";
export {
  RE2_CACHE_LIMIT,
  compileRe2,
  re2CaseFolds,
  re2PatternError,
  re2Search,
} from "./filter/regex.js";
export type * from "./filter/ast.js";

// ---- For library authors (backend adapters) ----
export {
  compareSortKeys,
  resultCursor,
  recordCursor,
  resultOrderValue,
  recordOrderValue,
} from "./query.js";
export {
  reasonCategory,
  parseSummaryTime,
  summaryTimeBucket,
  percentileCont,
  percentileIndexes,
  percentileFromNeighbours,
  compareGroupValues,
  sortSummaryRows,
  summaryFieldsToCompute,
  pickSummaryValues,
} from "./summary.js";
export {
  RECORD_TEXT_FIELDS,
  RECORD_TIME_FIELDS,
  RECORD_LABELS_PATH,
  matchTypedRecordPredicate,
  matchTypedRecordTime,
  prefixUpperBound,
  type RecordTextField,
  type RecordTimeField,
  type TypedRecordPredicate,
} from "./filter/typed-fields.js";
