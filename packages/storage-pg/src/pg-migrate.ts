/**
 * How a PostgreSQL store applies its migrations: on a knex of their own
 * without statement or lock timeouts, one migrator per schema at a time
 * across processes (a session advisory lock), progress logged.
 *
 * @module
 */
import type { Knex } from "knex";
import type pg from "pg";
import { pendingMigrationCount, type SqlStoreLogger } from "@tekton-results/storage-sql";
import {
  createPgMigrationSource,
  pgMigrationSource,
  pgMigrations,
  type PgBackfillProgress,
  type PgMigration,
} from "./pg-migrations.js";
import { translatePgError } from "./pg-errors.js";

/** How often a store waiting for another process's migration says so again. */
const MIGRATION_WAIT_LOG_MS = 30_000;
/** How often a backfill's progress is logged at most. */
const BACKFILL_LOG_MS = 5_000;
/**
 * The session settings of migrations: no statement or lock timeout (also none
 * a role or database default would impose). Lock waits of the DDL are bounded
 * by the statements of running servers, which have their statement timeout.
 */
export const NO_TIMEOUTS = "SET statement_timeout = 0; SET lock_timeout = 0";

/** A double-quoted SQL identifier. */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** What {@link migratePgSchema} works with. */
export interface PgMigrateTarget {
  /** The schema whose migrations run. */
  readonly schema: string;
  /** Opens the knex migrations run on (destroyed when they are done). */
  openMigrationKnex(): Knex;
  /** Receives the progress of migrations. */
  readonly logger: SqlStoreLogger | undefined;
}

/**
 * Apply the pending migrations of `target.schema` (idempotent; concurrent
 * callers, in any process, wait for each other as long as a migration takes).
 */
export async function migratePgSchema(target: PgMigrateTarget): Promise<void> {
  const { schema, logger } = target;
  // Migrations may take long (a backfill over every record): they run on a
  // knex of their own whose sessions have no statement or lock timeout,
  // never on the request pool and its statement_timeout.
  const knex = target.openMigrationKnex();
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
    await takeMigrationLock(lock, schema, logger);
    await knex.raw(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema)}`);
    // No other migrator runs now: a knex lock still taken was left by a
    // crashed one (or doubled by that race): reset it.
    const migrationSource = createPgMigrationSource({
      onProgress: backfillReporter(schema, logger),
    });
    const config = { migrationSource, schemaName: schema };
    await knex.migrate.forceFreeMigrationsLock(config);
    const [, pending] = (await knex.migrate.list(config)) as [unknown[], PgMigration[]];
    if (pending.length === 0) return;
    const started = Date.now();
    logger?.info(
      { schema, migrations: pending.map((m) => m.name) },
      "postgres: applying schema migrations",
    );
    await knex.migrate.latest(config);
    logger?.info(
      { schema, durationMs: Date.now() - started },
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
 * Take the migration lock of `schema` on `session`, waiting as long as
 * another process holds it (its migration runs): logged when the wait
 * starts, every {@link MIGRATION_WAIT_LOG_MS} while it lasts, and when it ends.
 */
async function takeMigrationLock(
  session: pg.Client,
  schema: string,
  logger: SqlStoreLogger | undefined,
): Promise<void> {
  const key = [`tekton-results:migrate:${schema}`];
  const tried = await session.query<{ ok: boolean }>(
    "SELECT pg_try_advisory_lock(hashtext($1)) AS ok",
    key,
  );
  if (tried.rows[0]?.ok === true) return;
  const since = Date.now();
  const waiting = () =>
    logger?.info(
      { schema, waitedMs: Date.now() - since },
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
  logger?.info(
    { schema, waitedMs: Date.now() - since },
    "postgres: the other process's schema migration ended",
  );
}

/** Logs backfill progress: at most every {@link BACKFILL_LOG_MS}, and the last batch. */
function backfillReporter(
  schema: string,
  logger: SqlStoreLogger | undefined,
): (progress: PgBackfillProgress) => void {
  let logged = 0;
  return (progress) => {
    const now = Date.now();
    if (progress.done < progress.total && now - logged < BACKFILL_LOG_MS) return;
    logged = now;
    logger?.info({ schema, ...progress }, "postgres: backfilling rows");
  };
}

/** How many migrations of `schema` have not run yet; creates nothing (not even the schema). */
export async function pendingPgMigrations(knex: Knex, schema: string): Promise<number> {
  const table = `${quoteIdentifier(schema)}.knex_migrations`;
  const found = (await knex.raw("SELECT to_regclass(?::text) AS t", [table])) as {
    rows: { t: string | null }[];
  };
  if (found.rows[0]?.t == null) return pgMigrations.length;
  return pendingMigrationCount(knex.migrate, {
    migrationSource: pgMigrationSource,
    schemaName: schema,
  });
}
