/**
 * Conformance of the single-item operations: create, get, update and delete of
 * Results and Records, their error codes, the cascade of a Result's deletion
 * and the atomic etag compare-and-write.
 *
 * @module
 */
import { describe, expect, it } from "vitest";
import {
  StorageError,
  type RecordUpdate,
  type ResultUpdate,
  type ResultsStore,
} from "@tekton-results/storage";
import {
  at,
  etagOf,
  expectRejectsWith,
  expectStorageError,
  makeRecord,
  makeResult,
  makeSummary,
  useFreshStore,
  type StoreConformanceOptions,
} from "./suite-support.js";

/** Record data that a store which re-serializes JSON would change. */
const TRICKY_DATA =
  '{ "z": 1,\n\t"a" : "ünïcödé 🚀 \\u00e9 \\/ \\"q\\"",  "n": 1.50, "e": 1E2, "neg": -0.0,' +
  ' "nested": {"b": [ 1 , 2 ], "a": null},\r\n "empty": {}, "s": "\\t tab and  two spaces" }  \n';

/** All records of the store (any parent, any result), in creation order. */
async function allRecords(store: ResultsStore) {
  const page = await store.listRecords({
    orderBy: [{ field: "create_time", direction: "asc" }],
    pageSize: 10_000,
  });
  return page.items;
}

