import { afterAll } from "vitest";
import { runSqlSummaryConformance } from "@tekton-results/storage-conformance";
import type { PgStore } from "../src/index.js";
import { pgSummaryStatements } from "../src/pg-summary.js";
import { createTestStore, destroyTestStore, stopTestPostgres } from "./support/postgres.js";

afterAll(async () => {
  await stopTestPostgres();
});

runSqlSummaryConformance<PgStore>({
  name: "postgres",
  createStore: () => createTestStore(),
  destroyStore: destroyTestStore,
  runSql: async (store, q) =>
    ((await store.knex.raw(q.sql, q.bindings as never)) as { rows: unknown[] }).rows,
  statements: pgSummaryStatements,
  records: 400,
  seed: 7,
  everyFilterWithEveryScope: false,
  timeoutMs: 30_000,
});
