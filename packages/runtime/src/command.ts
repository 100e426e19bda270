/**
 * The skeleton the server and watcher programs share: parse the command line,
 * answer `--help` and `--version`, report a bad command line with exit code 2,
 * run, and stop on SIGTERM or SIGINT.
 *
 * @module
 */
import { readFileSync } from "node:fs";

/** Exit code of a bad command line. */
export const EXIT_USAGE = 2;
/** Exit code of a failure (to start, to stop cleanly). */
export const EXIT_FAILURE = 1;

/**
 * A bad command line (an unknown flag, an invalid value). {@link runCommandLine}
 * prints `<name>: <message>\nRun with --help for usage.\n` and exits 2.
 */
export class UsageError extends Error {
  /** `message` says what is wrong, in one line. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "UsageError";
  }
}

/** The `version` field of the package.json at `packageJsonUrl`, or `"unknown"`. */
export function packageVersion(packageJsonUrl: URL): string {
  try {
    const pkg = JSON.parse(readFileSync(packageJsonUrl, "utf8")) as { version?: unknown };
    return typeof pkg.version === "string" ? pkg.version : "unknown";
  } catch {
    return "unknown";
  }
}

/**
 * Listen for SIGTERM and SIGINT: `stop` resolves with the signal's name on the
 * first one; `onSecond` runs on each later one (e.g. to cut connections at
 * once). `dispose` removes the listeners.
 *
 * Until the first signal (or `dispose`), the process stays alive: a program
 * whose own handles are all unref'd timers and sockets (a watcher with no
 * metrics listener, retrying an unreachable cluster) waits for its signal
 * instead of exiting 0 with work left.
 */
export function onStopSignals(onSecond?: () => void): {
  stop: Promise<string>;
  dispose(): void;
} {
  let first = true;
  let resolve!: (signal: string) => void;
  const stop = new Promise<string>((r) => (resolve = r));
  // The longest delay a timer takes; it only holds the event loop open.
  let keepAlive: NodeJS.Timeout | undefined = setInterval(() => {}, 2 ** 31 - 1);
  const release = (): void => {
    clearInterval(keepAlive);
    keepAlive = undefined;
  };
  const handler = (signal: NodeJS.Signals): void => {
    if (first) {
      first = false;
      release();
      resolve(signal);
    } else {
      onSecond?.();
    }
  };
  process.on("SIGTERM", handler);
  process.on("SIGINT", handler);
  return {
    stop,
    dispose: () => {
      release();
      process.off("SIGTERM", handler);
      process.off("SIGINT", handler);
    },
  };
}

/** What a command line asks for. */
export type ParsedCommand<C> = { kind: "help" } | { kind: "version" } | { kind: "run"; config: C };

/** The program {@link runCommandLine} runs. */
export interface CommandSpec<C> {
  /** The program's name, the prefix of usage errors (`"tekton-results-server"`). */
  name: string;
  /** The `--help` text. */
  usage: string;
  /** The `--version` text (without the newline). */
  version: string;
  /** Parse the command line; throws {@link UsageError} when it is bad. */
  parse: () => ParsedCommand<C>;
  /** Plain output (help, version). Default (also when `undefined`): standard output. */
  stdout?: ((text: string) => void) | undefined;
  /** Usage errors. Default (also when `undefined`): standard error. */
  stderr?: ((text: string) => void) | undefined;
  /** Run the program; resolves with its exit code. */
  run: (config: C) => Promise<number>;
}

/**
 * Run a program: `--help` prints `usage` and `--version` the version (exit 0);
 * a {@link UsageError} from `parse` prints one line and a hint (exit
 * {@link EXIT_USAGE}); otherwise the exit code of `run`. Other errors from
 * `parse` propagate.
 */
export async function runCommandLine<C>(spec: CommandSpec<C>): Promise<number> {
  const stdout = spec.stdout ?? ((t: string) => void process.stdout.write(t));
  const stderr = spec.stderr ?? ((t: string) => void process.stderr.write(t));
  let command: ParsedCommand<C>;
  try {
    command = spec.parse();
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    stderr(`${spec.name}: ${err.message}\nRun with --help for usage.\n`);
    return EXIT_USAGE;
  }
  switch (command.kind) {
    case "help":
      stdout(spec.usage);
      return 0;
    case "version":
      stdout(`${spec.version}\n`);
      return 0;
    case "run":
      return spec.run(command.config);
  }
}
