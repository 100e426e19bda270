/**
 * The SQLite dialect of the SQL store core: `?` placeholders, JSON maps
 * stored as text, booleans as 0/1, every statement prepared once per
 * connection and cached, conditional writes and many-statement writes in a
 * `BEGIN IMMEDIATE` transaction, and the SQLite error translation (with the filter time limit).
 *
 * @module
 */
import type { Knex } from "knex";
import type BetterSqlite3 from "better-sqlite3";
import { StorageError } from "@tekton-results/storage";
import {
  MISSING_TIME_SORT_VALUE,
  invalidPageToken,
  stringMapOf,
  type SqlErrorContext,
  type SqlStatement,
  type SqlStep,
  type SqlStoreDialect,
} from "@tekton-results/storage-sql";
import { compileSqliteFilter } from "./sqlite-filter.js";
import { StatementTimeoutError, type StatementLimit } from "./sqlite-functions.js";
import { translateSqliteError } from "./sqlite-errors.js";
import { sqliteSummaryStatements } from "./sqlite-summary.js";

/** Prepared statements kept per connection (list queries vary with their filter). */
const MAX_CACHED_STATEMENTS = 256;

/** A page token's sort value as SQLite binds it: an INTEGER as `bigint`. */
function cursorValue(value: number | null): unknown {
  if (value === null) return BigInt(MISSING_TIME_SORT_VALUE);
  if (!Number.isFinite(value)) throw invalidPageToken();
  return Number.isSafeInteger(value) ? BigInt(value) : value;
}

/** Bindings as knex passes them to better-sqlite3 (dates as ms, booleans as 0/1). */
function sqliteBinding(value: unknown): unknown {
  if (value instanceof Date) return value.getTime();
  if (typeof value === "boolean") return value ? 1 : 0;
  return value;
}

/** A stored JSON map (text, or NULL) decoded. */
function decodeMap(value: unknown): Record<string, string> {
  return typeof value === "string" ? stringMapOf(JSON.parse(value)) : {};
}

/** Translate a driver error; a filter past the statement time limit is `deadline_exceeded`. */
function translateError(err: unknown, context?: SqlErrorContext): unknown {
  if (err instanceof StatementTimeoutError) {
    return new StorageError(
      "deadline_exceeded",
      `the query ran longer than ${err.limitMs} ms (the SQLite statement limit); use a narrower filter`,
      { cause: err },
    );
  }
  return translateSqliteError(err, context);
}

/**
 * The dialect of a store over `knex` (one connection). Statements run
 * synchronously on the store's connection, prepared once and cached; like
 * knex queries, they are announced to the knex instance's `query` listeners
 * (with their bindings) when there are any. List and summary statements (the
 * ones a caller's filter shapes) run under the connection's time limit, found
 * by `limitOf`; statements by key and writes do not.
 */
export function sqliteDialect(
  knex: Knex,
  limitOf: (db: BetterSqlite3.Database) => StatementLimit | undefined = () => undefined,
): SqlStoreDialect {
  const client = knex.client as {
    acquireConnection(): Promise<BetterSqlite3.Database>;
    releaseConnection(conn: BetterSqlite3.Database): Promise<unknown>;
  };
  const statements = new WeakMap<BetterSqlite3.Database, Map<string, BetterSqlite3.Statement>>();

  /** The prepared statement of `sql` on `db`, prepared once and cached, announced. */
  const statement = (db: BetterSqlite3.Database, sql: string, bindings: readonly unknown[]) => {
    if (knex.listenerCount("query") > 0) {
      knex.emit("query", { method: sql.slice(0, sql.indexOf(" ")), sql, bindings });
    }
    let cache = statements.get(db);
    if (cache === undefined) {
      cache = new Map();
      statements.set(db, cache);
    }
    let prepared = cache.get(sql);
    if (prepared === undefined) {
      prepared = db.prepare(sql);
      if (cache.size >= MAX_CACHED_STATEMENTS) cache.clear();
      cache.set(sql, prepared);
    }
    return prepared;
  };

  /**
   * The first row of `prepared`. A write (`INSERT ... RETURNING`) runs to its
   * end with `all`: stopped after its first row by `get`, its transaction
   * commits without SQLite's automatic WAL checkpoint, so the `-wal` file of
   * a server grew without bound (1 GB for a 39 MB database). Reads stop at
   * their first row.
   */
  const firstRow = <R>(prepared: BetterSqlite3.Statement, values: readonly unknown[]) =>
    (prepared.readonly ? prepared.get(...values) : prepared.all(...values)[0]) as R | undefined;

  /** Run `fn` synchronously on the store's connection. */
  const withConnection = async <T>(fn: (db: BetterSqlite3.Database) => T): Promise<T> => {
    const db = await client.acquireConnection();
    try {
      return fn(db);
    } finally {
      await client.releaseConnection(db);
    }
  };

  return {
    placeholder: () => "?",
    cursorValue,
    compileFilter: compileSqliteFilter,
    summary: sqliteSummaryStatements,
    decodeMap,
    flag: (value) => (value ? 1 : 0),
    all: <R>(sql: string, bindings: readonly unknown[]) =>
      withConnection((db) => {
        const values = bindings.map(sqliteBinding);
        const prepared = statement(db, sql, values);
        const limit = limitOf(db);
        return (limit ? limit(() => prepared.all(...values)) : prepared.all(...values)) as R[];
      }),
    query: <R>(fixed: SqlStatement, values: readonly unknown[]) =>
      withConnection((db) => statement(db, fixed.text, values).all(...values) as R[]),
    queryOne: <R>(fixed: SqlStatement, values: readonly unknown[]) =>
      withConnection((db) => firstRow<R>(statement(db, fixed.text, values), values)),
    // In one BEGIN IMMEDIATE transaction, run synchronously: no await
    // happens inside, so a transaction never holds the write lock across
    // event-loop turns (other stores on the same file, even in this process,
    // only wait for the length of one synchronous step).
    updateOrProbe: <R>(
      update: SqlStatement,
      values: readonly unknown[],
      probe: SqlStatement,
      key: readonly unknown[],
    ) =>
      withConnection((db) =>
        db
          .transaction(() => {
            const row = firstRow<R>(statement(db, update.text, values), values);
            if (row !== undefined) return { row };
            return { exists: statement(db, probe.text, key).get(...key) !== undefined };
          })
          .immediate(),
      ),
    // Also one synchronous BEGIN IMMEDIATE transaction (see updateOrProbe).
    transaction: <R>(steps: readonly SqlStep[]) =>
      withConnection((db) =>
        db
          .transaction(() =>
            steps.map(
              ({ statement: s, values }) => statement(db, s.text, values).all(...values) as R[],
            ),
          )
          .immediate(),
      ),
    translateError,
  };
}
