/**
 * The typed record columns and the label table: filled on create, refreshed
 * on update, removed with the record, and backfilled by the migration for
 * rows written before it.
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  typedFieldSample,
  typedFieldSampleRecord,
  typedFieldSampleResult,
} from "@tekton-results/storage-conformance";
import { createSqliteStore, sqliteMigrationSource, type SqliteStore } from "../src/index.js";

const T = Date.UTC(2026, 0, 5, 10);

const result = typedFieldSampleResult;
const record = typedFieldSampleRecord;

const RUN = typedFieldSample.data;

const TYPED = Object.keys(typedFieldSample.columns).join(", ");

async function typed(store: SqliteStore, name: string): Promise<Record<string, unknown>> {
  const rows = (await store.knex.raw(`SELECT ${TYPED} FROM records WHERE name = ?`, [
    name,
  ])) as Record<string, unknown>[];
  return rows[0]!;
}

async function labels(store: SqliteStore, name: string): Promise<[string, string][]> {
  const rows = (await store.knex.raw(
    `SELECT key, value FROM record_labels JOIN records ON records.id = record_labels.record_id
     WHERE records.name = ? ORDER BY key`,
    [name],
  )) as { key: string; value: string }[];
  return rows.map((r) => [r.key, r.value]);
}

const EXPECTED = typedFieldSample.columns;
const EXPECTED_LABELS = typedFieldSample.labels;

let store: SqliteStore | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
});

describe("typed record columns", () => {
  it("are filled on create from the JSON strings only, labels included", async () => {
    store = await createSqliteStore({ filename: ":memory:" });
    await store.createResult(result);
    await store.createRecord(record("a", RUN));
    expect(await typed(store, "a")).toEqual(EXPECTED);
    expect(await labels(store, "a")).toEqual(EXPECTED_LABELS);
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
    store = await createSqliteStore({ filename: ":memory:" });
    await store.createResult(result);
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
    const left = (await store.knex.raw("SELECT count(*) AS n FROM record_labels")) as {
      n: number;
    }[];
    expect(left[0]!.n).toBe(0);
  });

  it("are backfilled by the migration for rows written before it", async () => {
    store = await createSqliteStore({ filename: ":memory:", migrate: false });
    await store.knex.migrate.up({ migrationSource: sqliteMigrationSource });
    await store.knex.raw(
      `INSERT INTO results (uid, parent, name, create_time, update_time, etag) VALUES ('r', 'ns', 'r1', 0, 0, 'e')`,
    );
    await store.knex.raw(
      `INSERT INTO records (uid, result_id, parent, result_name, name, type, data, create_time, update_time, etag)
       VALUES ('u', 1, 'ns', 'r1', 'a', 't', ?, 0, 0, 'e')`,
      [JSON.stringify(RUN)],
    );
    await store.migrate();
    expect(await typed(store, "a")).toEqual(EXPECTED);
    expect(await labels(store, "a")).toEqual(EXPECTED_LABELS);
    expect((await store.getRecord("ns", "r1", "a")).data).toBe(JSON.stringify(RUN));
  });
});
