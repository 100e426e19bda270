/**
 * The watcher program: reads the configuration, starts the watcher and stops
 * it gracefully on SIGTERM or SIGINT.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { ConfigError, parseConfig, USAGE } from "./config.js";
import { errorMessage } from "./errors.js";
import { createJsonLogger, type Logger } from "./logger.js";
import { createWatcher, type WatcherOptions } from "./watcher.js";

/** Exit code of a bad command line. */
export const EXIT_USAGE = 2;
/** Exit code of a failure to start. */
export const EXIT_FAILURE = 1;

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
  stop?: Promise<void>;
  /** Extra options for {@link createWatcher} (a transport, a KubeConfig...). */
  watcher?: Partial<WatcherOptions>;
  /** Called once the watcher started. */
  onStarted?: (watcher: ReturnType<typeof createWatcher>) => void;
}

/** The version of this package. */
export function watcherVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
      version?: string;
    };
    return pkg.version ?? "unknown";
  } catch {
    return "unknown";
  }
}

/** The first SIGTERM or SIGINT. */
function signalled(): Promise<void> {
  return new Promise((resolve) => {
    const on = () => {
      process.off("SIGTERM", on);
      process.off("SIGINT", on);
      resolve();
    };
    process.on("SIGTERM", on);
    process.on("SIGINT", on);
  });
}

/**
 * Run the `tekton-results-watcher` command with `argv` (without node and the
 * script). Resolves to the exit code: 0 after a graceful stop, 2 on a usage
 * error, 1 when it cannot start.
 */
export async function main(
  argv: readonly string[] = process.argv.slice(2),
  options: MainOptions = {},
): Promise<number> {
  const stdout = options.stdout ?? ((t: string) => void process.stdout.write(t));
  const stderr = options.stderr ?? ((t: string) => void process.stderr.write(t));
  let command;
  try {
    command = parseConfig(argv, options.env ?? process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      stderr(`tekton-results-watcher: ${err.message}\nRun with --help for usage.\n`);
      return EXIT_USAGE;
    }
    throw err;
  }
  if (command.kind === "help") {
    stdout(USAGE);
    return 0;
  }
  if (command.kind === "version") {
    stdout(`${watcherVersion()}\n`);
    return 0;
  }
  const config = command.config;
  const logger = options.logger ?? createJsonLogger(config.logLevel);
  const stop = options.stop ?? signalled();
  let watcher;
  try {
    watcher = createWatcher({ ...config, logger, ...options.watcher });
    await watcher.start();
  } catch (err) {
    logger.error("cannot start", { error: errorMessage(err) });
    await watcher?.stop({ deadlineMs: 0 }).catch(() => {});
    return EXIT_FAILURE;
  }
  options.onStarted?.(watcher);
  await stop;
  logger.info("shutting down");
  await watcher.stop({ deadlineMs: config.shutdownTimeoutMs });
  return 0;
}
