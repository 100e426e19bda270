/**
 * Retention runs as both the `tekton-results-retention` command and the API server
 * (`--retention-config`) make them: one run under the store's lock `retention`, so that the
 * replicas of the API and a CronJob never run two at once (PostgreSQL: a session advisory lock;
 * SQLite and memory: run directly, one process holds the database); and the schedule, which
 * reads the configuration again before each run and every minute between runs, so an edited
 * ConfigMap applies without a restart. A configuration that cannot be read or used is logged
 * (once, until it changes) and runs are skipped until it is fixed: deleting by a policy the
 * operator has just replaced could delete what the new one keeps, and skipping loses nothing.
 *
 * @module
 */
import { existsSync } from "node:fs";
import type { LogStore } from "@tekton-results/log-store";
import { RECORD_TYPES } from "@tekton-results/proto";
import {
  readRetentionConfig,
  runRetention,
  scheduleRetention,
  type RetentionConfig,
  type RetentionReport,
  type RetentionSchedule,
} from "@tekton-results/retention";
import type { Logger } from "@tekton-results/runtime";
import { compileFilter, runExclusive, type ResultsStore } from "@tekton-results/storage";
import type { Registry } from "prom-client";
import { createRetentionMetrics, type RetentionMetrics } from "./retention-metrics.js";

/** The name of the lock every retention run takes (the command's and the server's). */
export const RETENTION_LOCK = "retention";

/** How often a schedule reads its configuration between runs, to follow a changed `runAt`. */
export const DEFAULT_RECHECK_MS = 60_000;

/** What a retention run works with. */
export interface RetentionRunner {
  store: ResultsStore;
  /** The log store (absent: the Logs API is off, no logs are stored). */
  logs?: LogStore | undefined;
  logger: Logger;
  metrics: RetentionMetrics;
  /** Candidates per page (default: the retention package's). */
  batchSize?: number;
  /** Stops the run between two batches (a shutdown). */
  signal?: AbortSignal;
}

