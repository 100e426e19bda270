/**
 * The shared typed-column test (see `runTypedColumnTests`) on PostgreSQL,
 * where the write trigger fills the typed columns and the label table.
 */
import { afterAll } from "vitest";
import { runTypedColumnTests } from "@tekton-results/storage-conformance";
import { pgMigrationSource, type PgStore } from "../src/index.js";
import {
  createTestStore,
  destroyTestStore,
  freshSchemaName,
  stopTestPostgres,
} from "./support/postgres.js";

afterAll(async () => {
  await stopTestPostgres();
});

runTypedColumnTests<PgStore>({
  name: "PostgreSQL",
  createStore: () => createTestStore(),
  destroyStore: destroyTestStore,
  query: async (store, sql, bindings = []) =>
    ((await store.knex.raw(sql, bindings as never)) as { rows: Record<string, unknown>[] }).rows,
  createFirstMigrationStore: async () => {
    const name = freshSchemaName();
    const store = await createTestStore({ migrate: false, schema: name });
    await store.knex.raw(`CREATE SCHEMA IF NOT EXISTS "${name}"`);
    await store.knex.migrate.up({ migrationSource: pgMigrationSource, schemaName: name });
    return store;
  },
});