/** Declare the CRUD, error-code, cascade and concurrency tests. */
export function runCrudConformance(options: StoreConformanceOptions): void {
  describe("results: create, get, update, delete", () => {
    const store = useFreshStore(options);

    it("returns a created result exactly as written, from create and from get", async () => {
      const input = makeResult("ns-a", "build-1", {
        annotations: {
          "tekton.dev/pipeline": "build",
          ключ: "значение ✓",
          "": "empty key",
          spaces: "  a  b  ",
        },
        summary: makeSummary({
          record: "ns-a/results/build-1/records/build-1",
          type: "tekton.dev/v1.PipelineRun",
          status: 2,
          startTime: new Date("2024-02-29T23:59:59.999Z"),
          endTime: new Date("2024-03-01T00:00:01.001Z"),
          annotations: { "results.tekton.dev/x": "y", emoji: "🚀" },
        }),
        createTime: new Date("2024-02-29T23:59:58.123Z"),
        updateTime: new Date("2024-02-29T23:59:59.456Z"),
      });
      const created = await store().createResult(input);
      expect(created).toEqual(input);
      const got = await store().getResult("ns-a", "build-1");
      expect(got).toEqual(input);
      expect(got.createTime).toBeInstanceOf(Date);
      expect(got.createTime.getTime()).toBe(Date.parse("2024-02-29T23:59:58.123Z"));
      expect(got.updateTime.getTime()).toBe(Date.parse("2024-02-29T23:59:59.456Z"));
      expect(got.summary?.startTime?.getTime()).toBe(Date.parse("2024-02-29T23:59:59.999Z"));
      expect(got.summary?.endTime?.getTime()).toBe(Date.parse("2024-03-01T00:00:01.001Z"));
      expect(got.etag).toBe(input.etag);
      expect(got.uid).toBe(input.uid);
    });

    it("keeps a result without summary without summary", async () => {
      const input = makeResult("ns-a", "plain", { annotations: {} });
      await store().createResult(input);
      const got = await store().getResult("ns-a", "plain");
      expect(got).toEqual(input);
      expect(got.summary).toBeUndefined();
      expect(got.annotations).toEqual({});
    });

    it("keeps a summary without times without times", async () => {
      const summary = makeSummary({ status: 0, annotations: {} });
      const input = makeResult("ns-a", "untimed", { summary });
      await store().createResult(input);
      const got = await store().getResult("ns-a", "untimed");
      expect(got).toEqual(input);
      expect(got.summary).toBeDefined();
      expect(got.summary?.startTime).toBeUndefined();
      expect(got.summary?.endTime).toBeUndefined();
      expect(got.summary?.status).toBe(0);
    });

    it("keeps every summary status", async () => {
      for (const status of [0, 1, 2, 3, 4] as const) {
        await store().createResult(
          makeResult("ns-a", `status-${status}`, { summary: makeSummary({ status }) }),
        );
      }
      for (const status of [0, 1, 2, 3, 4] as const) {
        expect((await store().getResult("ns-a", `status-${status}`)).summary?.status).toBe(status);
      }
    });

    it("keeps a summary with only a start time", async () => {
      const input = makeResult("ns-a", "running", {
        summary: makeSummary({ startTime: at(12.345) }),
      });
      await store().createResult(input);
      const got = await store().getResult("ns-a", "running");
      expect(got.summary?.startTime?.getTime()).toBe(at(12.345).getTime());
      expect(got.summary?.endTime).toBeUndefined();
    });

    it("gets a result by parent and name only", async () => {
      const a = makeResult("ns-a", "same");
      const b = makeResult("ns-b", "same", { annotations: { which: "b" } });
      await store().createResult(a);
      await store().createResult(b);
      expect(await store().getResult("ns-a", "same")).toEqual(a);
      expect(await store().getResult("ns-b", "same")).toEqual(b);
    });

    it("updates annotations, summary, update time and etag and nothing else", async () => {
      const input = makeResult("ns-a", "r", {
        annotations: { keep: "no", old: "1" },
        summary: makeSummary({ startTime: at(1) }),
        createTime: at(0),
      });
      await store().createResult(input);
      const update: ResultUpdate = {
        parent: "ns-a",
        name: "r",
        annotations: { new: "2" },
        summary: makeSummary({
          status: 3,
          startTime: at(1),
          endTime: at(9.999),
          annotations: { a: "b" },
        }),
        updateTime: at(10.001),
        etag: etagOf(input.uid, at(10.001)),
      };
      const updated = await store().updateResult(update);
      const expected = {
        ...input,
        annotations: update.annotations,
        summary: update.summary,
        updateTime: update.updateTime,
        etag: update.etag,
      };
      expect(updated).toEqual(expected);
      expect(await store().getResult("ns-a", "r")).toEqual(expected);
    });

    it("removes the summary when an update has none", async () => {
      const input = makeResult("ns-a", "r", { summary: makeSummary({ startTime: at(1) }) });
      await store().createResult(input);
      const updated = await store().updateResult({
        parent: "ns-a",
        name: "r",
        annotations: input.annotations,
        summary: undefined,
        updateTime: at(5),
        etag: "e2",
      });
      expect(updated.summary).toBeUndefined();
      expect((await store().getResult("ns-a", "r")).summary).toBeUndefined();
    });

    it("accepts an update whose expectEtag matches and changes the etag", async () => {
      const input = makeResult("ns-a", "r");
      await store().createResult(input);
      const first = await store().updateResult(
        {
          parent: "ns-a",
          name: "r",
          annotations: { v: "1" },
          summary: undefined,
          updateTime: at(1),
          etag: "etag-1",
        },
        { expectEtag: input.etag },
      );
      expect(first.etag).toBe("etag-1");
      const second = await store().updateResult(
        {
          parent: "ns-a",
          name: "r",
          annotations: { v: "2" },
          summary: undefined,
          updateTime: at(2),
          etag: "etag-2",
        },
        { expectEtag: "etag-1" },
      );
      expect(second.annotations).toEqual({ v: "2" });
      expect((await store().getResult("ns-a", "r")).etag).toBe("etag-2");
    });

    it("lets the last write win when updates carry no expectEtag", async () => {
      const input = makeResult("ns-a", "r");
      await store().createResult(input);
      await store().updateResult({
        parent: "ns-a",
        name: "r",
        annotations: { v: "1" },
        summary: undefined,
        updateTime: at(1),
        etag: "e1",
      });
      await store().updateResult({
        parent: "ns-a",
        name: "r",
        annotations: { v: "2" },
        summary: undefined,
        updateTime: at(2),
        etag: "e2",
      });
      const got = await store().getResult("ns-a", "r");
      expect(got.annotations).toEqual({ v: "2" });
      expect(got.etag).toBe("e2");
      expect(got.updateTime.getTime()).toBe(at(2).getTime());
    });

    it("deletes a result", async () => {
      await store().createResult(makeResult("ns-a", "gone"));
      const kept = makeResult("ns-a", "kept");
      await store().createResult(kept);
      await store().deleteResult("ns-a", "gone");
      await expectRejectsWith(store().getResult("ns-a", "gone"), "not_found");
      expect(await store().getResult("ns-a", "kept")).toEqual(kept);
    });

    it("allows a deleted result's name to be created again", async () => {
      await store().createResult(makeResult("ns-a", "again"));
      await store().deleteResult("ns-a", "again");
      const second = makeResult("ns-a", "again", { annotations: { round: "2" } });
      await store().createResult(second);
      expect(await store().getResult("ns-a", "again")).toEqual(second);
    });
  });

  describe("results: error codes", () => {
    const store = useFreshStore(options);

    it("get, update and delete of a missing result are not_found", async () => {
      await store().createResult(makeResult("ns-a", "exists"));
      await expectRejectsWith(store().getResult("ns-a", "missing"), "not_found");
      await expectRejectsWith(store().getResult("ns-b", "exists"), "not_found");
      await expectRejectsWith(
        store().updateResult({
          parent: "ns-a",
          name: "missing",
          annotations: {},
          summary: undefined,
          updateTime: at(1),
          etag: "e",
        }),
        "not_found",
      );
      await expectRejectsWith(
        store().updateResult(
          {
            parent: "ns-b",
            name: "exists",
            annotations: {},
            summary: undefined,
            updateTime: at(1),
            etag: "e",
          },
          { expectEtag: "whatever" },
        ),
        "not_found",
      );
      await expectRejectsWith(store().deleteResult("ns-a", "missing"), "not_found");
      await expectRejectsWith(store().deleteResult("ns-b", "exists"), "not_found");
    });

    it("a second delete is not_found", async () => {
      await store().createResult(makeResult("ns-a", "r"));
      await store().deleteResult("ns-a", "r");
      await expectRejectsWith(store().deleteResult("ns-a", "r"), "not_found");
    });

    it("a duplicate (parent, name) is already_exists and leaves the first untouched", async () => {
      const first = makeResult("ns-a", "dup", { annotations: { first: "yes" } });
      await store().createResult(first);
      await expectRejectsWith(
        store().createResult(makeResult("ns-a", "dup", { annotations: { second: "yes" } })),
        "already_exists",
      );
      expect(await store().getResult("ns-a", "dup")).toEqual(first);
    });

    it("the same name under another parent is fine", async () => {
      await store().createResult(makeResult("ns-a", "dup"));
      const other = makeResult("ns-b", "dup");
      expect(await store().createResult(other)).toEqual(other);
      expect(await store().getResult("ns-b", "dup")).toEqual(other);
    });

    it("a duplicate uid is already_exists, even under another parent and name", async () => {
      const first = makeResult("ns-a", "one");
      await store().createResult(first);
      await expectRejectsWith(
        store().createResult(makeResult("ns-b", "two", { uid: first.uid })),
        "already_exists",
      );
      await expectRejectsWith(store().getResult("ns-b", "two"), "not_found");
    });

    it("an update with a wrong expectEtag is failed_precondition and changes nothing", async () => {
      const input = makeResult("ns-a", "r", {
        annotations: { v: "0" },
        summary: makeSummary({ startTime: at(1) }),
      });
      await store().createResult(input);
      await expectRejectsWith(
        store().updateResult(
          {
            parent: "ns-a",
            name: "r",
            annotations: { v: "1" },
            summary: undefined,
            updateTime: at(9),
            etag: "new",
          },
          { expectEtag: `${input.etag}-stale` },
        ),
        "failed_precondition",
      );
      expect(await store().getResult("ns-a", "r")).toEqual(input);
    });

    it("an update expecting a superseded etag is failed_precondition", async () => {
      const input = makeResult("ns-a", "r");
      await store().createResult(input);
      await store().updateResult({
        parent: "ns-a",
        name: "r",
        annotations: { v: "1" },
        summary: undefined,
        updateTime: at(1),
        etag: "e1",
      });
      await expectRejectsWith(
        store().updateResult(
          {
            parent: "ns-a",
            name: "r",
            annotations: { v: "2" },
            summary: undefined,
            updateTime: at(2),
            etag: "e2",
          },
          { expectEtag: input.etag },
        ),
        "failed_precondition",
      );
      expect((await store().getResult("ns-a", "r")).annotations).toEqual({ v: "1" });
    });
  });

  describe("records: create, get, update, delete", () => {
    const store = useFreshStore(options);

    it("returns a created record exactly as written, data byte for byte", async () => {
      await store().createResult(makeResult("ns-a", "res"));
      const input = makeRecord("ns-a", "res", "rec", {
        type: "tekton.dev/v1.TaskRun",
        data: TRICKY_DATA,
        createTime: new Date("2024-02-29T23:59:59.999Z"),
        updateTime: new Date("2024-03-01T00:00:00.001Z"),
      });
      const created = await store().createRecord(input);
      expect(created).toEqual(input);
      const got = await store().getRecord("ns-a", "res", "rec");
      expect(got).toEqual(input);
      expect(got.data).toBe(TRICKY_DATA);
      expect(got.data.length).toBe(TRICKY_DATA.length);
      expect(got.createTime).toBeInstanceOf(Date);
      expect(got.createTime.getTime()).toBe(Date.parse("2024-02-29T23:59:59.999Z"));
      expect(got.updateTime.getTime()).toBe(Date.parse("2024-03-01T00:00:00.001Z"));
    });

    it("keeps large data and a 768-character type intact", async () => {
      await store().createResult(makeResult("ns-a", "res"));
      const items = Array.from({ length: 4000 }, (_, i) => ({
        i,
        line: `step ${i}: ${"é🚀x".repeat(8)}`,
      }));
      const data = JSON.stringify({ kind: "TaskRun", items }, null, 1);
      const type = `t.example/${"a".repeat(768 - "t.example/".length)}`;
      expect(type.length).toBe(768);
      const input = makeRecord("ns-a", "res", "big", { type, data });
      await store().createRecord(input);
      const got = await store().getRecord("ns-a", "res", "big");
      expect(got.type).toBe(type);
      expect(got.data).toBe(data);
    });

    it("keeps JSON scalars and arrays as data", async () => {
      await store().createResult(makeResult("ns-a", "res"));
      const values = ["[1, 2 ,3]", '"just a string"', "42", "null", "true", "[]"];
      for (const [i, data] of values.entries()) {
        await store().createRecord(makeRecord("ns-a", "res", `v${i}`, { data }));
      }
      for (const [i, data] of values.entries()) {
        expect((await store().getRecord("ns-a", "res", `v${i}`)).data).toBe(data);
      }
    });

    it("gets a record by parent, result and name only", async () => {
      await store().createResult(makeResult("ns-a", "res"));
      await store().createResult(makeResult("ns-a", "other"));
      await store().createResult(makeResult("ns-b", "res"));
      const a = makeRecord("ns-a", "res", "rec", { data: '{"a":1}' });
      const b = makeRecord("ns-a", "other", "rec", { data: '{"b":1}' });
      const c = makeRecord("ns-b", "res", "rec", { data: '{"c":1}' });
      for (const r of [a, b, c]) await store().createRecord(r);
      expect(await store().getRecord("ns-a", "res", "rec")).toEqual(a);
      expect(await store().getRecord("ns-a", "other", "rec")).toEqual(b);
      expect(await store().getRecord("ns-b", "res", "rec")).toEqual(c);
    });

    it("updates type, data, update time and etag and nothing else", async () => {
      await store().createResult(makeResult("ns-a", "res"));
      const input = makeRecord("ns-a", "res", "rec", { createTime: at(1), data: '{"v":0}' });
      await store().createRecord(input);
      const update: RecordUpdate = {
        parent: "ns-a",
        resultName: "res",
        name: "rec",
        type: "tekton.dev/v1.PipelineRun",
        data: TRICKY_DATA,
        updateTime: at(2.5),
        etag: etagOf(input.uid, at(2.5)),
      };
      const updated = await store().updateRecord(update, { expectEtag: input.etag });
      const expected = {
        ...input,
        type: update.type,
        data: update.data,
        updateTime: update.updateTime,
        etag: update.etag,
      };
      expect(updated).toEqual(expected);
      expect(await store().getRecord("ns-a", "res", "rec")).toEqual(expected);
    });

    it("lets the last write win when updates carry no expectEtag", async () => {
      await store().createResult(makeResult("ns-a", "res"));
      await store().createRecord(makeRecord("ns-a", "res", "rec"));
      const base = { parent: "ns-a", resultName: "res", name: "rec", type: "t" };
      await store().updateRecord({ ...base, data: '{"v":1}', updateTime: at(1), etag: "e1" });
      await store().updateRecord({ ...base, data: '{"v":2}', updateTime: at(2), etag: "e2" });
      const got = await store().getRecord("ns-a", "res", "rec");
      expect(got.data).toBe('{"v":2}');
      expect(got.etag).toBe("e2");
      expect(got.updateTime.getTime()).toBe(at(2).getTime());
    });

    it("deletes a record and leaves its siblings and its result", async () => {
      const result = makeResult("ns-a", "res");
      await store().createResult(result);
      await store().createRecord(makeRecord("ns-a", "res", "gone"));
      const kept = makeRecord("ns-a", "res", "kept");
      await store().createRecord(kept);
      await store().deleteRecord("ns-a", "res", "gone");
      await expectRejectsWith(store().getRecord("ns-a", "res", "gone"), "not_found");
      expect(await store().getRecord("ns-a", "res", "kept")).toEqual(kept);
      expect(await store().getResult("ns-a", "res")).toEqual(result);
    });
  });

  describe("records: error codes", () => {
    const store = useFreshStore(options);

    it("creating a record under a missing result is not_found", async () => {
      await store().createResult(makeResult("ns-b", "res"));
      await expectRejectsWith(store().createRecord(makeRecord("ns-a", "res", "rec")), "not_found");
      await expectRejectsWith(store().createRecord(makeRecord("ns-b", "nope", "rec")), "not_found");
      expect(await allRecords(store())).toEqual([]);
    });

    it("get, update and delete of a missing record are not_found", async () => {
      await store().createResult(makeResult("ns-a", "res"));
      await store().createRecord(makeRecord("ns-a", "res", "rec"));
      await expectRejectsWith(store().getRecord("ns-a", "res", "missing"), "not_found");
      await expectRejectsWith(store().getRecord("ns-a", "other", "rec"), "not_found");
      await expectRejectsWith(store().getRecord("ns-b", "res", "rec"), "not_found");
      const update = {
        parent: "ns-a",
        resultName: "res",
        name: "missing",
        type: "t",
        data: "{}",
        updateTime: at(1),
        etag: "e",
      };
      await expectRejectsWith(store().updateRecord(update), "not_found");
      await expectRejectsWith(
        store().updateRecord({ ...update, resultName: "other", name: "rec" }, { expectEtag: "x" }),
        "not_found",
      );
      await expectRejectsWith(store().deleteRecord("ns-a", "res", "missing"), "not_found");
      await expectRejectsWith(store().deleteRecord("ns-a", "other", "rec"), "not_found");
    });

    it("a second delete is not_found", async () => {
      await store().createResult(makeResult("ns-a", "res"));
      await store().createRecord(makeRecord("ns-a", "res", "rec"));
      await store().deleteRecord("ns-a", "res", "rec");
      await expectRejectsWith(store().deleteRecord("ns-a", "res", "rec"), "not_found");
    });

    it("a duplicate (parent, result, name) is already_exists and leaves the first untouched", async () => {
      await store().createResult(makeResult("ns-a", "res"));
      const first = makeRecord("ns-a", "res", "dup", { data: '{"first":true}' });
      await store().createRecord(first);
      await expectRejectsWith(
        store().createRecord(makeRecord("ns-a", "res", "dup", { data: '{"second":true}' })),
        "already_exists",
      );
      expect(await store().getRecord("ns-a", "res", "dup")).toEqual(first);
    });

    it("the same name under another result or parent is fine", async () => {
      await store().createResult(makeResult("ns-a", "res"));
      await store().createResult(makeResult("ns-a", "res2"));
      await store().createResult(makeResult("ns-b", "res"));
      await store().createRecord(makeRecord("ns-a", "res", "dup"));
      const b = makeRecord("ns-a", "res2", "dup");
      const c = makeRecord("ns-b", "res", "dup");
      expect(await store().createRecord(b)).toEqual(b);
      expect(await store().createRecord(c)).toEqual(c);
    });

    it("a duplicate uid is already_exists, even under another result", async () => {
      await store().createResult(makeResult("ns-a", "res"));
      await store().createResult(makeResult("ns-b", "res2"));
      const first = makeRecord("ns-a", "res", "one");
      await store().createRecord(first);
      await expectRejectsWith(
        store().createRecord(makeRecord("ns-b", "res2", "two", { uid: first.uid })),
        "already_exists",
      );
      await expectRejectsWith(store().getRecord("ns-b", "res2", "two"), "not_found");
    });

    it("an update with a wrong expectEtag is failed_precondition and changes nothing", async () => {
      await store().createResult(makeResult("ns-a", "res"));
      const input = makeRecord("ns-a", "res", "rec", { data: '{"v":0}' });
      await store().createRecord(input);
      await expectRejectsWith(
        store().updateRecord(
          {
            parent: "ns-a",
            resultName: "res",
            name: "rec",
            type: "x",
            data: '{"v":1}',
            updateTime: at(9),
            etag: "new",
          },
          { expectEtag: "not-the-etag" },
        ),
        "failed_precondition",
      );
      expect(await store().getRecord("ns-a", "res", "rec")).toEqual(input);
    });
  });

  describe("cascade", () => {
    const store = useFreshStore(options);

    it("deleting a result deletes its records and nothing else", async () => {
      for (const [parent, name] of [
        ["ns-a", "res"],
        ["ns-a", "other"],
        ["ns-b", "res"],
      ] as const) {
        await store().createResult(makeResult(parent, name));
      }
      const doomed = [
        makeRecord("ns-a", "res", "r1", { createTime: at(1) }),
        makeRecord("ns-a", "res", "r2", { createTime: at(2) }),
      ];
      const survivors = [
        makeRecord("ns-a", "other", "r1", { createTime: at(3) }),
        makeRecord("ns-b", "res", "r1", { createTime: at(4) }),
        makeRecord("ns-b", "res", "r2", { createTime: at(5) }),
      ];
      for (const r of [...doomed, ...survivors]) await store().createRecord(r);

      await store().deleteResult("ns-a", "res");

      await expectRejectsWith(store().getRecord("ns-a", "res", "r1"), "not_found");
      await expectRejectsWith(store().getRecord("ns-a", "res", "r2"), "not_found");
      expect((await allRecords(store())).map((r) => r.uid)).toEqual(survivors.map((r) => r.uid));
      const scoped = await store().listRecords({
        parent: "ns-a",
        resultName: "res",
        orderBy: [{ field: "create_time", direction: "asc" }],
        pageSize: 100,
      });
      expect(scoped.items).toEqual([]);
      for (const r of survivors)
        expect(await store().getRecord(r.parent, r.resultName, r.name)).toEqual(r);
    });

    it("a result created again under a deleted name has no records", async () => {
      await store().createResult(makeResult("ns-a", "res"));
      await store().createRecord(makeRecord("ns-a", "res", "old"));
      await store().deleteResult("ns-a", "res");
      await store().createResult(makeResult("ns-a", "res"));
      await expectRejectsWith(store().getRecord("ns-a", "res", "old"), "not_found");
      const page = await store().listRecords({
        parent: "ns-a",
        resultName: "res",
        orderBy: [{ field: "create_time", direction: "asc" }],
        pageSize: 100,
      });
      expect(page.items).toEqual([]);
      expect(page.next).toBeUndefined();
      const fresh = makeRecord("ns-a", "res", "old", { data: '{"fresh":1}' });
      expect(await store().createRecord(fresh)).toEqual(fresh);
    });
  });

  describe("atomic compare-and-write under concurrency", () => {
    const store = useFreshStore(options);
    const N = 8;

    it(`of ${N} concurrent result updates expecting the same etag exactly one wins`, async () => {
      const input = makeResult("ns-a", "race", { annotations: { v: "start" } });
      await store().createResult(input);
      const updates: ResultUpdate[] = Array.from({ length: N }, (_, i) => ({
        parent: "ns-a",
        name: "race",
        annotations: { v: `writer-${i}` },
        summary: makeSummary({ status: 1, startTime: at(i), annotations: { writer: String(i) } }),
        updateTime: at(100 + i),
        etag: `etag-writer-${i}`,
      }));
      const settled = await Promise.allSettled(
        updates.map((u) => store().updateResult(u, { expectEtag: input.etag })),
      );
      const winners = settled.flatMap((s, i) => (s.status === "fulfilled" ? [i] : []));
      expect(winners).toHaveLength(1);
      for (const s of settled)
        if (s.status === "rejected") expectStorageError(s.reason, "failed_precondition");
      const w = winners[0]!;
      const expected = { ...input, ...updates[w]!, uid: input.uid, createTime: input.createTime };
      expect((settled[w] as PromiseFulfilledResult<unknown>).value).toEqual(expected);
      expect(await store().getResult("ns-a", "race")).toEqual(expected);
    });

    it(`of ${N} concurrent record updates expecting the same etag exactly one wins`, async () => {
      await store().createResult(makeResult("ns-a", "res"));
      const input = makeRecord("ns-a", "res", "race", { data: '{"v":"start"}' });
      await store().createRecord(input);
      const updates: RecordUpdate[] = Array.from({ length: N }, (_, i) => ({
        parent: "ns-a",
        resultName: "res",
        name: "race",
        type: `type-${i}`,
        data: `{"v":"writer-${i}"}`,
        updateTime: at(100 + i),
        etag: `etag-writer-${i}`,
      }));
      const settled = await Promise.allSettled(
        updates.map((u) => store().updateRecord(u, { expectEtag: input.etag })),
      );
      const winners = settled.flatMap((s, i) => (s.status === "fulfilled" ? [i] : []));
      expect(winners).toHaveLength(1);
      for (const s of settled)
        if (s.status === "rejected") expectStorageError(s.reason, "failed_precondition");
      const w = winners[0]!;
      const expected = { ...input, ...updates[w]!, uid: input.uid, createTime: input.createTime };
      expect((settled[w] as PromiseFulfilledResult<unknown>).value).toEqual(expected);
      expect(await store().getRecord("ns-a", "res", "race")).toEqual(expected);
    });

    it(`of ${N} concurrent creates of the same result exactly one wins`, async () => {
      const inputs = Array.from({ length: N }, (_, i) =>
        makeResult("ns-a", "same", { annotations: { writer: String(i) } }),
      );
      const settled = await Promise.allSettled(inputs.map((r) => store().createResult(r)));
      const winners = settled.flatMap((s, i) => (s.status === "fulfilled" ? [i] : []));
      expect(winners).toHaveLength(1);
      for (const s of settled)
        if (s.status === "rejected") expectStorageError(s.reason, "already_exists");
      expect(await store().getResult("ns-a", "same")).toEqual(inputs[winners[0]!]);
    });

    it(`${N} concurrent updates without expectEtag all succeed and one of them is stored`, async () => {
      const input = makeResult("ns-a", "free");
      await store().createResult(input);
      const updates: ResultUpdate[] = Array.from({ length: N }, (_, i) => ({
        parent: "ns-a",
        name: "free",
        annotations: { v: `writer-${i}` },
        summary: undefined,
        updateTime: at(100 + i),
        etag: `etag-writer-${i}`,
      }));
      const settled = await Promise.allSettled(updates.map((u) => store().updateResult(u)));
      expect(settled.every((s) => s.status === "fulfilled")).toBe(true);
      const got = await store().getResult("ns-a", "free");
      const writer = updates.find((u) => u.etag === got.etag);
      expect(writer).toBeDefined();
      expect(got).toEqual({ ...input, ...writer });
    });
  });

  describe("errors", () => {
    const store = useFreshStore(options);

    it("are StorageError instances with the documented name", async () => {
      const err = await store()
        .getResult("ns-a", "missing")
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(err).toBeInstanceOf(StorageError);
      expect((err as StorageError).name).toBe("StorageError");
    });
  });
}
