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
import type { Logger } from "@tekton-results/runtime";
import type { RecordSummaryQuery, RecordSummaryRow, ResultsStore } from "@tekton-results/storage";
import {
  SqlResultsStore,
  knexLog,
  openSqlStore,
  pendingMigrationCount,
} from "@tekton-results/storage-sql";
import { registerSqliteFunctions, type StatementLimit } from "./sqlite-functions.js";
import { sqliteMigrationSource } from "./sqlite-migrations.js";
import { translateSqliteError } from "./sqlite-errors.js";
import { sqliteDialect } from "./sqlite-dialect.js";

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
  /**
   * Receives warnings (a file database that cannot use WAL, pending
   * migrations, knex warnings): a runtime `Logger`, or a pino logger.
   */
  logger?: Pick<Logger, "info" | "warn">;
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
  /** How many schema migrations are not applied yet (0: the schema is current). */
  pendingMigrations(): Promise<number>;
  /** The underlying knex instance (one connection), for tooling and tests. */
  readonly knex: Knex;
  /** Record summaries in SQL (always present: `capabilities.recordListSummary` is true). */
  summarizeRecords(query: RecordSummaryQuery): Promise<RecordSummaryRow[]>;
}

function isMemory(filename: string): boolean {
  return filename === ":memory:" || filename === "" || filename.startsWith("file::memory:");
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The store core over the SQLite dialect, with migrations and the connection. */
class SqliteStoreImpl extends SqlResultsStore implements SqliteStore {
  constructor(
    readonly knex: Knex,
    private readonly busyTimeoutMs: number,
    limitOf: (db: BetterSqlite3.Database) => StatementLimit | undefined,
  ) {
    super(sqliteDialect(knex, limitOf));
  }

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

  pendingMigrations(): Promise<number> {
    return pendingMigrationCount(this.knex.migrate, { migrationSource: sqliteMigrationSource });
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
  const limits = new WeakMap<BetterSqlite3.Database, StatementLimit>();

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
          limits.set(conn, registerSqliteFunctions(conn, { statementTimeoutMs }));
          done(null, conn);
        } catch (err) {
          done(err as Error, conn);
        }
      },
    },
    log: knexLog(logger),
  });

  const store = new SqliteStoreImpl(knex, busyTimeoutMs, (db) => limits.get(db));
  return openSqlStore(store, {
    migrate: options.migrate ?? true,
    onPending: (pending) =>
      logger?.warn({ filename, pending }, "sqlite: the database schema has pending migrations"),
    dispose: () => knex.destroy(),
  });
}
