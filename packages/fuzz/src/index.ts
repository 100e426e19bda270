/**
 * The fuzzing harness of the Results API (private; see README.md): the
 * hostile-string corpus, the server under test with its data-set checksum,
 * the seeded data set, and the fuzz run.
 *
 * @module
 */
export {
  HOSTILE_STRINGS,
  SQL_STRINGS,
  UNICODE_STRINGS,
  OTHER_STRINGS,
  LONG_STRINGS,
} from "./gen/corpus.js";
export { SEED_PARENTS, SEED_RESULTS, SEED_RECORDS } from "./gen/names.js";
export { celString } from "./gen/cel.js";
export { PROTOCOLS, type Protocol } from "./gen/requests.js";
export { changedItems, dataSetChecksum, type DataSetChecksum } from "./checksum.js";
export { seedDataSet } from "./fixture.js";
export { startTarget, type Backend, type Target, type LoggedProblem } from "./target.js";
export { startPostgres, type FuzzDatabase } from "./postgres.js";
export {
  runFuzz,
  collectGarbage,
  type FuzzOptions,
  type FuzzReport,
  type FuzzFailure,
} from "./run.js";
export { checkOutcome, LEAK_PATTERNS, type Violation } from "./invariants.js";
export { formatReport, loggedErrors } from "./report.js";
