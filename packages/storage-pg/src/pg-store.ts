/**
 * The PostgreSQL {@link ResultsStore}: knex over node-postgres with a
 * connection pool, every table in one schema.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import knexFactory, { type Knex } from "knex";
import pg from "pg";
import type { Logger } from "@tekton-results/runtime";
import type {
  ExclusiveRunner,
  RecordSummaryQuery,
  RecordSummaryRow,
  ResultsStore,
} from "@tekton-results/storage";
import { SqlResultsStore, knexLog, openSqlStore } from "@tekton-results/storage-sql";
import { pgDialect } from "./pg-dialect.js";
import { isPgConnectionError, translatePgError } from "./pg-errors.js";
import { pgExclusiveRunner } from "./pg-exclusive.js";
import {
  NO_TIMEOUTS,
  migratePgSchema,
  pendingPgMigrations,
  quoteIdentifier,
} from "./pg-migrate.js";

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
   * Receives warnings (startup retries, pending migrations, knex warnings) and
   * the progress of migrations (`info`): a runtime `Logger`, or a pino logger.
   */
  logger?: Pick<Logger, "info" | "warn">;
  /**
   * Run the record reads and writes as named prepared statements, parsed and
   * planned once per connection. Default `true`. Turn it off behind a
   * connection pooler that does not keep prepared statements across
   * transactions (PgBouncer in transaction mode before 1.21, or with
   * `max_prepared_statements = 0`).
   */
  preparedStatements?: boolean;
}

/**
 * A {@link ResultsStore} backed by PostgreSQL; its `runExclusive` runs a task in one process at a
 * time across every process on the database (a session advisory lock on a connection of its own).
 */
export interface PgStore extends ResultsStore, ExclusiveRunner {
  /**
   * Apply pending schema migrations (idempotent; concurrent callers, in any
   * process, wait for each other as long as a migration takes). Runs on
   * connections of its own without `statement_timeout` or `lock_timeout`.
   */
  migrate(): Promise<void>;
  /** How many schema migrations are not applied yet (0: the schema is current). */
  pendingMigrations(): Promise<number>;
  /** The underlying knex instance (a pool), for tooling and tests. */
  readonly knex: Knex;
  /** Record summaries in SQL (always present: `capabilities.recordListSummary` is true). */
  summarizeRecords(query: RecordSummaryQuery): Promise<RecordSummaryRow[]>;
}

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_$]{0,62}$/;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The store core over the PostgreSQL dialect, with migrations and the pool. */
class PgStoreImpl extends SqlResultsStore implements PgStore {
  constructor(
    readonly knex: Knex,
    private readonly schema: string,
    prepared: boolean,
    private readonly openMigrationKnex: () => Knex,
    private readonly logger: PgStoreOptions["logger"],
    private readonly exclusive: ExclusiveRunner,
  ) {
    super(pgDialect(knex, prepared));
  }

  runExclusive(name: string, task: (signal: AbortSignal) => Promise<void>): Promise<boolean> {
    return this.exclusive.runExclusive(name, task);
  }

  async migrate(): Promise<void> {
    const { schema, logger, openMigrationKnex } = this;
    await migratePgSchema({ schema, logger, openMigrationKnex });
  }

  /** How many migrations have not run yet; creates nothing (not even the schema). */
  pendingMigrations(): Promise<number> {
    return pendingPgMigrations(this.knex, this.schema);
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
      // Failed connection attempts surface as translated errors (and startup
      // retries log their own warning); knex's copy would only repeat them.
      log: knexLog(logger, (message) => message.startsWith("Acquire connection error")),
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

  // Advisory locks: a connection of their own per task, held for the task (not a pooled one).
  const exclusive = pgExclusiveRunner(
    schema,
    () =>
      new pg.Client({
        connectionString: options.connectionString,
        keepAlive: true,
        // Names the holder in pg_stat_activity (join pg_locks on pid).
        application_name: "tekton-results-lock",
        ...(ssl === undefined ? {} : { ssl: ssl as pg.ClientConfig["ssl"] }),
      }),
  );
  const store = new PgStoreImpl(
    knex,
    schema,
    options.preparedStatements ?? true,
    openMigrationKnex,
    logger,
    exclusive,
  );
  const attempts = Math.max(1, (options.startupRetries?.attempts ?? 0) + 1);
  const delayMs = options.startupRetries?.delayMs ?? 0;
  /** A first statement, retried while the database refuses connections. */
  const connect = async () => {
    for (let attempt = 1; ; attempt++) {
      try {
        await knex.raw("SELECT 1");
        return;
      } catch (err) {
        if (!isPgConnectionError(err) || attempt >= attempts) throw translatePgError(err);
        logger?.warn(
          { attempt, of: attempts, delayMs, code: (err as { code?: unknown }).code },
          "postgres: the database is not reachable yet, retrying",
        );
        await sleep(delayMs);
      }
    }
  };
  return openSqlStore(store, {
    connect,
    migrate: options.migrate ?? true,
    onPending: (pending) =>
      logger?.warn({ schema, pending }, "postgres: the database schema has pending migrations"),
    dispose: () => knex.destroy(),
  });
}

/**
 * Apply pending migrations and close the connection: the separate migration
 * command of a deployment that runs the server with `migrate: false`.
 */
export async function migratePg(options: Omit<PgStoreOptions, "migrate">): Promise<void> {
  const store = await createPgStore({ ...options, migrate: true });
  await store.close();
}
