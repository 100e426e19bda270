/**
 * The bookkeeping of logs in Log records (type
 * `results.tekton.dev/v1alpha3.Log`): which Log record a log name stands
 * for, the `status` fields only the server sets, and the compare-and-write
 * updates of that `status`.
 *
 * @module
 */
import { Code, ConnectError } from "@connectrpc/connect";
import {
  formatLogName,
  formatRecordName,
  InvalidNameError,
  parseLogName,
  RECORD_TYPES,
  type LogName,
} from "@tekton-results/proto";
import type { Clock } from "@tekton-results/runtime";
import {
  compileFilter,
  isStorageError,
  type FilterExpr,
  type ResultsStore,
  type StoredRecord,
} from "@tekton-results/storage";
import { computeEtag, nextUpdateTime } from "./convert.js";
import { invalidArgument } from "./errors.js";

/** The record type of Log records. */
export const LOG_RECORD_TYPE = RECORD_TYPES.LOG;

/**
 * How many times the status update at the end of UpdateLog re-reads the Log
 * record after losing a race with another writer, before giving up (Aborted).
 */
export const LOG_STATUS_RETRIES = 5;

/** The `status` fields of a Log record only the server sets (from what the log store holds). */
export const SERVER_LOG_STATUS_FIELDS = ["isStored", "size"] as const;

/** The `status` of a Log record's data, as far as this server reads and writes it. */
export interface LogStatus {
  path?: unknown;
  size?: unknown;
  isStored?: unknown;
  errorOnStoreMsg?: unknown;
  isRetryableErr?: unknown;
}

/** A JSON object as parsed. */
export type JsonObject = { [key: string]: unknown };

/** The filter of Log records. */
export const LOG_TYPE_FILTER: FilterExpr = compileFilter(`data_type == "${LOG_RECORD_TYPE}"`, {
  target: "records",
})!;

/** Run uids we look Log records up by: letters, digits and `._:-`, as Kubernetes uids are. */
const RUN_UID = /^[A-Za-z0-9._:-]{1,253}$/;

/** Whether `value` is a JSON object (not null, not an array). */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `text` parsed when it is a JSON object, else `undefined`. */
export function parseJsonObject(text: string): JsonObject | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** NotFound for the log `name`. */
export function logNotFound(name: string): ConnectError {
  return new ConnectError(`log ${JSON.stringify(name)} not found`, Code.NotFound);
}

/**
 * The data a client writes to a Log record with the fields only the server
 * sets ({@link SERVER_LOG_STATUS_FIELDS}: `status.isStored`, `status.size`)
 * taken from `previous`, the Log record it replaces: removed when there is
 * none (a new record, or one that was not a Log record: nothing is stored for
 * it), else the server's values kept whatever the client sent. So a log is
 * served only after this record's own UpdateLog stored it. `data` that is
 * not a JSON object, or has no such fields to change, is returned as is.
 */
export function withServerLogStatus(data: string, previous: StoredRecord | undefined): string {
  const object = parseJsonObject(data);
  if (!object) return data;
  const before =
    previous?.type === LOG_RECORD_TYPE ? parseJsonObject(previous.data)?.["status"] : undefined;
  const kept: JsonObject = {};
  if (isObject(before)) {
    for (const field of SERVER_LOG_STATUS_FIELDS) {
      if (before[field] !== undefined) kept[field] = before[field];
    }
  }
  const status = object["status"];
  if (status !== undefined && !isObject(status)) return data;
  const next: JsonObject = { ...(status ?? {}) };
  let changed = false;
  for (const field of SERVER_LOG_STATUS_FIELDS) {
    if (JSON.stringify(next[field]) === JSON.stringify(kept[field])) continue;
    changed = true;
    if (kept[field] === undefined) delete next[field];
    else next[field] = kept[field];
  }
  if (!changed) return data;
  return JSON.stringify({ ...object, status: next });
}

/** Parse a Log name found in `field`; empty is "required". */
export function parseLogNameField(name: string, field: string): LogName {
  if (name === "") throw invalidArgument(`${field} is required`);
  try {
    return parseLogName(name);
  } catch (err) {
    if (err instanceof InvalidNameError) throw invalidArgument(`${field}: ${err.message}`);
    throw err;
  }
}

/** The message of an UpdateLog whose Log record was deleted, replaced or retyped meanwhile. */
export const REPLACED_MESSAGE =
  "the Log record was deleted or changed type while its log was uploaded; nothing was stored";

/** The store key (log name) of a Log record. */
export function keyOf(record: StoredRecord): string {
  return formatLogName(record.parent, record.resultName, record.name);
}

/** The data of a Log record as an object; FailedPrecondition when it is not one. */
export function logData(record: StoredRecord): JsonObject {
  const data = parseJsonObject(record.data);
  if (!data) {
    throw new ConnectError(
      `record ${JSON.stringify(formatRecordName(record.parent, record.resultName, record.name))} does not hold a Log object`,
      Code.FailedPrecondition,
    );
  }
  return data;
}

