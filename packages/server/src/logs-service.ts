/**
 * The implementation of the Logs services: `tekton.results.v1alpha2.Logs`
 * (GetLog, ListLogs, UpdateLog, DeleteLog) and `tekton.results.v1alpha3.Logs`
 * (GetLog). Log text lives in a {@link LogStore}; its bookkeeping lives in a
 * Record of type `results.tekton.dev/v1alpha3.Log` whose `status` says where
 * the log is, how big it is and whether it is stored.
 *
 * A log name `{parent}/results/{result}/logs/{record}` names either the Log
 * record itself, or (as upstream) a run record (TaskRun, PipelineRun) whose
 * Log record, in the same Result, has `spec.resource.uid` equal to `{record}`
 * or to the run's `metadata.uid`.
 *
 * Errors are thrown as they arise and mapped once by the routes
 * (`withErrorMapping` in `errors.ts`).
 *
 * @module
 */
import { Code, ConnectError, type HandlerContext, type ServiceImpl } from "@connectrpc/connect";
import {
  formatLogName,
  formatRecordName,
  InvalidNameError,
  parseLogName,
  parseResultParent,
  RECORD_TYPES,
  WILDCARD,
  GetLogRequestSchema,
  type LogName,
  type Logs,
} from "@tekton-results/proto";
import { create } from "@bufbuild/protobuf";
import type { Logs as LogsV1alpha3 } from "@tekton-results/proto/v1alpha3";
import {
  isLogStoreError,
  MAX_CHUNK_SIZE,
  DEFAULT_CHUNK_SIZE,
  type LogStore,
} from "@tekton-results/log-store";
import {
  compileFilter,
  isStorageError,
  type FilterExpr,
  type ResultsStore,
  type StoredRecord,
} from "@tekton-results/storage";
import { allowAll, type Authorizer, type AuthVerb } from "./auth.js";
import { computeEtag, nextUpdateTime, recordToApi } from "./convert.js";
import { noopLogger, systemClock, type Clock, type Logger } from "@tekton-results/runtime";
import { invalidArgument, toConnectError } from "./errors.js";
import { checkedMaxPageBytes } from "./page-budget.js";
import { listRecordPage } from "./record-pages.js";
import { MAX_PAGE_SIZE, parseParentField } from "./validate.js";

/** The record type of Log records. */
export const LOG_RECORD_TYPE = RECORD_TYPES.LOG;

/** The `content_type` of every GetLog chunk. */
export const LOG_CONTENT_TYPE = "text/plain";

/** The message of every Logs RPC when the server has no log store. */
export const LOGS_DISABLED_MESSAGE =
  "the Logs API is not enabled on this server (no log store is configured)";

/**
 * How many times the status update at the end of UpdateLog re-reads the Log
 * record after losing a race with another writer, before giving up (Aborted).
 */
export const LOG_STATUS_RETRIES = 5;

/**
 * The default largest log one UpdateLog stream may store: 256 MiB. The
 * kubelet keeps at most 10 MiB per container log file by default
 * (`containerLogMaxSize`), so this leaves room for a run of many steps while
 * keeping one client from filling the disk.
 */
export const DEFAULT_MAX_LOG_BYTES = 256 * 1024 * 1024;

/** The `status` fields of a Log record only the server sets (from what the log store holds). */
export const SERVER_LOG_STATUS_FIELDS = ["isStored", "size"] as const;

/** The message of an UpdateLog stream longer than `maxLogBytes`. */
export function logTooLargeMessage(maxLogBytes: number): string {
  return `the log is larger than this server accepts (${maxLogBytes} bytes)`;
}

