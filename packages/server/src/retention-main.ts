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
import { readFileSync } from "node:fs";
import {
  formatRetentionReport,
  loadRetentionConfig,
  PolicyError,
  runRetention,
  scheduleRetention,
  type RetentionConfig,
  type RetentionReport,
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
import { openStore, type ImportAdapter } from "./storage-adapters.js";

/** The environment variable naming the retention configuration when `--config` is not given. */
export const RETENTION_CONFIG_ENV = "RESULTS_RETENTION_CONFIG";

/** The `--help` text. */
export const RETENTION_USAGE = `Usage: tekton-results-retention --config FILE [--once [--dry-run]] [server flags]

Deletes the Results a retention configuration lets go, each with all its Records and every
stored log (logs first: a Result whose logs cannot be deleted is kept and tried again).

  --config FILE        the retention configuration: upstream's ConfigMap
                       (tekton-results-config-results-retention-policy) or its data map;
                       default $${RETENTION_CONFIG_ENV}
  --once               run now and exit (for a CronJob); without it, run on the
                       configuration's runAt schedule until SIGTERM
  --dry-run            with --once: delete nothing, print what would go
  --batch-size N       candidates per page (default 200)
  --server-config FILE the server's config file (database, logs); default as the server's:
                       $RESULTS_CONFIG, else /etc/tekton/results/config when it exists
  --output text|json   the report: a table (default) or JSON, on standard output

Server flags (the same as tekton-results-server's, see its --help): --database, the
PostgreSQL and SQLite settings, --logs-* (where the logs are), --metrics-port (served while
running on the schedule), --log-level.

Exit codes: 0 done; 1 a Result could not be deleted (kept for the next run) or the store
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
  const configFile = own.get("config") ?? env[RETENTION_CONFIG_ENV];
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
  let text: string;
  try {
    text = readFileSync(configFile, "utf8");
  } catch (err) {
    throw new UsageError(
      `--config: cannot read ${configFile}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  let retention: RetentionConfig;
  try {
    retention = loadRetentionConfig(text);
  } catch (err) {
    if (err instanceof PolicyError) throw new UsageError(`${configFile}: ${err.message}`);
    throw err;
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

function reportFigures(report: RetentionReport): object {
  return {
    dryRun: report.dryRun,
    stopped: report.stopped,
    seconds: (report.finishedAt.getTime() - report.startedAt.getTime()) / 1000,
    policies: report.rules.map((r) => ({
      policy: r.policy,
      retention: r.retention,
      cutoff: r.cutoff.toISOString(),
      results: r.results,
      records: r.records,
      logs: r.logs,
      logBytes: r.logBytes,
      ...(r.oldest ? { oldest: r.oldest.toISOString() } : {}),
      ...(r.newest ? { newest: r.newest.toISOString() } : {}),
    })),
    failures: report.failures,
    longestStoreCall: {
      method: report.longestStoreCall.method,
      ms: Math.round(report.longestStoreCall.ms * 10) / 10,
    },
  };
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
  const logs = openLogStore(c.server.logs);
  const metrics = createRetentionMetrics();
  const abort = new AbortController();
  const once = async (): Promise<RetentionReport> => {
    const report = await runRetention({
      store,
      ...(logs ? { logs } : {}),
      config: c.retention,
      dryRun: c.dryRun,
      signal: abort.signal,
      ...(c.batchSize !== undefined ? { batchSize: c.batchSize } : {}),
    });
    metrics.record(report);
    const figures = reportFigures(report);
    logger.info(figures, report.dryRun ? "retention dry run done" : "retention run done");
    for (const f of report.failures)
      logger.warn(f, "a Result could not be deleted; kept for the next run");
    return report;
  };
  try {
    if (c.once) {
      const report = await once();
      stdout(
        c.output === "json"
          ? `${JSON.stringify(reportFigures(report))}\n`
          : formatRetentionReport(report),
      );
      return report.failures.length > 0 ? EXIT_FAILURE : 0;
    }
    return await runScheduled(c, options, logger, metrics, once, abort);
  } finally {
    await store.close().catch(() => undefined);
  }
}

async function runScheduled(
  c: RetentionCommand,
  options: RetentionMainOptions,
  logger: Logger,
  metrics: ReturnType<typeof createRetentionMetrics>,
  once: () => Promise<RetentionReport>,
  abort: AbortController,
): Promise<number> {
  const signals = options.stop ? undefined : onStopSignals();
  const listener =
    c.server.metricsPort !== undefined
      ? await startMetricsListener({
          port: c.server.metricsPort,
          host: c.server.host,
          source: metrics.registry,
        })
      : undefined;
  let running: Promise<unknown> = Promise.resolve();
  const schedule = scheduleRetention(c.retention.runAt, async () => {
    const run = once().catch((err: unknown) => {
      logger.error(
        { err: err instanceof Error ? err.message : String(err) },
        "retention run failed",
      );
    });
    running = run;
    await run;
    logger.info({ next: schedule.nextRun()?.toISOString() }, "next retention run");
  });
  logger.info(
    { runAt: c.retention.runAt, next: schedule.nextRun()?.toISOString(), config: c.configFile },
    "retention scheduled",
  );
  await (options.stop ?? signals!.stop);
  schedule.stop();
  abort.abort();
  await running;
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
