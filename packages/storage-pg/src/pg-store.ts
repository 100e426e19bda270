/**
 * The PostgreSQL {@link ResultsStore}: knex over node-postgres with a
 * connection pool, every table in one schema.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import knexFactory, { type Knex } from "knex";
import type pg from "pg";
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
import { compilePgFilter } from "./pg-filter.js";
import {
  MISSING_TIME_SORT_VALUE,
  createPgMigrationSource,
  pgMigrationSource,
  pgMigrations,
  type PgBackfillProgress,
  type PgMigration,
} from "./pg-migrations.js";
import { isPgConnectionError, translatePgError, type PgErrorContext } from "./pg-errors.js";
import { summarizePgRecords } from "./pg-summary.js";

/** Where the store reports conditions an operator should know about. */
export interface PgStoreLogger {
  warn(obj: object, msg: string): void;
  /**
   * Progress of schema migrations: which ones run, backfill progress, how
   * long they took, and a wait for another process's migration. Optional.
   */
  info?(obj: object, msg: string): void;
}

/** TLS settings of the connection. */
export interface PgSslOptions {
  /**
   * `disable`: plain TCP. `require`: TLS without verifying the server
   * certificate. `verify-ca`: TLS, the certificate must chain to `caFile` (or
   * the system roots). `verify-full`: `verify-ca` and the host name must match.
   */
  mode: "disable" | "require" | "verify-ca" | "verify-full";
  /** PEM file of the CA that signs the server certificate. */
  caFile?: string;
}

/** Options of {@link createPgStore}. */
export interface PgStoreOptions {
  /**
   * `postgres://user:password@host:port/database`. TLS parameters in the URL
   * (`sslmode`, ...) take precedence over {@link PgStoreOptions.ssl}.
   */
  connectionString: string;
  /** Most connections the pool opens. Default 10. */
  poolMax?: number;
  /**
   * `statement_timeout` of every pooled connection, in ms (0 disables it).
   * Default 30000. Migrations do not run under it: they run on connections of
   * their own without a statement or lock timeout.
   */
  statementTimeoutMs?: number;
  /**
   * Let PostgreSQL JIT-compile expensive statements (its `jit` setting).
   * Default false: the store's statements are short OLTP queries and
   * trigger-driven writes, for which compiling costs more than it saves: a
   * statement over 10,000 rows that calls the record functions took 6 s with
   * JIT (LLVM compiling it) and 0.14 s without, on a fresh session.
   */
  jit?: boolean;
  /** TLS settings. Default: what the connection string says (plain TCP if nothing). */
  ssl?: PgSslOptions;
  /** Apply pending schema migrations when the store opens. Default `true`. */
  migrate?: boolean;
  /**
   * The schema that holds every table and function; set as `search_path` on
   * each connection and created by migrations when missing. Default `public`.
   */
  schema?: string;
  /**
   * Retry the first connection while the database does not answer (a database
   * that starts together with the server). Default: no retry.
   */
  startupRetries?: { attempts: number; delayMs: number };
  /**
   * Receives warnings (startup retries, pending migrations, knex warnings) and,
   * when it has `info`, the progress of migrations.
   */
  logger?: PgStoreLogger;
  /**
   * Run the record reads and writes as named prepared statements, parsed and
   * planned once per connection. Default `true`. Turn it off behind a
   * connection pooler that does not keep prepared statements across
   * transactions (PgBouncer in transaction mode before 1.21, or with
   * `max_prepared_statements = 0`).
   */
  preparedStatements?: boolean;
}

/** A {@link ResultsStore} backed by PostgreSQL. */
export interface PgStore extends ResultsStore {
  /**
   * Apply pending schema migrations (idempotent; concurrent callers, in any
   * process, wait for each other as long as a migration takes). Runs on
   * connections of its own without `statement_timeout` or `lock_timeout`.
   */
  migrate(): Promise<void>;
  /** The underlying knex instance (a pool), for tooling and tests. */
  readonly knex: Knex;
  /** Record summaries in SQL (always present: `capabilities.recordListSummary` is true). */
  summarizeRecords(query: RecordSummaryQuery): Promise<RecordSummaryRow[]>;
}

