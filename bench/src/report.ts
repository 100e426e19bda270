/**
 * Comparisons of a workload with its peer measured in the same run, their
 * goals, and the report: a console table, a JSON document and a markdown
 * section.
 *
 * @module
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { Measurement } from "./stats.js";

/**
 * The goal of a comparison:
 * - `throughput`: ours ops/s ≥ `ratio` × the peer's;
 * - `latency`: ours ≤ `ratio` × the peer's + `slackMs`, on both p50 and p99;
 * - `wall`: the whole run's wall time, ours ≤ `ratio` × the peer's + `slackMs`.
 */
export type Goal =
  | { kind: "throughput"; ratio: number }
  | { kind: "latency"; ratio: number; slackMs: number }
  | { kind: "wall"; ratio: number; slackMs: number };

/**
 * One workload next to its peer and, for B1, B3, B4 and B7, next to the floor:
 * a bare connect-node service on the same transport running the peer's SQL
 * (`floor-service.ts`). The goal applies to the peer's ratio; the floor's ratio
 * is the yardstick of what the stack adds over any RPC service.
 */
export interface Comparison {
  /** Workload family, e.g. `B3`. */
  id: string;
  /** `sqlite`, `postgres`, or `rpc` for backend-independent workloads. */
  backend: string;
  /** What ran, e.g. `ListRecords label in one namespace`. */
  workload: string;
  /** What the peer is, e.g. `better-sqlite3 SELECT`. */
  peer: string;
  /** What a wall-time measurement's `ops` count (default `pages`). */
  unit?: string;
  ours: Measurement;
  /** The peer (hand-written SQL in process, or the echo service of B7). */
  baseline: Measurement;
  /** The floor: the bare RPC service over the same SQL, when the workload has one. */
  floor?: Measurement;
  /** What the floor is, e.g. `bare connect-node + better-sqlite3 SELECT`. */
  floorPeer?: string;
  goal: Goal;
  /** ours / peer: throughput ratio for `throughput`, time ratio otherwise (p50 for `latency`). */
  ratio: number;
  /** ours / floor, the same way as {@link Comparison.ratio}; no goal applies to it. */
  floorRatio?: number;
  met: boolean;
  /** A further absolute goal, e.g. "no-match under 50 ms", and whether it was met. */
  extra?: { goal: string; met: boolean };
}

/** A workload that did not run, and why. */
export interface Skipped {
  id: string;
  backend: string;
  workload: string;
  reason: string;
}

/** Everything one run of the benchmark produced. */
export interface BenchReport {
  command: string;
  machine: { cpus: number; cpuModel: string; memoryGiB: number; node: string; platform: string };
  startedAt: string;
  options: Record<string, unknown>;
  data: Record<string, unknown>;
  comparisons: Comparison[];
  skipped: Skipped[];
  /** Free-form figures (load times, per-page timings). */
  notes: string[];
}

/** ours / other under the kind of `goal` (throughput, p50 latency or wall time). */
function ratioOf(goal: Goal, ours: Measurement, other: Measurement): number {
  switch (goal.kind) {
    case "throughput":
      return other.opsPerSec > 0 ? ours.opsPerSec / other.opsPerSec : 0;
    case "latency":
      return other.p50Ms > 0 ? ours.p50Ms / other.p50Ms : Infinity;
    case "wall":
      return other.wallMs > 0 ? ours.wallMs / other.wallMs : Infinity;
  }
}

/** Compare ours with the peer under `goal` (and with the floor, when given). */
export function compare(
  base: Omit<Comparison, "ratio" | "met" | "goal" | "floorRatio">,
  goal: Goal,
  extra?: { goal: string; met: boolean },
): Comparison {
  const { ours, baseline } = base;
  const ratio = ratioOf(goal, ours, baseline);
  let met: boolean;
  switch (goal.kind) {
    case "throughput":
      met = ratio >= goal.ratio;
      break;
    case "latency":
      met =
        ours.p50Ms <= goal.ratio * baseline.p50Ms + goal.slackMs &&
        ours.p99Ms <= goal.ratio * baseline.p99Ms + goal.slackMs;
      break;
    case "wall":
      met = ours.wallMs <= goal.ratio * baseline.wallMs + goal.slackMs;
      break;
  }
  const result: Comparison = { ...base, goal, ratio, met: met && (extra?.met ?? true) };
  if (base.floor !== undefined) result.floorRatio = ratioOf(goal, ours, base.floor);
  if (extra) result.extra = extra;
  return result;
}

