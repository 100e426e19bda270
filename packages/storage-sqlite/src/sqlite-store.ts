/**
 * The SQLite {@link ResultsStore}: knex over better-sqlite3, one connection
 * per store, WAL mode for files.
 *
 * @module
 */
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import knexFactory, { type Knex } from "knex";
import type BetterSqlite3 from "better-sqlite3";
import {
  StorageError,
  recordCursor,
  resultCursor,
  type Cursor,
  type OrderTerm,
  type Page,
  type RecordListQuery,
  type RecordSummaryQuery,
  type RecordSummaryRow,
  type RecordUpdate,
  type ResultListQuery,
  type ResultUpdate,
  type ResultsStore,
  type StoreCapabilities,
  type StoredRecord,
  type StoredResult,
  type SummaryStatus,
  type UpdateOptions,
} from "@tekton-results/storage";
import { keysetCondition, keysetTerms } from "@tekton-results/storage-sql";
import { compileSqliteFilter } from "./sqlite-filter.js";
import { StatementTimeoutError, registerSqliteFunctions } from "./sqlite-functions.js";
import { summarizeSqliteRecords } from "./sqlite-summary.js";
import { MISSING_TIME_SORT_VALUE, sqliteMigrationSource } from "./sqlite-migrations.js";
import { translateSqliteError, type SqliteErrorContext } from "./sqlite-errors.js";

/** Where the store reports conditions an operator should know about. */
export interface SqliteStoreLogger {
  warn(obj: object, msg: string): void;
}

/** Options of {@link createSqliteStore}. */
export interface SqliteStoreOptions {
  /**
   * The database file, or `":memory:"` for a private in-memory database that
   * lives as long as the store. Missing parent directories are created.
   */
  filename: string;
  /** Apply pending schema migrations when the store opens. Default `true`. */
  migrate?: boolean;
  /** How long a statement waits for another writer's lock, in ms. Default 5000. */
  busyTimeoutMs?: number;
  /** Receives warnings (a file database that cannot use WAL, pending migrations). */
  logger?: SqliteStoreLogger;
  /**
   * The most time, in ms, one statement may spend evaluating a filter's
   * functions (`matches()`, JSON and time helpers) before it is stopped with a
   * `deadline_exceeded` StorageError; `0` for no limit. Default 5000. SQLite
   * runs on the server's main thread, so this bounds how long one filter can
   * keep every other request waiting. Time SQLite spends without calling a
   * function (a plain scan) is not counted.
   */
  statementTimeoutMs?: number;
}

/** A {@link ResultsStore} backed by SQLite. */
export interface SqliteStore extends ResultsStore {
  /** Apply pending schema migrations (idempotent, safe on an up-to-date file). */
  migrate(): Promise<void>;
  /** The underlying knex instance (one connection), for tooling and tests. */
  readonly knex: Knex;
  /** Record summaries in SQL (always present: `capabilities.recordListSummary` is true). */
  summarizeRecords(query: RecordSummaryQuery): Promise<RecordSummaryRow[]>;
}

interface ResultRow {
  uid: string;
  parent: string;
  name: string;
  annotations: string;
  has_summary: number;
  summary_record: string | null;
  summary_type: string | null;
  summary_status: number | null;
  summary_start_time: number | null;
  summary_end_time: number | null;
  summary_annotations: string | null;
  create_time: number;
  update_time: number;
  etag: string;
}

interface RecordRow {
  uid: string;
  parent: string;
  result_name: string;
  name: string;
  type: string;
  data: string;
  create_time: number;
  update_time: number;
  etag: string;
}