interface ResultRow {
  uid: string;
  parent: string;
  name: string;
  annotations: Record<string, string>;
  has_summary: boolean;
  summary_record: string | null;
  summary_type: string | null;
  summary_status: number | null;
  summary_start_time: string | null;
  summary_end_time: string | null;
  summary_annotations: Record<string, string> | null;
  create_time: string;
  update_time: string;
  etag: string;
}

interface RecordRow {
  uid: string;
  parent: string;
  result_name: string;
  name: string;
  type: string;
  data: string;
  create_time: string;
  update_time: string;
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

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_$]{0,62}$/;

function resultName(parent: string, name: string): string {
  return `${parent}/results/${name}`;
}

function recordName(parent: string, result: string, name: string): string {
  return `${parent}/results/${result}/records/${name}`;
}

function stringMap(value: unknown): Record<string, string> {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, string>)
    : {};
}

function toResult(row: ResultRow): StoredResult {
  const result: StoredResult = {
    parent: row.parent,
    name: row.name,
    uid: row.uid,
    annotations: stringMap(row.annotations),
    createTime: new Date(Number(row.create_time)),
    updateTime: new Date(Number(row.update_time)),
    etag: row.etag,
  };
  if (row.has_summary) {
    result.summary = {
      record: row.summary_record ?? "",
      type: row.summary_type ?? "",
      status: (row.summary_status ?? 0) as SummaryStatus,
      annotations: stringMap(row.summary_annotations),
    };
    if (row.summary_start_time !== null)
      result.summary.startTime = new Date(Number(row.summary_start_time));
    if (row.summary_end_time !== null)
      result.summary.endTime = new Date(Number(row.summary_end_time));
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
    createTime: new Date(Number(row.create_time)),
    updateTime: new Date(Number(row.update_time)),
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
    has_summary: s !== undefined,
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
      if (v === null) return String(MISSING_TIME_SORT_VALUE);
      if (!Number.isSafeInteger(v))
        throw new StorageError("invalid_argument", "invalid page token");
      return String(v);
    }),
    after.uid,
  ];
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** How often a store waiting for another process's migration says so again. */
const MIGRATION_WAIT_LOG_MS = 30_000;
/** How often a backfill's progress is logged at most. */
const BACKFILL_LOG_MS = 5_000;
/**
 * The session settings of migrations: no statement or lock timeout (also none
 * a role or database default would impose). Lock waits of the DDL are bounded
 * by the statements of running servers, which have their statement timeout.
 */
const NO_TIMEOUTS = "SET statement_timeout = 0; SET lock_timeout = 0";

/** A fixed statement of a hot path, prepared once per connection under `name`. */
interface PreparedSql {
  readonly name: string;
  readonly text: string;
}

const RECORD_RETURNING = `returning ${RECORD_COLUMNS.join(", ")}`;
const RECORD_SELECT = `select ${RECORD_COLUMNS.map((c) => `records.${c}`).join(", ")} from records`;

// Spelled as knex spells its queries (lower-case keywords), for `query` listeners.
const INSERT_RECORD: PreparedSql = {
  name: "tekton_results_insert_record_v1",
  text: `insert into records (result_id, uid, parent, result_name, name, type, data, create_time, update_time, etag)
select id, $1::text, $2::text, $3::text, $4::text, $5::text, $6::text, $7::bigint, $8::bigint, $9::text
from results where parent = $2::text and name = $3::text
${RECORD_RETURNING}`,
};
const GET_RECORD: PreparedSql = {
  name: "tekton_results_get_record_v1",
  text: `${RECORD_SELECT} where parent = $1::text and result_name = $2::text and name = $3::text limit 1`,
};
const UPDATE_RECORD: PreparedSql = {
  name: "tekton_results_update_record_v1",
  text: `update records set type = $1::text, data = $2::text, update_time = $3::bigint, etag = $4::text
where parent = $5::text and result_name = $6::text and name = $7::text ${RECORD_RETURNING}`,
};
const UPDATE_RECORD_IF: PreparedSql = {
  name: "tekton_results_update_record_if_v1",
  text: `update records set type = $1::text, data = $2::text, update_time = $3::bigint, etag = $4::text
where parent = $5::text and result_name = $6::text and name = $7::text and etag = $8::text ${RECORD_RETURNING}`,
};
const RECORD_EXISTS: PreparedSql = {
  name: "tekton_results_record_exists_v1",
  text: `select id from records where parent = $1::text and result_name = $2::text and name = $3::text`,
};

