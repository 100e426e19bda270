/**
 * The shared test of the SQL adapters' typed record columns and label table
 * (what the typed filter predicates read): filled on create, refreshed on
 * update, removed with the record, and backfilled by the migration for rows
 * written before it.
 *
 * @module
 */
import { afterEach, describe, expect, it } from "vitest";
import type { ResultsStore } from "@tekton-results/storage";
import type { SqlFilterTestBackend } from "./sql-filter-runners.js";
import {
  typedFieldSample,
  typedFieldSampleRecord,
  typedFieldSampleResult,
} from "./typed-field-cases.js";

/** A store the typed-column test can migrate itself. */
export interface MigratableStore extends ResultsStore {
  /** Apply the pending migrations. */
  migrate(): Promise<void>;
}

/** What a SQL adapter gives {@link runTypedColumnTests}. */
export interface TypedColumnTestBackend<S extends MigratableStore> extends Omit<
  SqlFilterTestBackend<S>,
  "compileFilter"
> {
  /**
   * A new, empty store whose schema has only the first migration applied
   * (before the typed columns existed).
   */
  createFirstMigrationStore(): Promise<S>;
}

const T = Date.UTC(2026, 0, 5, 10);
const RUN = typedFieldSample.data;
const TYPED = Object.keys(typedFieldSample.columns).join(", ");

/**
 * Declare the typed-column tests for one SQL backend: the columns and labels
 * the store's write path (trigger or code) fills from the record's JSON,
 * their refresh on update and removal with the record, and the migration's
 * backfill of rows written before the columns existed.
 */
export function runTypedColumnTests<S extends MigratableStore>(
  backend: TypedColumnTestBackend<S>,
): void {
  /** The typed columns of record `name`, times as numbers. */
  const typed = async (store: S, name: string): Promise<Record<string, unknown>> => {
    const rows = await backend.query(store, `SELECT ${TYPED} FROM records WHERE name = ?`, [name]);
    return Object.fromEntries(
      Object.entries(rows[0]!).map(([k, v]) => [
        k,
        k.endsWith("_ms") && v !== null ? Number(v) : v,
      ]),
    );
  };
  const labels = async (store: S, name: string): Promise<[string, string][]> => {
    const rows = await backend.query(
      store,
      `SELECT key, value FROM record_labels JOIN records ON records.id = record_labels.record_id
       WHERE records.name = ? ORDER BY key`,
      [name],
    );
    return rows.map((r) => [r.key as string, r.value as string]);
  };
  const record = typedFieldSampleRecord;

  describe(`${backend.name} typed record columns`, () => {
    let store: S | undefined;
    afterEach(async () => {
      const current = store;
      store = undefined;
      if (current === undefined) return;
      if (backend.destroyStore !== undefined) await backend.destroyStore(current);
      else await current.close();
    });

    it("are filled on create from the JSON strings only, labels included", async () => {
      store = await backend.createStore();
      await store.createResult(typedFieldSampleResult);
      await store.createRecord(record("a", RUN));
      expect(await typed(store, "a")).toEqual(typedFieldSample.columns);
      expect(await labels(store, "a")).toEqual(typedFieldSample.labels);
      await store.createRecord(
        record("b", { metadata: { name: 7, labels: ["x"] }, status: { startTime: "soon" } }),
      );
      await store.createRecord(record("c", "not json"));
      for (const name of ["b", "c"]) {
        expect(Object.values(await typed(store, name)).every((v) => v === null)).toBe(true);
        expect(await labels(store, name)).toEqual([]);
      }
    });

    it("follow updates of data and go with the record", async () => {
      store = await backend.createStore();
      await store.createResult(typedFieldSampleResult);
      await store.createRecord(record("a", RUN));
      const changed = { ...RUN, metadata: { ...RUN.metadata, labels: { team: "b" } } };
      await store.updateRecord({
        parent: "ns",
        resultName: "r1",
        name: "a",
        type: "tekton.dev/v1.TaskRun",
        data: JSON.stringify(changed),
        updateTime: new Date(T + 1),
        etag: "e2",
      });
      expect(await typed(store, "a")).toMatchObject({ pipeline_name: null, task_name: null });
      expect(await labels(store, "a")).toEqual([["team", "b"]]);
      await store.deleteResult("ns", "r1");
      const left = await backend.query(store, "SELECT count(*) AS n FROM record_labels");
      expect(Number(left[0]!.n)).toBe(0);
    });

    it("are backfilled by the migration for rows written before it", async () => {
      store = await backend.createFirstMigrationStore();
      await backend.query(
        store,
        `INSERT INTO results (uid, parent, name, create_time, update_time, etag) VALUES ('r', 'ns', 'r1', 0, 0, 'e')`,
      );
      await backend.query(
        store,
        `INSERT INTO records (uid, result_id, parent, result_name, name, type, data, create_time, update_time, etag)
         SELECT 'u', id, 'ns', 'r1', 'a', 't', ?, 0, 0, 'e' FROM results`,
        [JSON.stringify(RUN)],
      );
      await store.migrate();
      expect(await typed(store, "a")).toEqual(typedFieldSample.columns);
      expect(await labels(store, "a")).toEqual(typedFieldSample.labels);
      expect((await store.getRecord("ns", "r1", "a")).data).toBe(JSON.stringify(RUN));
    });
  });
}
