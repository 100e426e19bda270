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
 * The Log records' bookkeeping is in `log-records.ts`, UpdateLog in
 * `log-upload.ts`. Errors are thrown as they arise and mapped once by the routes
 * (`withErrorMapping` in `errors.ts`).
 *
 * @module
 */
import { Code, ConnectError, type HandlerContext, type ServiceImpl } from "@connectrpc/connect";
import { GetLogRequestSchema, parseResultParent, WILDCARD, type Logs } from "@tekton-results/proto";
import { create } from "@bufbuild/protobuf";
import type { Logs as LogsV1alpha3 } from "@tekton-results/proto/v1alpha3";
import {
  isLogStoreError,
  MAX_CHUNK_SIZE,
  DEFAULT_CHUNK_SIZE,
  type LogStore,
} from "@tekton-results/log-store";
import { noopLogger, systemClock, type Clock, type Logger } from "@tekton-results/runtime";
import { compileFilter, type FilterExpr, type ResultsStore } from "@tekton-results/storage";
import { allowAll, type Authorizer, type AuthVerb } from "./auth.js";
import { recordToApi } from "./convert.js";
import {
  createLogRecords,
  isObject,
  keyOf,
  logData,
  logNotFound,
  LOG_TYPE_FILTER,
  parseLogNameField,
} from "./log-records.js";
import { createUpdateLog, DEFAULT_MAX_LOG_BYTES } from "./log-upload.js";
import type { FilterLimits } from "./filter-cache.js";
import { checkedMaxPageBytes } from "./page-budget.js";
import { listRecordPage } from "./record-pages.js";
import { MAX_PAGE_SIZE, parseParentField } from "./validate.js";

export {
  LOG_RECORD_TYPE,
  LOG_STATUS_RETRIES,
  SERVER_LOG_STATUS_FIELDS,
  parseLogNameField,
  withServerLogStatus,
} from "./log-records.js";
export { DEFAULT_MAX_LOG_BYTES, logTooLargeMessage } from "./log-upload.js";

/** The `content_type` of every GetLog chunk. */
export const LOG_CONTENT_TYPE = "text/plain";

/** The message of every Logs RPC when the server has no log store. */
export const LOGS_DISABLED_MESSAGE =
  "the Logs API is not enabled on this server (no log store is configured)";

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
  /** The byte budget of a ListLogs page; 0: none. Default 16 MiB. */
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
  /** Limits of ListLogs filters (see `compileFilter`). Default: its own. */
  filterLimits?: FilterLimits;
}

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

  const records = createLogRecords(store, clock);

  function authorize(verb: AuthVerb, parent: string, ctx: HandlerContext): Promise<void> {
    return authorizer.authorize({ resource: "logs", verb, parent, header: ctx.requestHeader });
  }

  /** Stream the stored log of `requested` as HttpBody chunks. */
  async function* streamLog(
    requested: string,
    ctx: HandlerContext,
  ): AsyncGenerator<{ contentType: string; data: Uint8Array }> {
    const name = parseLogNameField(requested, "name");
    await authorize("get", name.parent, ctx);
    const record = await records.resolve(name, requested);
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
      const userFilter = compileFilter(req.filter, { ...deps.filterLimits, target: "records" });
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

    updateLog: createUpdateLog({ logs, records, authorize, logger, maxLogBytes }),

    async deleteLog(req, ctx) {
      const name = parseLogNameField(req.name, "name");
      await authorize("delete", name.parent, ctx);
      const target = await records.resolve(name, req.name);
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
