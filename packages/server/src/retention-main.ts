/**
 * The `tekton-results-retention` command: deletes what a retention configuration
 * (`@tekton-results/retention`, upstream's ConfigMap format) lets go, from the database and the
 * log store the server uses, configured the same way (its flags, environment and config file).
 *
 * `--once` runs now and exits (a Kubernetes CronJob); without it the command runs on the
 * configuration's `runAt` schedule until SIGTERM, serving its metrics on `--metrics-port`.
 * `--dry-run` (with `--once`) deletes nothing and prints what would go.
 *
 * @module
 */
import {
  formatRetentionReport,
  PolicyError,
  readRetentionConfig,
  type RetentionConfig,
} from "@tekton-results/retention";
import {
  createJsonLogger,
  EXIT_FAILURE,
  onStopSignals,
  runCommandLine,
  startMetricsListener,
  UsageError,
  type Logger,
} from "@tekton-results/runtime";
import { openLogStore } from "./backends.js";
import { ConfigError, parseConfig, type ServerConfig } from "./config.js";
import { serverVersion } from "./main.js";
import { createRetentionMetrics } from "./retention-metrics.js";
import {
  reportFigures,
  runRetentionOnce,
  startRetentionSchedule,
  type RetentionRunner,
} from "./retention-runs.js";
import { openStore, type ImportAdapter } from "./storage-adapters.js";

/**
 * The variable naming the retention configuration when `--config` is not given: the server's
 * (`--retention-config`), from the environment or the server's config file.
 */
export const RETENTION_CONFIG_ENV = "RETENTION_CONFIG";

/** The `--help` text. */
export const RETENTION_USAGE = `Usage: tekton-results-retention --config FILE [--once [--dry-run]] [server flags]

Deletes the Results a retention configuration lets go, each with all its Records and every
stored log (logs first: a Result whose logs cannot be deleted is kept and tried again).
A run takes the database's retention lock (PostgreSQL: an advisory lock): while another
process (an API server with --retention-config, another CronJob) runs retention, it is
skipped. A dry run takes no lock.

  --config PATH        the retention configuration: upstream's ConfigMap
                       (tekton-results-config-results-retention-policy), its data map, or
                       the ConfigMap mounted as a directory (a file per key); default
                       $${RETENTION_CONFIG_ENV}, as the server's --retention-config
  --once               run now and exit (for a CronJob); without it, run on the
                       configuration's runAt schedule until SIGTERM
  --dry-run            with --once: delete nothing, print what would go
  --batch-size N       candidates per page (default 200)
  --server-config FILE the server's config file (database, logs); default as the server's:
                       $RESULTS_CONFIG, else /etc/tekton/results/config when it exists
  --output text|json   the report: a table (default) or JSON, on standard output

Server flags (the same as tekton-results-server's, see its --help): --database, the
PostgreSQL and SQLite settings, --logs-* (where the logs are), --metrics-port (served while
running on the schedule), --log-level. On the schedule, the configuration is read again
before each run (and every minute, to follow a changed runAt); while it cannot be used, runs
are skipped.

Exit codes: 0 done, or skipped (another process holds the lock); 1 a Result could not be deleted (kept for the next run) or the store
could not be opened; 2 a bad command line or retention configuration.
`;

/** The command's own settings; the rest of the command line is the server's. */
export interface RetentionCommand {
  configFile: string;
  once: boolean;
  dryRun: boolean;
  batchSize?: number;
  output: "text" | "json";
  server: ServerConfig;
  retention: RetentionConfig;
}

const OWN_VALUE_FLAGS = ["config", "batch-size", "server-config", "output"];
const OWN_BOOL_FLAGS = ["once", "dry-run"];

/** Split the command line into this command's flags and the server's. */
export function splitArgs(argv: readonly string[]): {
  own: Map<string, string>;
  server: string[];
} {
  const own = new Map<string, string>();
  const server: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const m = /^--([a-z-]+)(?:=(.*))?$/s.exec(arg);
    const name = m?.[1];
    if (name && OWN_BOOL_FLAGS.includes(name)) {
      if (m[2] !== undefined && !/^(true|false)$/.test(m[2])) {
        throw new UsageError(`--${name} takes no value`);
      }
      own.set(name, m[2] ?? "true");
    } else if (name && OWN_VALUE_FLAGS.includes(name)) {
      const value = m[2] ?? argv[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      own.set(name, value);
    } else {
      server.push(arg);
    }
  }
  return { own, server };
}

