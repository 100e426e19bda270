/**
 * The in-memory reference implementation of the storage port.
 *
 * It is the oracle the conformance suite is written against: every operation
 * is a plain, synchronous walk over two maps, so its behaviour can be read off
 * the code. It is also a handy store for tests of code that uses a
 * `ResultsStore` (the server's unit tests, examples).
 *
 * @module
 */
import {
  StorageError,
  compareSortKeys,
  recordCursor,
  resultCursor,
  type Cursor,
  type OrderTerm,
  type Page,
  type RecordListQuery,
  type RecordSummaryQuery,
  type RecordSummaryRow,
  type DeleteResultsOutcome,
  type RecordUpdate,
  type ResultListQuery,
  type ResultRef,
  type ResultUpdate,
  type ResultsStore,
  type StoreCapabilities,
  type StoredRecord,
  type StoredResult,
  type StoredSummary,
  type UpdateOptions,
} from "@tekton-results/storage";
import { matchesFilter, recordRow, resultRow } from "./memory-filter.js";
import { summarizeMemoryRecords } from "./memory-summary.js";

/** A copy of a date that shares nothing with the original. */
function cloneDate(d: Date): Date {
  return new Date(d.getTime());
}

/** A copy of a string map (own properties only, any key including `__proto__`). */
function cloneMap(m: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(m)) {
    Object.defineProperty(out, k, {
      value: v,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/** A deep copy of a summary with only the model's fields; absent times stay absent. */
function cloneSummary(s: StoredSummary): StoredSummary {
  const out: StoredSummary = {
    record: s.record,
    type: s.type,
    status: s.status,
    annotations: cloneMap(s.annotations),
  };
  if (s.startTime !== undefined) out.startTime = cloneDate(s.startTime);
  if (s.endTime !== undefined) out.endTime = cloneDate(s.endTime);
  return out;
}

/** A deep copy of a result with only the model's fields. */
function cloneResult(r: StoredResult): StoredResult {
  const out: StoredResult = {
    parent: r.parent,
    name: r.name,
    uid: r.uid,
    annotations: cloneMap(r.annotations),
    createTime: cloneDate(r.createTime),
    updateTime: cloneDate(r.updateTime),
    etag: r.etag,
  };
  if (r.summary !== undefined) out.summary = cloneSummary(r.summary);
  return out;
}

/** A deep copy of a record with only the model's fields. */
function cloneRecord(r: StoredRecord): StoredRecord {
  return {
    parent: r.parent,
    resultName: r.resultName,
    name: r.name,
    uid: r.uid,
    type: r.type,
    data: r.data,
    createTime: cloneDate(r.createTime),
    updateTime: cloneDate(r.updateTime),
    etag: r.etag,
  };
}

/** The map key of a result. Name segments never contain `/`. */
function resultKey(parent: string, name: string): string {
  return `${parent}/${name}`;
}

/** The map key of a record. Name segments never contain `/`. */
function recordKey(parent: string, resultName: string, name: string): string {
  return `${parent}/${resultName}/${name}`;
}

/** Reject a query the port does not allow (empty order, page size below 1, a cursor of another shape). */
function checkQuery(query: {
  orderBy: readonly OrderTerm<string>[];
  pageSize: number;
  after?: Cursor;
}): void {
  if (query.orderBy.length === 0) {
    throw new StorageError("invalid_argument", "a list needs at least one order term");
  }
  if (!Number.isInteger(query.pageSize) || query.pageSize < 1) {
    throw new StorageError("invalid_argument", "page size must be a positive integer");
  }
  if (query.after !== undefined && query.after.values.length !== query.orderBy.length) {
    throw new StorageError("invalid_argument", "invalid page token");
  }
}

/**
 * Sort `items` by their keys under `orderBy`, drop everything up to and
 * including `after`, and cut one page.
 */
function page<T>(
  items: T[],
  keyOf: (item: T) => Cursor,
  orderBy: readonly OrderTerm<string>[],
  pageSize: number,
  after: Cursor | undefined,
): { items: T[]; next?: Cursor } {
  const keyed = items.map((item) => ({ item, key: keyOf(item) }));
  keyed.sort((a, b) => compareSortKeys(a.key, b.key, orderBy));
  const following =
    after === undefined ? keyed : keyed.filter((k) => compareSortKeys(k.key, after, orderBy) > 0);
  const taken = following.slice(0, pageSize);
  const last = taken[taken.length - 1];
  if (following.length > pageSize && last !== undefined) {
    return { items: taken.map((k) => k.item), next: last.key };
  }
  return { items: taken.map((k) => k.item) };
}

/**
 * Create an empty in-memory {@link ResultsStore}.
 *
 * - Values are copied on the way in and on the way out: mutating an object
 *   passed to or returned by the store never changes what it holds.
 * - Every operation runs to completion without yielding, so each one is atomic
 *   (in particular the etag compare-and-write of the updates).
 * - Filters are evaluated with the reference evaluator (`matchesFilter`),
 *   including `matches`; summaries (`summarizeRecords`) with the reference
 *   aggregation of `memory-summary.ts`.
 * - After {@link ResultsStore.close} every operation rejects with a
 *   `StorageError` of code `unavailable`, and the data is dropped.
 */
export function createMemoryStore(): ResultsStore {
  let results = new Map<string, StoredResult>();
  let records = new Map<string, StoredRecord>();
  let resultUids = new Set<string>();
  let recordUids = new Set<string>();
  let closed = false;

  const capabilities: StoreCapabilities = Object.freeze({
    recordListSummary: true,
    regexFilters: true,
  });

  function checkOpen(): void {
    if (closed) throw new StorageError("unavailable", "the store is closed");
  }

  function findResult(parent: string, name: string): StoredResult {
    const found = results.get(resultKey(parent, name));
    if (found === undefined)
      throw new StorageError("not_found", `result ${parent}/results/${name} not found`);
    return found;
  }

  function findRecord(parent: string, resultName: string, name: string): StoredRecord {
    const found = records.get(recordKey(parent, resultName, name));
    if (found === undefined) {
      throw new StorageError(
        "not_found",
        `record ${parent}/results/${resultName}/records/${name} not found`,
      );
    }
    return found;
  }

  function checkEtag(
    stored: { etag: string },
    options: UpdateOptions | undefined,
    what: string,
  ): void {
    if (options?.expectEtag !== undefined && options.expectEtag !== stored.etag) {
      throw new StorageError("failed_precondition", `the etag of ${what} does not match`);
    }
  }

  return {
    capabilities,

    async createResult(result: StoredResult): Promise<StoredResult> {
      checkOpen();
      const key = resultKey(result.parent, result.name);
      if (results.has(key)) {
        throw new StorageError(
          "already_exists",
          `result ${result.parent}/results/${result.name} already exists`,
        );
      }
      if (resultUids.has(result.uid)) {
        throw new StorageError("already_exists", `a result with uid ${result.uid} already exists`);
      }
      const stored = cloneResult(result);
      results.set(key, stored);
      resultUids.add(stored.uid);
      return cloneResult(stored);
    },

    async getResult(parent: string, name: string): Promise<StoredResult> {
      checkOpen();
      return cloneResult(findResult(parent, name));
    },

    async updateResult(update: ResultUpdate, options?: UpdateOptions): Promise<StoredResult> {
      checkOpen();
      const stored = findResult(update.parent, update.name);
      checkEtag(stored, options, `result ${update.parent}/results/${update.name}`);
      const next = cloneResult({
        ...stored,
        annotations: update.annotations,
        summary: update.summary,
        updateTime: update.updateTime,
        etag: update.etag,
      });
      results.set(resultKey(update.parent, update.name), next);
      return cloneResult(next);
    },

    async deleteResult(parent: string, name: string): Promise<void> {
      checkOpen();
      const stored = findResult(parent, name);
      for (const [key, record] of records) {
        if (record.parent === parent && record.resultName === name) {
          records.delete(key);
          recordUids.delete(record.uid);
        }
      }
      results.delete(resultKey(parent, name));
      resultUids.delete(stored.uid);
    },

    async deleteResults(refs: readonly ResultRef[]): Promise<DeleteResultsOutcome> {
      checkOpen();
      // One synchronous step: all go together, as in one transaction.
      const gone = new Set<string>();
      for (const ref of refs) {
        const key = resultKey(ref.parent, ref.name);
        const stored = results.get(key);
        if (stored === undefined) continue;
        gone.add(key);
        results.delete(key);
        resultUids.delete(stored.uid);
      }
      if (gone.size === 0) return { deleted: 0 };
      for (const [key, record] of records) {
        if (gone.has(resultKey(record.parent, record.resultName))) {
          records.delete(key);
          recordUids.delete(record.uid);
        }
      }
      return { deleted: gone.size };
    },

    async listResults(query: ResultListQuery): Promise<Page<StoredResult>> {
      checkOpen();
      checkQuery(query);
      const matching = [...results.values()].filter(
        (r) =>
          (query.parent === undefined || r.parent === query.parent) &&
          matchesFilter(query.filter, resultRow(r)),
      );
      const p = page(
        matching,
        (r) => resultCursor(r, query.orderBy),
        query.orderBy,
        query.pageSize,
        query.after,
      );
      const items = p.items.map(cloneResult);
      return p.next === undefined ? { items } : { items, next: p.next };
    },

    async createRecord(record: StoredRecord): Promise<StoredRecord> {
      checkOpen();
      findResult(record.parent, record.resultName);
      const key = recordKey(record.parent, record.resultName, record.name);
      if (records.has(key)) {
        throw new StorageError(
          "already_exists",
          `record ${record.parent}/results/${record.resultName}/records/${record.name} already exists`,
        );
      }
      if (recordUids.has(record.uid)) {
        throw new StorageError("already_exists", `a record with uid ${record.uid} already exists`);
      }
      const stored = cloneRecord(record);
      records.set(key, stored);
      recordUids.add(stored.uid);
      return cloneRecord(stored);
    },

    async getRecord(parent: string, resultName: string, name: string): Promise<StoredRecord> {
      checkOpen();
      return cloneRecord(findRecord(parent, resultName, name));
    },

    async updateRecord(update: RecordUpdate, options?: UpdateOptions): Promise<StoredRecord> {
      checkOpen();
      const stored = findRecord(update.parent, update.resultName, update.name);
      checkEtag(
        stored,
        options,
        `record ${update.parent}/results/${update.resultName}/records/${update.name}`,
      );
      const next = cloneRecord({
        ...stored,
        type: update.type,
        data: update.data,
        updateTime: update.updateTime,
        etag: update.etag,
      });
      records.set(recordKey(update.parent, update.resultName, update.name), next);
      return cloneRecord(next);
    },

    async deleteRecord(parent: string, resultName: string, name: string): Promise<void> {
      checkOpen();
      const stored = findRecord(parent, resultName, name);
      records.delete(recordKey(parent, resultName, name));
      recordUids.delete(stored.uid);
    },

    async listRecords(query: RecordListQuery): Promise<Page<StoredRecord>> {
      checkOpen();
      checkQuery(query);
      const matching = [...records.values()].filter(
        (r) =>
          (query.parent === undefined || r.parent === query.parent) &&
          (query.resultName === undefined || r.resultName === query.resultName) &&
          matchesFilter(query.filter, recordRow(r)),
      );
      const p = page(
        matching,
        (r) => recordCursor(r, query.orderBy),
        query.orderBy,
        query.pageSize,
        query.after,
      );
      const items = p.items.map(cloneRecord);
      return p.next === undefined ? { items } : { items, next: p.next };
    },

    async summarizeRecords(query: RecordSummaryQuery): Promise<RecordSummaryRow[]> {
      checkOpen();
      return summarizeMemoryRecords(records.values(), query);
    },

    async close(): Promise<void> {
      closed = true;
      results = new Map();
      records = new Map();
      resultUids = new Set();
      recordUids = new Set();
    },
  };
}
