import { runSqlSummaryConformance } from "@tekton-results/storage-conformance";
import { createSqliteStore, type SqliteStore } from "./sqlite-store.js";
import { sqliteSummaryStatements } from "./sqlite-summary.js";

runSqlSummaryConformance<SqliteStore>({
  name: "sqlite",
  createStore: () => createSqliteStore({ filename: ":memory:" }),
  destroyStore: (store) => store.close(),
  runSql: async (store, q) => (await store.knex.raw(q.sql, q.bindings as never)) as unknown[],
  statements: sqliteSummaryStatements,
  records: 600,
  seed: 42,
  everyFilterWithEveryScope: true,
});
