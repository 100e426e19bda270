/**
 * The skeleton of the SQL adapters' schema migrations, run by knex's
 * migrator (which keeps the version table `knex_migrations` and its lock):
 * the shape of a migration defined in code, the migration source over an
 * adapter's list (checked to be in order, names unique), and the count of
 * pending migrations. Each adapter keeps its own steps and their SQL.
 *
 * This module names knex only structurally: the adapters pass their `Knex`.
 *
 * @module
 */

/** What runs raw SQL: a knex instance or transaction. */
export interface SqlRawRunner {
  raw(sql: string, bindings?: readonly unknown[]): PromiseLike<unknown>;
}

/** One schema migration of an adapter. `C` is what its migration source tells it. */
export interface SqlMigration<K extends SqlRawRunner = SqlRawRunner, C = never> {
  /** Unique, sortable name recorded in the `knex_migrations` table. */
  readonly name: string;
  /**
   * knex's per-migration settings: `transaction: false` for a migration that
   * commits its work in steps (a batched backfill) and resumes where an
   * interrupted run stopped.
   */
  readonly config?: { readonly transaction?: boolean };
  up(knex: K, context?: C): Promise<void>;
  down(knex: K): Promise<void>;
}

/** A migration as knex's migrator runs it. */
export interface SqlMigrationRun<K> {
  readonly name: string;
  readonly config?: { readonly transaction?: boolean };
  up(knex: K): Promise<void>;
  down(knex: K): Promise<void>;
}

/** knex's `MigrationSource` over migrations `M` (pass it as `migrationSource`). */
export interface SqlMigrationSource<M, K> {
  getMigrations(loadExtensions?: readonly string[]): Promise<M[]>;
  getMigrationName(migration: M): string;
  getMigration(migration: M): Promise<SqlMigrationRun<K>>;
}

/** Run `statements` one after the other on `knex`. */
export async function runStatements(
  knex: SqlRawRunner,
  statements: readonly string[],
): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

/**
 * The migration source over `migrations` (oldest first), each run with
 * `context`.
 *
 * @throws {TypeError} when the names are not unique and in ascending order
 *   (knex applies migrations in the order of the source and records them by name).
 */
export function createSqlMigrationSource<K extends SqlRawRunner, C>(
  migrations: readonly SqlMigration<K, C>[],
  context?: C,
): SqlMigrationSource<SqlMigration<K, C>, K> {
  migrations.forEach((m, i) => {
    const before = migrations[i - 1];
    if (before !== undefined && !(before.name < m.name))
      throw new TypeError(`migration ${m.name} does not sort after ${before.name}`);
  });
  return {
    getMigrations: async () => [...migrations],
    getMigrationName: (migration) => migration.name,
    getMigration: async (migration) => ({
      name: migration.name,
      ...(migration.config ? { config: migration.config } : {}),
      up: (knex: K) => (context === undefined ? migration.up(knex) : migration.up(knex, context)),
      down: (knex: K) => migration.down(knex),
    }),
  };
}

/** knex's migrator, as far as {@link pendingMigrationCount} uses it. */
export interface SqlMigrator {
  list(config: object): Promise<unknown>;
}

/** How many migrations of `config`'s source have not run yet. */
export async function pendingMigrationCount(
  migrator: SqlMigrator,
  config: object,
): Promise<number> {
  const [, pending] = (await migrator.list(config)) as [unknown[], unknown[]];
  return pending.length;
}

/** A store that migrates its schema. */
export interface SqlMigratingStore {
  /** Apply pending migrations. */
  migrate(): Promise<void>;
  /** How many migrations have not run yet. */
  pendingMigrations(): Promise<number>;
}

/**
 * The opening steps of a SQL store: `connect` (e.g. a first connection with
 * retries), then the migrations when `migrate`, else `onPending` told how
 * many are pending (when any). Whatever fails disposes of the store's
 * connections (`dispose`) and is rethrown.
 */
export async function openSqlStore<S extends SqlMigratingStore>(
  store: S,
  steps: {
    connect?: () => Promise<void>;
    migrate: boolean;
    onPending: (pending: number) => void;
    dispose: () => Promise<void>;
  },
): Promise<S> {
  try {
    await steps.connect?.();
    if (steps.migrate) await store.migrate();
    else {
      const pending = await store.pendingMigrations();
      if (pending > 0) steps.onPending(pending);
    }
  } catch (err) {
    await steps.dispose();
    throw err;
  }
  return store;
}
