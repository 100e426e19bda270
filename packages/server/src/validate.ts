/**
 * Request validation of the Results service: each `parse*` function checks
 * one part of a request and returns it in the storage model's terms, or
 * throws a `ConnectError` with code InvalidArgument and a message that names
 * the offending field (and never echoes a large payload).
 *
 * Limits (beyond those of the API contract):
 * - annotation maps (`result.annotations`, `summary.annotations`): keys are
 *   1 to {@link MAX_ANNOTATION_KEY_LENGTH} characters; keys and values
 *   together are at most {@link MAX_ANNOTATIONS_BYTES} bytes of UTF-8 per map
 *   (the Kubernetes limit for annotations).
 * - `data.type` and `summary.type`: at most {@link MAX_TYPE_LENGTH} characters.
 *
 * @module
 */
import type { Timestamp } from "@bufbuild/protobuf/wkt";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { FieldMask } from "@bufbuild/protobuf/wkt";
import {
  InvalidNameError,
  parseRecordName,
  parseResultName,
  type Any,
  type RecordName,
  type RecordSummary,
  type ResultName,
} from "@tekton-results/proto";
import {
  SUMMARY_FIELDS,
  SUMMARY_PERIODS,
  type StoredSummary,
  type SummaryField,
  type SummaryGroupBy,
  type SummaryPeriod,
  type SummaryStatus,
} from "@tekton-results/storage";
import { invalidArgument } from "./errors.js";

/** The longest `data.type` / `summary.type`, in characters. */
export const MAX_TYPE_LENGTH = 768;
/** The longest annotation key, in characters (a Kubernetes qualified name: 253 + "/" + 63). */
export const MAX_ANNOTATION_KEY_LENGTH = 317;
/**
 * The largest annotation map: keys plus values, in bytes of UTF-8 (the
 * default of `--max-annotations-bytes`).
 */
export const MAX_ANNOTATIONS_BYTES = 256 * 1024;
/** The largest record `data.value`, in bytes (the default of `--max-record-bytes`). */
export const DEFAULT_MAX_RECORD_BYTES = 16 * 1024 * 1024;
/** The default page size (`page_size` 0). */
export const DEFAULT_PAGE_SIZE = 50;
/** The largest page size the API accepts. */
export const MAX_PAGE_SIZE = 10_000;

/** Earliest and latest seconds of a valid `google.protobuf.Timestamp` (0001-01-01 to 9999-12-31). */
const MIN_TIMESTAMP_SECONDS = -62_135_596_800n;
const MAX_TIMESTAMP_SECONDS = 253_402_300_799n;

/** Shorten a value quoted in an error message. */
export function truncateForMessage(value: string, max = 200): string {
  return value.length > max ? `${value.slice(0, max)}…` : value;
}

function characters(value: string): number {
  let n = 0;
  for (const _ of value) n++;
  return n;
}

function nameError(field: string, err: unknown): never {
  if (err instanceof InvalidNameError) throw invalidArgument(`${field}: ${err.message}`);
  throw err;
}

/** Parse a Result name found in `field`; empty is "required". */
export function parseResultNameField(name: string, field: string): ResultName {
  if (name === "") throw invalidArgument(`${field} is required`);
  try {
    return parseResultName(name);
  } catch (err) {
    return nameError(field, err);
  }
}

/** Parse a Record name found in `field`; empty is "required". */
export function parseRecordNameField(name: string, field: string): RecordName {
  if (name === "") throw invalidArgument(`${field} is required`);
  try {
    return parseRecordName(name);
  } catch (err) {
    return nameError(field, err);
  }
}

/** Run a name parser on a list parent, mapping its error to InvalidArgument. */
export function parseParentField<T>(parent: string, parse: (value: string) => T): T {
  if (parent === "") throw invalidArgument("parent is required");
  try {
    return parse(parent);
  } catch (err) {
    return nameError("parent", err);
  }
}

/**
 * Check an annotation map against the documented limits (`maxBytes`: keys
 * plus values, default {@link MAX_ANNOTATIONS_BYTES}); returns a plain copy.
 */
export function parseAnnotations(
  annotations: { [key: string]: string },
  field: string,
  maxBytes: number = MAX_ANNOTATIONS_BYTES,
): Record<string, string> {
  // Entries, not `out[key] = value`: that assignment would drop a "__proto__" key.
  const out: [string, string][] = [];
  let bytes = 0;
  for (const [key, value] of Object.entries(annotations)) {
    if (key === "") throw invalidArgument(`${field}: keys must not be empty`);
    if (characters(key) > MAX_ANNOTATION_KEY_LENGTH) {
      throw invalidArgument(
        `${field}: key ${JSON.stringify(truncateForMessage(key, 64))} is longer than ${MAX_ANNOTATION_KEY_LENGTH} characters`,
      );
    }
    bytes += Buffer.byteLength(key, "utf8") + Buffer.byteLength(value, "utf8");
    if (bytes > maxBytes) {
      throw invalidArgument(`${field}: keys and values exceed ${maxBytes} bytes in total`);
    }
    out.push([key, value]);
  }
  return Object.fromEntries(out);
}

