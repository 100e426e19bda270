/**
 * What a storage backend provides to the workloads: a loaded store to serve
 * through the API, and the hand-written SQL peers of every workload on the
 * same database.
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

/** A fresh, empty database written by raw single-row statements (the B1 peer). */
export interface RawIngest {
  /** Insert a Result row (set-up, not timed). */
  insertResult(result: GeneratedResult): Promise<void>;
  /** One single-row INSERT of a record with `data`. */
  insertRecord(record: GeneratedRecord, data: string): Promise<void>;
  /** One single-row UPDATE of a record's data. */
  updateRecord(record: GeneratedRecord, data: string): Promise<void>;
  close(): Promise<void>;
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
  /** A fresh, empty store for B1 (ingest through the API). */
  freshStore(): Promise<{ store: ResultsStore; close(): Promise<void> }>;
  /** A fresh, empty database for the B1 peer. */
  freshRaw(): Promise<RawIngest>;
  /** B3 peer: the uids of the first page, newest first. */
  listSql(query: QueryCase, pageSize: number): Promise<string[]>;
  /** B4 peer: one keyset page in `create_time, uid` ascending order. */
  walkSql(after: KeysetPosition | undefined, pageSize: number): Promise<KeysetPosition[]>;
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
