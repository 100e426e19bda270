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
import {
  RECORD_LABELS_PATH,
  RECORD_TEXT_FIELDS,
  RECORD_TIME_FIELDS,
  type PathStep,
} from "@tekton-results/storage";
import {
  MISSING_TIME_SORT_VALUE,
  RECORD_INDEXES,
  RECORD_LABELS_INDEX,
  RESULT_INDEXES,
  TYPED_RECORD_INDEXES,
  createIndexStatements,
  resultSummaryColumns,
  createSqlMigrationSource,
  runStatements,
  type SqlSummaryColumnTypes,
  type SqlMigration,
} from "@tekton-results/storage-sql";

export { MISSING_TIME_SORT_VALUE };

/** The types of the summary columns of `results`. */
const SUMMARY_TYPES: SqlSummaryColumnTypes = {
  text: "TEXT",
  status: "INTEGER",
  time: "INTEGER",
  json: "TEXT",
  generated: "VIRTUAL",
};

/** One schema migration. */
export type SqliteMigration = SqlMigration<Knex>;

const initial: SqliteMigration = {
  name: "0001_initial",
  async up(knex) {
    await runStatements(knex, [
      `CREATE TABLE results (
        id INTEGER PRIMARY KEY,
        uid TEXT NOT NULL UNIQUE,
        parent TEXT NOT NULL,
        name TEXT NOT NULL,
        annotations TEXT NOT NULL DEFAULT '{}',
        has_summary INTEGER NOT NULL DEFAULT 0,
        ${resultSummaryColumns(SUMMARY_TYPES, false).join(",\n        ")},
        create_time INTEGER NOT NULL,
        update_time INTEGER NOT NULL,
        etag TEXT NOT NULL,
        ${resultSummaryColumns(SUMMARY_TYPES, true).join(",\n        ")},
        UNIQUE (parent, name)
      )`,
      ...createIndexStatements("results", RESULT_INDEXES),
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
      ...createIndexStatements("records", RECORD_INDEXES),
    ]);
  },
  async down(knex) {
    await runStatements(knex, [`DROP TABLE records`, `DROP TABLE results`]);
  },
};

/** A SQLite JSON path literal for a port path (keys quoted; never user input). */
function jsonPathLiteral(steps: readonly PathStep[]): string {
  let path = "$";
  for (const step of steps) path += typeof step === "number" ? `[${step}]` : `."${step}"`;
  return `'${path}'`;
}

/** The JSON string at `steps` of the column `doc`, else NULL (also when `doc` is not JSON). */
function textAt(doc: string, steps: readonly PathStep[]): string {
  const p = jsonPathLiteral(steps);
  return `(CASE WHEN json_valid(${doc}) THEN (CASE WHEN json_type(${doc}, ${p}) = 'text' THEN ${doc} ->> ${p} END) END)`;
}

const RECORD_BASE_COLUMNS =
  "id, uid, result_id, parent, result_name, name, type, data, create_time, update_time, etag";

/** The label rows of the record `row` (`NEW` in a trigger): string entries of its labels object. */
function labelRows(row: string, from = ""): string {
  const p = jsonPathLiteral(RECORD_LABELS_PATH);
  const labels = `(CASE WHEN json_valid(${row}.data) THEN (CASE WHEN json_type(${row}.data, ${p}) = 'object' THEN ${row}.data END) END)`;
  return `SELECT ${row}.id, l.key, l.value FROM ${from}json_each(${labels}, ${p}) AS l WHERE l.type = 'text'`;
}

/**
 * Rebuild the records table (SQLite cannot add or drop generated columns in
 * place) with the columns of `0001` plus `extra`, `data` last, copying every
 * row, and recreate the indexes of `0001`.
 */
function rebuildRecords(extra: readonly string[]): string[] {
  const columns = [
    "id INTEGER PRIMARY KEY",
    "uid TEXT NOT NULL UNIQUE",
    "result_id INTEGER NOT NULL REFERENCES results (id) ON DELETE CASCADE",
    "parent TEXT NOT NULL",
    "result_name TEXT NOT NULL",
    "name TEXT NOT NULL",
    "type TEXT NOT NULL",
    "create_time INTEGER NOT NULL",
    "update_time INTEGER NOT NULL",
    "etag TEXT NOT NULL",
    ...extra,
    // Last: a large document spills to overflow pages, which reading the columns before it skips.
    "data TEXT NOT NULL",
    "UNIQUE (parent, result_name, name)",
  ];
  return [
    `CREATE TABLE records_rebuilt (\n  ${columns.join(",\n  ")}\n)`,
    `INSERT INTO records_rebuilt (${RECORD_BASE_COLUMNS}) SELECT ${RECORD_BASE_COLUMNS} FROM records`,
    `DROP TABLE records`,
    `ALTER TABLE records_rebuilt RENAME TO records`,
    ...createIndexStatements("records", RECORD_INDEXES),
  ];
}

/**
 * Typed record columns, computed by SQLite from `data` whenever a row is
 * written (STORED generated columns; SQLite cannot add those to a table, so
 * the records table is rebuilt and its rows copied, which also backfills
 * them), their indexes, and the label side table `record_labels`, kept in
 * step by triggers. See `typed-fields.ts` of `@tekton-results/storage`.
 */
const typedRecordColumns: SqliteMigration = {
  name: "0002_typed_record_columns",
  async up(knex) {
    const texts = Object.entries(RECORD_TEXT_FIELDS).map(
      ([column, path]) => `${column} TEXT GENERATED ALWAYS AS (${textAt("data", path)}) STORED`,
    );
    const times = Object.entries(RECORD_TIME_FIELDS).map(
      ([column, path]) =>
        `${column} INTEGER GENERATED ALWAYS AS (CAST(tr_timestamp_ms(${textAt("data", path)}) AS INTEGER)) STORED`,
    );
    await runStatements(knex, [
      ...rebuildRecords([...texts, ...times]),
      ...createIndexStatements("records", TYPED_RECORD_INDEXES),
      `CREATE TABLE record_labels (
        record_id INTEGER NOT NULL REFERENCES records (id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (record_id, key)
      ) WITHOUT ROWID`,
      RECORD_LABELS_INDEX,
      `INSERT OR IGNORE INTO record_labels (record_id, key, value) ${labelRows("records", "records, ")}`,
      `CREATE TRIGGER records_labels_insert AFTER INSERT ON records BEGIN
        INSERT OR IGNORE INTO record_labels (record_id, key, value) ${labelRows("NEW")};
      END`,
      `CREATE TRIGGER records_labels_update AFTER UPDATE OF data ON records BEGIN
        DELETE FROM record_labels WHERE record_id = NEW.id;
        INSERT OR IGNORE INTO record_labels (record_id, key, value) ${labelRows("NEW")};
      END`,
    ]);
  },
  async down(knex) {
    await runStatements(knex, [`DROP TABLE record_labels`, ...rebuildRecords([])]);
  },
};

/** Every migration, oldest first. */
export const sqliteMigrations: readonly SqliteMigration[] = [initial, typedRecordColumns];

/**
 * A knex `migrationSource` over {@link sqliteMigrations}: pass it as
 * `knex.migrate.latest({ migrationSource: sqliteMigrationSource })`.
 */
export const sqliteMigrationSource: Knex.MigrationSource<SqliteMigration> =
  createSqlMigrationSource(sqliteMigrations);
