/**
 * The record-summary part of the storage port (GetRecordListSummary): the
 * field and grouping vocabulary, the query and row types, and the helpers
 * every backend shares so that the same records give the same numbers
 * everywhere (time buckets, percentiles, group order, interval text).
 *
 * Semantics (after upstream Tekton Results' PostgreSQL queries):
 * - The reason of a record is `data.status.conditions[0].reason` when it is a
 *   JSON string, else absent. `succeeded` counts reasons `Succeeded` and
 *   `Completed`; `failed` counts `Failed`; `cancelled` counts `Cancelled`;
 *   `running` counts `Running`; `others` counts every other *present* reason
 *   (like upstream's `NOT IN`, a record without a reason is counted only in
 *   `total`). `total` counts every record.
 * - Times are `data.metadata.creationTimestamp`, `data.status.startTime` and
 *   `data.status.completionTime`, read with the filters' RFC 3339 parser to
 *   the millisecond; a missing, non-string or malformed time is absent
 *   (PostgreSQL would fail the whole query on a malformed one).
 * - A duration is `completionTime - startTime` in milliseconds, for records
 *   that have both (it may be negative). `avg`, `min`, `max`, `total` and the
 *   percentiles run over those durations and are `null` without any.
 * - Percentiles are PostgreSQL's `percentile_cont`: over the n durations
 *   sorted ascending, position `p * (n - 1)` (0-based), linear interpolation
 *   between the two neighbouring values (see {@link percentileCont}).
 * - `last_runtime` is the latest `startTime` in Unix seconds (a fraction when
 *   the time has milliseconds), `null` without any.
 * - Groups: time buckets are PostgreSQL `date_trunc` in UTC (weeks start on
 *   Monday) of the chosen time, as the bucket start in Unix seconds, `null`
 *   for records without that time; `namespace` is `data.metadata.namespace`
 *   (`null` when absent); `pipeline` and `repository` are
 *   `{namespace}/{label or annotation}` where an absent part is the empty
 *   string (PostgreSQL `CONCAT`). Only JSON strings count as present.
 * - Order: by the `orderBy` field with `null` greater than every value (as
 *   PostgreSQL sorts NULLs), ties and the default by group value ascending
 *   (numbers numerically, strings by code point, `null` last); see
 *   {@link sortSummaryRows}.
 *
 * @module
 */
import type { FilterExpr } from "./filter/ast.js";
import { parseTimestamp } from "./filter/time.js";

/** Every aggregate GetRecordListSummary can compute (`summary`), in documentation order. */
export const SUMMARY_FIELDS = [
  "total",
  "succeeded",
  "failed",
  "cancelled",
  "running",
  "others",
  "avg_duration",
  "min_duration",
  "max_duration",
  "total_duration",
  "last_runtime",
  "p50_duration",
  "p95_duration",
  "p99_duration",
] as const;

/** One aggregate of GetRecordListSummary. */
export type SummaryField = (typeof SUMMARY_FIELDS)[number];

/** The aggregates that are counts of records (never `null`). */
export const SUMMARY_COUNT_FIELDS = [
  "total",
  "succeeded",
  "failed",
  "cancelled",
  "running",
  "others",
] as const satisfies readonly SummaryField[];

/** The aggregates that are durations (milliseconds in the port, interval text in the API). */
export const SUMMARY_DURATION_FIELDS = [
  "avg_duration",
  "min_duration",
  "max_duration",
  "total_duration",
  "p50_duration",
  "p95_duration",
  "p99_duration",
] as const satisfies readonly SummaryField[];

/** The percentile of each percentile field. */
export const SUMMARY_PERCENTILES = {
  p50_duration: 0.5,
  p95_duration: 0.95,
  p99_duration: 0.99,
} as const satisfies Partial<Record<SummaryField, number>>;

/** The time buckets of `group_by`. */
export const SUMMARY_PERIODS = ["year", "month", "week", "day", "hour", "minute"] as const;

/** One time bucket of `group_by`. */
export type SummaryPeriod = (typeof SUMMARY_PERIODS)[number];

/** The record time a time grouping buckets by. */
export type SummaryTimeField = "creationTimestamp" | "startTime" | "completionTime";

/** How GetRecordListSummary groups records. */
export type SummaryGroupBy =
  | { kind: "time"; period: SummaryPeriod; timeField: SummaryTimeField }
  | { kind: "namespace" | "pipeline" | "repository" };

/** The order of grouped summary rows. */
export interface SummaryOrder {
  field: SummaryField;
  direction: "asc" | "desc";
}

