/**
 * The metrics of retention runs (prom-client): what each policy deleted, the failures, how long
 * the last run took and when one last succeeded. The retention command serves them on
 * `--metrics-port` while it runs on its schedule, and logs the same figures after each run.
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
}

/** Create the retention metrics in a registry of their own. */
export function createRetentionMetrics(): RetentionMetrics {
  const registry = new Registry();
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
  return {
    registry,
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
