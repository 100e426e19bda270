/**
 * The reference implementation of record summaries (GetRecordListSummary):
 * a plain walk over the records that computes every aggregate the way the
 * port documents it (see `summary.ts` of `@tekton-results/storage`). It is
 * the oracle the summary conformance suite is checked against.
 *
 * @module
 */
import {
  SUMMARY_PATHS,
  SUMMARY_PERCENTILES,
  parseSummaryTime,
  percentileCont,
  pickSummaryValues,
  reasonCategory,
  sortSummaryRows,
  summaryFieldsToCompute,
  summaryTimeBucket,
  type RecordSummaryQuery,
  type RecordSummaryRow,
  type StoredRecord,
  type SummaryField,
  type SummaryGroupBy,
} from "@tekton-results/storage";
import { matchesFilter, recordRow } from "./memory-filter.js";

/** The value at a JSON path, or `undefined` when any step is missing. */
function at(doc: unknown, path: readonly (string | number)[]): unknown {
  let v = doc;
  for (const step of path) {
    if (typeof step === "number") {
      if (!Array.isArray(v)) return undefined;
      v = v[step];
    } else {
      if (typeof v !== "object" || v === null || Array.isArray(v)) return undefined;
      if (!Object.prototype.hasOwnProperty.call(v, step)) return undefined;
      v = (v as Record<string, unknown>)[step];
    }
  }
  return v;
}

/** A JSON string at a path, else `undefined`. */
function stringAt(doc: unknown, path: readonly (string | number)[]): string | undefined {
  const v = at(doc, path);
  return typeof v === "string" ? v : undefined;
}

/** The group value of a record's document. */
function groupValueOf(doc: unknown, groupBy: SummaryGroupBy): string | number | null {
  switch (groupBy.kind) {
    case "time": {
      const ms = parseSummaryTime(at(doc, SUMMARY_PATHS[groupBy.timeField]));
      return ms === undefined ? null : summaryTimeBucket(ms, groupBy.period);
    }
    case "namespace":
      return stringAt(doc, SUMMARY_PATHS.namespace) ?? null;
    case "pipeline":
    case "repository":
      return `${stringAt(doc, SUMMARY_PATHS.namespace) ?? ""}/${stringAt(doc, SUMMARY_PATHS[groupBy.kind]) ?? ""}`;
  }
}

/** What one group accumulates. */
interface Group {
  value: string | number | null;
  counts: Record<"total" | "succeeded" | "failed" | "cancelled" | "running" | "others", number>;
  durations: number[];
  lastStart: number | undefined;
}

/** The aggregates of one group. */
function aggregate(
  group: Group,
  fields: readonly SummaryField[],
): Partial<Record<SummaryField, number | null>> {
  const d = [...group.durations].sort((a, b) => a - b);
  const sum = d.reduce((s, x) => s + x, 0);
  const out: Partial<Record<SummaryField, number | null>> = {};
  for (const field of fields) {
    switch (field) {
      case "total":
      case "succeeded":
      case "failed":
      case "cancelled":
      case "running":
      case "others":
        out[field] = group.counts[field];
        break;
      case "avg_duration":
        out[field] = d.length === 0 ? null : sum / d.length;
        break;
      case "min_duration":
        out[field] = d[0] ?? null;
        break;
      case "max_duration":
        out[field] = d[d.length - 1] ?? null;
        break;
      case "total_duration":
        out[field] = d.length === 0 ? null : sum;
        break;
      case "last_runtime":
        out[field] = group.lastStart === undefined ? null : group.lastStart / 1000;
        break;
      case "p50_duration":
      case "p95_duration":
      case "p99_duration":
        out[field] = percentileCont(d, SUMMARY_PERCENTILES[field]);
        break;
    }
  }
  return out;
}

/**
 * Summarize `records` (every record of a store) for `query`: scope by parent
 * and Result, filter with the reference evaluator, group, aggregate and sort.
 */
export function summarizeMemoryRecords(
  records: Iterable<StoredRecord>,
  query: RecordSummaryQuery,
): RecordSummaryRow[] {
  const groups = new Map<string, Group>();
  const keyOf = (v: string | number | null) =>
    v === null ? "n" : typeof v === "number" ? `#${v}` : `s${v}`;
  if (query.groupBy === undefined) groups.set("all", newGroup(null));

  for (const r of records) {
    if (query.parent !== undefined && r.parent !== query.parent) continue;
    if (query.resultName !== undefined && r.resultName !== query.resultName) continue;
    const row = recordRow(r);
    if (!matchesFilter(query.filter, row)) continue;
    const doc = row.json.data;
    const value = query.groupBy === undefined ? null : groupValueOf(doc, query.groupBy);
    const key = query.groupBy === undefined ? "all" : keyOf(value);
    let group = groups.get(key);
    if (group === undefined) {
      group = newGroup(value);
      groups.set(key, group);
    }
    group.counts.total++;
    const category = reasonCategory(stringAt(doc, SUMMARY_PATHS.reason));
    if (category !== undefined) group.counts[category]++;
    const start = parseSummaryTime(at(doc, SUMMARY_PATHS.startTime));
    const completion = parseSummaryTime(at(doc, SUMMARY_PATHS.completionTime));
    if (start !== undefined && completion !== undefined) group.durations.push(completion - start);
    if (start !== undefined && (group.lastStart === undefined || start > group.lastStart)) {
      group.lastStart = start;
    }
  }

  const fields = summaryFieldsToCompute(query);
  const rows = [...groups.values()].map((g) => ({
    groupValue: g.value,
    values: aggregate(g, fields),
  }));
  sortSummaryRows(rows, query.orderBy);
  return rows.map((row) =>
    query.groupBy === undefined
      ? { values: pickSummaryValues(row.values, query.fields) }
      : { groupValue: row.groupValue, values: pickSummaryValues(row.values, query.fields) },
  );
}

function newGroup(value: string | number | null): Group {
  return {
    value,
    counts: { total: 0, succeeded: 0, failed: 0, cancelled: 0, running: 0, others: 0 },
    durations: [],
    lastStart: undefined,
  };
}
