/**
 * The shared differential test of the SQL filter compilers (see
 * `runSqlFilterDifferential`) on SQLite: every boolean sub-expression of
 * every filter evaluates to the reference evaluator's three-valued result.
 */
import { runSqlFilterDifferential } from "@tekton-results/storage-conformance";
import { compileSqliteFilter, createSqliteStore, type SqliteStore } from "../src/index.js";

runSqlFilterDifferential<SqliteStore>({
  name: "SQLite",
  createStore: () => createSqliteStore({ filename: ":memory:" }),
  query: async (store, sql, bindings = []) =>
    (await store.knex.raw(sql, bindings as never)) as Record<string, unknown>[],
  compileFilter: compileSqliteFilter,
});
