/**
 * The versioned schema of the SQLite store, as knex migrations defined in
 * code: {@link sqliteMigrationSource} lists them, so migrating works from the
 * published `dist` without globbing migration files.
 *
 * Never edit a released migration: add a new one to {@link sqliteMigrations}.
 *
 * @module
 */
import type { Knex } from "knex";

/**
 * The value stored in the sort columns `summary_start_sort` and
 * `summary_end_sort` for a missing time: below every representable `Date`
 * (whose range is ±8.64e15 ms), so missing times sort first ascending and
 * last descending, as `ListQuery` requires, without NULLs in the keyset.
 */
export const MISSING_TIME_SORT_VALUE = -9007199254740992;

/** One schema migration. */
export interface SqliteMigration {
  /** Unique, sortable name recorded in the `knex_migrations` table. */
  readonly name: string;
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

async function run(knex: Knex, statements: readonly string[]): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

const initial: SqliteMigration = {
  name: "0001_initial",
  async up(knex) {
    await run(knex, [
      `CREATE TABLE results (
        id INTEGER PRIMARY KEY,
        uid TEXT NOT NULL UNIQUE,
        parent TEXT NOT NULL,
        name TEXT NOT NULL,
        annotations TEXT NOT NULL DEFAULT '{}',
        has_summary INTEGER NOT NULL DEFAULT 0,
        summary_record TEXT NULL,
        summary_type TEXT NULL,
        summary_status INTEGER NULL,
        summary_start_time INTEGER NULL,
        summary_end_time INTEGER NULL,
        summary_annotations TEXT NULL,
        create_time INTEGER NOT NULL,
        update_time INTEGER NOT NULL,
        etag TEXT NOT NULL,
        summary_start_sort INTEGER GENERATED ALWAYS AS (coalesce(summary_start_time, ${MISSING_TIME_SORT_VALUE})) VIRTUAL,
        summary_end_sort INTEGER GENERATED ALWAYS AS (coalesce(summary_end_time, ${MISSING_TIME_SORT_VALUE})) VIRTUAL,
        UNIQUE (parent, name)
      )`,
      `CREATE INDEX results_parent_create_time ON results (parent, create_time, uid)`,
      `CREATE INDEX results_parent_update_time ON results (parent, update_time, uid)`,
      `CREATE INDEX results_parent_summary_start ON results (parent, summary_start_sort, uid)`,
      `CREATE INDEX results_parent_summary_end ON results (parent, summary_end_sort, uid)`,
      `CREATE INDEX results_create_time ON results (create_time, uid)`,
      `CREATE INDEX results_update_time ON results (update_time, uid)`,
      `CREATE INDEX results_summary_start ON results (summary_start_sort, uid)`,
      `CREATE INDEX results_summary_end ON results (summary_end_sort, uid)`,
      `CREATE TABLE records (
        id INTEGER PRIMARY KEY,
        uid TEXT NOT NULL UNIQUE,
        result_id INTEGER NOT NULL REFERENCES results (id) ON DELETE CASCADE,
        parent TEXT NOT NULL,
        result_name TEXT NOT NULL,
        name TEXT NOT NULL,
        type TEXT NOT NULL,
        data TEXT NOT NULL,
        create_time INTEGER NOT NULL,
        update_time INTEGER NOT NULL,
        etag TEXT NOT NULL,
        UNIQUE (parent, result_name, name)
      )`,
      `CREATE INDEX records_result_id ON records (result_id)`,
      `CREATE INDEX records_result_create_time ON records (parent, result_name, create_time, uid)`,
      `CREATE INDEX records_result_update_time ON records (parent, result_name, update_time, uid)`,
      `CREATE INDEX records_parent_create_time ON records (parent, create_time, uid)`,
      `CREATE INDEX records_parent_update_time ON records (parent, update_time, uid)`,
      `CREATE INDEX records_create_time ON records (create_time, uid)`,
      `CREATE INDEX records_update_time ON records (update_time, uid)`,
      `CREATE INDEX records_type ON records (type)`,
      `CREATE INDEX records_parent_type ON records (parent, type)`,
    ]);
  },
  async down(knex) {
    await run(knex, [`DROP TABLE records`, `DROP TABLE results`]);
  },
};

/** Every migration, oldest first. */
export const sqliteMigrations: readonly SqliteMigration[] = [initial];

/**
 * A knex `migrationSource` over {@link sqliteMigrations}: pass it as
 * `knex.migrate.latest({ migrationSource: sqliteMigrationSource })`.
 */
export const sqliteMigrationSource: Knex.MigrationSource<SqliteMigration> = {
  getMigrations: async () => [...sqliteMigrations],
  getMigrationName: (migration) => migration.name,
  getMigration: async (migration) => migration,
};
