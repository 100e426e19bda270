/**
 * The implementation of the `tekton.results.v1alpha2.Results` service:
 * validation, authorization, server-assigned fields and etags, read-modify-write
 * updates, list queries with keyset page tokens. Storage is reached only
 * through the {@link ResultsStore} port. Errors are thrown as they arise and
 * mapped once by the routes (see `toConnectError`).
 *
 * @module
 */
import { Code, ConnectError, type HandlerContext, type ServiceImpl } from "@connectrpc/connect";
import {
  formatLogName,
  formatResultName,
  parseResultParent,
  parseResultsParent,
  WILDCARD,
  type RecordSummary,
  type Results,
} from "@tekton-results/proto";
import type { JsonObject } from "@bufbuild/protobuf";
import {
  SUMMARY_DURATION_FIELDS,
  formatSummaryDuration,
  isStorageError,
  resultCursor,
  type RecordSummaryRow,
  type SummaryField,
  type ResultsStore,
  type StoredRecord,
  type StoredResult,
} from "@tekton-results/storage";
import type { LogStore } from "@tekton-results/log-store";
import { allowAll, type AuthResource, type Authorizer, type AuthVerb } from "./auth.js";
import { computeEtag, nextUpdateTime, recordToApi, resultToApi } from "./convert.js";
import { createFilterCache, type FilterLimits } from "./filter-cache.js";
import { noopLogger, systemClock, type Clock, type Logger } from "@tekton-results/runtime";
import { randomIds, type IdGenerator } from "./deps.js";
import { invalidArgument } from "./errors.js";
import { createLogRecords, LOG_RECORD_TYPE, withServerLogStatus } from "./log-records.js";
import { parseOrderBy } from "./order-by.js";
import { checkedMaxPageBytes, resultBytes, withinByteBudget } from "./page-budget.js";
import { listRecordPage } from "./record-pages.js";
import { decodePageToken, encodePageToken, type PageTokenScope } from "./page-token.js";
import {
  DEFAULT_MAX_RECORD_BYTES,
  MAX_ANNOTATIONS_BYTES,
  MAX_PAGE_SIZE,
  parseAnnotations,
  parseJsonValue,
  parsePageSize,
  parseParentField,
  parseRecordData,
  parseRecordListSummaryRequest,
  parseRecordNameField,
  parseRecordUpdateMask,
  parseResultNameField,
  parseSummary,
  parseType,
} from "./validate.js";

/** What the Results service needs. Everything but `store` has a default. */
export interface ResultsRoutesDeps {
  /** The storage backend. */
  store: ResultsStore;
  /** Decides every RPC before storage is touched. Default: {@link allowAll}. */
  authorizer?: Authorizer;
  /** Source of create and update times. Default: the wall clock. */
  clock?: Clock;
  /** Source of uids. Default: `crypto.randomUUID`. */
  ids?: IdGenerator;
  /** Where internal errors are logged. Default: a no-op logger. */
  logger?: Logger;
  /**
   * The largest accepted `page_size`, from 1 to 10000 (the API's bound and the
   * default); anything else throws a `RangeError` when the routes are created.
   */
  maxPageSize?: number;
  /**
   * The byte budget of a list page: a page stops early, with a
   * `next_page_token`, once its items pass it (at least one item is always
   * sent). 0: no budget. Default 16 MiB (`DEFAULT_MAX_PAGE_BYTES`).
   */
  maxPageBytes?: number;
  /**
   * Where log text is stored. With it, the Logs services (v1alpha2 and
   * v1alpha3) are served and DeleteResult also deletes the Result's logs;
   * without it, every Logs RPC answers Unimplemented.
   */
  logs?: LogStore;
  /** The size of GetLog chunks, in bytes, 1 to 4 MiB. Default 32 KiB. */
  logChunkSize?: number;
  /**
   * The largest log one UpdateLog stream may store, in bytes (0: no limit).
   * Default 256 MiB (`DEFAULT_MAX_LOG_BYTES`).
   */
  maxLogBytes?: number;
  /**
   * The largest record `data.value`, in bytes; 0: only the message limit.
   * Default 16 MiB (`DEFAULT_MAX_RECORD_BYTES`).
   */
  maxRecordBytes?: number;
  /**
   * The largest annotation map (`annotations`, `summary.annotations`): keys
   * plus values, in bytes. Default 256 KiB (`MAX_ANNOTATIONS_BYTES`).
   */
  maxAnnotationsBytes?: number;
  /** Filter limits: length in characters and depth in operators (see `compileFilter`). */
  filterLimits?: FilterLimits;
}