/** A summary request in the port's terms. */
export interface RecordSummaryQuery {
  /** Only records of this parent; absent means every parent. */
  parent?: string;
  /** Only records of this Result; absent means every Result. */
  resultName?: string;
  /** Only records matching this filter (applied before grouping). */
  filter?: FilterExpr;
  /** The aggregates to return, in order, without duplicates; at least one. */
  fields: readonly SummaryField[];
  /** Group the records; absent means one row over every record. */
  groupBy?: SummaryGroupBy;
  /** Order of the groups (only meaningful with `groupBy`); need not be in `fields`. */
  orderBy?: SummaryOrder;
}

/**
 * One summary row: durations in milliseconds (fractions for averages and
 * percentiles), `last_runtime` in Unix seconds, counts as integers.
 */
export interface RecordSummaryRow {
  /** The group's value; present exactly when the query has `groupBy`. */
  groupValue?: string | number | null;
  /** Exactly the requested fields; `null` when a group has no value for one. */
  values: Partial<Record<SummaryField, number | null>>;
}

/** The JSON paths of the values a summary reads from a record's `data`. */
export const SUMMARY_PATHS = {
  reason: ["status", "conditions", 0, "reason"],
  creationTimestamp: ["metadata", "creationTimestamp"],
  startTime: ["status", "startTime"],
  completionTime: ["status", "completionTime"],
  namespace: ["metadata", "namespace"],
  pipeline: ["metadata", "labels", "tekton.dev/pipeline"],
  repository: ["metadata", "annotations", "pipelinesascode.tekton.dev/repository"],
} as const satisfies Record<string, readonly (string | number)[]>;

/** The reasons counted as `succeeded`. */
export const SUCCEEDED_REASONS = ["Succeeded", "Completed"] as const;

/** The summary count a condition reason falls in (`undefined`: only `total`). */
export function reasonCategory(
  reason: string | undefined,
): "succeeded" | "failed" | "cancelled" | "running" | "others" | undefined {
  switch (reason) {
    case undefined:
      return undefined;
    case "Succeeded":
    case "Completed":
      return "succeeded";
    case "Failed":
      return "failed";
    case "Cancelled":
      return "cancelled";
    case "Running":
      return "running";
    default:
      return "others";
  }
}

/**
 * Parse a record time the way summaries read it: an RFC 3339 string to Unix
 * milliseconds, `undefined` when absent, not a string, or malformed.
 */
export function parseSummaryTime(value: unknown): number | undefined {
  return typeof value === "string" ? parseTimestamp(value) : undefined;
}

const DAY_MS = 86_400_000;

/** Floor division of integers (toward negative infinity). */
function floorDiv(a: number, b: number): number {
  return Math.floor(a / b);
}

/**
 * The start of the UTC `period` containing `ms` (PostgreSQL
 * `date_trunc(period, t)` with the time zone UTC; weeks start on Monday), in
 * Unix seconds.
 */
export function summaryTimeBucket(ms: number, period: SummaryPeriod): number {
  switch (period) {
    case "minute":
      return floorDiv(ms, 60_000) * 60;
    case "hour":
      return floorDiv(ms, 3_600_000) * 3600;
    case "day":
      return floorDiv(ms, DAY_MS) * 86_400;
    case "week": {
      // 1970-01-01 was a Thursday: (days + 3) mod 7 is 0 on Mondays.
      const days = floorDiv(ms, DAY_MS);
      const monday = days - ((((days + 3) % 7) + 7) % 7);
      return monday * 86_400;
    }
    case "month":
    case "year": {
      const d = new Date(ms);
      const start = new Date(0);
      start.setUTCFullYear(d.getUTCFullYear(), period === "year" ? 0 : d.getUTCMonth(), 1);
      return start.getTime() / 1000;
    }
  }
}

/**
 * PostgreSQL `percentile_cont(p)` over values sorted ascending: position
 * `p * (n - 1)`, the values at its floor and ceiling, and
 * `lo + (hi - lo) * (position - floor)`. `null` for no values.
 */
export function percentileCont(sorted: readonly number[], p: number): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  const position = p * (n - 1);
  const lo = Math.floor(position);
  const hi = Math.ceil(position);
  return percentileFromNeighbours(sorted[lo]!, sorted[hi]!, position - lo);
}

