import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  StorageError,
  type Cursor,
  type FilterExpr,
  type OrderTerm,
  type ResultOrderField,
  type StoredRecord,
  type StoredResult,
} from "@tekton-results/storage";
import { createSqliteStore, type SqliteStore } from "./sqlite-store.js";

const T0 = Date.UTC(2024, 0, 15, 10);

function result(name: string, n: number, fields: Partial<StoredResult> = {}): StoredResult {
  const at = new Date(T0 + n * 1000);
  return {
    parent: "ns",
    name,
    uid: `uid-${String(n).padStart(4, "0")}`,
    annotations: {},
    createTime: at,
    updateTime: at,
    etag: `etag-${n}`,
    ...fields,
  };
}

function record(
  resultName: string,
  name: string,
  n: number,
  fields: Partial<StoredRecord> = {},
): StoredRecord {
  const at = new Date(T0 + n * 1000);
  return {
    parent: "ns",
    resultName,
    name,
    uid: `ruid-${String(n).padStart(4, "0")}`,
    type: "tekton.dev/v1.TaskRun",
    data: `{"n":${n}}`,
    createTime: at,
    updateTime: at,
    etag: `etag-${n}`,
    ...fields,
  };
}

async function rejection(promise: Promise<unknown>): Promise<StorageError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(StorageError);
    return err as StorageError;
  }
  throw new Error("expected a rejection");
}

let store: SqliteStore;

beforeEach(async () => {
  store = await createSqliteStore({ filename: ":memory:" });
});

afterEach(async () => {
  await store.close();
});