/**
 * How many times an update without a client etag re-reads and retries after
 * losing a race to another writer, before answering Aborted.
 */
export const UPDATE_RETRIES = 5;

/** The message of GetRecordListSummary on a backend without summaries. */
export const SUMMARY_UNSUPPORTED_MESSAGE =
  "GetRecordListSummary is not supported by this storage backend";

const DURATION_FIELDS: ReadonlySet<SummaryField> = new Set(SUMMARY_DURATION_FIELDS);

/**
 * One Struct of a RecordListSummary: the requested fields in request order
 * (counts as numbers, durations as PostgreSQL interval text, `last_runtime`
 * as Unix seconds, `null` when a group has no value) and `group_value` when
 * grouped (bucket start in Unix seconds, a string, or `null`).
 */
export function summaryRowToApi(
  row: RecordSummaryRow,
  fields: readonly SummaryField[],
): JsonObject {
  const out: JsonObject = {};
  for (const field of fields) {
    const value = row.values[field] ?? null;
    out[field] =
      value === null ? null : DURATION_FIELDS.has(field) ? formatSummaryDuration(value) : value;
  }
  if (row.groupValue !== undefined) out.group_value = row.groupValue;
  return out;
}

/**
 * Create the Results service implementation. Its methods throw raw errors
 * (StorageError, FilterError, ConnectError, ...); mount it with
 * `createResultsRoutes`, which maps them to API errors.
 */
