/**
 * The watcher program: reads the configuration, starts the watcher and stops
 * it gracefully on SIGTERM or SIGINT.
 *
 * @module
 */
import {
  createJsonLogger,
  EXIT_FAILURE,
  EXIT_USAGE,
  onStopSignals,
  packageVersion,
  runCommandLine,
  type Logger,
} from "@tekton-results/runtime";
import { parseConfig, USAGE, type WatcherConfig } from "./config.js";
import { errorMessage } from "./errors.js";
import { createWatcher, type WatcherOptions } from "./watcher.js";

export { EXIT_FAILURE, EXIT_USAGE };

/** What {@link main} talks to; injectable for tests. */
export interface MainOptions {
  /** Environment variables. Default: `process.env`. */
  env?: Record<string, string | undefined>;
  /** Plain output (`--help`, `--version`). Default: standard output. */
  stdout?: (text: string) => void;
  /** Usage errors. Default: standard error. */
  stderr?: (text: string) => void;
  /** The log. Default: JSON lines on standard error at the configured level. */
  logger?: Logger;
  /** Resolves when the watcher should stop. Default: the first SIGTERM or SIGINT. */
  stop?: Promise<unknown>;
  /** Extra options for {@link createWatcher} (a transport, a KubeConfig...). */
  watcher?: Partial<WatcherOptions>;
  /** Called once the watcher started. */
  onStarted?: (watcher: ReturnType<typeof createWatcher>) => void;
}

/** The version of this package. */
export function watcherVersion(): string {
  return packageVersion(new URL("../package.json", import.meta.url));
}

/** Start the watcher with `config`, wait for the stop signal, stop it gracefully. */
async function runWatcher(config: WatcherConfig, options: MainOptions): Promise<number> {
  const logger = options.logger ?? createJsonLogger({ level: config.logLevel });
  const signals = options.stop === undefined ? onStopSignals() : undefined;
  const stop = options.stop ?? signals!.stop;
  try {
    let watcher;
    try {
      watcher = createWatcher({ ...config, logger, ...options.watcher });
      await watcher.start();
    } catch (err) {
      logger.error({ error: errorMessage(err) }, "cannot start");
      await watcher?.stop({ deadlineMs: 0 }).catch(() => {});
      return EXIT_FAILURE;
    }
    options.onStarted?.(watcher);
    const reason = await stop;
    logger.info(typeof reason === "string" ? { signal: reason } : {}, "shutting down");
    await watcher.stop({ deadlineMs: config.shutdownTimeoutMs });
    return 0;
  } finally {
    signals?.dispose();
  }
}

/**
 * Run the `tekton-results-watcher` command with `argv` (without node and the
 * script). Resolves to the exit code: 0 after a graceful stop, 2 on a usage
 * error, 1 when it cannot start.
 */
export function main(
  argv: readonly string[] = process.argv.slice(2),
  options: MainOptions = {},
): Promise<number> {
  return runCommandLine({
    name: "tekton-results-watcher",
    usage: USAGE,
    version: watcherVersion(),
    parse: () => parseConfig(argv, options.env ?? process.env),
    ...(options.stdout ? { stdout: options.stdout } : {}),
    ...(options.stderr ? { stderr: options.stderr } : {}),
    run: (config) => runWatcher(config, options),
  });
}
