/**
 * The versioned schema of the PostgreSQL store, as knex migrations defined in
 * code: {@link pgMigrationSource} lists them, so migrating works from the
 * published `dist` without globbing migration files.
 *
 * Every object is created unqualified, in the first schema of the
 * connection's `search_path` (the store sets it to its `schema` option).
 *
 * Besides the tables, the first migration creates the SQL functions compiled
 * filters call (see `pg-migration-functions.ts`).
 *
 * Never change what a released migration produces: add a new one to
 * {@link pgMigrations}.
 *
 * @module
 */
import type { Knex } from "knex";
import {
  MISSING_TIME_SORT_VALUE,
  RECORD_INDEXES,
  RESULT_INDEXES,
  createIndexStatements,
  resultSummaryColumns,
  createSqlMigrationSource,
  runStatements,
  type SqlSummaryColumnTypes,
} from "@tekton-results/storage-sql";
import { PG_FILTER_FUNCTIONS, PG_FILTER_FUNCTION_SIGNATURES } from "./pg-migration-functions.js";
import {
  typedRecordColumns,
  type PgMigration,
  type PgMigrationContext,
} from "./pg-migration-typed-columns.js";

export {
  DEFAULT_BACKFILL_BATCH,
  type PgBackfillProgress,
  type PgMigration,
  type PgMigrationContext,
} from "./pg-migration-typed-columns.js";

export { MISSING_TIME_SORT_VALUE };

/** The types of the summary columns of `results`. */
const SUMMARY_TYPES: SqlSummaryColumnTypes = {
  text: 'text COLLATE "C"',
  status: "smallint",
  time: "bigint",
  json: "jsonb",
  generated: "STORED",
};

const initial: PgMigration = {
  name: "0001_initial",
  async up(knex) {
    await runStatements(knex, [
      ...PG_FILTER_FUNCTIONS,
      `CREATE TABLE results (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        uid text COLLATE "C" NOT NULL,
        parent text COLLATE "C" NOT NULL,
        name text COLLATE "C" NOT NULL,
        annotations jsonb NOT NULL DEFAULT '{}',
        has_summary boolean NOT NULL DEFAULT false,
        ${resultSummaryColumns(SUMMARY_TYPES, false).join(",\n        ")},
        create_time bigint NOT NULL,
        update_time bigint NOT NULL,
        etag text NOT NULL,
        ${resultSummaryColumns(SUMMARY_TYPES, true).join(",\n        ")},
        CONSTRAINT results_uid_unique UNIQUE (uid),
        CONSTRAINT results_name_unique UNIQUE (parent, name)
      )`,
      ...createIndexStatements("results", RESULT_INDEXES),
      `CREATE TABLE records (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        uid text COLLATE "C" NOT NULL,
        result_id bigint NOT NULL REFERENCES results (id) ON DELETE CASCADE,
        parent text COLLATE "C" NOT NULL,
        result_name text COLLATE "C" NOT NULL,
        name text COLLATE "C" NOT NULL,
        type text COLLATE "C" NOT NULL,
        data text NOT NULL,
        data_json jsonb GENERATED ALWAYS AS (tr_try_jsonb(data)) STORED,
        create_time bigint NOT NULL,
        update_time bigint NOT NULL,
        etag text NOT NULL,
        CONSTRAINT records_uid_unique UNIQUE (uid),
        CONSTRAINT records_name_unique UNIQUE (parent, result_name, name)
      )`,
      ...createIndexStatements("records", RECORD_INDEXES),
    ]);
  },
  async down(knex) {
    await runStatements(knex, [
      `DROP TABLE records`,
      `DROP TABLE results`,
      ...PG_FILTER_FUNCTION_SIGNATURES.map((f) => `DROP FUNCTION ${f}`),
    ]);
  },
};

/** Every migration, oldest first. */
export const pgMigrations: readonly PgMigration[] = [initial, typedRecordColumns];

/**
 * A knex `migrationSource` over {@link pgMigrations} whose backfills run with
 * `context` (batch size, progress reports): pass it as
 * `knex.migrate.latest({ migrationSource, schemaName })`.
 */
export function createPgMigrationSource(
  context: PgMigrationContext = {},
): Knex.MigrationSource<PgMigration> {
  return createSqlMigrationSource(pgMigrations, context);
}

/**
 * A knex `migrationSource` over {@link pgMigrations} with the default batch
 * size and no progress reports: pass it as
 * `knex.migrate.latest({ migrationSource: pgMigrationSource, schemaName })`.
 */
export const pgMigrationSource: Knex.MigrationSource<PgMigration> = createPgMigrationSource();
