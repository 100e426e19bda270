/**
 * Query plans: the SQL the store generates for the benchmark's ListRecords
 * questions (newest first, a page of 50) over a few thousand analyzed records
 * must read an index, never scan the whole records table.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileFilter } from "@tekton-results/storage";
import { planFixtures, planQueries } from "@tekton-results/storage-conformance";
import { createSqliteStore, type SqliteStore } from "../src/index.js";

let store: SqliteStore;

beforeAll(async () => {
  store = await createSqliteStore({ filename: ":memory:" });
  const data = planFixtures(1000);
  for (const r of data.results) await store.createResult(r);
  for (const r of data.records) await store.createRecord(r);
  await store.knex.raw("ANALYZE");
});

afterAll(async () => {
  await store.close();
});

/** The SQL and bindings of the list query the store runs for `q`, and its plan. */
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
  const list = queries.find((q) => q.sql.startsWith("select"));
  expect(list).toBeDefined();
  const steps = (await store.knex.raw(
    `EXPLAIN QUERY PLAN ${list!.sql}`,
    list!.bindings as never,
  )) as { detail: string }[];
  return { rows, sql: list!.sql, plan: steps.map((s) => s.detail) };
}

describe("list queries read indexes", () => {
  for (const q of planQueries) {
    it(`${q.label}: no full scan of records`, async () => {
      const { plan: steps, sql } = await plan(q.parent, q.filter);
      const scans = steps.filter((s) => /^SCAN (records|record_labels)\b/.test(s));
      expect(scans, `${sql}\n${steps.join("\n")}`).toEqual([]);
      expect(steps.some((s) => /USING (COVERING )?INDEX|PRIMARY KEY/.test(s))).toBe(true);
    });
  }

  it("typed predicates read the typed columns, not the JSON", async () => {
    const { sql, rows } = await plan(undefined, 'data.status.conditions[0].reason == "Failed"');
    expect(sql).toContain("status_reason");
    expect(sql).not.toContain("json");
    expect(rows).toBe(50);
  });

  it("a label equality reads the label table", async () => {
    const { sql, rows } = await plan("ns-3", 'data.metadata.labels.team == "team-3"');
    expect(sql).toContain("record_labels");
    expect(rows).toBe(50);
  });
});