const RESULT_COLUMNS = [
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

const RECORD_COLUMNS = [
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

/** The sort column of each order field (summary times use their NULL-free sort columns). */
const RESULT_SORT_COLUMNS: Record<string, string> = {
  create_time: "create_time",
  update_time: "update_time",
  "summary.start_time": "summary_start_sort",
  "summary.end_time": "summary_end_sort",
};
const RECORD_SORT_COLUMNS: Record<string, string> = {
  create_time: "create_time",
  update_time: "update_time",
};

const CAPABILITIES: StoreCapabilities = Object.freeze({
  recordListSummary: true,
  regexFilters: true,
});

function resultName(parent: string, name: string): string {
  return `${parent}/results/${name}`;
}

function recordName(parent: string, result: string, name: string): string {
  return `${parent}/results/${result}/records/${name}`;
}

function parseStringMap(text: string): Record<string, string> {
  const value: unknown = JSON.parse(text);
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, string>)
    : {};
}

function toResult(row: ResultRow): StoredResult {
  const result: StoredResult = {
    parent: row.parent,
    name: row.name,
    uid: row.uid,
    annotations: parseStringMap(row.annotations),
    createTime: new Date(row.create_time),
    updateTime: new Date(row.update_time),
    etag: row.etag,
  };
  if (row.has_summary === 1) {
    result.summary = {
      record: row.summary_record ?? "",
      type: row.summary_type ?? "",
      status: (row.summary_status ?? 0) as SummaryStatus,
      annotations: parseStringMap(row.summary_annotations ?? "{}"),
    };
    if (row.summary_start_time !== null)
      result.summary.startTime = new Date(row.summary_start_time);
    if (row.summary_end_time !== null) result.summary.endTime = new Date(row.summary_end_time);
  }
  return result;
}

function toRecord(row: RecordRow): StoredRecord {
  return {
    parent: row.parent,
    resultName: row.result_name,
    name: row.name,
    uid: row.uid,
    type: row.type,
    data: row.data,
    createTime: new Date(row.create_time),
    updateTime: new Date(row.update_time),
    etag: row.etag,
  };
}

/** The columns an update of a Result writes. */
function resultUpdateRow(update: {
  annotations: ResultUpdate["annotations"];
  summary?: ResultUpdate["summary"];
  updateTime: Date;
  etag: string;
}) {
  const s = update.summary;
  return {
    annotations: JSON.stringify(update.annotations),
    has_summary: s === undefined ? 0 : 1,
    summary_record: s?.record ?? null,
    summary_type: s?.type ?? null,
    summary_status: s?.status ?? null,
    summary_start_time: s?.startTime?.getTime() ?? null,
    summary_end_time: s?.endTime?.getTime() ?? null,
    summary_annotations: s === undefined ? null : JSON.stringify(s.annotations),
    update_time: update.updateTime.getTime(),
    etag: update.etag,
  };
}

function cursorValues(after: Cursor, orderBy: readonly OrderTerm<string>[]): unknown[] {
  if (after.values.length !== orderBy.length) {
    throw new StorageError("invalid_argument", "invalid page token");
  }
  return [
    ...after.values.map((v) => {
      if (v === null) return BigInt(MISSING_TIME_SORT_VALUE);
      if (!Number.isFinite(v)) throw new StorageError("invalid_argument", "invalid page token");
      return Number.isSafeInteger(v) ? BigInt(v) : v;
    }),
    after.uid,
  ];
}

function isMemory(filename: string): boolean {
  return filename === ":memory:" || filename === "" || filename.startsWith("file::memory:");
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Prepared statements kept per connection (list queries vary with their filter). */
const MAX_CACHED_STATEMENTS = 256;

// Spelled as knex spells its queries (lower-case keywords), for `query` listeners.
const RECORD_SELECT = `select ${RECORD_COLUMNS.map((c) => `records.${c}`).join(", ")} from records`;
const RECORD_RETURNING = `returning ${RECORD_COLUMNS.join(", ")}`;
const INSERT_RECORD_SQL = `insert into records (result_id, uid, parent, result_name, name, type, data, create_time, update_time, etag)
select id, ?, ?, ?, ?, ?, ?, ?, ?, ? from results where parent = ? and name = ?
${RECORD_RETURNING}`;
const GET_RECORD_SQL = `${RECORD_SELECT} where parent = ? and result_name = ? and name = ? limit 1`;
const UPDATE_RECORD_SQL = `update records set type = ?, data = ?, update_time = ?, etag = ?
where parent = ? and result_name = ? and name = ? ${RECORD_RETURNING}`;
const UPDATE_RECORD_IF_SQL = `update records set type = ?, data = ?, update_time = ?, etag = ?
where parent = ? and result_name = ? and name = ? and etag = ? ${RECORD_RETURNING}`;
const RECORD_EXISTS_SQL = `select id from records where parent = ? and result_name = ? and name = ?`;

/** Bindings as knex passes them to better-sqlite3 (dates as ms, booleans as 0/1). */
function sqliteBinding(value: unknown): unknown {
  if (value instanceof Date) return value.getTime();
  if (typeof value === "boolean") return value ? 1 : 0;
  return value;
}

class SqliteStoreImpl implements SqliteStore {
  readonly capabilities = CAPABILITIES;
  private readonly statements = new WeakMap<
    BetterSqlite3.Database,
    Map<string, BetterSqlite3.Statement>
  >();

  constructor(
    readonly knex: Knex,
    private readonly busyTimeoutMs: number,
  ) {}

  async migrate(): Promise<void> {
    const deadline = Date.now() + Math.max(this.busyTimeoutMs, 1000);
    for (;;) {
      try {
        await this.knex.migrate.latest({ migrationSource: sqliteMigrationSource });
        return;
      } catch (err) {
        const locked = err instanceof Error && err.name === "MigrationLocked";
        if (!locked || Date.now() > deadline) throw translateSqliteError(err);
        await sleep(50);
      }
    }
  }

  async pendingMigrations(): Promise<number> {
    const [, pending] = (await this.knex.migrate.list({
      migrationSource: sqliteMigrationSource,
    })) as [unknown[], unknown[]];
    return pending.length;
  }

  /**
   * Run `fn` synchronously in a `BEGIN IMMEDIATE` transaction on the store's
   * connection. No await happens inside, so a transaction never holds the
   * write lock across event-loop turns (other stores on the same file, even in
   * this process, only wait for the length of one synchronous step).
   */
  private async transaction<T>(fn: (db: BetterSqlite3.Database) => T): Promise<T> {
    const client = this.knex.client as {
      acquireConnection(): Promise<BetterSqlite3.Database>;
      releaseConnection(conn: BetterSqlite3.Database): Promise<unknown>;
    };
    const db = await client.acquireConnection();
    try {
      return db.transaction(fn).immediate(db);
    } finally {
      await client.releaseConnection(db);
    }
  }

  /**
   * Run `fn` synchronously on the store's connection, outside a transaction.
   * The hot paths (record reads, writes and lists) use this with cached
   * prepared statements instead of the query builder.
   */
  private async withConnection<T>(fn: (db: BetterSqlite3.Database) => T): Promise<T> {
    const client = this.knex.client as {
      acquireConnection(): Promise<BetterSqlite3.Database>;
      releaseConnection(conn: BetterSqlite3.Database): Promise<unknown>;
    };
    const db = await client.acquireConnection();
    try {
      return fn(db);
    } finally {
      await client.releaseConnection(db);
    }
  }

  /**
   * The prepared statement of `sql` on `db`, prepared once and cached. Like a
   * knex query, it is announced to the knex instance's `query` listeners
   * (with `bindings`) when there are any.
   */
  private statement(
    db: BetterSqlite3.Database,
    sql: string,
    bindings: readonly unknown[],
  ): BetterSqlite3.Statement {
    if (this.knex.listenerCount("query") > 0) {
      this.knex.emit("query", { method: sql.slice(0, sql.indexOf(" ")), sql, bindings });
    }
    let cache = this.statements.get(db);
    if (cache === undefined) {
      cache = new Map();
      this.statements.set(db, cache);
    }
    let statement = cache.get(sql);
    if (statement === undefined) {
      statement = db.prepare(sql);
      if (cache.size >= MAX_CACHED_STATEMENTS) cache.clear();
      cache.set(sql, statement);
    }
    return statement;
  }

  private async run<T>(context: SqliteErrorContext | undefined, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof StatementTimeoutError) {
        throw new StorageError(
          "deadline_exceeded",
          `the query ran longer than ${err.limitMs} ms (the SQLite statement limit); use a narrower filter`,
          { cause: err },
        );
      }
      throw translateSqliteError(err, context);
    }
  }

  // ---- Results ----

  async createResult(result: StoredResult): Promise<StoredResult> {
    const name = resultName(result.parent, result.name);
    return this.run({ kind: "result", name, uid: result.uid }, async () => {
      const rows = (await this.knex("results")
        .insert({
          uid: result.uid,
          parent: result.parent,
          name: result.name,
          create_time: result.createTime.getTime(),
          ...resultUpdateRow(result),
        })
        .returning([...RESULT_COLUMNS])) as ResultRow[];
      return toResult(rows[0]!);
    });
  }

  async getResult(parent: string, name: string): Promise<StoredResult> {
    return this.run(undefined, async () => {
      const row = (await this.knex("results")
        .select(RESULT_COLUMNS)
        .where({ parent, name })
        .first()) as ResultRow | undefined;
      if (row === undefined)
        throw new StorageError("not_found", `result "${resultName(parent, name)}" not found`);
      return toResult(row);
    });
  }

  async updateResult(update: ResultUpdate, options?: UpdateOptions): Promise<StoredResult> {
    const name = resultName(update.parent, update.name);
    const key = { parent: update.parent, name: update.name };
    const write = this.knex("results").where(key);
    if (options?.expectEtag !== undefined) write.andWhere("etag", options.expectEtag);
    const updateSql = write
      .update(resultUpdateRow(update))
      .returning([...RESULT_COLUMNS])
      .toSQL()
      .toNative();
    const existsSql = this.knex("results").select("id").where(key).toSQL().toNative();
    return this.run({ kind: "result", name }, () =>
      this.transaction((db) => {
        const row = db.prepare(updateSql.sql).get(updateSql.bindings) as ResultRow | undefined;
        if (row !== undefined) return toResult(row);
        if (db.prepare(existsSql.sql).get(existsSql.bindings) === undefined) {
          throw new StorageError("not_found", `result "${name}" not found`);
        }
        throw new StorageError(
          "failed_precondition",
          `the etag of result "${name}" does not match`,
        );
      }),
    );
  }

  async deleteResult(parent: string, name: string): Promise<void> {
    const full = resultName(parent, name);
    await this.run({ kind: "result", name: full }, async () => {
      const count = await this.knex("results").where({ parent, name }).del();
      if (count === 0) throw new StorageError("not_found", `result "${full}" not found`);
    });
  }

  async listResults(query: ResultListQuery): Promise<Page<StoredResult>> {
    return this.run(undefined, async () => {
      const builder = this.knex("results").select(RESULT_COLUMNS.map((c) => `results.${c}`));
      if (query.parent !== undefined) builder.where("results.parent", query.parent);
      const rows = (await this.page(builder, query, RESULT_SORT_COLUMNS, "results")) as ResultRow[];
      const items = rows.slice(0, query.pageSize).map(toResult);
      const last = items[items.length - 1];
      return rows.length > query.pageSize && last !== undefined
        ? { items, next: resultCursor(last, query.orderBy) }
        : { items };
    });
  }

  // ---- Records ----

  async createRecord(record: StoredRecord): Promise<StoredRecord> {
    const name = recordName(record.parent, record.resultName, record.name);
    const parentName = resultName(record.parent, record.resultName);
    return this.run({ kind: "record", name, uid: record.uid, parentName }, () =>
      this.withConnection((db) => {
        const values = [
          record.uid,
          record.parent,
          record.resultName,
          record.name,
          record.type,
          record.data,
          record.createTime.getTime(),
          record.updateTime.getTime(),
          record.etag,
          record.parent,
          record.resultName,
        ];
        const row = this.statement(db, INSERT_RECORD_SQL, values).get(...values) as
          RecordRow | undefined;
        if (row === undefined)
          throw new StorageError("not_found", `result "${parentName}" not found`);
        return toRecord(row);
      }),
    );
  }

  async getRecord(parent: string, result: string, name: string): Promise<StoredRecord> {
    return this.run(undefined, () =>
      this.withConnection((db) => {
        const key = [parent, result, name];
        const row = this.statement(db, GET_RECORD_SQL, key).get(...key) as RecordRow | undefined;
        if (row === undefined) {
          throw new StorageError(
            "not_found",
            `record "${recordName(parent, result, name)}" not found`,
          );
        }
        return toRecord(row);
      }),
    );
  }

  async updateRecord(update: RecordUpdate, options?: UpdateOptions): Promise<StoredRecord> {
    const name = recordName(update.parent, update.resultName, update.name);
    const key = [update.parent, update.resultName, update.name];
    const values = [update.type, update.data, update.updateTime.getTime(), update.etag, ...key];
    return this.run({ kind: "record", name }, () =>
      this.transaction((db) => {
        const [sql, bindings] =
          options?.expectEtag !== undefined
            ? [UPDATE_RECORD_IF_SQL, [...values, options.expectEtag]]
            : [UPDATE_RECORD_SQL, values];
        const row = this.statement(db, sql, bindings).get(...bindings) as RecordRow | undefined;
        if (row !== undefined) return toRecord(row);
        if (this.statement(db, RECORD_EXISTS_SQL, key).get(...key) === undefined) {
          throw new StorageError("not_found", `record "${name}" not found`);
        }
        throw new StorageError(
          "failed_precondition",
          `the etag of record "${name}" does not match`,
        );
      }),
    );
  }

  async deleteRecord(parent: string, result: string, name: string): Promise<void> {
    const full = recordName(parent, result, name);
    await this.run({ kind: "record", name: full }, async () => {
      const count = await this.knex("records").where({ parent, result_name: result, name }).del();
      if (count === 0) throw new StorageError("not_found", `record "${full}" not found`);
    });
  }

  async listRecords(query: RecordListQuery): Promise<Page<StoredRecord>> {
    return this.run(undefined, () => {
      const where: string[] = [];
      const bindings: unknown[] = [];
      if (query.parent !== undefined) {
        where.push("records.parent = ?");
        bindings.push(query.parent);
      }
      if (query.resultName !== undefined) {
        where.push("records.result_name = ?");
        bindings.push(query.resultName);
      }
      const tail = this.pageClauses(query, RECORD_SORT_COLUMNS, "records");
      where.push(...tail.where);
      bindings.push(...tail.bindings);
      const sql = `${RECORD_SELECT}${where.length > 0 ? ` where ${where.join(" and ")}` : ""} ${tail.orderLimit}`;
      return this.withConnection((db) => {
        const rows = this.statement(db, sql, bindings).all(...bindings) as RecordRow[];
        const items = rows.slice(0, query.pageSize).map(toRecord);
        const last = items[items.length - 1];
        return rows.length > query.pageSize && last !== undefined
          ? { items, next: recordCursor(last, query.orderBy) }
          : { items };
      });
    });
  }

  async summarizeRecords(query: RecordSummaryQuery): Promise<RecordSummaryRow[]> {
    return this.run(undefined, () =>
      summarizeSqliteRecords(
        async (q) => (await this.knex.raw(q.sql, q.bindings as Knex.RawBinding[])) as unknown[],
        query,
      ),
    );
  }

  /**
   * The filter and keyset conditions (each parenthesized), and the ORDER BY
   * and LIMIT clause, of a list query: one row more than a page.
   */
  private pageClauses(
    query: ResultListQuery | RecordListQuery,
    sortColumns: Record<string, string>,
    table: "results" | "records",
  ): { where: string[]; bindings: unknown[]; orderLimit: string } {
    const terms = keysetTerms(query, sortColumns, table);
    const where: string[] = [];
    const bindings: unknown[] = [];
    if (query.filter !== undefined) {
      const filter = compileSqliteFilter(query.filter, { target: table, table });
      where.push(`(${filter.sql})`);
      bindings.push(...filter.bindings.map(sqliteBinding));
    }
    if (query.after !== undefined) {
      const keyset = keysetCondition(terms, cursorValues(query.after, query.orderBy));
      where.push(`(${keyset.sql})`);
      bindings.push(...keyset.bindings.map(sqliteBinding));
    }
    const order = terms.map((t) => `${t.column} ${t.direction === "desc" ? "desc" : "asc"}`);
    bindings.push(query.pageSize + 1);
    return { where, bindings, orderLimit: `order by ${order.join(", ")} limit ?` };
  }

  /** Add filter, keyset, order and limit to a list query; fetch one row more than a page. */
  private page(
    builder: Knex.QueryBuilder,
    query: ResultListQuery | RecordListQuery,
    sortColumns: Record<string, string>,
    table: "results" | "records",
  ): Knex.QueryBuilder {
    const terms = keysetTerms(query, sortColumns, table);
    if (query.filter !== undefined) {
      const filter = compileSqliteFilter(query.filter, { target: table, table });
      builder.whereRaw(filter.sql, filter.bindings as Knex.RawBinding[]);
    }
    if (query.after !== undefined) {
      const keyset = keysetCondition(terms, cursorValues(query.after, query.orderBy));
      builder.whereRaw(keyset.sql, keyset.bindings as Knex.RawBinding[]);
    }
    for (const term of terms) builder.orderBy(term.column, term.direction);
    return builder.limit(query.pageSize + 1);
  }

  async close(): Promise<void> {
    await this.knex.destroy();
  }
}

