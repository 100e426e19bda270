/**
 * The typed record columns and the label table: filled on create by the
 * write trigger, refreshed on update, removed with the record, and backfilled
 * by the migration for rows written before it.
 */
import { afterAll, afterEach, describe, expect, it } from "vitest";
import {
  typedFieldSample,
  typedFieldSampleRecord,
  typedFieldSampleResult,
} from "@tekton-results/storage-conformance";
import { pgMigrationSource, type PgStore } from "../src/index.js";
import {
  createTestStore,
  destroyTestStore,
  freshSchemaName,
  stopTestPostgres,
} from "./support/postgres.js";

const T = Date.UTC(2026, 0, 5, 10);
const RUN = typedFieldSample.data;
const TYPED = Object.keys(typedFieldSample.columns).join(", ");

const result = typedFieldSampleResult;
const record = typedFieldSampleRecord;

/** The typed columns of record `name`, times as numbers. */
async function typed(store: PgStore, name: string): Promise<Record<string, unknown>> {
  const out = (await store.knex.raw(`SELECT ${TYPED} FROM records WHERE name = ?`, [name])) as {
    rows: Record<string, unknown>[];
  };
  return Object.fromEntries(
    Object.entries(out.rows[0]!).map(([k, v]) => [
      k,
      k.endsWith("_ms") && v !== null ? Number(v) : v,
    ]),
  );
}

async function labels(store: PgStore, name: string): Promise<[string, string][]> {
  const out = (await store.knex.raw(
    `SELECT key, value FROM record_labels JOIN records ON records.id = record_labels.record_id
     WHERE records.name = ? ORDER BY key`,
    [name],
  )) as { rows: { key: string; value: string }[] };
  return out.rows.map((r) => [r.key, r.value]);
}

let store: PgStore | undefined;
afterEach(async () => {
  if (store !== undefined) await destroyTestStore(store);
  store = undefined;
});
afterAll(async () => {
  await stopTestPostgres();
});

describe("typed record columns", () => {
  it("are filled on create from the JSON strings only, labels included", async () => {
    store = await createTestStore();
    await store.createResult(result);
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
    store = await createTestStore();
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
    const left = (await store.knex.raw("SELECT count(*)::int AS n FROM record_labels")) as {
      rows: { n: number }[];
    };
    expect(left.rows[0]!.n).toBe(0);
  });

  it("are backfilled by the migration for rows written before it", async () => {
    const name = freshSchemaName();
    store = await createTestStore({ migrate: false, schema: name });
    await store.knex.raw(`CREATE SCHEMA IF NOT EXISTS "${name}"`);
    await store.knex.migrate.up({ migrationSource: pgMigrationSource, schemaName: name });
    await store.knex.raw(
      `INSERT INTO results (uid, parent, name, create_time, update_time, etag) VALUES ('r', 'ns', 'r1', 0, 0, 'e')`,
    );
    await store.knex.raw(
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
