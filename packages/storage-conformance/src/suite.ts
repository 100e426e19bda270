/**
 * The conformance suite every `ResultsStore` passes.
 *
 * @module
 */
import { describe } from "vitest";
import { runCelDifferential } from "./suite-cel-differential.js";
import { runCrudConformance } from "./suite-crud.js";
import { runDeleteManyConformance } from "./suite-delete-many.js";
import { runFilterConformance } from "./suite-filters.js";
import { runListConformance } from "./suite-lists.js";
import { runSummaryConformance } from "./suite-summary.js";
import type { StoreConformanceOptions } from "./suite-support.js";

export type { StoreConformanceOptions } from "./suite-support.js";
export { runFilterConformance } from "./suite-filters.js";
export { runSummaryConformance } from "./suite-summary.js";

/**
 * Declare the whole conformance suite for one backend, as vitest `describe`
 * and `it` blocks under `describe(options.name)`. Call it at the top level of a
 * test file:
 *
 * ```ts
 * runStoreConformance({ name: "sqlite", createStore: async () => createSqliteStore({ filename: ":memory:" }) });
 * ```
 *
 * Every test gets a new, empty store from `createStore` and disposes of it
 * afterwards (`destroyStore`, else `close()`); the read-only filter table
 * shares one store loaded with the filter fixtures, and the record-summary
 * tests (skipped unless `capabilities.recordListSummary`) one loaded with the
 * summary fixtures.
 */
export function runStoreConformance(options: StoreConformanceOptions): void {
  describe(options.name, () => {
    runCrudConformance(options);
    runDeleteManyConformance(options);
    runListConformance(options);
    runFilterConformance(options);
    runCelDifferential(options);
    runSummaryConformance(options);
  });
}