function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

class PgStoreImpl implements PgStore {
  readonly capabilities = CAPABILITIES;

  constructor(
    readonly knex: Knex,
    private readonly schema: string,
    private readonly prepared: boolean,
    private readonly openMigrationKnex: () => Knex,
    private readonly logger: PgStoreLogger | undefined,
  ) {}

  async migrate(): Promise<void> {
    // Migrations may take long (a backfill over every record): they run on a
    // knex of their own whose sessions have no statement or lock timeout,
    // never on the request pool and its statement_timeout.
    const knex = this.openMigrationKnex();
    const client = knex.client as {
      acquireRawConnection(): Promise<pg.Client>;
      destroyRawConnection(conn: pg.Client): Promise<void>;
    };
    let lock: pg.Client | undefined;
    try {
      // One migrator per schema at a time, across processes, on a session of
      // its own (outside the pool, which the migrations use). knex's own lock
      // is not enough: two first migrators can both insert its lock row
      // (check, then insert), after which no migration can ever take it.
      lock = await client.acquireRawConnection();
      await lock.query(NO_TIMEOUTS);
      await this.takeMigrationLock(lock);
      await knex.raw(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(this.schema)}`);
      // No other migrator runs now: a knex lock still taken was left by a
      // crashed one (or doubled by that race): reset it.
      const migrationSource = createPgMigrationSource({ onProgress: this.backfillReporter() });
      const config = { migrationSource, schemaName: this.schema };
      await knex.migrate.forceFreeMigrationsLock(config);
      const [, pending] = (await knex.migrate.list(config)) as [unknown[], PgMigration[]];
      if (pending.length === 0) return;
      const started = Date.now();
      this.info(
        { schema: this.schema, migrations: pending.map((m) => m.name) },
        "postgres: applying schema migrations",
      );
      await knex.migrate.latest(config);
      this.info(
        { schema: this.schema, durationMs: Date.now() - started },
        "postgres: schema migrations applied",
      );
    } catch (err) {
      throw translatePgError(err);
    } finally {
      // Ending the session releases the advisory lock.
      if (lock) await client.destroyRawConnection(lock).catch(() => undefined);
      await knex.destroy();
    }
  }

  /**
   * Take the migration lock of this schema on `session`, waiting as long as
   * another process holds it (its migration runs): logged when the wait
   * starts, every {@link MIGRATION_WAIT_LOG_MS} while it lasts, and when it ends.
   */
  private async takeMigrationLock(session: pg.Client): Promise<void> {
    const key = [`tekton-results:migrate:${this.schema}`];
    const tried = await session.query<{ ok: boolean }>(
      "SELECT pg_try_advisory_lock(hashtext($1)) AS ok",
      key,
    );
    if (tried.rows[0]?.ok === true) return;
    const since = Date.now();
    const waiting = () =>
      this.info(
        { schema: this.schema, waitedMs: Date.now() - since },
        "postgres: waiting for the schema migration of another process",
      );
    waiting();
    const timer = setInterval(waiting, MIGRATION_WAIT_LOG_MS);
    timer.unref();
    try {
      await session.query("SELECT pg_advisory_lock(hashtext($1))", key);
    } finally {
      clearInterval(timer);
    }
    this.info(
      { schema: this.schema, waitedMs: Date.now() - since },
      "postgres: the other process's schema migration ended",
    );
  }

  /** Logs backfill progress: at most every {@link BACKFILL_LOG_MS}, and the last batch. */
  private backfillReporter(): (progress: PgBackfillProgress) => void {
    let logged = 0;
    return (progress) => {
      const now = Date.now();
      if (progress.done < progress.total && now - logged < BACKFILL_LOG_MS) return;
      logged = now;
      this.info({ schema: this.schema, ...progress }, "postgres: backfilling rows");
    };
  }

  private info(obj: object, msg: string): void {
    this.logger?.info?.(obj, msg);
  }

  /** How many migrations have not run yet; creates nothing (not even the schema). */
  async pendingMigrations(): Promise<number> {
    const table = `${quoteIdentifier(this.schema)}.knex_migrations`;
    const found = (await this.knex.raw("SELECT to_regclass(?::text) AS t", [table])) as {
      rows: { t: string | null }[];
    };
    if (found.rows[0]?.t == null) return pgMigrations.length;
    const [, pending] = (await this.knex.migrate.list({
      migrationSource: pgMigrationSource,
      schemaName: this.schema,
    })) as [unknown[], unknown[]];
    return pending.length;
  }

  /**
   * Run a fixed statement of a hot path on a pooled connection, without the
   * query builder: as a named prepared statement (parsed and planned once per
   * connection) unless `preparedStatements` is off. Like a knex query, it is announced to the knex instance's
   * `query` listeners when there are any.
   */
  private async exec<R>(statement: PreparedSql, values: unknown[]): Promise<R[]> {
    const client = this.knex.client as {
      acquireConnection(): Promise<pg.Client>;
      releaseConnection(conn: pg.Client): Promise<unknown>;
    };
    const conn = await client.acquireConnection();
    try {
      if (this.knex.listenerCount("query") > 0) {
        const method = statement.text.slice(0, statement.text.indexOf(" "));
        this.knex.emit("query", { method, sql: statement.text, bindings: values });
      }
      const out = await conn.query(
        this.prepared
          ? { name: statement.name, text: statement.text, values }
          : { text: statement.text, values },
      );
      return out.rows as R[];
    } finally {
      await client.releaseConnection(conn);
    }
  }

  private async run<T>(context: PgErrorContext | undefined, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw translatePgError(err, context);
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
    return this.run({ kind: "result", name }, async () => {
      const write = this.knex("results").where(key);
      if (options?.expectEtag !== undefined) write.andWhere("etag", options.expectEtag);
      const rows = (await write
        .update(resultUpdateRow(update))
        .returning([...RESULT_COLUMNS])) as ResultRow[];
      if (rows[0] !== undefined) return toResult(rows[0]);
      const exists = await this.knex("results").select("id").where(key).first();
      if (exists === undefined) throw new StorageError("not_found", `result "${name}" not found`);
      throw new StorageError("failed_precondition", `the etag of result "${name}" does not match`);
    });
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
    return this.run({ kind: "record", name, uid: record.uid, parentName }, async () => {
      const rows = await this.exec<RecordRow>(INSERT_RECORD, [
        record.uid,
        record.parent,
        record.resultName,
        record.name,
        record.type,
        record.data,
        record.createTime.getTime(),
        record.updateTime.getTime(),
        record.etag,
      ]);
      const row = rows[0];
      if (row === undefined)
        throw new StorageError("not_found", `result "${parentName}" not found`);
      return toRecord(row);
    });
  }

  async getRecord(parent: string, result: string, name: string): Promise<StoredRecord> {
    return this.run(undefined, async () => {
      const row = (await this.exec<RecordRow>(GET_RECORD, [parent, result, name]))[0];
      if (row === undefined) {
        throw new StorageError(
          "not_found",
          `record "${recordName(parent, result, name)}" not found`,
        );
      }
      return toRecord(row);
    });
  }

  async updateRecord(update: RecordUpdate, options?: UpdateOptions): Promise<StoredRecord> {
    const name = recordName(update.parent, update.resultName, update.name);
    const key = [update.parent, update.resultName, update.name];
    const values = [update.type, update.data, update.updateTime.getTime(), update.etag, ...key];
    return this.run({ kind: "record", name }, async () => {
      const rows =
        options?.expectEtag !== undefined
          ? await this.exec<RecordRow>(UPDATE_RECORD_IF, [...values, options.expectEtag])
          : await this.exec<RecordRow>(UPDATE_RECORD, values);
      if (rows[0] !== undefined) return toRecord(rows[0]);
      const exists = await this.exec(RECORD_EXISTS, key);
      if (exists.length === 0) throw new StorageError("not_found", `record "${name}" not found`);
      throw new StorageError("failed_precondition", `the etag of record "${name}" does not match`);
    });
  }

  async deleteRecord(parent: string, result: string, name: string): Promise<void> {
    const full = recordName(parent, result, name);
    await this.run({ kind: "record", name: full }, async () => {
      const count = await this.knex("records").where({ parent, result_name: result, name }).del();
      if (count === 0) throw new StorageError("not_found", `record "${full}" not found`);
    });
  }

  async listRecords(query: RecordListQuery): Promise<Page<StoredRecord>> {
    return this.run(undefined, async () => {
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
      const out = (await this.knex.raw(sql, bindings as Knex.RawBinding[])) as {
        rows: RecordRow[];
      };
      const rows = out.rows;
      const items = rows.slice(0, query.pageSize).map(toRecord);
      const last = items[items.length - 1];
      return rows.length > query.pageSize && last !== undefined
        ? { items, next: recordCursor(last, query.orderBy) }
        : { items };
    });
  }

  async summarizeRecords(query: RecordSummaryQuery): Promise<RecordSummaryRow[]> {
    return this.run(undefined, () =>
      summarizePgRecords(async (q) => {
        const out = (await this.knex.raw(q.sql, q.bindings as Knex.RawBinding[])) as {
          rows: unknown[];
        };
        return out.rows;
      }, query),
    );
  }

  /**
   * The filter and keyset conditions (each parenthesized, knex `?` bindings),
   * and the ORDER BY and LIMIT clause, of a list query: one row more than a page.
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
      const filter = compilePgFilter(query.filter, { target: table, table });
      where.push(`(${filter.sql})`);
      bindings.push(...filter.bindings);
    }
    if (query.after !== undefined) {
      const keyset = keysetCondition(terms, cursorValues(query.after, query.orderBy), (i) =>
        i === terms.length - 1 ? "?::text" : "?::bigint",
      );
      where.push(`(${keyset.sql})`);
      bindings.push(...keyset.bindings);
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
      const filter = compilePgFilter(query.filter, { target: table, table });
      builder.whereRaw(filter.sql, filter.bindings as Knex.RawBinding[]);
    }
    if (query.after !== undefined) {
      const keyset = keysetCondition(terms, cursorValues(query.after, query.orderBy), (i) =>
        i === terms.length - 1 ? "?::text" : "?::bigint",
      );
      builder.whereRaw(keyset.sql, keyset.bindings as Knex.RawBinding[]);
    }
    for (const term of terms) builder.orderBy(term.column, term.direction);
    return builder.limit(query.pageSize + 1);
  }

  async close(): Promise<void> {
    await this.knex.destroy();
  }
}

/** node-postgres TLS options for {@link PgSslOptions}. */
function sslConfig(ssl: PgSslOptions | undefined): pg.ClientConfig["ssl"] {
  if (ssl === undefined) return undefined;
  const ca = ssl.caFile === undefined ? undefined : readFileSync(ssl.caFile, "utf8");
  switch (ssl.mode) {
    case "disable":
      return false;
    case "require":
      return { rejectUnauthorized: false };
    case "verify-ca":
      return { rejectUnauthorized: true, ca, checkServerIdentity: () => undefined };
    case "verify-full":
      return { rejectUnauthorized: true, ca };
  }
}

/**
 * Open (and by default migrate) a PostgreSQL store.
 *
 * Every pooled connection gets the store's `search_path` and
 * `statement_timeout`. With `startupRetries`, a database that refuses
 * connections is retried (each retry logged) before the store gives up with
 * a `StorageError` `unavailable`.
 *
 * @throws {TypeError} for invalid options (a schema name that is not a plain identifier).
 * @throws {StorageError} `unavailable` when the database cannot be reached.
 */
export async function createPgStore(options: PgStoreOptions): Promise<PgStore> {
  const schema = options.schema ?? "public";
  if (!SCHEMA_NAME.test(schema))
    throw new TypeError(`invalid schema name ${JSON.stringify(schema)}`);
  const poolMax = options.poolMax ?? 10;
  if (!Number.isSafeInteger(poolMax) || poolMax < 1)
    throw new TypeError("poolMax must be a positive integer");
  const statementTimeoutMs = options.statementTimeoutMs ?? 30_000;
  if (!Number.isSafeInteger(statementTimeoutMs) || statementTimeoutMs < 0)
    throw new TypeError("statementTimeoutMs must be a non-negative integer");
  const logger = options.logger;
  const sessionSetup = `SET search_path TO ${quoteIdentifier(schema)}; SET jit = ${options.jit === true ? "on" : "off"}`;
  const ssl = sslConfig(options.ssl) as Knex.PgConnectionConfig["ssl"] | undefined;

  /** A knex over `connection` whose new sessions first run `setup`. */
  const openKnex = (connection: Knex.PgConnectionConfig, max: number, setup: string): Knex =>
    knexFactory({
      client: "pg",
      connection: ssl === undefined ? connection : { ...connection, ssl },
      pool: {
        min: 0,
        max,
        afterCreate(conn: pg.Client, done: (err: Error | null, conn: pg.Client) => void) {
          conn.query(setup).then(
            () => done(null, conn),
            (err: Error) => done(err, conn),
          );
        },
      },
      acquireConnectionTimeout: 10_000,
      log: {
        // Failed connection attempts surface as translated errors (and startup
        // retries log their own warning); knex's copy would only repeat them.
        warn: (message: string) => {
          if (!String(message).startsWith("Acquire connection error"))
            logger?.warn({ source: "knex" }, String(message));
        },
        error: (message: string) => logger?.warn({ source: "knex" }, String(message)),
        deprecate: (message: string) => logger?.warn({ source: "knex" }, String(message)),
        debug: () => undefined,
      },
    });

  // The request pool: every statement under the statement timeout.
  const knex = openKnex(
    { connectionString: options.connectionString, statement_timeout: statementTimeoutMs },
    poolMax,
    sessionSetup,
  );
  // Migrations: a pool of their own, opened for each migrate() call, without
  // timeouts and with TCP keepalive (a wait for another migrator can be long).
  const openMigrationKnex = () =>
    openKnex(
      { connectionString: options.connectionString, keepAlive: true },
      2,
      `${sessionSetup}; ${NO_TIMEOUTS}`,
    );

  const store = new PgStoreImpl(
    knex,
    schema,
    options.preparedStatements ?? true,
    openMigrationKnex,
    logger,
  );
  try {
    const attempts = Math.max(1, (options.startupRetries?.attempts ?? 0) + 1);
    const delayMs = options.startupRetries?.delayMs ?? 0;
    for (let attempt = 1; ; attempt++) {
      try {
        await knex.raw("SELECT 1");
        break;
      } catch (err) {
        if (!isPgConnectionError(err) || attempt >= attempts) throw translatePgError(err);
        logger?.warn(
          { attempt, of: attempts, delayMs, code: (err as { code?: unknown }).code },
          "postgres: the database is not reachable yet, retrying",
        );
        await sleep(delayMs);
      }
    }
    if (options.migrate ?? true) await store.migrate();
    else {
      const pending = await store.pendingMigrations();
      if (pending > 0)
        logger?.warn({ schema, pending }, "postgres: the database schema has pending migrations");
    }
  } catch (err) {
    await knex.destroy();
    throw err;
  }
  return store;
}

/**
 * Apply pending migrations and close the connection: the separate migration
 * command of a deployment that runs the server with `migrate: false`.
 */
export async function migratePg(options: Omit<PgStoreOptions, "migrate">): Promise<void> {
  const store = await createPgStore({ ...options, migrate: true });
  await store.close();
}
