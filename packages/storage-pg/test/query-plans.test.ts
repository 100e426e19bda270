/**
 * Query plans: the SQL the store generates for the benchmark's ListRecords
 * questions (newest first, a page of 50) over a few thousand analyzed records
 * must read an index, never scan the whole records table (`enable_seqscan`
 * left on).
 */
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileFilter } from "@tekton-results/storage";
import { planFixtures, planQueries } from "@tekton-results/storage-conformance";
import type { PgStore } from "../src/index.js";
import { createTestStore, destroyTestStore, stopTestPostgres } from "./support/postgres.js";

let store: PgStore;

beforeAll(async () => {
  store = await createTestStore();
  const data = planFixtures(1000);
  // Bulk rows (the write trigger fills the typed columns and labels as for single writes).
  const rows = data.results.map((r) => ({
    uid: r.uid,
    parent: r.parent,
    name: r.name,
    create_time: r.createTime.getTime(),
    update_time: r.updateTime.getTime(),
    etag: r.etag,
  }));
  const ids = (await store.knex
    .batchInsert("results", rows, 500)
    .returning(["id", "parent", "name"] as never)) as unknown as {
    id: string;
    parent: string;
    name: string;
  }[];
  const resultIds = new Map(ids.map((r) => [`${r.parent}/${r.name}`, r.id]));
  await store.knex.batchInsert(
    "records",
    data.records.map((r) => ({
      result_id: resultIds.get(`${r.parent}/${r.resultName}`),
      uid: r.uid,
      parent: r.parent,
      result_name: r.resultName,
      name: r.name,
      type: r.type,
      data: r.data,
      create_time: r.createTime.getTime(),
      update_time: r.updateTime.getTime(),
      etag: r.etag,
    })),
    500,
  );
  await store.knex.raw("ANALYZE records");
  await store.knex.raw("ANALYZE record_labels");
}, 120_000);

afterAll(async () => {
  await destroyTestStore(store);
  await stopTestPostgres();
});

/** The SQL and bindings of the list query the store runs, and its plan. */
async function plan(parent: string | undefined, filter: string | undefined) {
  const queries: { sql: string; bindings: unknown[] }[] = [];
  const listener = (q: { sql: string; bindings?: unknown[] }) =>
    queries.push({ sql: q.sql, bindings: q.bindings ?? [] });
  store.knex.on("query", listener);
  let rows: number;
  try {
    const page = await store.listRecords({
      parent,
      filter: filter === undefined ? undefined : compileFilter(filter, { target: "records" }),
      orderBy: [{ field: "create_time", direction: "desc" }],
      pageSize: 50,
    });
    rows = page.items.length;
  } finally {
    store.knex.off("query", listener);
  }
  if (process.env.PLAN_DEBUG) console.log(queries.map((q) => q.sql).join("\n"));
  const list = queries.find((q) => /^select\b/i.test(q.sql.trim()) && q.sql.includes("records"));
  expect(list).toBeDefined();
  const client = (await store.knex.client.acquireConnection()) as pg.Client;
  try {
    const result = await client.query<{ "QUERY PLAN": string }>(
      `EXPLAIN ${list!.sql}`,
      list!.bindings,
    );
    return { rows, sql: list!.sql, plan: result.rows.map((r) => r["QUERY PLAN"]) };
  } finally {
    await store.knex.client.releaseConnection(client);
  }
}

describe("list queries read indexes", () => {
  it("leaves sequential scans enabled", async () => {
    const r = (await store.knex.raw("SHOW enable_seqscan")) as {
      rows: { enable_seqscan: string }[];
    };
    expect(r.rows[0]!.enable_seqscan).toBe("on");
  });

  for (const q of planQueries) {
    it(`${q.label}: no sequential scan of records`, async () => {
      const { plan: steps, sql } = await plan(q.parent, q.filter);
      const scans = steps.filter((s) => /Seq Scan on (records|record_labels)\b/.test(s));
      expect(scans, `${sql}\n${steps.join("\n")}`).toEqual([]);
      expect(steps.some((s) => /Index (Only )?Scan|Bitmap Index Scan/.test(s))).toBe(true);
    });
  }

  it("typed predicates read the typed columns, not the JSON", async () => {
    const { sql, rows } = await plan(undefined, 'data.status.conditions[0].reason == "Failed"');
    expect(sql).toContain("status_reason");
    expect(sql).not.toContain("data_json");
    expect(rows).toBe(50);
  });

  it("a label equality reads the label table", async () => {
    const { sql, rows } = await plan("ns-3", 'data.metadata.labels.team == "team-3"');
    expect(sql).toContain("record_labels");
    expect(rows).toBe(50);
  });
});
