/**
 * The tables of the SQL stores as the store core reads and writes them: the
 * column lists, the sort column of each order field, the row mappers and the
 * values a write binds. Both adapters store the same columns; only how a
 * driver returns a JSON map and a boolean differs (see {@link createRowMappers}).
 *
 * @module
 */
import {
  StorageError,
  type Cursor,
  type OrderTerm,
  type ResultUpdate,
  type StoredRecord,
  type StoredResult,
  type SummaryStatus,
} from "@tekton-results/storage";
import type { SqlNumber } from "../summary-sql.js";

/**
 * The value stored in the sort columns `summary_start_sort` and
 * `summary_end_sort` for a missing time: below every representable `Date`
 * (whose range is ±8.64e15 ms), so missing times sort first ascending and
 * last descending, as `ListQuery` requires, without NULLs in the keyset.
 */
export const MISSING_TIME_SORT_VALUE = -9007199254740992;

/** The columns of `results` a store returns, in order. */
export const RESULT_COLUMNS = [
  "uid",
  "parent",
  "name",
  "annotations",
  "has_summary",
  "summary_record",
  "summary_type",
  "summary_status",
  "summary_start_time",
  "summary_end_time",
  "summary_annotations",
  "create_time",
  "update_time",
  "etag",
] as const;

/** The columns of `records` a store returns, in order. */
export const RECORD_COLUMNS = [
  "uid",
  "parent",
  "result_name",
  "name",
  "type",
  "data",
  "create_time",
  "update_time",
  "etag",
] as const;

/** The sort column of each Result order field (summary times use their NULL-free sort columns). */
export const RESULT_SORT_COLUMNS: Readonly<Record<string, string>> = {
  create_time: "create_time",
  update_time: "update_time",
  "summary.start_time": "summary_start_sort",
  "summary.end_time": "summary_end_sort",
};

/** The sort column of each Record order field. */
export const RECORD_SORT_COLUMNS: Readonly<Record<string, string>> = {
  create_time: "create_time",
  update_time: "update_time",
};

/**
 * A row of {@link RESULT_COLUMNS} as a driver returns it: PostgreSQL sends
 * `jsonb` as objects, booleans as booleans and `bigint` as text; SQLite JSON
 * as text, booleans as 0/1 and integers as numbers.
 */
export interface SqlResultRow {
  uid: string;
  parent: string;
  name: string;
  annotations: unknown;
  has_summary: boolean | number;
  summary_record: string | null;
  summary_type: string | null;
  summary_status: number | null;
  summary_start_time: SqlNumber | null;
  summary_end_time: SqlNumber | null;
  summary_annotations: unknown;
  create_time: SqlNumber;
  update_time: SqlNumber;
  etag: string;
}

/** A row of {@link RECORD_COLUMNS} as a driver returns it (times as numbers or text). */
export interface SqlRecordRow {
  uid: string;
  parent: string;
  result_name: string;
  name: string;
  type: string;
  data: string;
  create_time: SqlNumber;
  update_time: SqlNumber;
  etag: string;
}

/** The full name of a Result. */
export function resultName(parent: string, name: string): string {
  return `${parent}/results/${name}`;
}

/** The full name of a Record. */
export function recordName(parent: string, result: string, name: string): string {
  return `${parent}/results/${result}/records/${name}`;
}

/** A Record of a row. */
export function toStoredRecord(row: SqlRecordRow): StoredRecord {
  return {
    parent: row.parent,
    resultName: row.result_name,
    name: row.name,
    uid: row.uid,
    type: row.type,
    data: row.data,
    createTime: new Date(Number(row.create_time)),
    updateTime: new Date(Number(row.update_time)),
    etag: row.etag,
  };
}

/**
 * The Result mapper of a dialect whose driver returns a stored string map
 * (`annotations`, `summary_annotations`, NULL included) as `decodeMap` reads it.
 */
export function createResultMapper(
  decodeMap: (value: unknown) => Record<string, string>,
): (row: SqlResultRow) => StoredResult {
  return (row) => {
    const result: StoredResult = {
      parent: row.parent,
      name: row.name,
      uid: row.uid,
      annotations: decodeMap(row.annotations),
      createTime: new Date(Number(row.create_time)),
      updateTime: new Date(Number(row.update_time)),
      etag: row.etag,
    };
    if (row.has_summary) {
      result.summary = {
        record: row.summary_record ?? "",
        type: row.summary_type ?? "",
        status: (row.summary_status ?? 0) as SummaryStatus,
        annotations: decodeMap(row.summary_annotations),
      };
      if (row.summary_start_time !== null)
        result.summary.startTime = new Date(Number(row.summary_start_time));
      if (row.summary_end_time !== null)
        result.summary.endTime = new Date(Number(row.summary_end_time));
    }
    return result;
  };
}

/** A string map as JSON stores it: an object, anything else reads as empty. */
export function stringMapOf(value: unknown): Record<string, string> {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, string>)
    : {};
}

/**
 * The columns a write of a Result sets besides its key, in the order of
 * {@link resultWriteValues}, with the SQL type of each.
 */
export const RESULT_WRITE_COLUMNS = [
  ["annotations", "jsonb"],
  ["has_summary", "boolean"],
  ["summary_record", "text"],
  ["summary_type", "text"],
  ["summary_status", "smallint"],
  ["summary_start_time", "bigint"],
  ["summary_end_time", "bigint"],
  ["summary_annotations", "jsonb"],
  ["update_time", "bigint"],
  ["etag", "text"],
] as const;

/**
 * The values of {@link RESULT_WRITE_COLUMNS} for a Result, `flag` spelling
 * the boolean `has_summary` as the driver binds it.
 */
export function resultWriteValues(
  update: {
    annotations: ResultUpdate["annotations"];
    summary?: ResultUpdate["summary"];
    updateTime: Date;
    etag: string;
  },
  flag: (value: boolean) => unknown,
): unknown[] {
  const s = update.summary;
  return [
    JSON.stringify(update.annotations),
    flag(s !== undefined),
    s?.record ?? null,
    s?.type ?? null,
    s?.status ?? null,
    s?.startTime?.getTime() ?? null,
    s?.endTime?.getTime() ?? null,
    s === undefined ? null : JSON.stringify(s.annotations),
    update.updateTime.getTime(),
    update.etag,
  ];
}

/**
 * The bindings of a page token's sort values and uid for `orderBy`, each sort
 * value as `encode` binds it (`null`: a missing summary time). InvalidArgument
 * when the token does not fit the order.
 */
export function cursorValues(
  after: Cursor,
  orderBy: readonly OrderTerm<string>[],
  encode: (value: number | null) => unknown,
): unknown[] {
  if (after.values.length !== orderBy.length) {
    throw new StorageError("invalid_argument", "invalid page token");
  }
  return [...after.values.map(encode), after.uid];
}

/** The InvalidArgument of a page token whose sort value the database cannot hold. */
export function invalidPageToken(): StorageError {
  return new StorageError("invalid_argument", "invalid page token");
}
