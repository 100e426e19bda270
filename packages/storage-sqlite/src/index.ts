/**
 * SQLite storage for Tekton Results: the embedded default backend of the
 * server, implementing the `ResultsStore` port of `@tekton-results/storage`
 * with knex over better-sqlite3.
 *
 * @module
 */
export { createSqliteStore, type SqliteStore, type SqliteStoreOptions } from "./sqlite-store.js";

// ---- For library authors (tooling, other adapters, tests) ----
export { compileSqliteFilter, type CompileSqliteFilterOptions } from "./sqlite-filter.js";
export type { RenderedSql } from "@tekton-results/storage-sql";
export {
  registerSqliteFunctions,
  type SqliteFunctionHost,
  type StatementLimit,
} from "./sqlite-functions.js";
export {
  sqliteMigrations,
  sqliteMigrationSource,
  MISSING_TIME_SORT_VALUE,
  type SqliteMigration,
} from "./sqlite-migrations.js";
export {
  translateSqliteError,
  classifySqliteError,
  sqliteErrorCode,
  type SqliteErrorContext,
} from "./sqlite-errors.js";
export { sqliteSummaryStatements, sqliteSummaryDialect } from "./sqlite-summary.js";
