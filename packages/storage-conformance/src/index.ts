/**
 * The conformance suite every Tekton Results storage backend passes, and the
 * in-memory reference store it is written against.
 *
 * @module
 */
export { runStoreConformance, type StoreConformanceOptions } from "./suite.js";
export { createMemoryStore } from "./memory-store.js";

// ---- For library authors ----
// The shared filter table (fixtures, cases, invalid cases), the filter part of
// the suite on its own, and the reference filter evaluator (the oracle).
export { runFilterConformance } from "./suite-filters.js";
export { runSummaryConformance, summaryFixtures } from "./suite-summary.js";
export { summarizeMemoryRecords } from "./memory-summary.js";
export { filterFixtures } from "./filter-fixtures.js";
export {
  filterCases,
  invalidFilterCases,
  type FilterCase,
  type InvalidFilterCase,
} from "./filter-cases.js";
export { matchesFilter, resultRow, recordRow, type FilterRow } from "./memory-filter.js";
export { planFixtures, planQueries, type PlanFixtures, type PlanQuery } from "./plan-fixtures.js";
export {
  typedFieldFilters,
  typedFieldRecords,
  typedFieldSample,
  typedFieldSampleRecord,
  typedFieldSampleResult,
} from "./typed-field-cases.js";

// ---- Runners the SQL adapters share (differential and twin tests) ----
export * from "./sql-filter-runners.js";
export * from "./sql-summary-runners.js";
