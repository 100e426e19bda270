/**
 * The fixed statements of the SQL stores (every read and write by key), built
 * once per store from the dialect's placeholder. Each placeholder appears
 * once, in the order of the values, so positional (`?`) and numbered (`$1`)
 * dialects bind the same value arrays. Spelled as knex spells its queries
 * (lower-case keywords), for `query` listeners.
 *
 * @module
 */
import { RECORD_COLUMNS, RESULT_COLUMNS, RESULT_WRITE_COLUMNS } from "./rows.js";

/** The SQL type of a bound value, for dialects that cast placeholders. */
export type SqlValueType = "text" | "bigint" | "jsonb" | "boolean" | "smallint";

/**
 * The placeholder of the `index`th value (1-based) of a fixed statement, whose
 * column has the SQL type `type`: `?` for SQLite, `$1::text` for PostgreSQL.
 */
export type SqlPlaceholder = (index: number, type: SqlValueType) => string;

/** A fixed statement: `name` identifies it (PostgreSQL prepares it under that name). */
export interface SqlStatement {
  readonly name: string;
  readonly text: string;
}

/** The fixed statements of a store (see {@link buildStoreStatements}). */
export interface SqlStoreStatements {
  /** Values: uid, parent, name, create_time, then {@link RESULT_WRITE_COLUMNS}. */
  readonly insertResult: SqlStatement;
  /** Values: parent, name. */
  readonly getResult: SqlStatement;
  /** Values: {@link RESULT_WRITE_COLUMNS}, parent, name. */
  readonly updateResult: SqlStatement;
  /** Values: those of `updateResult`, then the expected etag. */
  readonly updateResultIf: SqlStatement;
  /** Values: parent, name. */
  readonly resultExists: SqlStatement;
  /** Values: parent, name. Returns the deleted row's id. */
  readonly deleteResult: SqlStatement;
  /**
   * Values: {@link DELETE_RESULTS_CHUNK} pairs of parent, name (pad a shorter
   * list by repeating a pair). Returns the id of each deleted row once.
   */
  readonly deleteResults: SqlStatement;
  /** Values: uid, parent, result_name, name, type, data, create_time, update_time, etag, parent, result_name. */
  readonly insertRecord: SqlStatement;
  /** Values: parent, result_name, name. */
  readonly getRecord: SqlStatement;
  /** Values: type, data, update_time, etag, parent, result_name, name. */
  readonly updateRecord: SqlStatement;
  /** Values: those of `updateRecord`, then the expected etag. */
  readonly updateRecordIf: SqlStatement;
  /** Values: parent, result_name, name. */
  readonly recordExists: SqlStatement;
  /** Values: parent, result_name, name. Returns the deleted row's id. */
  readonly deleteRecord: SqlStatement;
}

/**
 * Results per statement of a many-Result delete: each statement names this
 * many (parent, name) pairs, so its text is fixed (prepared once) and its work
 * (the Results, their Records and labels, by cascade) bounded.
 */
export const DELETE_RESULTS_CHUNK = 50;

/** `select results.uid, ... from results`: the head of every Result read. */
export const RESULT_SELECT = `select ${RESULT_COLUMNS.map((c) => `results.${c}`).join(", ")} from results`;
/** `select records.uid, ... from records`: the head of every Record read. */
export const RECORD_SELECT = `select ${RECORD_COLUMNS.map((c) => `records.${c}`).join(", ")} from records`;

const RESULT_RETURNING = `returning ${RESULT_COLUMNS.join(", ")}`;
const RECORD_RETURNING = `returning ${RECORD_COLUMNS.join(", ")}`;
const RECORD_INSERT_COLUMNS =
  "uid, parent, result_name, name, type, data, create_time, update_time, etag";

/** Numbers the placeholders of one statement in the order they are spelled. */
type Next = (type: SqlValueType) => string;

/** `a = $1 and b = $2`: equality with the next placeholders (all text). */
function keyed(columns: readonly string[], next: Next): string {
  return columns.map((c) => `${c} = ${next("text")}`).join(" and ");
}

