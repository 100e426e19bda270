/**
 * The indexes both SQL schemas create, by migration: the same names and
 * columns in PostgreSQL and SQLite, so the list queries of the store core
 * read the same indexes on both. Each adapter's migrations create them with
 * {@link createIndexStatements} (the statement texts are those first released).
 *
 * @module
 */
import { MISSING_TIME_SORT_VALUE } from "./rows.js";

/** An index: its name and its column list. */
export type SqlIndex = readonly [name: string, columns: string];

/** The indexes of `results` (migration `0001`): every list order, with and without a parent. */
export const RESULT_INDEXES: readonly SqlIndex[] = [
  ["results_parent_create_time", "parent, create_time, uid"],
  ["results_parent_update_time", "parent, update_time, uid"],
  ["results_parent_summary_start", "parent, summary_start_sort, uid"],
  ["results_parent_summary_end", "parent, summary_end_sort, uid"],
  ["results_create_time", "create_time, uid"],
  ["results_update_time", "update_time, uid"],
  ["results_summary_start", "summary_start_sort, uid"],
  ["results_summary_end", "summary_end_sort, uid"],
];

/** The indexes of `records` (migration `0001`). */
export const RECORD_INDEXES: readonly SqlIndex[] = [
  ["records_result_id", "result_id"],
  ["records_result_create_time", "parent, result_name, create_time, uid"],
  ["records_result_update_time", "parent, result_name, update_time, uid"],
  ["records_parent_create_time", "parent, create_time, uid"],
  ["records_parent_update_time", "parent, update_time, uid"],
  ["records_create_time", "create_time, uid"],
  ["records_update_time", "update_time, uid"],
  ["records_type", "type"],
  ["records_parent_type", "parent, type"],
];

/** The indexes of the typed record columns (migration `0002`). */
export const TYPED_RECORD_INDEXES: readonly SqlIndex[] = [
  ["records_status_reason", "status_reason, create_time, uid"],
  ["records_pipeline_name", "pipeline_name, create_time, uid"],
  ["records_task_name", "task_name, create_time, uid"],
  ["records_run_name", "run_name"],
  ["records_start_ms", "start_ms"],
];

/** The index of the label side table `record_labels` (migration `0002`). */
export const RECORD_LABELS_INDEX = `CREATE INDEX record_labels_key_value ON record_labels (key, value, record_id)`;

/** `CREATE INDEX name ON table (columns)` for each of `indexes`. */
export function createIndexStatements(table: string, indexes: readonly SqlIndex[]): string[] {
  return indexes.map(([name, columns]) => `CREATE INDEX ${name} ON ${table} (${columns})`);
}

/** How a database spells the types of the summary columns of `results`. */
export interface SqlSummaryColumnTypes {
  /** Text (`text COLLATE "C"`, `TEXT`). */
  readonly text: string;
  /** The status number (`smallint`, `INTEGER`). */
  readonly status: string;
  /** Unix milliseconds (`bigint`, `INTEGER`). */
  readonly time: string;
  /** A JSON map (`jsonb`, `TEXT`). */
  readonly json: string;
  /** How the sort columns are generated (`STORED`, `VIRTUAL`). */
  readonly generated: "STORED" | "VIRTUAL";
}

/**
 * The summary columns of `results` (migration `0001`), each `name type NULL`,
 * then, with `sort`, the NULL-free sort columns of the summary times (see
 * {@link MISSING_TIME_SORT_VALUE}): lines of a `CREATE TABLE`.
 */
export function resultSummaryColumns(t: SqlSummaryColumnTypes, sort: boolean): string[] {
  if (sort) {
    return ["start", "end"].map(
      (s) =>
        `summary_${s}_sort ${t.time} GENERATED ALWAYS AS (coalesce(summary_${s}_time, ${MISSING_TIME_SORT_VALUE})) ${t.generated}`,
    );
  }
  return [
    `summary_record ${t.text} NULL`,
    `summary_type ${t.text} NULL`,
    `summary_status ${t.status} NULL`,
    `summary_start_time ${t.time} NULL`,
    `summary_end_time ${t.time} NULL`,
    `summary_annotations ${t.json} NULL`,
  ];
}
