/**
 * What the Tekton Results programs share at run time: one structured
 * {@link Logger} (JSON lines through pino), one {@link Clock}, the
 * command-line skeleton of the server and the watcher, and a listener of its
 * own for Prometheus metrics.
 *
 * ```ts
 * import { createJsonLogger, runCommandLine, packageVersion } from "@tekton-results/runtime";
 *
 * const logger = createJsonLogger({ level: "info" });
 * logger.info({ port: 8080 }, "listening");
 * ```
 *
 * @module
 */
export {
  createJsonLogger,
  noopLogger,
  LOG_LEVELS,
  type Logger,
  type LogLevel,
  type JsonLoggerOptions,
} from "./logger.js";
export { systemClock, sleep, type Clock, type TimerHandle } from "./clock.js";
export {
  runCommandLine,
  packageVersion,
  onStopSignals,
  UsageError,
  EXIT_USAGE,
  EXIT_FAILURE,
  type ParsedCommand,
  type CommandSpec,
} from "./command.js";
export {
  startMetricsListener,
  type MetricsListener,
  type MetricsListenerOptions,
  type MetricsSource,
} from "./metrics-listener.js";
