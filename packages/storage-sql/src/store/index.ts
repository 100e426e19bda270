/**
 * The store core of the SQL adapters: the `ResultsStore` methods, tables,
 * fixed statements, list pages, summary statements, migration runner
 * skeleton and error translation skeleton, each driven by a small dialect
 * object per database.
 *
 * @module
 */
export {
  SqlResultsStore,
  SQL_STORE_CAPABILITIES,
  type SqlStep,
  type SqlStoreDialect,
  type SqlUpdateOutcome,
} from "./sql-store.js";
export {
  MISSING_TIME_SORT_VALUE,
  RECORD_COLUMNS,
  RECORD_SORT_COLUMNS,
  RESULT_COLUMNS,
  RESULT_SORT_COLUMNS,
  RESULT_WRITE_COLUMNS,
  createResultMapper,
  cursorValues,
  invalidPageToken,
  recordName,
  resultName,
  resultWriteValues,
  stringMapOf,
  toStoredRecord,
  type SqlRecordRow,
  type SqlResultRow,
} from "./rows.js";
export {
  RECORD_SELECT,
  RESULT_SELECT,
  DELETE_RESULTS_CHUNK,
  buildStoreStatements,
  type SqlPlaceholder,
  type SqlStatement,
  type SqlStoreStatements,
  type SqlValueType,
} from "./statements.js";
export { listSql, toPage, type ListSql, type SqlPageDialect } from "./pages.js";
export {
  sqlSummaryStatements,
  type SqlSummaryDialect,
  type SqlSummaryStatements,
} from "./summary-statements.js";
export {
  createSqlErrorTranslator,
  driverErrorCode,
  translateSqlError,
  type SqlErrorClass,
  type SqlErrorClassifier,
  type SqlErrorContext,
  type SqlErrorTranslator,
} from "./errors.js";
export {
  createSqlMigrationSource,
  openSqlStore,
  pendingMigrationCount,
  runStatements,
  type SqlMigratingStore,
  type SqlMigration,
  type SqlMigrationRun,
  type SqlMigrationSource,
  type SqlMigrator,
  type SqlRawRunner,
} from "./migrations.js";
export {
  RECORD_INDEXES,
  RECORD_LABELS_INDEX,
  RESULT_INDEXES,
  TYPED_RECORD_INDEXES,
  createIndexStatements,
  resultSummaryColumns,
  type SqlIndex,
  type SqlSummaryColumnTypes,
} from "./schema.js";
export { knexLog, type KnexLogOptions, type SqlStoreLogger } from "./knex-log.js";
