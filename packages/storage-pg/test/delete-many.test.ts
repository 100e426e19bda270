/**
 * `deleteResults` on PostgreSQL beyond the conformance suite: its statements find each Result by
 * the `(parent, name)` unique index (no scan of `results`), and the statements of one call are
 * one transaction (a failure in the second chunk keeps the first chunk's Results).
 */
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ResultRef, StoredResult } from "@tekton-results/storage";
import type { PgStore } from "../src/index.js";
import { createTestStore, destroyTestStore, stopTestPostgres } from "./support/postgres.js";

let store: PgStore;

beforeAll(async () => {
  store = await createTestStore();
}, 120_000);

afterAll(async () => {
  await destroyTestStore(store);
  await stopTestPostgres();
});

const T = Date.UTC(2024, 0, 15, 10);

function result(parent: string, name: string): StoredResult {
  const uid = `00000000-0000-4000-8000-${Buffer.from(`${parent}/${name}`).toString("hex").slice(-12).padStart(12, "0")}`;
  return {
    parent,
    name,
    uid,
    annotations: {},
    createTime: new Date(T),
    updateTime: new Date(T),
    etag: `${uid}-1`,
  };
}

/** The statements (text and values) `fn` runs on the store. */
async function statementsOf(fn: () => Promise<unknown>) {
  const seen: { sql: string; bindings: unknown[] }[] = [];
  const listener = (q: { sql: string; bindings?: unknown[] }) =>
    seen.push({ sql: q.sql, bindings: q.bindings ?? [] });
  store.knex.on("query", listener);
  try {
    await fn();
  } finally {
    store.knex.off("query", listener);
  }
  return seen;
}

/** Run `sql` with `values` on a pooled connection of the store. */
async function rawQuery(sql: string, values: unknown[]): Promise<pg.QueryResult> {
  const client = store.knex.client as {
    acquireConnection(): Promise<pg.Client>;
    releaseConnection(c: pg.Client): Promise<unknown>;
  };
  const conn = await client.acquireConnection();
  try {
    return await conn.query({ text: sql, values });
  } finally {
    await client.releaseConnection(conn);
  }
}

describe("postgres: deleteResults", () => {
  it("finds each Result by the (parent, name) index, in statements of at most 50 Results", async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => {
      const r = result(`plan-${i % 20}`, `r-${i}`);
      return {
        uid: r.uid,
        parent: r.parent,
        name: r.name,
        create_time: T,
        update_time: T,
        etag: r.etag,
      };
    });
    await store.knex.batchInsert("results", rows, 1000);
    await store.knex.raw("ANALYZE results");
    const refs: ResultRef[] = rows.slice(0, 120).map((r) => ({ parent: r.parent, name: r.name }));
    const seen = await statementsOf(() => store.deleteResults(refs));
    const deletes = seen.filter((q) => q.sql.startsWith("delete from results"));
    expect(deletes).toHaveLength(3);
    for (const d of deletes) expect(d.bindings).toHaveLength(100);
    const plan = await rawQuery(`EXPLAIN ${deletes[0]!.sql}`, deletes[0]!.bindings);
    const text = plan.rows.map((r: { "QUERY PLAN": string }) => r["QUERY PLAN"]).join("\n");
    expect(text).toContain("results_name_unique");
    expect(text).not.toMatch(/Seq Scan on results/);
  });

  it("is one transaction: a failure in the second statement keeps the Results of the first", async () => {
    const names = Array.from({ length: 60 }, (_, i) => `r-${i}`);
    for (const n of [...names, "poison"]) await store.createResult(result("tx", n));
    await store.knex.raw(`CREATE FUNCTION no_poison() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF OLD.name = 'poison' THEN RAISE EXCEPTION 'poison'; END IF; RETURN OLD; END $$`);
    await store.knex.raw(
      "CREATE TRIGGER no_poison BEFORE DELETE ON results FOR EACH ROW EXECUTE FUNCTION no_poison()",
    );
    const refs = names.map((name) => ({ parent: "tx", name }));
    refs.splice(55, 0, { parent: "tx", name: "poison" });
    await expect(store.deleteResults(refs)).rejects.toThrow();
    const left = await store.listResults({
      parent: "tx",
      orderBy: [{ field: "create_time", direction: "asc" }],
      pageSize: 100,
    });
    expect(left.items).toHaveLength(61);
    await store.knex.raw("DROP TRIGGER no_poison ON results");
    expect(await store.deleteResults(refs)).toEqual({ deleted: 61 });
  });
});