const describe = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** The figures of a report, as the log lines and `--output json` give them. */
export function reportFigures(report: RetentionReport): object {
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

/**
 * Why deleting would leave log files behind, if it would: the log store is a directory that does
 * not exist while the database holds Log records (a CronJob without the API's logs volume). Each
 * Result would go and its log file stay, where nothing finds it again.
 */
export async function missingLogDirectory(
  store: ResultsStore,
  logs: LogStore | undefined,
): Promise<string | undefined> {
  const dir = (logs as { dir?: unknown } | undefined)?.dir;
  if (typeof dir !== "string" || existsSync(dir)) return undefined;
  const page = await store.listRecords({
    filter: compileFilter(`data_type == "${RECORD_TYPES.LOG}"`, { target: "records" })!,
    orderBy: [{ field: "create_time", direction: "asc" }],
    pageSize: 1,
  });
  if (page.items.length === 0) return undefined;
  return `the logs directory ${dir} does not exist, but the database holds logs: mount the API's logs volume there (or the run would delete Results and leave their log files behind)`;
}

/**
 * One retention run by `config`: under the lock {@link RETENTION_LOCK} unless `dryRun` (a dry
 * run deletes nothing, so it needs none). Logs its figures and each failure, and counts it in
 * the metrics. Resolves its report, or `undefined` when another process held the lock (logged,
 * counted as skipped). Throws, deleting nothing, when the log directory is missing while the
 * database holds logs ({@link missingLogDirectory}). A run whose lock is lost midway (its connection broke) stops between
 * batches, as on a shutdown.
 */
export async function runRetentionOnce(
  r: RetentionRunner,
  config: RetentionConfig,
  dryRun = false,
): Promise<RetentionReport | undefined> {
  const missing = dryRun ? undefined : await missingLogDirectory(r.store, r.logs);
  if (missing !== undefined) throw new Error(missing);
  let report: RetentionReport | undefined;
  const run = async (lost?: AbortSignal): Promise<void> => {
    const signals = [r.signal, lost].filter((s): s is AbortSignal => s !== undefined);
    report = await runRetention({
      store: r.store,
      ...(r.logs ? { logs: r.logs } : {}),
      config,
      dryRun,
      ...(signals.length > 0 ? { signal: AbortSignal.any(signals) } : {}),
      ...(r.batchSize !== undefined ? { batchSize: r.batchSize } : {}),
    });
    if (lost?.aborted) r.logger.warn({ err: describe(lost.reason) }, "retention lost its lock");
  };
  if (dryRun) await run();
  else if (!(await runExclusive(r.store, RETENTION_LOCK, run))) {
    r.metrics.skipped("lock");
    r.logger.info(
      { lock: RETENTION_LOCK },
      "retention run skipped: another process is running retention",
    );
    return undefined;
  }
  const done = report!;
  r.metrics.record(done);
  r.logger.info(reportFigures(done), done.dryRun ? "retention dry run done" : "retention run done");
  for (const f of done.failures) {
    r.logger.warn(f, "a Result could not be deleted; kept for the next run");
  }
  return done;
}

/** Options of {@link startRetentionSchedule}. */
export interface RetentionScheduleOptions {
  /** The configuration: a YAML file, or a mounted ConfigMap directory (read before each run). */
  path: string;
  runner: Omit<RetentionRunner, "signal">;
  /** How often the configuration is read between runs. Default {@link DEFAULT_RECHECK_MS}. */
  recheckMs?: number;
  /** Called after each run made (its report) or skipped for the lock (`undefined`). */
  onRun?: (report: RetentionReport | undefined) => void;
}

/** Retention running on its configuration's schedule. */
export interface RetentionScheduleHandle {
  /** The schedule in force (`undefined` while the configuration has never been usable). */
  readonly runAt: string | undefined;
  /** When the next run starts. */
  nextRun(): Date | undefined;
  /** Stop: no further run, the run in progress stopped between two batches and awaited. */
  stop(): Promise<void>;
}

/**
 * Run retention on the `runAt` schedule of the configuration at `path`, read again before each
 * run (and every `recheckMs`, so that a changed `runAt` reschedules). While it cannot be read or
 * used, runs are skipped (`tekton_results_retention_skipped_runs_total{reason="config"}`,
 * `tekton_results_retention_config_valid` 0) and the error is logged once, until it changes.
 * Never two runs at once in a process; across processes, the lock.
 */
export function startRetentionSchedule(o: RetentionScheduleOptions): RetentionScheduleHandle {
  const { logger, metrics } = o.runner;
  const abort = new AbortController();
  let schedule: RetentionSchedule | undefined;
  let runAt: string | undefined;
  let problem: string | undefined;
  let warned = "";
  let running: Promise<void> | undefined;

  const read = (): RetentionConfig | undefined => {
    let config: RetentionConfig;
    try {
      config = readRetentionConfig(o.path);
    } catch (err) {
      metrics.configValid(false);
      if (describe(err) !== problem) {
        problem = describe(err);
        logger.error(
          { config: o.path, err: problem },
          "the retention configuration cannot be used: runs are skipped until it is fixed",
        );
      }
      return undefined;
    }
    metrics.configValid(true);
    if (problem !== undefined) {
      problem = undefined;
      logger.info({ config: o.path }, "the retention configuration can be used again");
    }
    if (config.warnings.join("\n") !== warned) {
      warned = config.warnings.join("\n");
      for (const w of config.warnings) logger.warn({ config: o.path }, w);
    }
    if (config.runAt !== runAt) {
      schedule?.stop();
      runAt = config.runAt;
      schedule = scheduleRetention(runAt, fire);
      logger.info(
        { runAt, next: schedule.nextRun()?.toISOString(), config: o.path },
        "retention scheduled",
      );
    }
    return config;
  };

  async function fire(): Promise<void> {
    // A run of the schedule before a change of runAt may still be going: this time passes.
    if (running || abort.signal.aborted) return;
    const config = read();
    if (!config) {
      metrics.skipped("config");
      logger.warn({ config: o.path }, "retention run skipped: the configuration cannot be used");
      return;
    }
    running = runRetentionOnce({ ...o.runner, signal: abort.signal }, config).then(
      (report) => o.onRun?.(report),
      (err: unknown) => logger.error({ err: describe(err) }, "retention run failed"),
    );
    await running;
    running = undefined;
    if (!abort.signal.aborted) {
      logger.info({ next: schedule?.nextRun()?.toISOString() }, "next retention run");
    }
  }

  read();
  const timer = setInterval(read, o.recheckMs ?? DEFAULT_RECHECK_MS);
  timer.unref();
  return {
    get runAt() {
      return runAt;
    },
    nextRun: () => schedule?.nextRun(),
    async stop() {
      clearInterval(timer);
      schedule?.stop();
      abort.abort();
      await running;
    },
  };
}

/**
 * The API server's retention (`--retention-config`): {@link startRetentionSchedule} over the
 * server's store and log store, its metrics in the server's registry. `undefined` without it.
 */
export function startServerRetention(
  path: string | undefined,
  deps: {
    store: ResultsStore;
    logs: LogStore | undefined;
    logger: Logger;
    registry: Registry;
  },
): RetentionScheduleHandle | undefined {
  if (path === undefined) return undefined;
  return startRetentionSchedule({
    path,
    runner: {
      store: deps.store,
      logs: deps.logs,
      logger: deps.logger,
      metrics: createRetentionMetrics(deps.registry),
    },
  });
}
