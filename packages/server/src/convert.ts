/**
 * Conversions from the storage model to the API messages, and the etag rule.
 * Responses fill both the deprecated and the current fields (`id` and `uid`,
 * `created_time` and `create_time`, `updated_time` and `update_time`).
 *
 * @module
 */
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  AnySchema,
  formatRecordName,
  formatResultName,
  RecordSchema,
  RecordSummarySchema,
  ResultSchema,
  type Record as ApiRecord,
  type RecordSummary,
  type Result,
} from "@tekton-results/proto";
import type { StoredRecord, StoredResult, StoredSummary } from "@tekton-results/storage";

const encoder = new TextEncoder();

/** Unix nanoseconds of a date (exact: dates have millisecond precision). */
export function unixNanos(date: Date): bigint {
  return BigInt(date.getTime()) * 1_000_000n;
}

/** The etag of a resource: `{uid}-{update_time in Unix nanoseconds}`. */
export function computeEtag(uid: string, updateTime: Date): string {
  return `${uid}-${unixNanos(updateTime)}`;
}

/**
 * The update time of a write that follows one made at `previous`: `now`, or
 * one millisecond after `previous` when the clock has not moved past it, so
 * that every write changes the etag.
 */
export function nextUpdateTime(now: Date, previous: Date): Date {
  return now.getTime() > previous.getTime() ? now : new Date(previous.getTime() + 1);
}

/** A stored summary as the API message. */
export function summaryToApi(summary: StoredSummary): RecordSummary {
  return create(RecordSummarySchema, {
    record: summary.record,
    type: summary.type,
    status: summary.status,
    annotations: { ...summary.annotations },
    ...(summary.startTime ? { startTime: timestampFromDate(summary.startTime) } : {}),
    ...(summary.endTime ? { endTime: timestampFromDate(summary.endTime) } : {}),
  });
}

/** A stored Result as the API message. */
export function resultToApi(result: StoredResult): Result {
  return create(ResultSchema, {
    name: formatResultName(result.parent, result.name),
    id: result.uid,
    uid: result.uid,
    annotations: { ...result.annotations },
    etag: result.etag,
    createdTime: timestampFromDate(result.createTime),
    createTime: timestampFromDate(result.createTime),
    updatedTime: timestampFromDate(result.updateTime),
    updateTime: timestampFromDate(result.updateTime),
    ...(result.summary ? { summary: summaryToApi(result.summary) } : {}),
  });
}

/**
 * A stored Record as the API message; `data.value` is the stored text as
 * UTF-8. The deprecated and current time fields share one (read-only)
 * Timestamp each: a list page converts thousands of records.
 */
export function recordToApi(record: StoredRecord): ApiRecord {
  const createTime = timestampFromDate(record.createTime);
  const updateTime =
    record.updateTime.getTime() === record.createTime.getTime()
      ? createTime
      : timestampFromDate(record.updateTime);
  return create(RecordSchema, {
    name: formatRecordName(record.parent, record.resultName, record.name),
    id: record.uid,
    uid: record.uid,
    data: create(AnySchema, { type: record.type, value: encoder.encode(record.data) }),
    etag: record.etag,
    createdTime: createTime,
    createTime,
    updatedTime: updateTime,
    updateTime,
  });
}
