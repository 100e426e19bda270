/**
 * `@tekton-results/cli`: the `tkn-results` command, and its parts for programs that embed it.
 *
 * ```ts
 * import { runCli } from "@tekton-results/cli";
 * const code = await runCli(["pipelinerun", "list", "-n", "default"], io);
 * ```
 *
 * @module
 */
export { createProgram, runCli } from "./program.js";
export type { Io } from "./io.js";
export { EXIT, CliError, describeError } from "./errors.js";
export { connect, baseUrl, type Connection, type ConnectionFlags } from "./connection.js";
export {
  openKubeconfig,
  kubeconfigPath,
  emptyConfig,
  EXTENSION_NAME,
  EXTENSION_API_VERSION,
  EXTENSION_KIND,
  type Kubeconfig,
  type ResultsConfig,
} from "./kubeconfig.js";
export { buildFilter, parseLabels, DATA_TYPES, type RunFilter, type RunKind } from "./filter.js";
export {
  formatAge,
  formatDuration,
  formatCondition,
  renderTable,
  colourEnabled,
} from "./format.js";
export {
  printRuns,
  runOf,
  OUTPUT_FORMATS,
  type OutputFormat,
  type Run,
  type PrintOptions,
} from "./runs.js";
export { findRun, checkNameOrUid, exactRunFilter, kindTitle, type RunQuery } from "./run-lookup.js";
export {
  describePipelineRun,
  describeTaskRun,
  formatWorkspace,
  goDuration,
  goValue,
  type DescribedRun,
  type DescribeOptions,
  type StepState,
  type WorkspaceBinding,
} from "./describe-template.js";
export { describeCommand, printDescribe } from "./describe-command.js";
export {
  logsCommand,
  fallbackPrefix,
  orderTaskRuns,
  DEFAULT_POLL_MS,
  LOG_GRACE_MS,
  EXIT_INTERRUPTED,
} from "./logs-command.js";
export { LogLines, TaskColours, STEP_MARKER, type LogLinesOptions } from "./log-lines.js";
export {
  complete,
  completeValues,
  completionScript,
  formatCompletions,
  DIRECTIVE,
  SHELLS,
  type Shell,
  type Candidate,
  type Completions,
  type ValueSource,
  type GivenFlags,
} from "./completion.js";
export { generateCliDocs, commandPage, writeCliDocs, cliReference } from "./docs-gen.js";