/**
 * Open (and by default migrate) a SQLite store.
 *
 * Every connection gets `foreign_keys=ON`, `busy_timeout`, `synchronous=NORMAL`,
 * `journal_mode=WAL` for files, and the SQL functions filters use.
 */
export async function createSqliteStore(options: SqliteStoreOptions): Promise<SqliteStore> {
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  if (!Number.isSafeInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
    throw new TypeError("busyTimeoutMs must be a non-negative integer");
  }
  const statementTimeoutMs = options.statementTimeoutMs ?? 5000;
  if (!Number.isSafeInteger(statementTimeoutMs) || statementTimeoutMs < 0) {
    throw new TypeError("statementTimeoutMs must be a non-negative integer");
  }
  const memory = isMemory(options.filename);
  const filename = memory ? options.filename : resolve(options.filename);
  if (!memory) mkdirSync(dirname(filename), { recursive: true });
  const logger = options.logger;

  const knex = knexFactory({
    client: "better-sqlite3",
    connection: { filename },
    useNullAsDefault: true,
    pool: {
      min: 1,
      max: 1,
      afterCreate(
        conn: BetterSqlite3.Database,
        done: (err: Error | null, conn: BetterSqlite3.Database) => void,
      ) {
        try {
          conn.pragma(`busy_timeout = ${busyTimeoutMs}`);
          conn.pragma("foreign_keys = ON");
          conn.pragma("synchronous = NORMAL");
          if (!memory) {
            const mode = conn.pragma("journal_mode = WAL", { simple: true });
            if (String(mode).toLowerCase() !== "wal") {
              logger?.warn(
                { filename, journalMode: mode },
                "sqlite: WAL mode is not available for this database",
              );
            }
          }
          registerSqliteFunctions(conn, { statementTimeoutMs });
          done(null, conn);
        } catch (err) {
          done(err as Error, conn);
        }
      },
    },
    log: {
      warn: (message: string) => logger?.warn({ source: "knex" }, String(message)),
      error: (message: string) => logger?.warn({ source: "knex" }, String(message)),
      deprecate: (message: string) => logger?.warn({ source: "knex" }, String(message)),
      debug: () => undefined,
    },
  });

  const store = new SqliteStoreImpl(knex, busyTimeoutMs);
  try {
    if (options.migrate ?? true) await store.migrate();
    else {
      const pending = await store.pendingMigrations();
      if (pending > 0)
        logger?.warn({ filename, pending }, "sqlite: the database schema has pending migrations");
    }
  } catch (err) {
    await knex.destroy();
    throw err;
  }
  return store;
}
