/**
 * `deleteResults` on SQLite beyond the conformance suite: its statements find each Result by
 * the `(parent, name)` unique index (no scan of `results`), and the statements of one call are
 * one transaction (a failure in the second chunk keeps the first chunk's Results).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ResultRef, StoredResult } from "@tekton-results/storage";
import { createSqliteStore, type SqliteStore } from "../src/index.js";

let store: SqliteStore;

beforeEach(async () => {
  store = await createSqliteStore({ filename: ":memory:" });
});

afterEach(async () => {
  await store.close();
});

const T = Date.UTC(2024, 0, 15, 10);
let uids = 0;

function result(parent: string, name: string): StoredResult {
  const uid = `00000000-0000-4000-8000-${String(++uids).padStart(12, "0")}`;
  const at = new Date(T);
  return { parent, name, uid, annotations: {}, createTime: at, updateTime: at, etag: `${uid}-1` };
}

describe("sqlite: deleteResults", () => {
  it("finds each Result by the (parent, name) index, in statements of at most 50 Results", async () => {
    const refs: ResultRef[] = [];
    for (let i = 0; i < 500; i++) {
      const r = await store.createResult(result(`plan-${i % 20}`, `r-${i}`));
      if (i < 120) refs.push({ parent: r.parent, name: r.name });
    }
    await store.knex.raw("ANALYZE");
    const seen: { sql: string; bindings: unknown[] }[] = [];
    const listener = (q: { sql: string; bindings?: unknown[] }) =>
      seen.push({ sql: q.sql, bindings: q.bindings ?? [] });
    store.knex.on("query", listener);
    try {
      expect(await store.deleteResults(refs)).toEqual({ deleted: 120 });
    } finally {
      store.knex.off("query", listener);
    }
    const deletes = seen.filter((q) => q.sql.startsWith("delete from results"));
    expect(deletes).toHaveLength(3);
    for (const d of deletes) expect(d.bindings).toHaveLength(100);
    const plan = (await store.knex.raw(
      `EXPLAIN QUERY PLAN ${deletes[0]!.sql}`,
      deletes[0]!.bindings as string[],
    )) as { detail: string }[];
    const text = plan.map((r) => r.detail).join("\n");
    expect(text).toMatch(/SEARCH results USING (COVERING )?INDEX \S+ \(parent=\? AND name=\?\)/);
    expect(text).not.toMatch(/SCAN results/);
  });

  it("is one transaction: a failure in the second statement keeps the Results of the first", async () => {
    const names = Array.from({ length: 60 }, (_, i) => `r-${i}`);
    for (const n of [...names, "poison"]) await store.createResult(result("tx", n));
    await store.knex.raw(`CREATE TRIGGER no_poison BEFORE DELETE ON results
      WHEN old.name = 'poison' BEGIN SELECT RAISE(ABORT, 'poison'); END`);
    const refs = names.map((name) => ({ parent: "tx", name }));
    refs.splice(55, 0, { parent: "tx", name: "poison" });
    await expect(store.deleteResults(refs)).rejects.toThrow();
    const left = await store.listResults({
      parent: "tx",
      orderBy: [{ field: "create_time", direction: "asc" }],
      pageSize: 100,
    });
    expect(left.items).toHaveLength(61);
    await store.knex.raw("DROP TRIGGER no_poison");
    expect(await store.deleteResults(refs)).toEqual({ deleted: 61 });
  });
});
