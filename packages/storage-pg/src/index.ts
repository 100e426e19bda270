/**
 * PostgreSQL storage for Tekton Results: the production backend of the
 * server, implementing the `ResultsStore` port of `@tekton-results/storage`
 * with knex over node-postgres.
 *
 * @module
 */
export {
  createPgStore,
  migratePg,
  type PgStore,
  type PgStoreOptions,
  type PgSslOptions,
} from "./pg-store.js";

// ---- For library authors (tooling, other adapters, tests) ----
export { compilePgFilter, type CompilePgFilterOptions } from "./pg-filter.js";
export { toPgRegex } from "./pg-regex.js";
export type { RenderedSql } from "@tekton-results/storage-sql";
export {
  pgMigrations,
  pgMigrationSource,
  createPgMigrationSource,
  DEFAULT_BACKFILL_BATCH,
  MISSING_TIME_SORT_VALUE,
  type PgMigration,
  type PgMigrationContext,
  type PgBackfillProgress,
} from "./pg-migrations.js";
export {
  translatePgError,
  classifyPgError,
  pgErrorCode,
  isPgConnectionError,
  type PgErrorContext,
} from "./pg-errors.js";
export { pgSummaryStatements, pgSummaryDialect } from "./pg-summary.js";