export function createResultsService(deps: ResultsRoutesDeps): ServiceImpl<typeof Results> {
  const store = deps.store;
  const authorizer = deps.authorizer ?? allowAll;
  const clock = deps.clock ?? systemClock;
  const ids = deps.ids ?? randomIds;
  const logger = deps.logger ?? noopLogger;
  const maxPageSize = deps.maxPageSize ?? MAX_PAGE_SIZE;
  const maxPageBytes = checkedMaxPageBytes(deps.maxPageBytes);
  const logs = deps.logs;
  const logRecords = createLogRecords(store, clock);
  const filters = createFilterCache(undefined, deps.filterLimits);
  const maxRecordBytes = deps.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  const maxAnnotationsBytes = deps.maxAnnotationsBytes ?? MAX_ANNOTATIONS_BYTES;
  if (!Number.isInteger(maxPageSize) || maxPageSize < 1 || maxPageSize > MAX_PAGE_SIZE) {
    throw new RangeError(
      `maxPageSize must be an integer from 1 to ${MAX_PAGE_SIZE}, got ${maxPageSize}`,
    );
  }

  function authorize(
    resource: AuthResource,
    verb: AuthVerb,
    parent: string,
    ctx: HandlerContext,
  ): Promise<void> {
    return authorizer.authorize({ resource, verb, parent, header: ctx.requestHeader });
  }

  /**
   * Read, compute, and write with a compare-and-write on the etag. With a
   * client etag, a mismatch is FailedPrecondition. Without one, a lost race
   * re-reads and recomputes (last write wins, nothing is merged from a stale read).
   */
  async function readModifyWrite<T extends { etag: string }>(
    clientEtag: string,
    read: () => Promise<T>,
    write: (previous: T, expectEtag: string) => Promise<T>,
  ): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const previous = await read();
      if (clientEtag !== "" && clientEtag !== previous.etag) {
        throw new ConnectError("etag mismatch", Code.FailedPrecondition);
      }
      try {
        return await write(previous, clientEtag !== "" ? clientEtag : previous.etag);
      } catch (err) {
        if (clientEtag !== "" || !isStorageError(err, "failed_precondition")) throw err;
        if (attempt >= UPDATE_RETRIES) {
          logger.warn({ attempts: attempt + 1 }, "update kept losing races to concurrent writers");
          throw new ConnectError(
            "the resource was modified concurrently; retry the request",
            Code.Aborted,
          );
        }
      }
    }
  }

  /** Delete the bytes stored for a Log record (none stored is fine). */
  async function deleteStoredLog(record: StoredRecord): Promise<void> {
    if (!logs) return;
    await logs.delete(formatLogName(record.parent, record.resultName, record.name));
  }

  /** A written Result's annotations and summary, checked against the limits. */
  function parseResultFields(input: {
    annotations: Record<string, string>;
    summary?: RecordSummary;
  }) {
    return {
      annotations: parseAnnotations(input.annotations, "result.annotations", maxAnnotationsBytes),
      summary: input.summary
        ? parseSummary(input.summary, "result.summary", maxAnnotationsBytes)
        : undefined,
    };
  }

  return {
    async createResult(req, ctx) {
      const input = req.result;
      if (input === undefined) throw invalidArgument("result is required");
      const name = parseResultNameField(input.name, "result.name");
      if (req.parent !== name.parent)
        throw invalidArgument("requested parent does not match resource name");
      await authorize("results", "create", name.parent, ctx);
      const { annotations, summary } = parseResultFields(input);
      const now = new Date(clock.now());
      const uid = ids.uid();
      const stored: StoredResult = {
        parent: name.parent,
        name: name.result,
        uid,
        annotations,
        createTime: now,
        updateTime: now,
        etag: computeEtag(uid, now),
      };
      if (summary) stored.summary = summary;
      return resultToApi(await store.createResult(stored));
    },

    async updateResult(req, ctx) {
      const input = req.result;
      if (input === undefined) throw invalidArgument("result is required");
      if (req.name !== "" && input.name !== "" && req.name !== input.name) {
        throw invalidArgument("name and result.name differ");
      }
      const name =
        req.name !== ""
          ? parseResultNameField(req.name, "name")
          : parseResultNameField(input.name, "name");
      await authorize("results", "update", name.parent, ctx);
      const { annotations, summary } = parseResultFields(input);
      const updated = await readModifyWrite(
        req.etag,
        () => store.getResult(name.parent, name.result),
        (previous, expectEtag) => {
          const updateTime = nextUpdateTime(new Date(clock.now()), previous.updateTime);
          return store.updateResult(
            {
              parent: name.parent,
              name: name.result,
              annotations,
              summary,
              updateTime,
              etag: computeEtag(previous.uid, updateTime),
            },
            { expectEtag },
          );
        },
      );
      return resultToApi(updated);
    },

    async getResult(req, ctx) {
      const name = parseResultNameField(req.name, "name");
      await authorize("results", "get", name.parent, ctx);
      return resultToApi(await store.getResult(name.parent, name.result));
    },

    async deleteResult(req, ctx) {
      const name = parseResultNameField(req.name, "name");
      await authorize("results", "delete", name.parent, ctx);
      if (logs) {
        // The Result must be there (and the database reachable) before any
        // log goes: during an outage the delete used to remove the logs and
        // then fail, keeping Log records whose bytes were gone (found by the
        // fuzzer's injected faults). Then logs first: when their deletion
        // fails the Result is kept, and the client can retry the whole delete.
        await store.getResult(name.parent, name.result);
        await logs.deletePrefix(formatResultName(name.parent, name.result));
      }
      await store.deleteResult(name.parent, name.result);
      return {};
    },

    async listResults(req, ctx) {
      const parent = parseParentField(req.parent, parseResultsParent);
      await authorize("results", "list", parent ?? WILDCARD, ctx);
      const filter = filters.compile(req.filter, "results");
      const order = parseOrderBy(req.orderBy, "results");
      const pageSize = parsePageSize(req.pageSize, maxPageSize);
      const scope: PageTokenScope = {
        target: "results",
        parent: req.parent,
        filter: req.filter,
        orderBy: order.normalized,
      };
      const after =
        req.pageToken !== ""
          ? decodePageToken(req.pageToken, scope, order.terms.length)
          : undefined;
      const stored = await store.listResults({
        ...(parent !== undefined ? { parent } : {}),
        ...(filter !== undefined ? { filter } : {}),
        orderBy: order.terms,
        pageSize,
        ...(after !== undefined ? { after } : {}),
      });
      const page = withinByteBudget(stored, maxPageBytes, resultBytes, (r) =>
        resultCursor(r, order.terms),
      );
      return {
        results: page.items.map(resultToApi),
        nextPageToken: page.next ? encodePageToken(scope, page.next) : "",
      };
    },

    async createRecord(req, ctx) {
      const input = req.record;
      if (input === undefined) throw invalidArgument("record is required");
      const name = parseRecordNameField(input.name, "record.name");
      if (req.parent !== `${name.parent}/results/${name.result}`) {
        throw invalidArgument("requested parent does not match resource name");
      }
      await authorize("records", "create", name.parent, ctx);
      const data = parseRecordData(input.data, "record.data", maxRecordBytes);
      const now = new Date(clock.now());
      const uid = ids.uid();
      const stored: StoredRecord = {
        parent: name.parent,
        resultName: name.result,
        name: name.record,
        uid,
        type: data.type,
        // Nothing is stored for a new record: only UpdateLog sets isStored and size.
        data: data.type === LOG_RECORD_TYPE ? withServerLogStatus(data.data, undefined) : data.data,
        createTime: now,
        updateTime: now,
        etag: computeEtag(uid, now),
      };
      return recordToApi(await store.createRecord(stored));
    },

    async updateRecord(req, ctx) {
      const input = req.record;
      if (input === undefined) throw invalidArgument("record is required");
      const name = parseRecordNameField(input.name, "record.name");
      await authorize("records", "update", name.parent, ctx);
      const mask = parseRecordUpdateMask(req.updateMask);
      let type: string | undefined;
      let data: string | undefined;
      if (mask) {
        if (mask.type) type = parseType(input.data?.type ?? "", "record.data.type");
        if (mask.value)
          data = parseJsonValue(input.data?.value ?? new Uint8Array(), maxRecordBytes);
      } else if (input.data) {
        if (input.data.type !== "") type = parseType(input.data.type, "record.data.type");
        if (input.data.value.length > 0) data = parseJsonValue(input.data.value, maxRecordBytes);
      }
      const updated = await readModifyWrite(
        req.etag,
        () => store.getRecord(name.parent, name.result, name.record),
        async (previous, expectEtag) => {
          const updateTime = nextUpdateTime(new Date(clock.now()), previous.updateTime);
          const nextType = type ?? previous.type;
          let nextData = data ?? previous.data;
          if (nextType === LOG_RECORD_TYPE) {
            // isStored and size stay what the server stored for this record.
            nextData = withServerLogStatus(nextData, previous);
          } else if (previous.type === LOG_RECORD_TYPE) {
            // No longer a Log record: its stored bytes go first, so a failure
            // keeps the record as it was and the client can retry.
            await deleteStoredLog(previous);
          }
          return store.updateRecord(
            {
              parent: name.parent,
              resultName: name.result,
              name: name.record,
              type: nextType,
              data: nextData,
              updateTime,
              etag: computeEtag(previous.uid, updateTime),
            },
            { expectEtag },
          );
        },
      );
      return recordToApi(updated);
    },

    async getRecord(req, ctx) {
      const name = parseRecordNameField(req.name, "name");
      await authorize("records", "get", name.parent, ctx);
      return recordToApi(await store.getRecord(name.parent, name.result, name.record));
    },

    async deleteRecord(req, ctx) {
      const name = parseRecordNameField(req.name, "name");
      await authorize("records", "delete", name.parent, ctx);
      const record = await store.getRecord(name.parent, name.result, name.record);
      // A Log record owns the bytes stored under its name; a run record owns
      // its Log records (and their bytes). Those go first, so a failure keeps
      // the record and the client can retry the delete.
      if (record.type === LOG_RECORD_TYPE) {
        await deleteStoredLog(record);
      } else {
        for (const log of await logRecords.ofRun(record)) {
          await deleteStoredLog(log);
          await store.deleteRecord(log.parent, log.resultName, log.name).catch((err: unknown) => {
            if (!isStorageError(err, "not_found")) throw err;
          });
        }
      }
      await store.deleteRecord(name.parent, name.result, name.record);
      return {};
    },

    async listRecords(req, ctx) {
      const scopeParts = parseParentField(req.parent, parseResultParent);
      await authorize("records", "list", scopeParts.parent ?? WILDCARD, ctx);
      const filter = filters.compile(req.filter, "records");
      const { page, nextPageToken } = await listRecordPage(store, req, {
        scope: scopeParts,
        filter,
        maxPageSize,
        maxPageBytes,
      });
      return { records: page.items.map(recordToApi), nextPageToken };
    },

    async getRecordListSummary(req, ctx) {
      const scopeParts = parseParentField(req.parent, parseResultParent);
      await authorize("records", "get", scopeParts.parent ?? WILDCARD, ctx);
      const parsed = parseRecordListSummaryRequest(req);
      const filter = filters.compile(req.filter, "records");
      // Validation comes first, so clients learn about malformed requests
      // even on a backend without summaries.
      if (!store.capabilities.recordListSummary || store.summarizeRecords === undefined) {
        throw new ConnectError(SUMMARY_UNSUPPORTED_MESSAGE, Code.Unimplemented);
      }
      const rows = await store.summarizeRecords({
        ...(scopeParts.parent !== undefined ? { parent: scopeParts.parent } : {}),
        ...(scopeParts.result !== undefined ? { resultName: scopeParts.result } : {}),
        ...(filter !== undefined ? { filter } : {}),
        fields: parsed.summary,
        ...(parsed.groupBy !== undefined ? { groupBy: parsed.groupBy } : {}),
        ...(parsed.orderBy !== undefined ? { orderBy: parsed.orderBy } : {}),
      });
      return { summary: rows.map((row) => summaryRowToApi(row, parsed.summary)) };
    },
  };
}
