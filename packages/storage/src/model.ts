/**
 * The plain model types the storage port speaks. They carry no protobuf types:
 * the server converts between these and the API messages.
 *
 * Every timestamp is a `Date` (millisecond precision). Server-side fields (uid,
 * times, etag) are chosen by the server and persisted as given.
 *
 * @module
 */

/** `RecordSummary.Status` as stored: 0 UNKNOWN, 1 SUCCESS, 2 FAILURE, 3 TIMEOUT, 4 CANCELLED. */
export type SummaryStatus = 0 | 1 | 2 | 3 | 4;

/** The summary of a Result: the state of its top-level record. */
export interface StoredSummary {
  /** The Record name the summary describes. */
  record: string;
  /** The type of that record, e.g. `tekton.dev/v1.PipelineRun`. */
  type: string;
  startTime?: Date;
  endTime?: Date;
  status: SummaryStatus;
  annotations: Record<string, string>;
}

/** A Result as the store keeps it. */
export interface StoredResult {
  /** The parent (a namespace by convention): first segment of the name. */
  parent: string;
  /** The last segment of `{parent}/results/{name}`. */
  name: string;
  /** Server-assigned UUID; unique across the store. */
  uid: string;
  annotations: Record<string, string>;
  summary?: StoredSummary;
  createTime: Date;
  updateTime: Date;
  etag: string;
}

/** A Record as the store keeps it. */
export interface StoredRecord {
  parent: string;
  /** The result segment of the record's name. */
  resultName: string;
  /** The last segment of `{parent}/results/{result}/records/{name}`. */
  name: string;
  /** Server-assigned UUID; unique across the store. */
  uid: string;
  /** `data.type` of the API, e.g. `tekton.dev/v1.TaskRun` (at most 768 characters). */
  type: string;
  /** `data.value` of the API: a JSON document as text, stored and returned byte for byte. */
  data: string;
  createTime: Date;
  updateTime: Date;
  etag: string;
}

/** The fields of a Result that an update writes; the rest never changes. */
export interface ResultUpdate {
  parent: string;
  name: string;
  annotations: Record<string, string>;
  summary: StoredSummary | undefined;
  updateTime: Date;
  etag: string;
}

/** The fields of a Record that an update writes; the rest never changes. */
export interface RecordUpdate {
  parent: string;
  resultName: string;
  name: string;
  type: string;
  data: string;
  updateTime: Date;
  etag: string;
}
