/**
 * The fuzz report as text: requests and failures per protocol, answer codes,
 * time, heap, the slowest requests, and each failure with the command that
 * replays it.
 *
 * @module
 */
import { Code } from "@connectrpc/connect";
import { PROTOCOLS, type Protocol } from "./gen/requests.js";
import type { FuzzReport } from "./run.js";
import type { LoggedProblem } from "./target.js";

/** The server's error-level log lines (an internal error is logged there). */
export function loggedErrors(problems: readonly LoggedProblem[]): LoggedProblem[] {
  return problems.filter((p) => p.level === "error");
}

/** Render `report` for a terminal. */
export function formatReport(
  report: FuzzReport,
  context: { backend: string; problems: readonly LoggedProblem[] },
): string {
  const lines: string[] = [];
  let total = 0;
  for (const [protocol, s] of Object.entries(report.perProtocol)) {
    total += s.requests;
    const codes = Object.entries(s.codes)
      .map(([c, n]) => `${c === "0" ? "OK" : Code[Number(c)]} ${n}`)
      .join(", ");
    lines.push(
      `${protocol.padEnd(15)} ${String(s.requests).padStart(6)} requests, ${s.failures} failures (${codes})`,
    );
  }
  const mib = (n: number) => (n / 2 ** 20).toFixed(1);
  lines.push(
    `total ${total} requests, ${report.failures.length} failures, ${(report.durationMs / 1000).toFixed(1)} s ` +
      `(sending ${(report.timeMs.send / 1000).toFixed(1)} s, checksums ${(report.timeMs.checksum / 1000).toFixed(1)} s)`,
    `heap after GC: ${mib(report.heap.baselineBytes)} MiB before, ${mib(report.heap.afterBytes)} MiB after`,
    `server error log lines: ${loggedErrors(context.problems).length}`,
  );
  if (report.slowest.length > 0) {
    lines.push("slowest requests:");
    for (const [ms, what] of report.slowest.slice(0, 5))
      lines.push(`  ${ms} ms ${what.slice(0, 160)}`);
  }
  for (const f of report.failures.slice(0, 50)) {
    lines.push(
      "",
      `FAILED ${f.protocol} #${f.path}: ${f.violations
        .map((v) => `${v.rule}: ${v.detail}`)
        .join("; ")
        .slice(0, 600)}`,
      `  request: ${f.request.slice(0, 400)}`,
      `  replay:  npm run fuzz -- --backend ${context.backend} --protocol ${f.protocol} --seed ${f.seed - protocolOffset(f.protocol)} --path ${f.path}`,
    );
  }
  for (const p of loggedErrors(context.problems).slice(0, 10)) {
    lines.push(`server error: ${p.msg} ${JSON.stringify(p.fields).slice(0, 300)}`);
  }
  return lines.join("\n");
}

function protocolOffset(protocol: Protocol): number {
  return Math.max(0, PROTOCOLS.indexOf(protocol));
}
