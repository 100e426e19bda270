import { describe, expect, it } from "vitest";
import { StorageError, type FilterExpr, type ResultsStore } from "@tekton-results/storage";
import { createMemoryStore } from "./memory-store.js";
import { at, makeRecord, makeResult, makeSummary } from "./suite-support.js";

async function rejection(p: Promise<unknown>): Promise<StorageError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(StorageError);
    return err as StorageError;
  }
  throw new Error("expected a rejection");
}

async function seeded(): Promise<ResultsStore> {
  const store = createMemoryStore();
  await store.createResult(
    makeResult("ns-a", "res", {
      annotations: { a: "1" },
      summary: makeSummary({ startTime: at(1), annotations: { s: "1" } }),
      createTime: at(0),
    }),
  );
  await store.createRecord(
    makeRecord("ns-a", "res", "rec", { data: '{"v":1}', createTime: at(0) }),
  );
  return store;
}

describe("createMemoryStore", () => {
  it("advertises regex filters and record list summaries", () => {
    const store = createMemoryStore();
    expect(typeof store.summarizeRecords).toBe("function");
    expect(store.capabilities).toEqual({
      recordListSummary: true,
      regexFilters: true,
    });
  });

  it("is not changed by mutating a result passed to createResult", async () => {
    const store = createMemoryStore();
    const input = makeResult("ns-a", "res", {
      annotations: { a: "1" },
      summary: makeSummary({ startTime: at(1) }),
    });
    await store.createResult(input);
    input.annotations["a"] = "changed";
    input.createTime.setTime(0);
    input.summary!.startTime!.setTime(0);
    input.summary!.annotations["x"] = "y";
    const got = await store.getResult("ns-a", "res");
    expect(got.annotations).toEqual({ a: "1" });
    expect(got.createTime.getTime()).toBe(at(0).getTime());
    expect(got.summary?.startTime?.getTime()).toBe(at(1).getTime());
    expect(got.summary?.annotations).toEqual({});
  });

  it("is not changed by mutating values it returned", async () => {
    const store = await seeded();
    const created = await store.getResult("ns-a", "res");
    created.annotations["a"] = "changed";
    created.summary!.annotations["s"] = "changed";
    created.updateTime.setTime(0);
    const listed = await store.listResults({
      orderBy: [{ field: "create_time", direction: "asc" }],
      pageSize: 10,
    });
    listed.items[0]!.annotations["a"] = "listed";
    const record = await store.getRecord("ns-a", "res", "rec");
    record.createTime.setTime(0);
    const records = await store.listRecords({
      orderBy: [{ field: "create_time", direction: "asc" }],
      pageSize: 10,
    });
    records.items[0]!.updateTime.setTime(0);

    const again = await store.getResult("ns-a", "res");
    expect(again.annotations).toEqual({ a: "1" });
    expect(again.summary?.annotations).toEqual({ s: "1" });
    expect(again.updateTime.getTime()).toBe(at(0).getTime());
    const recAgain = await store.getRecord("ns-a", "res", "rec");
    expect(recAgain.createTime.getTime()).toBe(at(0).getTime());
    expect(recAgain.updateTime.getTime()).toBe(at(0).getTime());
  });

  it("is not changed by mutating an update after it was applied", async () => {
    const store = await seeded();
    const update = {
      parent: "ns-a",
      name: "res",
      annotations: { b: "2" },
      summary: makeSummary({ endTime: at(5) }),
      updateTime: at(5),
      etag: "e2",
    };
    const returned = await store.updateResult(update);
    update.annotations["b"] = "changed";
    update.summary.endTime!.setTime(0);
    returned.annotations["b"] = "returned";
    const got = await store.getResult("ns-a", "res");
    expect(got.annotations).toEqual({ b: "2" });
    expect(got.summary?.endTime?.getTime()).toBe(at(5).getTime());
  });

  it("keeps only the model's fields", async () => {
    const store = createMemoryStore();
    const input = { ...makeResult("ns-a", "res"), extra: "not stored" };
    const created = await store.createResult(input);
    expect(Object.keys(created).sort()).toEqual([
      "annotations",
      "createTime",
      "etag",
      "name",
      "parent",
      "uid",
      "updateTime",
    ]);
    expect("summary" in (await store.getResult("ns-a", "res"))).toBe(false);
  });

  it("keeps annotation keys that are special in JavaScript as plain keys", async () => {
    const store = createMemoryStore();
    const annotations = JSON.parse('{"__proto__":"p","constructor":"c"}') as Record<string, string>;
    await store.createResult(makeResult("ns-a", "res", { annotations }));
    const got = await store.getResult("ns-a", "res");
    expect(Object.keys(got.annotations).sort()).toEqual(["__proto__", "constructor"]);
    expect(Object.getOwnPropertyDescriptor(got.annotations, "__proto__")?.value).toBe("p");
  });

  it("frees the uids of deleted items", async () => {
    const store = await seeded();
    const { uid: resultUid } = await store.getResult("ns-a", "res");
    const { uid: recordUid } = await store.getRecord("ns-a", "res", "rec");
    await store.deleteResult("ns-a", "res");
    await store.createResult(makeResult("ns-b", "other", { uid: resultUid }));
    await store.createRecord(makeRecord("ns-b", "other", "rec", { uid: recordUid }));
    expect((await store.getRecord("ns-b", "other", "rec")).uid).toBe(recordUid);
  });

  it("applies a filter to lists", async () => {
    const store = await seeded();
    await store.createResult(makeResult("ns-b", "res", { createTime: at(1) }));
    const parentIs = (value: string): FilterExpr => ({
      kind: "compare",
      type: "bool",
      op: "==",
      left: { kind: "column", type: "string", column: "parent" },
      right: { kind: "const", type: "string", value },
    });
    const orderBy = [{ field: "create_time", direction: "asc" }] as const;
    const page = await store.listResults({
      filter: parentIs("ns-b"),
      orderBy: [...orderBy],
      pageSize: 10,
    });
    expect(page.items.map((r) => `${r.parent}/${r.name}`)).toEqual(["ns-b/res"]);
    const recs = await store.listRecords({
      filter: parentIs("ns-b"),
      orderBy: [...orderBy],
      pageSize: 10,
    });
    expect(recs.items).toEqual([]);
  });

  it("rejects a query without order, a page size below 1 and a cursor of another order", async () => {
    const store = await seeded();
    const orderBy = [{ field: "create_time", direction: "asc" }] as const;
    expect((await rejection(store.listResults({ orderBy: [], pageSize: 1 }))).code).toBe(
      "invalid_argument",
    );
    expect((await rejection(store.listRecords({ orderBy: [...orderBy], pageSize: 0 }))).code).toBe(
      "invalid_argument",
    );
    expect(
      (await rejection(store.listResults({ orderBy: [...orderBy], pageSize: 1.5 }))).code,
    ).toBe("invalid_argument");
    const after = { values: [1, 2], uid: "x" };
    expect(
      (await rejection(store.listRecords({ orderBy: [...orderBy], pageSize: 1, after }))).code,
    ).toBe("invalid_argument");
  });

  it("rejects every operation with unavailable after close, and close twice is fine", async () => {
    const store = await seeded();
    await store.close();
    await store.close();
    const orderBy = [{ field: "create_time", direction: "asc" }] as const;
    const ops: Promise<unknown>[] = [
      store.createResult(makeResult("ns-a", "new")),
      store.getResult("ns-a", "res"),
      store.updateResult({
        parent: "ns-a",
        name: "res",
        annotations: {},
        summary: undefined,
        updateTime: at(1),
        etag: "e",
      }),
      store.deleteResult("ns-a", "res"),
      store.listResults({ orderBy: [...orderBy], pageSize: 1 }),
      store.createRecord(makeRecord("ns-a", "res", "new")),
      store.getRecord("ns-a", "res", "rec"),
      store.updateRecord({
        parent: "ns-a",
        resultName: "res",
        name: "rec",
        type: "t",
        data: "{}",
        updateTime: at(1),
        etag: "e",
      }),
      store.deleteRecord("ns-a", "res", "rec"),
      store.listRecords({ orderBy: [...orderBy], pageSize: 1 }),
    ];
    for (const op of ops) expect((await rejection(op)).code).toBe("unavailable");
  });

  it("keeps separate stores apart", async () => {
    const a = await seeded();
    const b = createMemoryStore();
    expect(
      (await b.listResults({ orderBy: [{ field: "create_time", direction: "asc" }], pageSize: 10 }))
        .items,
    ).toEqual([]);
    await a.close();
    await b.createResult(makeResult("ns-a", "res"));
    expect((await b.getResult("ns-a", "res")).name).toBe("res");
  });
});
