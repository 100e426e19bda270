/**
 * What a storage backend provides to the workloads: a loaded store to serve
 * through the API, and the hand-written SQL peers of every workload on the
 * same database. The same functions serve the in-process SQL peer and the
 * floor service's handlers (`floor-service.ts`).
 *
 * @module
 */
import type { ResultsStore } from "@tekton-results/storage";
import type { GeneratedRecord, GeneratedResult } from "./generate.js";

/**
 * One ListRecords question of B3, in terms both sides understand: the API
 * side turns it into a parent and a CEL filter, the SQL side into a WHERE.
 */
export type QueryCase =
  | { kind: "namespace"; namespace: string }
  | { kind: "label"; namespace?: string; pipeline: string }
  | { kind: "reason"; reason: string }
  | { kind: "time"; from: Date; to: Date }
  | { kind: "prefix"; prefix: string };

/** A keyset position in `create_time, uid` order. */
export interface KeysetPosition {
  createTime: number;
  uid: string;
}

/** The record columns both SQL peers select, in order. */
export const RECORD_COLUMN_NAMES = [
  "uid",
  "parent",
  "result_name",
  "name",
  "type",
  "data",
  "create_time",
  "update_time",
  "etag",
] as const;

/** {@link RECORD_COLUMN_NAMES} as a select list. */
export const RECORD_COLUMNS = RECORD_COLUMN_NAMES.join(", ");

/**
 * A record row as the hand-written SQL reads it: the stored columns, `data`
 * being the stored JSON text (PostgreSQL's driver gives int8 columns as strings).
 */
export type RawRecordRow = {
  [K in (typeof RECORD_COLUMN_NAMES)[number]]: K extends "create_time" | "update_time"
    ? number | string
    : string;
};

/** One page of rows read by the hand-written SQL (`LIMIT pageSize + 1`). */
export interface RawPage {
  /** At most `pageSize` rows. */
  rows: RawRecordRow[];
  /** Whether a further row exists. */
  more: boolean;
}

/** The page of `rows` read with `LIMIT pageSize + 1`. */
export function toPage(rows: RawRecordRow[], pageSize: number): RawPage {
  return rows.length > pageSize
    ? { rows: rows.slice(0, pageSize), more: true }
    : { rows, more: false };
}

/** The keyset position of a row in `create_time, uid` order. */
export function keysetOf(row: RawRecordRow): KeysetPosition {
  return { createTime: Number(row.create_time), uid: row.uid };
}

/** What one single-row INSERT of a record writes; create_time = update_time = `createMs`. */
export type RawRecordInput = Pick<
  GeneratedRecord,
  "parent" | "resultName" | "name" | "uid" | "type" | "data"
> & { createMs: number };

/** What one single-row UPDATE of a record's data writes (where: parent, result name, name). */
export interface RawRecordUpdate {
  parent: string;
  resultName: string;
  name: string;
  type: string;
  data: string;
  /** update_time, ms; the etag is `<uid>-<updateMs in ns>`. */
  updateMs: number;
}

/** What the UPDATE returns (`RETURNING`), or undefined when no row matched. */
export interface RawUpdated {
  uid: string;
  create_time: number | string;
  etag: string;
}

/**
 * A fresh, empty database written by raw single-row statements: the B1 peer,
 * called in process by the SQL peer and by the floor service's handlers.
 */
export interface RawIngest {
  /** Insert a Result row (set-up, not timed). */
  insertResult(result: GeneratedResult): Promise<void>;
  /** One single-row INSERT of a record. */
  insertRecord(record: RawRecordInput): Promise<void>;
  /** One single-row UPDATE of a record's type, data, update time and etag. */
  updateRecord(update: RawRecordUpdate): Promise<RawUpdated | undefined>;
  close(): Promise<void>;
}

/** The {@link RawRecordInput} of a generated record (the in-process peer's input). */
export function rawInput(rec: GeneratedRecord, data: string): RawRecordInput {
  return {
    parent: rec.parent,
    resultName: rec.resultName,
    name: rec.name,
    uid: rec.uid,
    type: rec.type,
    data,
    createMs: rec.createTime.getTime(),
  };
}

/** The {@link RawRecordUpdate} of a generated record (the in-process peer's input). */
export function rawUpdate(rec: GeneratedRecord, data: string): RawRecordUpdate {
  return {
    parent: rec.parent,
    resultName: rec.resultName,
    name: rec.name,
    type: rec.type,
    data,
    updateMs: rec.updateTime.getTime(),
  };
}

/** The etag suffix both peers write: the update time in nanoseconds. */
export function etagSuffix(ms: number): string {
  return `-${BigInt(ms) * 1_000_000n}`;
}

/** A record summary question of B5. */
export type SummaryCase = "ungrouped" | "pipeline" | "day";

/** A backend under test with its SQL peers. */
export interface BenchBackend {
  /** `sqlite` or `postgres`. */
  readonly name: string;
  /** How the peer is called in the report, e.g. `better-sqlite3`. */
  readonly peer: string;
  /** The loaded store the API server uses. */
  readonly store: ResultsStore;
  /** The server flags that open the loaded data (B10 runs `tekton-results-retention` on it). */
  databaseArgs(): string[];
  /** A fresh, empty store for B1 (ingest through the API). */
  freshStore(): Promise<{ store: ResultsStore; close(): Promise<void> }>;
  /** A fresh, empty database for the B1 peer. */
  freshRaw(): Promise<RawIngest>;
  /** B3 peer: the first page, newest first (`create_time desc, uid desc`). */
  listSql(query: QueryCase, pageSize: number): Promise<RawPage>;
  /** B4 peer: one keyset page in `create_time, uid` ascending order. */
  walkSql(after: KeysetPosition | undefined, pageSize: number): Promise<RawPage>;
  /** B7 floor: one record by its name, or undefined. */
  getSql(parent: string, resultName: string, name: string): Promise<RawRecordRow | undefined>;
  /** B5 peer: the summary rows (ours is `GetRecordListSummary`), or undefined when not supported. */
  summarySql?(query: SummaryCase): Promise<unknown[]>;
  /** Release everything. */
  close(): Promise<void>;
}

/** The parent and CEL filter the API gets for a {@link QueryCase}. */
export function apiQuery(query: QueryCase): { parent: string; filter: string } {
  switch (query.kind) {
    case "namespace":
      return { parent: `${query.namespace}/results/-`, filter: "" };
    case "label":
      return {
        parent: `${query.namespace ?? "-"}/results/-`,
        filter: `data.metadata.labels["tekton.dev/pipeline"] == ${JSON.stringify(query.pipeline)}`,
      };
    case "reason":
      return {
        parent: "-/results/-",
        filter: `data.status.conditions[0].reason == ${JSON.stringify(query.reason)}`,
      };
    case "time":
      return {
        parent: "-/results/-",
        filter: `create_time >= timestamp("${query.from.toISOString()}") && create_time < timestamp("${query.to.toISOString()}")`,
      };
    case "prefix":
      return {
        parent: "-/results/-",
        filter: `data.metadata.name.startsWith(${JSON.stringify(query.prefix)})`,
      };
  }
}
