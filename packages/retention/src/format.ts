/**
 * A retention report as a person reads it: one row per policy, what it deleted (or, dry, would),
 * and the failures after.
 *
 * @module
 */
import { formatBytes, renderTable } from "@tekton-results/runtime/table";
import type { RetentionReport } from "./retention.js";

const day = (d: Date | undefined) => (d ? d.toISOString().replace(/\.\d{3}Z$/, "Z") : "-");

/** The report as a table (POLICY, RETENTION, RESULTS, RECORDS, LOGS, LOG BYTES, OLDEST, NEWEST). */
export function formatRetentionReport(report: RetentionReport): string {
  const rows = report.rules.map((r) => [
    r.policy,
    r.retention,
    String(r.results),
    String(r.records),
    String(r.logs),
    formatBytes(r.logBytes),
    day(r.oldest),
    day(r.newest),
  ]);
  const total = report.rules.reduce(
    (t, r) => ({
      results: t.results + r.results,
      records: t.records + r.records,
      logs: t.logs + r.logs,
      bytes: t.bytes + r.logBytes,
    }),
    { results: 0, records: 0, logs: 0, bytes: 0 },
  );
  const verb = report.dryRun ? "would delete" : "deleted";
  const lines = [
    renderTable(
      ["POLICY", "RETENTION", "RESULTS", "RECORDS", "LOGS", "LOG BYTES", "OLDEST", "NEWEST"],
      rows,
    ),
    `${report.dryRun ? "Dry run: " : ""}${verb} ${total.results} Results, ${total.records} Records, ${total.logs} logs (${formatBytes(total.bytes)}) in ${((report.finishedAt.getTime() - report.startedAt.getTime()) / 1000).toFixed(1)} s${report.stopped ? "; stopped before the end" : ""}; longest store call ${report.longestStoreCall.ms.toFixed(0)} ms (${report.longestStoreCall.method || "none"})\n`,
  ];
  for (const f of report.failures) {
    lines.push(
      `not deleted (kept for the next run): ${f.result} (policy ${f.policy}): ${f.error}\n`,
    );
  }
  return lines.join("");
}
