/**
 * The shared typed-column test (see `runTypedColumnTests`) on SQLite, where
 * the store's write path fills the typed columns and the label table.
 */
import { runTypedColumnTests } from "@tekton-results/storage-conformance";
import { createSqliteStore, sqliteMigrationSource, type SqliteStore } from "../src/index.js";

runTypedColumnTests<SqliteStore>({
  name: "SQLite",
  createStore: () => createSqliteStore({ filename: ":memory:" }),
  query: async (store, sql, bindings = []) =>
    (await store.knex.raw(sql, bindings as never)) as Record<string, unknown>[],
  createFirstMigrationStore: async () => {
    const store = await createSqliteStore({ filename: ":memory:", migrate: false });
    await store.knex.migrate.up({ migrationSource: sqliteMigrationSource });
    return store;
  },
});