const RESULT_KEY = ["parent", "name"];
const RECORD_KEY = ["parent", "result_name", "name"];
const WRITE_COLUMNS = RESULT_WRITE_COLUMNS.map(([c]) => c).join(", ");
const RECORD_VALUE_TYPES: SqlValueType[] = [
  ...Array<SqlValueType>(6).fill("text"),
  "bigint",
  "bigint",
  "text",
];

/** The SET list of a Result write. */
function resultSet(next: Next): string {
  return RESULT_WRITE_COLUMNS.map(([c, t]) => `${c} = ${next(t)}`).join(", ");
}

/** The SET list of a Record write. */
function recordSet(next: Next): string {
  return `type = ${next("text")}, data = ${next("text")}, update_time = ${next("bigint")}, etag = ${next("text")}`;
}

/** Builds a statement named `tekton_results_<key>_v<version>`, its placeholders numbered from 1. */
type StatementBuilder = (
  key: string,
  version: number,
  build: (next: Next) => string,
) => SqlStatement;

/** The statements by key of `kind`'s table: get, update (also only at an etag), exists, delete. */
function keyedStatements(
  statement: StatementBuilder,
  kind: "result" | "record",
  key: readonly string[],
  set: (next: Next) => string,
) {
  const [table, select, returning] =
    kind === "result"
      ? ["results", RESULT_SELECT, RESULT_RETURNING]
      : ["records", RECORD_SELECT, RECORD_RETURNING];
  const update = (etag: boolean) => (next: Next) =>
    `update ${table} set ${set(next)}
where ${keyed(etag ? [...key, "etag"] : key, next)} ${returning}`;
  return {
    get: statement(`get_${kind}`, 1, (next) => `${select} where ${keyed(key, next)} limit 1`),
    update: statement(`update_${kind}`, 1, update(false)),
    updateIf: statement(`update_${kind}_if`, 1, update(true)),
    exists: statement(
      `${kind}_exists`,
      1,
      (next) => `select id from ${table} where ${keyed(key, next)}`,
    ),
    delete: statement(
      `delete_${kind}`,
      1,
      (next) => `delete from ${table} where ${keyed(key, next)} returning id`,
    ),
  };
}

/** Every fixed statement of a store, with the placeholders of `p`. */
export function buildStoreStatements(p: SqlPlaceholder): SqlStoreStatements {
  const statement: StatementBuilder = (key, version, build) => {
    let n = 0;
    return { name: `tekton_results_${key}_v${version}`, text: build((type) => p(++n, type)) };
  };
  const result = keyedStatements(statement, "result", RESULT_KEY, resultSet);
  const record = keyedStatements(statement, "record", RECORD_KEY, recordSet);
  return {
    insertResult: statement("insert_result", 1, (next) => {
      const values = [
        ...(["text", "text", "text", "bigint"] as const).map(next),
        ...RESULT_WRITE_COLUMNS.map(([, t]) => next(t)),
      ];
      return `insert into results (uid, parent, name, create_time, ${WRITE_COLUMNS}) values (${values.join(", ")}) ${RESULT_RETURNING}`;
    }),
    getResult: result.get,
    updateResult: result.update,
    updateResultIf: result.updateIf,
    resultExists: result.exists,
    deleteResult: result.delete,
    deleteResults: statement("delete_results", 1, (next) => {
      // Terms ORed, not a row-value IN over VALUES: PostgreSQL hash-joined
      // VALUES against a scan of every Result; each OR term is one lookup in
      // the (parent, name) unique index in both databases.
      const terms = Array.from(
        { length: DELETE_RESULTS_CHUNK },
        () => `(${keyed(RESULT_KEY, next)})`,
      );
      return `delete from results where ${terms.join(" or ")} returning id`;
    }),
    insertRecord: statement(
      "insert_record",
      2,
      (next) => `insert into records (result_id, ${RECORD_INSERT_COLUMNS})
select id, ${RECORD_VALUE_TYPES.map(next).join(", ")}
from results where ${keyed(RESULT_KEY, next)}
${RECORD_RETURNING}`,
    ),
    getRecord: record.get,
    updateRecord: record.update,
    updateRecordIf: record.updateIf,
    recordExists: record.exists,
    deleteRecord: record.delete,
  };
}
