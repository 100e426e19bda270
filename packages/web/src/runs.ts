/**
 * Runs (PipelineRuns, TaskRuns) read from their Records: the row of the Runs page, the status
 * of a run from its Succeeded condition, and the CEL filter of the page's quick filters.
 *
 * @module
 */
import {
  parseRecordName,
  recordData,
  RUN_DATA_TYPES,
  timestampDate,
  type Record,
} from "@tekton-results/client";

/** The kinds of run the UI lists; `all` for both. */
export type RunKind = "pipelinerun" | "taskrun";

/** The kind switch of the Runs page. */
export type KindFilter = RunKind | "all";

/** The record types of each kind: Tekton's v1 and v1beta1 objects (the client's list). */
export const RUN_TYPES: { readonly [K in RunKind]: readonly string[] } = RUN_DATA_TYPES;

/** What a run's Succeeded condition says, as the Tekton Dashboard groups it. */
export type RunStatus = "succeeded" | "failed" | "cancelled" | "running" | "pending";

/** The status quick filter; `all` for any. */
export type StatusFilter = RunStatus | "all";

/** The reasons of a cancelled run (Tekton v1 and v1beta1). */
export const CANCELLED_REASONS: readonly string[] = [
  "Cancelled",
  "PipelineRunCancelled",
  "TaskRunCancelled",
  "StoppedRunFinally",
  "CancelledRunFinally",
];

/** A condition of a Tekton run's status. */
export interface Condition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