/** Check a type identifier (`data.type`, `summary.type`): required, at most 768 characters. */
export function parseType(type: string, field: string): string {
  if (type === "") throw invalidArgument(`${field} is required`);
  if (characters(type) > MAX_TYPE_LENGTH) {
    throw invalidArgument(`${field} is longer than ${MAX_TYPE_LENGTH} characters`);
  }
  return type;
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Decode `data.value`: UTF-8 (strictly; a byte order mark is kept, and then
 * rejected by the JSON check) holding one JSON document. Returns the text
 * exactly as sent. A value longer than `maxBytes` (0: no limit) is refused
 * before it is read.
 */
export function parseJsonValue(value: Uint8Array, maxBytes = 0): string {
  if (maxBytes > 0 && value.length > maxBytes) {
    throw invalidArgument(
      `record data.value is ${value.length} bytes, more than the limit of ${maxBytes}`,
    );
  }
  let text: string;
  try {
    text = utf8.decode(value);
  } catch {
    throw invalidArgument("record data.value is not valid UTF-8");
  }
  try {
    JSON.parse(text);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw invalidArgument(`record data.value is not valid JSON: ${truncateForMessage(reason)}`);
  }
  return text;
}

/** Parse a record's `data` (required): a type and a JSON document of at most `maxBytes` (0: any). */
export function parseRecordData(
  data: Any | undefined,
  field: string,
  maxBytes = 0,
): { type: string; data: string } {
  if (data === undefined) throw invalidArgument(`${field} is required`);
  return {
    type: parseType(data.type, `${field}.type`),
    data: parseJsonValue(data.value, maxBytes),
  };
}

/** Convert a Timestamp, rejecting values outside 0001-01-01..9999-12-31 and bad nanos. */
export function parseTimestamp(ts: Timestamp, field: string): Date {
  if (ts.seconds < MIN_TIMESTAMP_SECONDS || ts.seconds > MAX_TIMESTAMP_SECONDS) {
    throw invalidArgument(`${field} is out of range`);
  }
  if (!Number.isInteger(ts.nanos) || ts.nanos < 0 || ts.nanos > 999_999_999) {
    throw invalidArgument(`${field} has invalid nanos`);
  }
  return timestampDate(ts);
}

/**
 * Parse a `RecordSummary` written by a client: `record` (a valid Record name)
 * and `type` are required, `status` must be a known value, its annotations
 * at most `maxAnnotationsBytes` (see {@link parseAnnotations}).
 */
export function parseSummary(
  summary: RecordSummary,
  field: string,
  maxAnnotationsBytes: number = MAX_ANNOTATIONS_BYTES,
): StoredSummary {
  const record = summary.record;
  parseRecordNameField(record, `${field}.record`);
  const type = parseType(summary.type, `${field}.type`);
  const status = summary.status as number;
  if (!Number.isInteger(status) || status < 0 || status > 4) {
    throw invalidArgument(`${field}.status ${status} is not a known status`);
  }
  const out: StoredSummary = {
    record,
    type,
    status: status as SummaryStatus,
    annotations: parseAnnotations(summary.annotations, `${field}.annotations`, maxAnnotationsBytes),
  };
  if (summary.startTime) out.startTime = parseTimestamp(summary.startTime, `${field}.start_time`);
  if (summary.endTime) out.endTime = parseTimestamp(summary.endTime, `${field}.end_time`);
  return out;
}

/**
 * Parse `page_size`: 0 means {@link DEFAULT_PAGE_SIZE} (or `max` if smaller);
 * negative or above `max` is InvalidArgument.
 */
export function parsePageSize(pageSize: number, max: number = MAX_PAGE_SIZE): number {
  if (pageSize === 0) return Math.min(DEFAULT_PAGE_SIZE, max);
  if (!Number.isInteger(pageSize) || pageSize < 0 || pageSize > max) {
    throw invalidArgument(`page_size must be between 0 and ${max}`);
  }
  return pageSize;
}

/** Which parts of a record's data an UpdateRecord writes. */
export interface RecordDataMask {
  type: boolean;
  value: boolean;
}

/** The paths `UpdateRecordRequest.update_mask` accepts. */
export const RECORD_UPDATE_PATHS = ["data", "data.type", "data.value"] as const;

/**
 * Parse `update_mask`. Absent or empty: `undefined` (every field set in the
 * request is written). Paths other than {@link RECORD_UPDATE_PATHS} are InvalidArgument.
 */
export function parseRecordUpdateMask(mask: FieldMask | undefined): RecordDataMask | undefined {
  if (mask === undefined || mask.paths.length === 0) return undefined;
  const out: RecordDataMask = { type: false, value: false };
  for (const path of mask.paths) {
    switch (path) {
      case "data":
        out.type = true;
        out.value = true;
        break;
      case "data.type":
        out.type = true;
        break;
      case "data.value":
        out.value = true;
        break;
      default:
        throw invalidArgument(
          `update_mask: unsupported path ${JSON.stringify(truncateForMessage(path, 64))} (allowed: ${RECORD_UPDATE_PATHS.join(", ")})`,
        );
    }
  }
  return out;
}

/**
 * The aggregates GetRecordListSummary can compute (`summary`) and its time
 * buckets, as the storage port defines them (one definition, re-exported).
 */
export { SUMMARY_FIELDS, SUMMARY_PERIODS };
export type { SummaryField, SummaryGroupBy };

/** A validated RecordListSummaryRequest (without parent and filter). */
export interface ParsedSummaryRequest {
  /** The aggregates, in request order, without duplicates; `["total"]` when empty. */
  summary: SummaryField[];
  groupBy?: SummaryGroupBy;
  orderBy?: { field: SummaryField; direction: "asc" | "desc" };
}

/**
 * Validate `summary`, `group_by` and `order_by` of GetRecordListSummary
 * (see the API contract); unknown names are InvalidArgument.
 */
export function parseRecordListSummaryRequest(req: {
  summary: string;
  groupBy: string;
  orderBy: string;
}): ParsedSummaryRequest {
  const summary: SummaryField[] = [];
  for (const raw of req.summary.split(",")) {
    const name = raw.trim();
    if (name === "") {
      if (req.summary.trim() === "") break;
      throw invalidArgument("summary: empty field name");
    }
    if (!(SUMMARY_FIELDS as readonly string[]).includes(name)) {
      throw invalidArgument(
        `summary: unknown field ${JSON.stringify(truncateForMessage(name, 64))} (allowed: ${SUMMARY_FIELDS.join(", ")})`,
      );
    }
    if (!summary.includes(name as SummaryField)) summary.push(name as SummaryField);
  }
  if (summary.length === 0) summary.push("total");
  const out: ParsedSummaryRequest = { summary };

  const group = req.groupBy
    .trim()
    .split(/\s+/)
    .filter((w) => w !== "");
  if (group.length > 0) {
    const [kind = "", field, extra] = group;
    if ((SUMMARY_PERIODS as readonly string[]).includes(kind)) {
      if (
        extra !== undefined ||
        (field !== undefined && field !== "startTime" && field !== "completionTime")
      ) {
        throw invalidArgument(
          `group_by: expected "${kind} [startTime|completionTime]", got ${JSON.stringify(truncateForMessage(req.groupBy, 64))}`,
        );
      }
      out.groupBy = {
        kind: "time",
        period: kind as SummaryPeriod,
        timeField: (field as "startTime" | "completionTime" | undefined) ?? "creationTimestamp",
      };
    } else if (
      (kind === "namespace" || kind === "pipeline" || kind === "repository") &&
      field === undefined
    ) {
      out.groupBy = { kind };
    } else {
      throw invalidArgument(
        `group_by: unknown grouping ${JSON.stringify(truncateForMessage(req.groupBy, 64))} (allowed: ${SUMMARY_PERIODS.join(", ")} [startTime|completionTime], namespace, pipeline, repository)`,
      );
    }
  }

  const order = req.orderBy
    .trim()
    .split(/\s+/)
    .filter((w) => w !== "");
  if (order.length > 0) {
    if (out.groupBy === undefined) throw invalidArgument("order_by: only allowed with group_by");
    const [field = "", direction, extra] = order;
    const dir = direction?.toLowerCase();
    if (
      !(SUMMARY_FIELDS as readonly string[]).includes(field) ||
      (dir !== "asc" && dir !== "desc") ||
      extra !== undefined
    ) {
      throw invalidArgument(
        `order_by: expected "<summary field> ASC|DESC", got ${JSON.stringify(truncateForMessage(req.orderBy, 64))}`,
      );
    }
    out.orderBy = { field: field as SummaryField, direction: dir };
  }
  return out;
}