function fmt(n: number, digits = 2): string {
  if (Number.isNaN(n)) return "–";
  if (!Number.isFinite(n)) return "∞";
  if (Math.abs(n) >= 1000) return Math.round(n).toLocaleString("en-US");
  if (Math.abs(n) >= 100) return n.toFixed(0);
  if (Math.abs(n) >= 10) return n.toFixed(1);
  return n.toFixed(digits);
}

/** A measurement as table text for the comparison's goal. */
function figure(m: Measurement, goal: Goal, unit = "pages"): string {
  switch (goal.kind) {
    case "throughput":
      return `${fmt(m.opsPerSec)} ops/s (p50 ${fmt(m.p50Ms)} ms)`;
    case "latency":
      return `p50 ${fmt(m.p50Ms)} / p99 ${fmt(m.p99Ms)} ms`;
    case "wall":
      return `${fmt(m.wallMs)} ms (${m.ops} ${unit})`;
  }
}

function goalText(goal: Goal): string {
  switch (goal.kind) {
    case "throughput":
      return `≥ ${goal.ratio}`;
    case "latency":
      return `≤ ${goal.ratio}x${goal.slackMs ? ` +${goal.slackMs} ms` : ""}`;
    case "wall":
      return `≤ ${goal.ratio}x${goal.slackMs ? ` +${goal.slackMs} ms` : ""}`;
  }
}

/** The rows of the comparison table (header first). */
export function tableRows(report: BenchReport): string[][] {
  const rows: string[][] = [
    [
      "id",
      "backend",
      "workload",
      "ours",
      "floor (bare RPC + SQL)",
      "peer",
      "ours/floor",
      "ours/peer",
      "goal (on ours/peer)",
      "met?",
      "CPU µs/op ours/floor/peer",
    ],
  ];
  for (const c of report.comparisons) {
    const floor = c.floor;
    rows.push([
      c.id,
      c.backend,
      c.workload,
      figure(c.ours, c.goal, c.unit),
      floor ? `${figure(floor, c.goal, c.unit)} [${c.floorPeer ?? "floor"}]` : "",
      `${figure(c.baseline, c.goal, c.unit)} [${c.peer}]`,
      c.floorRatio !== undefined ? fmt(c.floorRatio) : "",
      fmt(c.ratio),
      goalText(c.goal) + (c.extra ? `; ${c.extra.goal}` : ""),
      c.met ? "yes" : "no",
      `${fmt(c.ours.cpuUsPerOp, 0)} / ${floor ? fmt(floor.cpuUsPerOp, 0) : "–"} / ${fmt(c.baseline.cpuUsPerOp, 0)}`,
    ]);
  }
  for (const s of report.skipped) {
    rows.push([s.id, s.backend, s.workload, `skipped: ${s.reason}`, "", "", "", "", "", "", ""]);
  }
  return rows;
}

/** The table as aligned plain text for the console. */
export function renderText(report: BenchReport): string {
  const rows = tableRows(report);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => [...(r[i] ?? "")].length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => cell + " ".repeat(widths[i]! - [...cell].length))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

/** The report as a markdown section: command, machine, data, table, notes. */
export function renderMarkdown(report: BenchReport): string {
  const rows = tableRows(report);
  const esc = (s: string) => s.replace(/\|/g, "\\|");
  const lines = [
    `Command: \`${report.command}\``,
    "",
    `Machine: ${report.machine.cpus} × ${report.machine.cpuModel}, ${report.machine.memoryGiB} GiB RAM, ` +
      `Node ${report.machine.node} (${report.machine.platform}); run started ${report.startedAt}.`,
    "",
    `Data: ${Object.entries(report.data)
      .map(([k, v]) => `${k} ${typeof v === "object" ? JSON.stringify(v) : String(v)}`)
      .join("; ")}.`,
    "",
    `| ${rows[0]!.map(esc).join(" | ")} |`,
    `|${rows[0]!.map(() => "---").join("|")}|`,
    ...rows.slice(1).map((r) => `| ${r.map(esc).join(" | ")} |`),
  ];
  if (report.notes.length > 0) lines.push("", ...report.notes.map((n) => `- ${n}`));
  return lines.join("\n") + "\n";
}

/** Write the report as JSON to `path`, and as markdown next to it (`.md`). */
export function writeReport(path: string, report: BenchReport): { json: string; markdown: string } {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(report, null, 2) + "\n");
  const markdown = path.replace(/\.json$/, "") + ".md";
  writeFileSync(markdown, renderMarkdown(report));
  return { json: path, markdown };
}