describe("createSqliteStore (in memory)", () => {
  it("reports its capabilities", () => {
    expect(store.capabilities).toEqual({ recordListSummary: true, regexFilters: true });
    expect(typeof store.summarizeRecords).toBe("function");
  });

  it("round-trips a result with and without summary times", async () => {
    const r = result("a", 1, {
      annotations: { "tekton.dev/x": "y" },
      summary: {
        record: "ns/results/a/records/a",
        type: "tekton.dev/v1.PipelineRun",
        status: 2,
        startTime: new Date(T0 + 1),
        annotations: { k: "v" },
      },
    });
    expect(await store.createResult(r)).toEqual(r);
    expect(await store.getResult("ns", "a")).toEqual(r);
    const plain = result("b", 2);
    await store.createResult(plain);
    expect(await store.getResult("ns", "b")).toEqual(plain);
  });

  it("stores record data byte for byte", async () => {
    await store.createResult(result("a", 1));
    const data = '{ "b" : 1,\n"a":"é😀\\u0000" }  ';
    const created = await store.createRecord(record("a", "x", 1, { data }));
    expect(created.data).toBe(data);
    expect((await store.getRecord("ns", "a", "x")).data).toBe(data);
  });

  it("translates constraint violations to clean already_exists errors", async () => {
    await store.createResult(result("a", 1));
    const byName = await rejection(store.createResult(result("a", 2)));
    expect(byName.code).toBe("already_exists");
    expect(byName.message).toBe('result "ns/results/a" already exists');
    expect(byName.cause).toBeDefined();
    const byUid = await rejection(store.createResult(result("b", 1)));
    expect(byUid.code).toBe("already_exists");
    expect(byUid.message).not.toMatch(/SQLITE|constraint|INSERT/i);
    await store.createRecord(record("a", "x", 1));
    const rec = await rejection(store.createRecord(record("a", "x", 2)));
    expect(rec.message).toBe('record "ns/results/a/records/x" already exists');
  });

  it("answers not_found for a record under a missing result", async () => {
    const err = await rejection(store.createRecord(record("missing", "x", 1)));
    expect(err.code).toBe("not_found");
    expect(err.message).toBe('result "ns/results/missing" not found');
  });

  it("compares and writes etags atomically, telling not_found from failed_precondition", async () => {
    await store.createResult(result("a", 1));
    const update = {
      parent: "ns",
      name: "a",
      annotations: { a: "1" },
      summary: undefined,
      updateTime: new Date(T0 + 5000),
      etag: "etag-new",
    };
    expect((await rejection(store.updateResult(update, { expectEtag: "wrong" }))).code).toBe(
      "failed_precondition",
    );
    expect(
      (await rejection(store.updateResult({ ...update, name: "zz" }, { expectEtag: "etag-1" })))
        .code,
    ).toBe("not_found");
    const racing = await Promise.allSettled([
      store.updateResult({ ...update, etag: "one" }, { expectEtag: "etag-1" }),
      store.updateResult({ ...update, etag: "two" }, { expectEtag: "etag-1" }),
    ]);
    expect(racing.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const updated = await store.getResult("ns", "a");
    expect(updated.annotations).toEqual({ a: "1" });
    expect(updated.updateTime.getTime()).toBe(T0 + 5000);
    expect(updated.createTime.getTime()).toBe(T0 + 1000);

    await store.createRecord(record("a", "x", 1));
    const recUpdate = {
      parent: "ns",
      resultName: "a",
      name: "x",
      type: "t2",
      data: "{}",
      updateTime: new Date(T0 + 9000),
      etag: "r2",
    };
    expect((await rejection(store.updateRecord(recUpdate, { expectEtag: "nope" }))).code).toBe(
      "failed_precondition",
    );
    expect((await rejection(store.updateRecord({ ...recUpdate, name: "y" }))).code).toBe(
      "not_found",
    );
    expect(await store.updateRecord(recUpdate, { expectEtag: "etag-1" })).toMatchObject({
      type: "t2",
      data: "{}",
      etag: "r2",
    });
  });

  it("cascades a result delete to its records", async () => {
    await store.createResult(result("a", 1));
    await store.createRecord(record("a", "x", 1));
    await store.deleteResult("ns", "a");
    expect((await rejection(store.getRecord("ns", "a", "x"))).code).toBe("not_found");
    expect((await rejection(store.deleteResult("ns", "a"))).code).toBe("not_found");
    expect((await rejection(store.deleteRecord("ns", "a", "x"))).code).toBe("not_found");
  });

  it("walks keyset pages in mixed directions with missing summary times", async () => {
    const all: StoredResult[] = [];
    for (let i = 0; i < 23; i++) {
      const start = i % 3 === 0 ? undefined : new Date(T0 + (i % 4) * 1000);
      const r = result(`r${i}`, i, {
        uid: `u${String((i * 7) % 23).padStart(2, "0")}`,
        createTime: new Date(T0 + (i % 5) * 1000),
        summary:
          i % 5 === 0
            ? undefined
            : {
                record: "",
                type: "",
                status: 1,
                annotations: {},
                ...(start ? { startTime: start } : {}),
              },
      });
      all.push(r);
      await store.createResult(r);
    }
    const orders: OrderTerm<ResultOrderField>[][] = [
      [{ field: "summary.start_time", direction: "asc" }],
      [{ field: "summary.start_time", direction: "desc" }],
      [
        { field: "summary.start_time", direction: "desc" },
        { field: "create_time", direction: "asc" },
      ],
      [
        { field: "create_time", direction: "asc" },
        { field: "summary.start_time", direction: "desc" },
      ],
    ];
    for (const orderBy of orders) {
      const expected = [...all].sort((a, b) => {
        for (const t of orderBy) {
          const f = (r: StoredResult) =>
            t.field === "create_time"
              ? r.createTime.getTime()
              : (r.summary?.startTime?.getTime() ?? null);
          const x = f(a);
          const y = f(b);
          if (x === y) continue;
          const sign = t.direction === "asc" ? 1 : -1;
          if (x === null) return -sign;
          if (y === null) return sign;
          return x < y ? -sign : sign;
        }
        const sign = orderBy[orderBy.length - 1]!.direction === "asc" ? 1 : -1;
        return a.uid < b.uid ? -sign : sign;
      });
      const seen: string[] = [];
      let after: Cursor | undefined;
      for (;;) {
        const page = await store.listResults({
          parent: "ns",
          orderBy,
          pageSize: 4,
          ...(after ? { after } : {}),
        });
        seen.push(...page.items.map((r) => r.name));
        if (page.next === undefined) break;
        expect(page.items).toHaveLength(4);
        after = page.next;
      }
      expect(seen, JSON.stringify(orderBy)).toEqual(expected.map((r) => r.name));
    }
  });

  it("returns next only when more rows exist", async () => {
    await store.createResult(result("a", 1));
    await store.createResult(result("b", 2));
    const orderBy: OrderTerm<ResultOrderField>[] = [{ field: "create_time", direction: "asc" }];
    expect((await store.listResults({ orderBy, pageSize: 2 })).next).toBeUndefined();
    const first = await store.listResults({ orderBy, pageSize: 1 });
    expect(first.next).toEqual({ values: [T0 + 1000], uid: "uid-0001" });
  });

  it("filters lists in the database across parents and results", async () => {
    await store.createResult(result("a", 1));
    await store.createResult(result("b", 2, { parent: "other" }));
    await store.createRecord(record("a", "x", 1, { data: '{"status":{"reason":"Succeeded"}}' }));
    await store.createRecord(record("a", "y", 2, { data: '{"status":{"reason":"Failed"}}' }));
    await store.createRecord(
      record("b", "z", 3, { parent: "other", data: '{"status":{"reason":"Succeeded"}}' }),
    );
    const filter: FilterExpr = {
      kind: "compare",
      type: "bool",
      op: "==",
      left: { kind: "json", type: "dyn", root: { column: "data" }, path: ["status", "reason"] },
      right: { kind: "const", type: "string", value: "Succeeded" },
    };
    const page = await store.listRecords({
      filter,
      orderBy: [{ field: "create_time", direction: "desc" }],
      pageSize: 10,
    });
    expect(page.items.map((r) => r.name)).toEqual(["z", "x"]);
    const scoped = await store.listRecords({
      parent: "ns",
      resultName: "a",
      orderBy: [{ field: "update_time", direction: "asc" }],
      pageSize: 10,
    });
    expect(scoped.items.map((r) => r.name)).toEqual(["x", "y"]);
  });

  it("rejects a cursor that does not fit the order", async () => {
    const err = await rejection(
      store.listResults({
        orderBy: [{ field: "create_time", direction: "asc" }],
        pageSize: 1,
        after: { values: [1, 2], uid: "x" },
      }),
    );
    expect(err.code).toBe("invalid_argument");
  });
});

describe("query plans", () => {
  async function plan(sql: string, bindings: unknown[]): Promise<string> {
    const rows = (await store.knex.raw(`EXPLAIN QUERY PLAN ${sql}`, bindings as never)) as {
      detail: string;
    }[];
    return rows.map((r) => r.detail).join("\n");
  }

  async function listPlan(kind: "results" | "records", after: boolean): Promise<string> {
    const captured: { sql: string; bindings: unknown[] }[] = [];
    const listener = (q: { sql: string; bindings: unknown[] }) => captured.push(q);
    store.knex.on("query", listener);
    try {
      const orderBy = [{ field: "create_time" as const, direction: "desc" as const }];
      const cursor = after ? { after: { values: [T0], uid: "u" } } : {};
      if (kind === "results")
        await store.listResults({ parent: "ns", orderBy, pageSize: 10, ...cursor });
      else
        await store.listRecords({
          parent: "ns",
          resultName: "a",
          orderBy,
          pageSize: 10,
          ...cursor,
        });
    } finally {
      store.knex.off("query", listener);
    }
    const q = captured.find((c) => c.sql.startsWith("select"))!;
    return plan(q.sql, q.bindings);
  }

  it("serves a parent-scoped ListResults by create_time desc from an index, without sorting", async () => {
    for (const after of [false, true]) {
      const text = await listPlan("results", after);
      expect(text).toMatch(/USING (COVERING )?INDEX results_parent_create_time/);
      expect(text).not.toMatch(/TEMP B-TREE/);
    }
  });

  it("serves a result-scoped ListRecords by create_time desc from an index, without sorting", async () => {
    for (const after of [false, true]) {
      const text = await listPlan("records", after);
      expect(text).toMatch(/USING (COVERING )?INDEX records_result_create_time/);
      expect(text).not.toMatch(/TEMP B-TREE/);
    }
  });
});
