/**
 * The local demo of Tekton Results: `npm run demo` shows the whole life of a
 * Result on one machine (a fake cluster, the Results server on SQLite, the
 * watcher, and simulated Tekton runs).
 *
 * @module
 */
export {
  runDemo,
  DemoError,
  MANIFESTS_DIR,
  PIPELINE_RUN_MANIFESTS,
  DEMO_NAMESPACE,
  type DemoOptions,
  type DemoReport,
} from "./demo.js";
export { main, EXIT_FAILURE, EXIT_USAGE, type MainIo } from "./main.js";
export { parseDemoArgs, DemoUsageError, DEMO_USAGE, type DemoCommand } from "./args.js";

// ---- For library authors: the pieces of the demo ----
export { startDemoStack, type DemoStack, type DemoStackOptions } from "./stack.js";
export {
  createSimulatedController,
  CONTROLLER_FIELD_MANAGER,
  type SimulatedController,
  type SimulatedControllerOptions,
  type PipelineRunOutcome,
  type TaskRunOutcome,
} from "./simulated-controller.js";
export {
  findKubectl,
  kubectlUser,
  httpUser,
  DEMO_FIELD_MANAGER,
  type ClusterUser,
} from "./kubectl.js";
export {
  parseTaskCatalog,
  resolveParams,
  resolveTaskSpec,
  runStepScript,
  substituteParams,
  taskWaves,
  type TaskCatalog,
  type TaskSpec,
  type StepSpec,
  type ParamSpec,
  type Param,
  type PipelineTask,
  type PipelineSpec,
  type TaskObject,
  type StepOutcome,
} from "./tekton-spec.js";
export { formatTable, truncate } from "./table.js";
export { waitFor, type WaitLimits } from "./wait.js";