/** The indexes (0-based) of the neighbours {@link percentileCont} reads among `n` values. */
export function percentileIndexes(
  n: number,
  p: number,
): { lo: number; hi: number; fraction: number } {
  const position = p * (n - 1);
  const lo = Math.floor(position);
  return { lo, hi: Math.ceil(position), fraction: position - lo };
}

/** The interpolation step of {@link percentileCont}. */
export function percentileFromNeighbours(lo: number, hi: number, fraction: number): number {
  return fraction === 0 ? lo : lo + (hi - lo) * fraction;
}

/** Compare two group values: numbers numerically, strings by code point, `null` last. */
export function compareGroupValues(
  a: string | number | null | undefined,
  b: string | number | null | undefined,
): number {
  const x = a ?? null;
  const y = b ?? null;
  if (x === y) return 0;
  if (x === null) return 1;
  if (y === null) return -1;
  if (typeof x === "number" && typeof y === "number") return x < y ? -1 : 1;
  return compareCodePoints(String(x), String(y));
}

/** Compare strings by Unicode code point (the order of their UTF-8 bytes). */
function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/**
 * Sort summary rows in place as the port defines: by `order.field` in its
 * direction with `null` greater than every number (first descending, last
 * ascending), then by group value ascending ({@link compareGroupValues}).
 * Without `order`, by group value only. Returns `rows`.
 */
export function sortSummaryRows<
  T extends {
    groupValue?: string | number | null;
    values: Partial<Record<SummaryField, number | null>>;
  },
>(rows: T[], order: SummaryOrder | undefined): T[] {
  return rows.sort((a, b) => {
    if (order !== undefined) {
      const x = a.values[order.field] ?? null;
      const y = b.values[order.field] ?? null;
      if (x !== y) {
        const sign = order.direction === "desc" ? -1 : 1;
        if (x === null) return sign;
        if (y === null) return -sign;
        return (x < y ? -1 : 1) * sign;
      }
    }
    return compareGroupValues(a.groupValue, b.groupValue);
  });
}

/** The fields a backend must compute for a query: the requested ones and the order field. */
export function summaryFieldsToCompute(query: RecordSummaryQuery): SummaryField[] {
  const out = [...query.fields];
  if (query.orderBy !== undefined && !out.includes(query.orderBy.field))
    out.push(query.orderBy.field);
  return out;
}

/** Keep only the requested fields of a row's values, in request order. */
export function pickSummaryValues(
  values: Partial<Record<SummaryField, number | null>>,
  fields: readonly SummaryField[],
): Partial<Record<SummaryField, number | null>> {
  const out: Partial<Record<SummaryField, number | null>> = {};
  for (const field of fields) out[field] = values[field] ?? null;
  return out;
}

const MICROS_PER_DAY = 86_400_000_000;

/**
 * Format a duration in milliseconds as PostgreSQL prints an `interval` whose
 * days and time are justified (`justify_hours`, which is what timestamp
 * subtraction yields), in the default `postgres` interval style: rounded to
 * microseconds; `[N day[s] ]HH:MM:SS[.ffffff]` with the fraction's trailing
 * zeros dropped and hours below 24; the sign on each part
 * (`-1 days -02:00:00`); zero is `00:00:00`.
 *
 * Examples: `76218.75` → `"00:01:16.21875"`, `93784000` → `"1 day 02:03:04"`,
 * `-5000` → `"-00:00:05"`.
 */
export function formatSummaryDuration(ms: number): string {
  const micros = Math.round(ms * 1000);
  const negative = micros < 0;
  const abs = Math.abs(micros);
  const days = Math.floor(abs / MICROS_PER_DAY);
  let rest = abs - days * MICROS_PER_DAY;
  const hours = Math.floor(rest / 3_600_000_000);
  rest -= hours * 3_600_000_000;
  const minutes = Math.floor(rest / 60_000_000);
  rest -= minutes * 60_000_000;
  const seconds = Math.floor(rest / 1_000_000);
  const fraction = rest - seconds * 1_000_000;
  const sign = negative ? "-" : "";
  const parts: string[] = [];
  if (days !== 0) parts.push(`${sign}${days} day${days === 1 && !negative ? "" : "s"}`);
  if (days === 0 || rest !== 0 || hours !== 0 || minutes !== 0) {
    const two = (n: number) => String(n).padStart(2, "0");
    let time = `${sign}${two(hours)}:${two(minutes)}:${two(seconds)}`;
    if (fraction !== 0) time += `.${String(fraction).padStart(6, "0").replace(/0+$/, "")}`;
    parts.push(time);
  }
  return parts.join(" ");
}
