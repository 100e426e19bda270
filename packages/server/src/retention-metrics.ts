/**
 * The metrics of retention runs (prom-client): what each policy deleted, the failures, how long
 * the last run took and when one last succeeded, the runs skipped (another process held the lock,
 * or the configuration was broken) and whether the configuration last read was usable. The
 * retention command serves them on `--metrics-port` while it runs on its schedule; the API server
 * running retention (`--retention-config`) serves them with its own; both log the same figures
 * after each run.
 *
 * @module
 */
import type { RetentionReport } from "@tekton-results/retention";
import { Counter, Gauge, Registry } from "prom-client";

/** The retention metrics and the registry that holds them. */
export interface RetentionMetrics {
  readonly registry: Registry;
  /** Count a finished run (dry runs are not counted). */
  record(report: RetentionReport): void;
  /** Count a run not made: `lock` (another process was running one) or `config` (broken). */
  skipped(reason: "lock" | "config"): void;
  /** Whether the configuration last read could be used. */
  configValid(valid: boolean): void;
}

/**
 * Create the retention metrics, in `registry` (the API server's) or in a registry of their own.
 */
export function createRetentionMetrics(registry: Registry = new Registry()): RetentionMetrics {
  const labelNames = ["policy"] as const;
  const results = new Counter({
    name: "tekton_results_retention_deleted_results_total",
    help: "Results deleted by retention, by policy",
    labelNames,
    registers: [registry],
  });
  const records = new Counter({
    name: "tekton_results_retention_deleted_records_total",
    help: "Records deleted by retention (with their Results), by policy",
    labelNames,
    registers: [registry],
  });
  const logBytes = new Counter({
    name: "tekton_results_retention_deleted_log_bytes_total",
    help: "Bytes of stored logs deleted by retention, by policy",
    labelNames,
    registers: [registry],
  });
  const failures = new Counter({
    name: "tekton_results_retention_failures_total",
    help: "Results retention could not delete (kept, tried again on the next run)",
    registers: [registry],
  });
  const duration = new Gauge({
    name: "tekton_results_retention_last_run_duration_seconds",
    help: "How long the last retention run took",
    registers: [registry],
  });
  const lastSuccess = new Gauge({
    name: "tekton_results_retention_last_success_timestamp_seconds",
    help: "When a retention run last ended without failures (Unix time)",
    registers: [registry],
  });
  const skipped = new Counter({
    name: "tekton_results_retention_skipped_runs_total",
    help: "Scheduled retention runs not made, by reason: lock (another process was running one) or config (the configuration could not be read or used)",
    labelNames: ["reason"] as const,
    registers: [registry],
  });
  const configValid = new Gauge({
    name: "tekton_results_retention_config_valid",
    help: "1 when the retention configuration last read could be used, 0 when it could not (runs are skipped until it is fixed)",
    registers: [registry],
  });
  return {
    registry,
    skipped: (reason) => skipped.inc({ reason }),
    configValid: (valid) => configValid.set(valid ? 1 : 0),
    record(report) {
      if (report.dryRun) return;
      for (const rule of report.rules) {
        results.inc({ policy: rule.policy }, rule.results);
        records.inc({ policy: rule.policy }, rule.records);
        logBytes.inc({ policy: rule.policy }, rule.logBytes);
      }
      failures.inc(report.failures.length);
      duration.set((report.finishedAt.getTime() - report.startedAt.getTime()) / 1000);
      if (report.failures.length === 0 && !report.stopped) {
        lastSuccess.set(report.finishedAt.getTime() / 1000);
      }
    },
  };
}