/** The Log records of a store. */
export interface LogRecords {
  /**
   * The Log record a log name stands for: the record itself when it is a Log
   * record, else the Log record of the same Result that references it
   * (`spec.resource.uid` is the record's name or its run's uid). NotFound
   * (naming `requested`) when there is none.
   */
  resolve(name: LogName, requested: string): Promise<StoredRecord>;
  /**
   * The Log records of the same Result that reference the run record `run`
   * (`spec.resource.uid` is its name or its run's uid): what goes with it when
   * it is deleted.
   */
  ofRun(run: StoredRecord): Promise<StoredRecord[]>;
  /**
   * Merge `patch` into the `status` of the Log record `target` (deleting keys
   * whose value is `undefined`), with a compare-and-write on its etag,
   * re-reading after a lost race ({@link LOG_STATUS_RETRIES} times, then
   * Aborted; Aborted {@link REPLACED_MESSAGE} when the record was replaced).
   */
  updateStatus(
    target: StoredRecord,
    patch: { [K in keyof LogStatus]: LogStatus[K] | undefined },
  ): Promise<StoredRecord>;
}

/** The Log records of `store`, updated at the times of `clock`. */
export function createLogRecords(store: ResultsStore, clock: Clock): LogRecords {
  /**
   * The Log record a log name stands for: the record itself when it is a Log
   * record, else the Log record of the same Result that references it.
   * NotFound when there is none.
   */
  async function resolve(name: LogName, requested: string): Promise<StoredRecord> {
    let record: StoredRecord | undefined;
    try {
      record = await store.getRecord(name.parent, name.result, name.record);
    } catch (err) {
      if (!isStorageError(err, "not_found")) throw err;
    }
    if (record?.type === LOG_RECORD_TYPE) return record;
    const [found] = await referencing(name.parent, name.result, runIds(name.record, record), 1);
    if (!found) throw logNotFound(requested);
    return found;
  }

  /** The ids a Log record may name a run by: its record name, and its run's uid. */
  function runIds(recordName: string, record: StoredRecord | undefined): string[] {
    const uids = [recordName];
    if (record) {
      const runUid = parseJsonObject(record.data)?.["metadata"];
      const uid = isObject(runUid) ? runUid["uid"] : undefined;
      if (typeof uid === "string" && RUN_UID.test(uid) && uid !== recordName) uids.push(uid);
    }
    return uids;
  }

  /** The Log records of a Result that reference one of `uids`, oldest first (`limit` of them). */
  async function referencing(
    parent: string,
    resultName: string,
    uids: string[],
    limit: number,
  ): Promise<StoredRecord[]> {
    const references = compileFilter(
      `data.spec.resource.uid in [${uids.map((u) => JSON.stringify(u)).join(", ")}]`,
      { target: "records" },
    )!;
    const page = await store.listRecords({
      parent,
      resultName,
      filter: { kind: "and", type: "bool", args: [LOG_TYPE_FILTER, references] },
      orderBy: [{ field: "create_time", direction: "asc" }],
      pageSize: limit,
    });
    return page.items;
  }

  async function ofRun(run: StoredRecord): Promise<StoredRecord[]> {
    return referencing(run.parent, run.resultName, runIds(run.name, run), 100);
  }

  /**
   * Merge `patch` into the `status` of the Log record (deleting keys whose
   * value is `undefined`), with a compare-and-write on its etag, re-reading
   * after a lost race.
   */
  async function updateStatus(
    target: StoredRecord,
    patch: { [K in keyof LogStatus]: LogStatus[K] | undefined },
  ): Promise<StoredRecord> {
    let current = target;
    for (let attempt = 0; ; attempt++) {
      const data = logData(current);
      const status: JsonObject = isObject(data["status"]) ? { ...data["status"] } : {};
      for (const [key, value] of Object.entries(patch)) {
        if (value === undefined) delete status[key];
        else status[key] = value;
      }
      data["status"] = status;
      const updateTime = nextUpdateTime(new Date(clock.now()), current.updateTime);
      try {
        return await store.updateRecord(
          {
            parent: current.parent,
            resultName: current.resultName,
            name: current.name,
            type: current.type,
            data: JSON.stringify(data),
            updateTime,
            etag: computeEtag(current.uid, updateTime),
          },
          { expectEtag: current.etag },
        );
      } catch (err) {
        if (!isStorageError(err, "failed_precondition")) throw err;
        if (attempt >= LOG_STATUS_RETRIES) {
          throw new ConnectError(
            "the Log record was modified concurrently; retry the request",
            Code.Aborted,
          );
        }
        current = await store.getRecord(current.parent, current.resultName, current.name);
        if (current.uid !== target.uid || current.type !== LOG_RECORD_TYPE) {
          throw new ConnectError(REPLACED_MESSAGE, Code.Aborted);
        }
      }
    }
  }

  return { resolve, ofRun, updateStatus };
}
