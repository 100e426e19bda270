/**
 * `@tekton-results/retention`: which Results a retention configuration lets go, and a run that
 * deletes them with every record and stored log (or, dry, counts them).
 *
 * @module
 */
export {
  CONFIG_MAP_NAME,
  DEFAULT_RETENTION,
  DEFAULT_RUN_AT,
  PolicyError,
  checkSchedule,
  loadRetentionConfig,
  parseRetention,
  parseRetentionConfig,
  readRetentionConfig,
  scheduleRetention,
  type AgeBasis,
  type RetentionSchedule,
  type Policy,
  type RetentionConfig,
  type Selector,
} from "./policy.js";
export {
  DEFAULT_BATCH_SIZE,
  runRetention,
  type RetentionFailure,
  type RetentionOptions,
  type RetentionReport,
  type RuleReport,
} from "./retention.js";

export { formatRetentionReport } from "./format.js";

// ---- For library authors ----
export {
  CHILD_RUN_TYPES,
  PIPELINE_RUN_TYPES,
  ageFilter,
  ageOf,
  celString,
  compileRules,
  decidedBy,
  selectorFilter,
  type Rule,
} from "./selection.js";