/** Parse the command line, the environment and the files it names. */
export function parseRetentionCommand(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  defaultConfigFile?: string,
): { kind: "help" } | { kind: "version" } | { kind: "run"; config: RetentionCommand } {
  const { own, server } = splitArgs(argv);
  const serverConfig = own.get("server-config");
  let parsed;
  try {
    parsed = parseConfig([...server, ...(serverConfig ? ["--config", serverConfig] : [])], env, {
      ...(defaultConfigFile !== undefined ? { defaultFile: defaultConfigFile } : {}),
    });
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message);
    throw err;
  }
  if (parsed.kind !== "run") return parsed;
  const configFile = own.get("config") ?? parsed.config.retentionConfig;
  if (!configFile) {
    throw new UsageError(
      `--config: give the retention configuration (or $${RETENTION_CONFIG_ENV})`,
    );
  }
  const once = own.get("once") === "true";
  const dryRun = own.get("dry-run") === "true";
  if (dryRun && !once) throw new UsageError("--dry-run runs once: add --once");
  const output = own.get("output") ?? "text";
  if (output !== "text" && output !== "json") throw new UsageError("--output: text or json");
  const batch = own.get("batch-size");
  const batchSize = batch === undefined ? undefined : Number(batch);
  if (
    batchSize !== undefined &&
    !(Number.isInteger(batchSize) && batchSize >= 1 && batchSize <= 10_000)
  ) {
    throw new UsageError("--batch-size: an integer from 1 to 10000");
  }
  let retention: RetentionConfig;
  try {
    retention = readRetentionConfig(configFile);
  } catch (err) {
    if (!(err instanceof PolicyError)) throw err;
    throw new UsageError(
      err.message.startsWith("cannot read")
        ? `--config: ${err.message}`
        : `${configFile}: ${err.message}`,
    );
  }
  return {
    kind: "run",
    config: {
      configFile,
      once,
      dryRun,
      ...(batchSize !== undefined ? { batchSize } : {}),
      output,
      server: parsed.config,
      retention,
    },
  };
}

/** What {@link retentionMain} talks to; injectable for tests. */
export interface RetentionMainOptions {
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
  logger?: Logger;
  /** Resolves when a scheduled command should stop. Default: SIGTERM or SIGINT. */
  stop?: Promise<unknown>;
  defaultConfigFile?: string;
  importAdapter?: ImportAdapter;
}

async function runCommand(c: RetentionCommand, options: RetentionMainOptions): Promise<number> {
  const stdout = options.stdout ?? ((t: string) => void process.stdout.write(t));
  const logger = options.logger ?? createJsonLogger({ level: c.server.logLevel });
  for (const warning of c.retention.warnings) logger.warn({ config: c.configFile }, warning);
  let store;
  try {
    store = await openStore(c.server.database, logger, {
      migrate: c.server.migrate,
      postgres: c.server.postgres,
      sqlite: c.server.sqlite,
      ...(options.importAdapter ? { importAdapter: options.importAdapter } : {}),
    });
  } catch (err) {
    logger.error(
      { err: err instanceof Error ? err.message : String(err), database: c.server.database.kind },
      "cannot open the store",
    );
    return EXIT_FAILURE;
  }
  const runner: RetentionRunner = {
    store,
    logs: openLogStore(c.server.logs),
    logger,
    metrics: createRetentionMetrics(),
    ...(c.batchSize !== undefined ? { batchSize: c.batchSize } : {}),
  };
  try {
    if (c.once) {
      const signals = onStopSignals();
      let report;
      try {
        report = await runRetentionOnce(
          { ...runner, signal: abortOn(signals.stop) },
          c.retention,
          c.dryRun,
        );
      } catch (err) {
        logger.error({ err: err instanceof Error ? err.message : String(err) }, "retention failed");
        return EXIT_FAILURE;
      } finally {
        signals.dispose();
      }
      if (!report) {
        stdout(
          c.output === "json"
            ? `${JSON.stringify({ skipped: "another process is running retention" })}\n`
            : "Skipped: another process is running retention (it holds the lock).\n",
        );
        return 0;
      }
      stdout(
        c.output === "json"
          ? `${JSON.stringify(reportFigures(report))}\n`
          : formatRetentionReport(report),
      );
      return report.failures.length > 0 ? EXIT_FAILURE : 0;
    }
    return await runScheduled(c, options, runner);
  } finally {
    await store.close().catch(() => undefined);
  }
}

/** A signal aborted once `stop` resolves. */
function abortOn(stop: Promise<unknown>): AbortSignal {
  const abort = new AbortController();
  void stop.then(() => abort.abort());
  return abort.signal;
}

async function runScheduled(
  c: RetentionCommand,
  options: RetentionMainOptions,
  runner: RetentionRunner,
): Promise<number> {
  const signals = options.stop ? undefined : onStopSignals();
  const listener =
    c.server.metricsPort !== undefined
      ? await startMetricsListener({
          port: c.server.metricsPort,
          host: c.server.host,
          source: runner.metrics.registry,
        })
      : undefined;
  const schedule = startRetentionSchedule({ path: c.configFile, runner });
  await (options.stop ?? signals!.stop);
  await schedule.stop();
  await listener?.close();
  signals?.dispose();
  return 0;
}

/** Run the command on `argv` (without node and the script); resolves with its exit code. */
export async function retentionMain(
  argv: readonly string[] = process.argv.slice(2),
  env: Readonly<Record<string, string | undefined>> = process.env,
  options: RetentionMainOptions = {},
): Promise<number> {
  return runCommandLine({
    name: "tekton-results-retention",
    usage: RETENTION_USAGE,
    version: serverVersion(),
    stdout: options.stdout,
    stderr: options.stderr,
    parse: () => parseRetentionCommand(argv, env, options.defaultConfigFile),
    run: (config) => runCommand(config, options),
  });
}
