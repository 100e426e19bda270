/**
 * The Insights page's figures, all read from GetRecordListSummary: the requests (a namespace or
 * all, a time window of the runs' start), the rows turned into success rates and durations, the
 * slowest and flakiest pipelines, and the series over time.
 *
 * @module
 */
import type { JsonObject, JsonValue } from "@bufbuild/protobuf";

/** A time window of the page, back from now. */
export type RangeId = "24h" | "7d" | "30d" | "90d";

/** A period GetRecordListSummary groups start times by. */
export type Bucket = "hour" | "day" | "week";

/** The windows offered, each with the period of its series. */
export const RANGES: readonly { id: RangeId; text: string; ms: number; bucket: Bucket }[] = [
  { id: "24h", text: "Last 24 hours", ms: 24 * 3600_000, bucket: "hour" },
  { id: "7d", text: "Last 7 days", ms: 7 * 24 * 3600_000, bucket: "day" },
  { id: "30d", text: "Last 30 days", ms: 30 * 24 * 3600_000, bucket: "day" },
  { id: "90d", text: "Last 90 days", ms: 90 * 24 * 3600_000, bucket: "week" },
];

/** The window of an id (the 7 days' for an unknown one). */
export function rangeOf(id: string | null | undefined): (typeof RANGES)[number] {
  return RANGES.find((r) => r.id === id) ?? RANGES[1]!;
}

/** The fields the page asks of each group. */
export const SUMMARY_FIELDS = [
  "total",
  "succeeded",
  "failed",
  "cancelled",
  "others",
  "running",
  "p50_duration",
  "p95_duration",
  "last_runtime",
].join(",");

/** The parent of a namespace's records, or every namespace's for `""`. */
export function summaryParent(namespace: string): string {
  return namespace === "" ? "-/results/-" : `${namespace}/results/-`;
}

const q = (s: string): string => JSON.stringify(s);

/**
 * The filter of the page: PipelineRuns that started in the window ending at `now`, of one
 * pipeline (`namespace/name`, as the summary's `pipeline` group names it) when given.
 */
export function insightsFilter(rangeMs: number, now: Date, pipeline = ""): string {
  const from = new Date(now.getTime() - rangeMs).toISOString();
  const parts = [
    "data_type == PIPELINE_RUN",
    `has(data.status.startTime)`,
    `timestamp(data.status.startTime) >= timestamp(${q(from)})`,
  ];
  if (pipeline !== "") {
    const slash = pipeline.indexOf("/");
    const ns = slash < 0 ? "" : pipeline.slice(0, slash);
    const name = slash < 0 ? pipeline : pipeline.slice(slash + 1);
    if (ns !== "") parts.push(`data.metadata.namespace == ${q(ns)}`);
    parts.push(`data.metadata.labels["tekton.dev/pipeline"] == ${q(name)}`);
  }
  return parts.join(" && ");
}

/** Milliseconds of the API's interval text (`00:01:16.21875`, `1 day 02:00:00`, `-00:00:01`). */
export function intervalMs(value: JsonValue | undefined): number | undefined {
  if (typeof value !== "string") return undefined;
  const m = /^(?:(-?\d+) days? ?)?(-)?(\d+):(\d\d):(\d\d(?:\.\d+)?)$/.exec(value.trim());
  if (!m) return undefined;
  const clock = (Number(m[3]) * 3600 + Number(m[4]) * 60 + Number(m[5])) * 1000;
  return Number(m[1] ?? 0) * 86_400_000 + (m[2] ? -clock : clock);
}

const count = (value: JsonValue | undefined): number => (typeof value === "number" ? value : 0);

/** The figures of one group (a pipeline, a namespace, a period, or all). */
export interface GroupStats {
  /** The group's value: `ns/pipeline`, a namespace, a period's start (Unix seconds, as text). */
  key: string;
  total: number;
  succeeded: number;
  failed: number;
  cancelled: number;
  /** Other reasons: timeouts, pending, a reason Tekton does not finish with. */
  others: number;
  running: number;
  /** `succeeded / (succeeded + failed)`, `undefined` without either. */
  successRate: number | undefined;
  /** `failed / (succeeded + failed)`, `undefined` without either. */
  failureRate: number | undefined;
  p50Ms: number | undefined;
  p95Ms: number | undefined;
  /** The latest start. */
  lastRun: Date | undefined;
}

