/**
 * The storage port: what the server needs from a backend.
 *
 * @module
 */
import type { RecordUpdate, ResultUpdate, StoredRecord, StoredResult } from "./model.js";
import type { Page, RecordListQuery, ResultListQuery } from "./query.js";
import type { RecordSummaryQuery, RecordSummaryRow } from "./summary.js";

/** What a backend can do beyond the required operations. */
export interface StoreCapabilities {
  /** The backend implements {@link ResultsStore.summarizeRecords}. */
  readonly recordListSummary: boolean;
  /** The backend evaluates `matches` (regular expressions) in filters. */
  readonly regexFilters: boolean;
}

/** Options of an update. */
export interface UpdateOptions {
  /**
   * Write only if the stored etag equals this value, else fail with
   * `failed_precondition`. The compare and the write are one atomic step: of
   * two concurrent updates that expect the same etag exactly one succeeds.
   */
  expectEtag?: string;
}

/** A Result by its key: the parent (namespace) and its name. */
export interface ResultRef {
  parent: string;
  name: string;
}

/** What {@link ResultsStore.deleteResults} did. */
export interface DeleteResultsOutcome {
  /** How many of the Results existed and were deleted (each counted once). */
  deleted: number;
}

/**
 * A backend that stores Results and Records.
 *
 * Guarantees, pinned by `@tekton-results/storage-conformance`:
 * - Every method throws {@link StorageError} for the conditions documented on
 *   it; any other error is an outage or a bug and is reported as internal.
 * - Names are unique: (parent, name) per Result, (parent, resultName, name)
 *   per Record; uids are unique per table.
 * - Update with `expectEtag` is an atomic compare-and-write.
 * - Deleting a Result deletes its Records in the same transaction; deleting
 *   many ({@link ResultsStore.deleteResults}) deletes them all, with their
 *   Records, in one transaction.
 * - Lists follow {@link ListQuery}: filters run in the backend, the order is
 *   total, and keyset pages are stable under concurrent inserts.
 * - Values are returned exactly as they were written (record `data` byte for
 *   byte, dates to the millisecond).
 */
export interface ResultsStore {
  readonly capabilities: StoreCapabilities;

  /** Insert a Result. `already_exists` when (parent, name) or uid is taken. */
  createResult(result: StoredResult): Promise<StoredResult>;
  /** `not_found` when missing. */
  getResult(parent: string, name: string): Promise<StoredResult>;
  /**
   * Replace the mutable fields (annotations, summary, updateTime, etag).
   * `not_found` when missing; `failed_precondition` when `expectEtag` differs.
   */
  updateResult(update: ResultUpdate, options?: UpdateOptions): Promise<StoredResult>;
  /** Delete a Result and all its Records. `not_found` when missing. */
  deleteResult(parent: string, name: string): Promise<void>;
  /**
   * Delete the Results `refs` name (of one parent or several) with all their
   * Records, in one transaction: all of them go, or, when it fails, none.
   * A Result that does not exist is skipped, not an error; a ref given twice
   * counts once. Meant for batches of a few hundred (retention): a backend
   * keeps each statement bounded, but the transaction holds its row locks
   * until it commits.
   */
  deleteResults(refs: readonly ResultRef[]): Promise<DeleteResultsOutcome>;
  /** One page of Results. */
  listResults(query: ResultListQuery): Promise<Page<StoredResult>>;

  /**
   * Insert a Record. `not_found` when its Result does not exist;
   * `already_exists` when (parent, resultName, name) or uid is taken.
   */
  createRecord(record: StoredRecord): Promise<StoredRecord>;
  /** `not_found` when missing. */
  getRecord(parent: string, resultName: string, name: string): Promise<StoredRecord>;
  /**
   * Replace the mutable fields (type, data, updateTime, etag).
   * `not_found` when missing; `failed_precondition` when `expectEtag` differs.
   */
  updateRecord(update: RecordUpdate, options?: UpdateOptions): Promise<StoredRecord>;
  /** `not_found` when missing. */
  deleteRecord(parent: string, resultName: string, name: string): Promise<void>;
  /** One page of Records. */
  listRecords(query: RecordListQuery): Promise<Page<StoredRecord>>;

  /**
   * Aggregate the Records the query selects (GetRecordListSummary), with the
   * semantics documented in `summary.ts`: one row without `groupBy`, else one
   * row per group (none when nothing matches), ordered by
   * `sortSummaryRows`. Present exactly when `capabilities.recordListSummary`.
   */
  summarizeRecords?(query: RecordSummaryQuery): Promise<RecordSummaryRow[]>;

  /** Release connections and files. The store is unusable afterwards. */
  close(): Promise<void>;
}
