/**
 * What the Result of a run should say: its summary (from a top-level run) and
 * its annotations, built from the run alone.
 *
 * @module
 */
import { RecordSummary_Status } from "@tekton-results/client";
import { PermanentError } from "./errors.js";
import { ANNOTATIONS } from "./run-kinds.js";
import { hasNoOwners, parseTime, succeededCondition, type TektonRun } from "./run.js";

/** The Result summary a top-level run asks for. */
export interface DesiredSummary {
  record: string;
  type: string;
  startTime?: Date;
  endTime?: Date;
  status: RecordSummary_Status;
  annotations: Record<string, string>;
}

/**
 * True when `run` sets its Result's summary and annotations: only a run
 * without any owner (upstream's "top-level record"). A PipelineRun's child
 * leaves its parent's Result alone, and so does a run owned by anything else
 * (a custom controller's object): the Result it is stored under is its own,
 * but its summary belongs to whatever created the run.
 */
export function setsResultSummary(run: TektonRun): boolean {
  return hasNoOwners(run);
}

/** Condition reasons that mean the run failed. */
const FAILURE_REASONS = new Set([
  "Failed",
  "FailedResolution",
  "FailedValidation",
  "TaskFailedValidation",
  "ResourceVerificationFailed",
  "ExceededResourceQuota",
  "ExceededNodeResources",
  "PullImageFailed",
  "CreateContainerConfigError",
  "PodCreationFailed",
  "PodAdmissionFailed",
]);

/** Condition reasons that mean the run was cancelled. */
const CANCELLED_REASONS = new Set(["Cancelled", "TaskRunCancelled", "PipelineRunCancelled"]);

/**
 * The summary status of a `Succeeded` condition reason: Succeeded/Completed =
 * SUCCESS; Failed and the failure reasons = FAILURE; `*Timeout` = TIMEOUT;
 * the cancellation reasons = CANCELLED; anything else (running) = UNKNOWN.
 */
export function statusOfReason(reason: string | undefined): RecordSummary_Status {
  if (reason === undefined) return RecordSummary_Status.UNKNOWN;
  if (reason === "Succeeded" || reason === "Completed") return RecordSummary_Status.SUCCESS;
  if (FAILURE_REASONS.has(reason)) return RecordSummary_Status.FAILURE;
  if (reason.endsWith("Timeout")) return RecordSummary_Status.TIMEOUT;
  if (CANCELLED_REASONS.has(reason)) return RecordSummary_Status.CANCELLED;
  return RecordSummary_Status.UNKNOWN;
}

/**
 * Parse the annotation `key` of `run` as a JSON object of strings (non-string
 * values are JSON-encoded). Absent or empty = `{}`. Malformed JSON, or JSON
 * that is not an object, is a {@link PermanentError}.
 */
export function jsonAnnotation(run: TektonRun, key: string): Record<string, string> {
  const text = run.metadata?.annotations?.[key];
  if (text === undefined || text.trim() === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new PermanentError("MalformedAnnotation", `annotation ${key} is not valid JSON`, {
      cause: err,
    });
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new PermanentError("MalformedAnnotation", `annotation ${key} is not a JSON object`);
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
    out[k] = typeof v === "string" ? v : JSON.stringify(v);
  }
  return out;
}

/**
 * The annotations a run contributes to its Result: the JSON object of
 * `results.tekton.dev/resultAnnotations`, the run's labels named in
 * `summaryLabels`, and `object.metadata.name` = the run's name (later wins).
 */
export function resultAnnotationsOf(
  run: TektonRun,
  summaryLabels: readonly string[],
): Record<string, string> {
  const out = jsonAnnotation(run, ANNOTATIONS.resultAnnotations);
  const labels = run.metadata?.labels ?? {};
  for (const label of summaryLabels) {
    const value = labels[label];
    if (value !== undefined) out[label] = value;
  }
  out["object.metadata.name"] = run.metadata?.name ?? "";
  return out;
}

/**
 * The summary a top-level run sets on its Result: its record name and type,
 * start and end times from its status, the status from its `Succeeded`
 * condition's reason, and the annotations of `results.tekton.dev/recordSummaryAnnotations`.
 */
export function summaryOf(run: TektonRun, recordName: string, recordType: string): DesiredSummary {
  const summary: DesiredSummary = {
    record: recordName,
    type: recordType,
    status: statusOfReason(succeededCondition(run)?.reason),
    annotations: jsonAnnotation(run, ANNOTATIONS.recordSummaryAnnotations),
  };
  const start = parseTime(run.status?.startTime);
  const end = parseTime(run.status?.completionTime);
  if (start) summary.startTime = start;
  if (end) summary.endTime = end;
  return summary;
}