/** The parts of a Tekton run the UI reads. */
export interface TektonRun {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string;
    labels?: { [key: string]: string };
    annotations?: { [key: string]: string };
    creationTimestamp?: string;
  };
  spec?: {
    pipelineRef?: { name?: string };
    taskRef?: { name?: string };
    params?: { name: string; value: unknown }[];
    [key: string]: unknown;
  };
  status?: {
    startTime?: string;
    completionTime?: string;
    conditions?: Condition[];
    results?: { name: string; value: unknown }[];
    pipelineResults?: { name: string; value: unknown }[];
    taskResults?: { name: string; value: unknown }[];
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** A run as the Runs page shows it. */
export interface RunRow {
  /** The Record's full name, `ns/results/r/records/x`. */
  recordName: string;
  namespace: string;
  result: string;
  record: string;
  kind: RunKind | undefined;
  /** The run's name (`metadata.name`), else the record's id. */
  name: string;
  /** The pipeline of a PipelineRun, the task of a TaskRun (labels, else the spec's ref). */
  owner: string | undefined;
  status: RunStatus;
  reason: string | undefined;
  message: string | undefined;
  startTime: Date | undefined;
  completionTime: Date | undefined;
  run: TektonRun;
}

/** The kind of a record type, or `undefined` for another type. */
export function kindOfType(type: string | undefined): RunKind | undefined {
  if (type === undefined) return undefined;
  if (RUN_TYPES.pipelinerun.includes(type)) return "pipelinerun";
  if (RUN_TYPES.taskrun.includes(type)) return "taskrun";
  return undefined;
}

/** The Succeeded condition of a run (Tekton's first condition when none is typed so). */
export function succeededCondition(run: TektonRun): Condition | undefined {
  const conditions = run.status?.conditions ?? [];
  return conditions.find((c) => c.type === "Succeeded") ?? conditions[0];
}

/** The status of a run: the Dashboard's grouping of the Succeeded condition. */
export function runStatus(run: TektonRun): RunStatus {
  const c = succeededCondition(run);
  if (c === undefined) return "pending";
  if (c.status === "True") return "succeeded";
  if (c.reason !== undefined && CANCELLED_REASONS.includes(c.reason)) return "cancelled";
  if (c.status === "False") return "failed";
  if (c.reason === "Pending" || c.reason === "PipelineRunPending") return "pending";
  return "running";
}

function date(s: string | undefined): Date | undefined {
  if (!s) return undefined;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** The pipeline (PipelineRun) or task (TaskRun) a run is of. */
export function ownerOf(run: TektonRun, kind: RunKind | undefined): string | undefined {
  const labels = run.metadata?.labels ?? {};
  if (kind === "taskrun") {
    return (
      labels["tekton.dev/task"] ?? labels["tekton.dev/pipelineTask"] ?? run.spec?.taskRef?.name
    );
  }
  return labels["tekton.dev/pipeline"] ?? run.spec?.pipelineRef?.name;
}

/** The JSON document of a record, or an empty run when it has none or is not JSON. */
export function runOf(record: Pick<Record, "data">): TektonRun {
  try {
    const data = recordData<TektonRun>(record);
    return data !== null && typeof data === "object" ? data : {};
  } catch {
    return {};
  }
}

/** The row of a Record. */
export function runRow(record: Record): RunRow {
  const run = runOf(record);
  const kind = kindOfType(record.data?.type);
  const { parent, result, record: recordId } = parseRecordName(record.name);
  const condition = succeededCondition(run);
  const created = record.createTime ? timestampDate(record.createTime) : undefined;
  return {
    recordName: record.name,
    namespace: run.metadata?.namespace ?? parent,
    result,
    record: recordId,
    kind,
    name: run.metadata?.name ?? recordId,
    owner: ownerOf(run, kind),
    status: runStatus(run),
    reason: condition?.reason,
    message: condition?.message,
    startTime: date(run.status?.startTime) ?? created,
    completionTime: date(run.status?.completionTime),
    run,
  };
}

const q = (s: string): string => JSON.stringify(s);

const CONDITION = "data.status.conditions[0]";

/** The CEL of each status (on the first condition, as upstream's filters and the CLI read it). */
export const STATUS_CEL: { readonly [S in RunStatus]: string } = {
  succeeded: `${CONDITION}.status == "True"`,
  failed: `${CONDITION}.status == "False" && !(${CONDITION}.reason in [${CANCELLED_REASONS.map(q).join(", ")}])`,
  cancelled: `${CONDITION}.reason in [${CANCELLED_REASONS.map(q).join(", ")}]`,
  running: `${CONDITION}.status == "Unknown" && !(${CONDITION}.reason in ["Pending", "PipelineRunPending"])`,
  pending: `!has(data.status.conditions) || ${CONDITION}.reason in ["Pending", "PipelineRunPending"]`,
};

/** The time range quick filter: runs created within the last hour, day, week, month; `""`: any. */
export type SinceFilter = "" | "1h" | "24h" | "7d" | "30d";

/** The length of each {@link SinceFilter}, in milliseconds. */
export const SINCE_MS: { readonly [K in Exclude<SinceFilter, "">]: number } = {
  "1h": 3_600_000,
  "24h": 86_400_000,
  "7d": 7 * 86_400_000,
  "30d": 30 * 86_400_000,
};

/** What the Runs page filters on. */
export interface RunsQuery {
  kind: KindFilter;
  status: StatusFilter;
  /** The CEL typed in the filter box (may be empty). */
  cel: string;
  /** Runs of this pipeline (the `tekton.dev/pipeline` label); `""` or absent: any. */
  pipeline?: string;
  /** Labels `key=value,...` every run must have (as `tkn-results -L`); `""` or absent: none. */
  labels?: string;
  /** Created within this range of `now`; `""` or absent: any time. */
  since?: SinceFilter;
}

/**
 * The `key=value` pairs of a label filter (`a=b, c=d`), or the first entry that is not one
 * (an error to show). Blank entries are skipped.
 */
export function parseLabelFilter(text: string): { pairs: [string, string][] } | { error: string } {
  const pairs: [string, string][] = [];
  for (const raw of text.split(",")) {
    const entry = raw.trim();
    if (entry === "") continue;
    const at = entry.indexOf("=");
    const key = entry.slice(0, at).trim();
    if (at <= 0 || key === "") return { error: `"${entry}" is not key=value` };
    pairs.push([key, entry.slice(at + 1).trim()]);
  }
  return { pairs };
}

/**
 * The filter sent to ListRecords: the user's CEL first, on a line of its own (so that the
 * server's `line:column` of an error is the box's line plus one, same column), then the types
 * of the kind and the status.
 */
export function buildFilter(query: RunsQuery, now: number = Date.now()): string {
  const kinds: RunKind[] = query.kind === "all" ? ["pipelinerun", "taskrun"] : [query.kind];
  const types = kinds.flatMap((k) => RUN_TYPES[k]);
  const parts: string[] = [];
  if (query.cel.trim() !== "") parts.push(`(\n${query.cel}\n)`);
  parts.push(`(${types.map((t) => `data_type == ${q(t)}`).join(" || ")})`);
  if (query.status !== "all") parts.push(`(${STATUS_CEL[query.status]})`);
  const pipeline = query.pipeline?.trim() ?? "";
  if (pipeline !== "") parts.push(`data.metadata.labels["tekton.dev/pipeline"] == ${q(pipeline)}`);
  const labels = parseLabelFilter(query.labels ?? "");
  if ("pairs" in labels) {
    for (const [k, v] of labels.pairs) parts.push(`data.metadata.labels[${q(k)}] == ${q(v)}`);
  }
  if (query.since) {
    // Whole minutes: the same filter for every render (and the early first request) of a minute.
    const cutoff = Math.floor((now - SINCE_MS[query.since]) / 60_000) * 60_000;
    parts.push(`create_time > timestamp(${q(new Date(cutoff).toISOString())})`);
  }
  return parts.join(" && ");
}

/** A position in the filter box: 1-based line and column. */
export interface CelPosition {
  line: number;
  column: number;
}

/**
 * The server's message of a bad filter with its `at line:column` moved back into the filter
 * box (see {@link buildFilter}), and that position; the message unchanged when it has none.
 */
export function celErrorInBox(message: string): { message: string; position?: CelPosition } {
  const m = /\bat (\d+):(\d+)\b/.exec(message);
  if (!m) return { message };
  const line = Number(m[1]) - 1;
  const column = Number(m[2]);
  if (line < 1) return { message };
  return {
    message: message.replace(m[0], `at ${line}:${column}`),
    position: { line, column },
  };
}