/** The figures of a row of the summary. */
export function groupStats(row: JsonObject): GroupStats {
  const succeeded = count(row["succeeded"]);
  const failed = count(row["failed"]);
  const decided = succeeded + failed;
  const last = row["last_runtime"];
  const group = row["group_value"];
  return {
    key: group === null || group === undefined ? "" : String(group),
    total: count(row["total"]),
    succeeded,
    failed,
    cancelled: count(row["cancelled"]),
    others: count(row["others"]),
    running: count(row["running"]),
    successRate: decided > 0 ? succeeded / decided : undefined,
    failureRate: decided > 0 ? failed / decided : undefined,
    p50Ms: intervalMs(row["p50_duration"]),
    p95Ms: intervalMs(row["p95_duration"]),
    lastRun: typeof last === "number" ? new Date(last * 1000) : undefined,
  };
}

/** A pipeline group's namespace and name (`ns/name`; either may be empty). */
export function splitPipeline(key: string): { namespace: string; name: string } {
  const slash = key.indexOf("/");
  return slash < 0
    ? { namespace: "", name: key }
    : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

/** The groups that are pipelines (a run without the pipeline label groups as `ns/`). */
export function namedPipelines(stats: readonly GroupStats[]): GroupStats[] {
  return stats.filter((s) => splitPipeline(s.key).name !== "");
}

/**
 * The flaky pipelines: those with at least one success and one failure in the window, the
 * highest failure rate first (then the most runs, then by name).
 */
export function flakiest(stats: readonly GroupStats[], limit = 5): GroupStats[] {
  return namedPipelines(stats)
    .filter((s) => s.succeeded > 0 && s.failed > 0)
    .sort(
      (a, b) =>
        (b.failureRate ?? 0) - (a.failureRate ?? 0) ||
        b.succeeded + b.failed - (a.succeeded + a.failed) ||
        a.key.localeCompare(b.key),
    )
    .slice(0, limit);
}

/** The slowest pipelines: the highest p95 duration first (then p50, then by name). */
export function slowest(stats: readonly GroupStats[], limit = 5): GroupStats[] {
  return namedPipelines(stats)
    .filter((s) => s.p95Ms !== undefined)
    .sort(
      (a, b) =>
        (b.p95Ms ?? 0) - (a.p95Ms ?? 0) ||
        (b.p50Ms ?? 0) - (a.p50Ms ?? 0) ||
        a.key.localeCompare(b.key),
    )
    .slice(0, limit);
}

/** One point of a chart (Carbon Charts' tabular data: a series name, a date, a value). */
export interface ChartPoint {
  group: string;
  date: Date;
  value: number;
}

/** The series over time of period groups: success rate in percent, p50 and p95 in minutes. */
export function series(periods: readonly GroupStats[]): {
  successRate: ChartPoint[];
  duration: ChartPoint[];
  runs: ChartPoint[];
} {
  const successRate: ChartPoint[] = [];
  const duration: ChartPoint[] = [];
  const runs: ChartPoint[] = [];
  for (const p of periods) {
    if (p.key === "") continue;
    const date = new Date(Number(p.key) * 1000);
    if (p.successRate !== undefined) {
      successRate.push({ group: "Success rate", date, value: round(p.successRate * 100) });
    }
    if (p.p50Ms !== undefined) duration.push({ group: "p50", date, value: minutes(p.p50Ms) });
    if (p.p95Ms !== undefined) duration.push({ group: "p95", date, value: minutes(p.p95Ms) });
    runs.push({ group: "Succeeded", date, value: p.succeeded });
    runs.push({ group: "Failed", date, value: p.failed });
  }
  return { successRate, duration, runs };
}

const round = (n: number): number => Math.round(n * 10) / 10;
const minutes = (ms: number): number => Math.round((ms / 60_000) * 100) / 100;

/** A rate as the page shows it: `75%`, `66.7%`, `-` without one. */
export function formatRate(rate: number | undefined): string {
  if (rate === undefined) return "-";
  const pct = Math.round(rate * 1000) / 10;
  return `${pct}%`;
}
