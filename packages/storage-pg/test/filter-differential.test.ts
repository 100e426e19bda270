/**
 * The shared differential test of the SQL filter compilers (see
 * `runSqlFilterDifferential`) on PostgreSQL: every boolean sub-expression of
 * every filter evaluates to the reference evaluator's three-valued result.
 */
import { afterAll } from "vitest";
import { runSqlFilterDifferential } from "@tekton-results/storage-conformance";
import { compilePgFilter, type PgStore } from "../src/index.js";
import { createTestStore, destroyTestStore, stopTestPostgres } from "./support/postgres.js";

afterAll(async () => {
  await stopTestPostgres();
});

runSqlFilterDifferential<PgStore>({
  name: "PostgreSQL",
  createStore: () => createTestStore(),
  destroyStore: destroyTestStore,
  query: async (store, sql, bindings = []) =>
    ((await store.knex.raw(sql, bindings as never)) as { rows: Record<string, unknown>[] }).rows,
  compileFilter: compilePgFilter,
});