/** What the Logs services need. */
export interface LogsServiceDeps {
  /** The Results/Records storage (Log records live there). */
  store: ResultsStore;
  /** Where log text lives. */
  logs: LogStore;
  /** Decides every RPC (resource `logs`). Default: allow everything. */
  authorizer?: Authorizer;
  /** Source of update times of Log records. Default: the wall clock. */
  clock?: Clock;
  /** Where internal errors are logged. Default: a no-op logger. */
  logger?: Logger;
  /** The largest `page_size` of ListLogs, 1 to 10000. Default 10000. */
  maxPageSize?: number;
  /** The byte budget of a ListLogs page; 0: none. Default 32 MiB. */
  maxPageBytes?: number;
  /**
   * The size of GetLog chunks, in bytes, 1 to 4 MiB. Default 32 KiB.
   * Out of range: `RangeError` when the services are created.
   */
  logChunkSize?: number;
  /**
   * The largest log an UpdateLog stream may store, in bytes; a longer stream
   * is ResourceExhausted and stores nothing (the previous log stays). 0: no
   * limit. Default {@link DEFAULT_MAX_LOG_BYTES}.
   */
  maxLogBytes?: number;
}

/** The `status` of a Log record's data, as far as this server reads and writes it. */
interface LogStatus {
  path?: unknown;
  size?: unknown;
  isStored?: unknown;
  errorOnStoreMsg?: unknown;
  isRetryableErr?: unknown;
}

type JsonObject = { [key: string]: unknown };

const LOG_TYPE_FILTER: FilterExpr = compileFilter(`data_type == "${LOG_RECORD_TYPE}"`, {
  target: "records",
})!;

/** Run uids we look Log records up by: letters, digits and `._:-`, as Kubernetes uids are. */
const RUN_UID = /^[A-Za-z0-9._:-]{1,253}$/;

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function parseJsonObject(text: string): JsonObject | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function logNotFound(name: string): ConnectError {
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
const REPLACED_MESSAGE =
  "the Log record was deleted or changed type while its log was uploaded; nothing was stored";

/** Codes of a failed upload that a client may retry as is. */
const RETRYABLE_CODES: ReadonlySet<Code> = new Set([
  Code.Canceled,
  Code.Unknown,
  Code.DeadlineExceeded,
  Code.Aborted,
  Code.Unavailable,
  Code.ResourceExhausted,
]);

/**
 * Create the v1alpha2 Logs service implementation. Its methods throw raw
 * errors; mount it with `createResultsRoutes`, which maps them.
 */
export function createLogsService(deps: LogsServiceDeps): ServiceImpl<typeof Logs> {
  const { store, logs } = deps;
  const authorizer = deps.authorizer ?? allowAll;
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger ?? noopLogger;
  const maxPageSize = deps.maxPageSize ?? MAX_PAGE_SIZE;
  const maxPageBytes = checkedMaxPageBytes(deps.maxPageBytes);
  const chunkSize = deps.logChunkSize ?? DEFAULT_CHUNK_SIZE;
  const maxLogBytes = deps.maxLogBytes ?? DEFAULT_MAX_LOG_BYTES;
  if (!Number.isSafeInteger(maxLogBytes) || maxLogBytes < 0) {
    throw new RangeError(`maxLogBytes must be a non-negative integer, got ${maxLogBytes}`);
  }
  if (!Number.isInteger(maxPageSize) || maxPageSize < 1 || maxPageSize > MAX_PAGE_SIZE) {
    throw new RangeError(
      `maxPageSize must be an integer from 1 to ${MAX_PAGE_SIZE}, got ${maxPageSize}`,
    );
  }
  if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > MAX_CHUNK_SIZE) {
    throw new RangeError(
      `logChunkSize must be an integer from 1 to ${MAX_CHUNK_SIZE}, got ${chunkSize}`,
    );
  }

  function authorize(verb: AuthVerb, parent: string, ctx: HandlerContext): Promise<void> {
    return authorizer.authorize({ resource: "logs", verb, parent, header: ctx.requestHeader });
  }

  /** The store key (log name) of a Log record. */
  function keyOf(record: StoredRecord): string {
    return formatLogName(record.parent, record.resultName, record.name);
  }

  /**
   * The Log record a log name stands for: the record itself when it is a Log
   * record, else the Log record of the same Result that references it.
   * NotFound when there is none.
   */
  async function resolveLogRecord(name: LogName, requested: string): Promise<StoredRecord> {
    let record: StoredRecord | undefined;
    try {
      record = await store.getRecord(name.parent, name.result, name.record);
    } catch (err) {
      if (!isStorageError(err, "not_found")) throw err;
    }
    if (record?.type === LOG_RECORD_TYPE) return record;
    const uids = [name.record];
    if (record) {
      const runUid = parseJsonObject(record.data)?.["metadata"];
      const uid = isObject(runUid) ? runUid["uid"] : undefined;
      if (typeof uid === "string" && RUN_UID.test(uid) && uid !== name.record) uids.push(uid);
    }
    const references = compileFilter(
      `data.spec.resource.uid in [${uids.map((u) => `"${u}"`).join(", ")}]`,
      { target: "records" },
    )!;
    const page = await store.listRecords({
      parent: name.parent,
      resultName: name.result,
      filter: { kind: "and", type: "bool", args: [LOG_TYPE_FILTER, references] },
      orderBy: [{ field: "create_time", direction: "asc" }],
      pageSize: 1,
    });
    const found = page.items[0];
    if (!found) throw logNotFound(requested);
    return found;
  }

  /** The data of a Log record as an object; FailedPrecondition when it is not one. */
  function logData(record: StoredRecord): JsonObject {
    const data = parseJsonObject(record.data);
    if (!data) {
      throw new ConnectError(
        `record ${JSON.stringify(formatRecordName(record.parent, record.resultName, record.name))} does not hold a Log object`,
        Code.FailedPrecondition,
      );
    }
    return data;
  }

  /**
   * Merge `patch` into the `status` of the Log record (deleting keys whose
   * value is `undefined`), with a compare-and-write on its etag, re-reading
   * after a lost race.
   */
  async function updateLogStatus(
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

  /** Stream the stored log of `requested` as HttpBody chunks. */
  async function* streamLog(
    requested: string,
    ctx: HandlerContext,
  ): AsyncGenerator<{ contentType: string; data: Uint8Array }> {
    const name = parseLogNameField(requested, "name");
    await authorize("get", name.parent, ctx);
    const record = await resolveLogRecord(name, requested);
    const status = logData(record)["status"];
    if (!isObject(status) || status["isStored"] !== true) throw logNotFound(requested);
    let reader;
    try {
      reader = await logs.read(keyOf(record), { chunkSize });
    } catch (err) {
      if (isLogStoreError(err, "not_found")) {
        logger.warn(
          { log: keyOf(record) },
          "a Log record says its log is stored, but the log store has none",
        );
        throw logNotFound(requested);
      }
      throw err;
    }
    try {
      for await (const data of reader) {
        if (ctx.signal.aborted) return;
        yield { contentType: LOG_CONTENT_TYPE, data };
      }
    } finally {
      await reader.close();
    }
  }

  return {
    getLog(req, ctx) {
      return streamLog(req.name, ctx);
    },

    async listLogs(req, ctx) {
      const scopeParts = parseParentField(req.parent, parseResultParent);
      await authorize("list", scopeParts.parent ?? WILDCARD, ctx);
      const userFilter = compileFilter(req.filter, { target: "records" });
      const filter: FilterExpr =
        userFilter === undefined
          ? LOG_TYPE_FILTER
          : { kind: "and", type: "bool", args: [LOG_TYPE_FILTER, userFilter] };
      // Page tokens are bound to "logs", so ListRecords tokens are not ListLogs tokens.
      const { page, nextPageToken } = await listRecordPage(store, req, {
        scope: scopeParts,
        filter,
        maxPageSize,
        maxPageBytes,
        tokenNamespace: "logs",
      });
      return {
        records: page.items.map((record) => {
          const api = recordToApi(record);
          api.name = keyOf(record);
          return api;
        }),
        nextPageToken,
      };
    },

    async updateLog(requests, ctx) {
      const iterator = requests[Symbol.asyncIterator]();
      const first = await iterator.next();
      if (first.done) {
        throw invalidArgument("UpdateLog needs at least one message naming the log");
      }
      const requested = first.value.name;
      const name = parseLogNameField(requested, "name");
      await authorize("update", name.parent, ctx);
      const target = await resolveLogRecord(name, requested);
      logData(target);
      const key = keyOf(target);

      let tooLarge = false;
      async function* chunks(): AsyncGenerator<Uint8Array> {
        let message = first.value;
        let received = 0;
        for (;;) {
          received += message.data.byteLength;
          if (maxLogBytes > 0 && received > maxLogBytes) {
            tooLarge = true;
            throw new ConnectError(logTooLargeMessage(maxLogBytes), Code.ResourceExhausted);
          }
          if (message.data.byteLength > 0) yield message.data;
          const next = await iterator.next();
          if (next.done) return;
          message = next.value;
          // The first message fixes the name; later ones may repeat it or leave it empty.
          if (message.name !== "" && message.name !== requested) {
            throw invalidArgument(
              "every message of an UpdateLog stream must name the same log as the first",
            );
          }
        }
      }

      let written: number;
      try {
        written = await logs.write(key, chunks());
      } catch (err) {
        const error = toConnectError(err, logger);
        // The same stream would fail again: a too large log is not retryable.
        const retryable = RETRYABLE_CODES.has(error.code) && !tooLarge;
        try {
          await updateLogStatus(target, {
            errorOnStoreMsg: error.rawMessage,
            isRetryableErr: retryable,
          });
        } catch (statusErr) {
          logger.warn(
            { err: statusErr, log: key },
            "could not record a failed log upload on its Log record",
          );
        }
        throw error;
      }
      try {
        await updateLogStatus(target, {
          path: logs.locate(key),
          size: written,
          isStored: true,
          errorOnStoreMsg: undefined,
          isRetryableErr: undefined,
        });
      } catch (err) {
        // The record is gone or no longer this Log record: the bytes just
        // written belong to nobody.
        if (
          isStorageError(err, "not_found") ||
          (err instanceof ConnectError && err.rawMessage === REPLACED_MESSAGE)
        ) {
          await logs.delete(key).catch((deleteErr: unknown) => {
            logger.warn({ err: deleteErr, log: key }, "could not delete an orphaned log");
          });
          throw new ConnectError(REPLACED_MESSAGE, Code.Aborted);
        }
        throw err;
      }
      logger.debug({ log: key, bytes: written }, "log stored");
      return {
        record: formatRecordName(target.parent, target.resultName, target.name),
        bytesReceived: BigInt(written),
      };
    },

    async deleteLog(req, ctx) {
      const name = parseLogNameField(req.name, "name");
      await authorize("delete", name.parent, ctx);
      const target = await resolveLogRecord(name, req.name);
      await logs.delete(keyOf(target));
      await store.deleteRecord(target.parent, target.resultName, target.name);
      return {};
    },
  };
}

/**
 * Create the v1alpha3 Logs service implementation (GetLog over the same log
 * names and the same log store as v1alpha2).
 */
export function createLogsV1alpha3Service(deps: LogsServiceDeps): ServiceImpl<typeof LogsV1alpha3> {
  const v1alpha2 = createLogsService(deps);
  return {
    getLog(req, ctx) {
      return v1alpha2.getLog(create(GetLogRequestSchema, { name: req.name }), ctx);
    },
  };
}

/** Logs implementations that answer Unimplemented {@link LOGS_DISABLED_MESSAGE} to every RPC. */
export function createDisabledLogsServices(): {
  v1alpha2: ServiceImpl<typeof Logs>;
  v1alpha3: ServiceImpl<typeof LogsV1alpha3>;
} {
  const fail = (): never => {
    throw new ConnectError(LOGS_DISABLED_MESSAGE, Code.Unimplemented);
  };
  // eslint-disable-next-line require-yield
  async function* failStream(): AsyncGenerator<never> {
    fail();
  }
  return {
    v1alpha2: {
      getLog: failStream,
      listLogs: async () => fail(),
      updateLog: async () => fail(),
      deleteLog: async () => fail(),
    },
    v1alpha3: { getLog: failStream },
  };
}
