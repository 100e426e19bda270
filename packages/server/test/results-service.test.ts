/**
 * The Results service over the real generated client: create, get, update
 * and delete of Results and Records, every validation, etags, update masks,
 * server-assigned and deprecated fields.
 */
import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { FieldMaskSchema, timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { RecordSummary_Status, type Record as ApiRecord, type Result } from "@tekton-results/proto";
import { StorageError, type ResultsStore } from "@tekton-results/storage";
import { createMemoryStore } from "@tekton-results/storage-conformance";
import { createHarness, errorOf, json, seqUid, T0, type Harness } from "./service-harness.js";

const NS = 1_000_000n;

function etagOf(uid: string, ms: number): string {
  return `${uid}-${BigInt(ms) * NS}`;
}

async function expectCode(
  promise: Promise<unknown>,
  code: Code,
  message?: string | RegExp,
): Promise<ConnectError> {
  const err = await errorOf(promise);
  expect(err).toBeInstanceOf(ConnectError);
  const ce = err as ConnectError;
  expect(Code[ce.code]).toBe(Code[code]);
  if (message !== undefined) {
    if (typeof message === "string") expect(ce.rawMessage).toBe(message);
    else expect(ce.rawMessage).toMatch(message);
  }
  return ce;
}

async function createResult(
  h: Harness,
  parent: string,
  name: string,
  annotations: { [k: string]: string } = {},
): Promise<Result> {
  return h.client.createResult({
    parent,
    result: { name: `${parent}/results/${name}`, annotations },
  });
}

async function createRecord(
  h: Harness,
  resultName: string,
  name: string,
  value: unknown = { kind: "TaskRun" },
  type = "tekton.dev/v1.TaskRun",
): Promise<ApiRecord> {
  return h.client.createRecord({
    parent: resultName,
    record: { name: `${resultName}/records/${name}`, data: { type, value: json(value) } },
  });
}

const validSummary = {
  record: "ns/results/r/records/pr",
  type: "tekton.dev/v1.PipelineRun",
  status: RecordSummary_Status.SUCCESS,
  startTime: timestampFromDate(new Date(T0 - 60_000)),
  endTime: timestampFromDate(new Date(T0 - 1_000)),
  annotations: { repo: "x" },
};

describe("CreateResult", () => {
  it("assigns uid, times and etag, and fills the deprecated fields", async () => {
    const h = createHarness();
    const r = await h.client.createResult({
      parent: "ns",
      result: { name: "ns/results/r", annotations: { a: "1" }, summary: validSummary },
    });
    expect(r.name).toBe("ns/results/r");
    expect(r.uid).toBe(seqUid(1));
    expect(r.id).toBe(r.uid);
    expect(timestampDate(r.createTime!).getTime()).toBe(T0);
    expect(timestampDate(r.updateTime!).getTime()).toBe(T0);
    expect(r.createdTime).toEqual(r.createTime);
    expect(r.updatedTime).toEqual(r.updateTime);
    expect(r.etag).toBe(etagOf(seqUid(1), T0));
    expect(r.etag).toBe(`${seqUid(1)}-1705312800000000000`);
    expect(r.annotations).toEqual({ a: "1" });
    expect(r.summary?.record).toBe(validSummary.record);
    expect(r.summary?.type).toBe(validSummary.type);
    expect(r.summary?.status).toBe(RecordSummary_Status.SUCCESS);
    expect(timestampDate(r.summary!.startTime!).getTime()).toBe(T0 - 60_000);
    expect(timestampDate(r.summary!.endTime!).getTime()).toBe(T0 - 1_000);
    expect(r.summary?.annotations).toEqual({ repo: "x" });
    const got = await h.client.getResult({ name: "ns/results/r" });
    expect(got).toEqual(r);
  });

  it("ignores OUTPUT_ONLY fields sent by the client", async () => {
    const h = createHarness();
    const bogus = timestampFromDate(new Date(0));
    const r = await h.client.createResult({
      parent: "ns",
      result: {
        name: "ns/results/r",
        uid: "client-uid",
        id: "client-id",
        etag: "client-etag",
        createTime: bogus,
        updateTime: bogus,
        createdTime: bogus,
        updatedTime: bogus,
      },
    });
    expect(r.uid).toBe(seqUid(1));
    expect(r.id).toBe(seqUid(1));
    expect(r.etag).toBe(etagOf(seqUid(1), T0));
    expect(timestampDate(r.createTime!).getTime()).toBe(T0);
    expect(timestampDate(r.createdTime!).getTime()).toBe(T0);
  });

  it("rejects a missing result, a mismatched parent and malformed names", async () => {
    const h = createHarness();
    await expectCode(
      h.client.createResult({ parent: "ns" }),
      Code.InvalidArgument,
      "result is required",
    );
    await expectCode(
      h.client.createResult({ parent: "other", result: { name: "ns/results/r" } }),
      Code.InvalidArgument,
      "requested parent does not match resource name",
    );
    await expectCode(
      h.client.createResult({ parent: "ns", result: { name: "" } }),
      Code.InvalidArgument,
      "result.name is required",
    );
    for (const name of [
      "ns/results/R",
      "ns/results/a.b",
      `ns/results/${"a".repeat(64)}`,
      "ns/results/-",
      "ns/result/r",
      "ns/results/r/extra",
      "NS/results/r",
      "ns/results/",
    ]) {
      const err = await expectCode(
        h.client.createResult({ parent: "ns", result: { name } }),
        Code.InvalidArgument,
      );
      expect(err.rawMessage).toMatch(/^result\.name: invalid result name/);
    }
    // 63 characters and every allowed character are fine.
    await h.client.createResult({ parent: "ns", result: { name: `ns/results/${"a".repeat(63)}` } });
    await h.client.createResult({ parent: "a-b_9", result: { name: "a-b_9/results/x_y-0" } });
    expect(h.calls.filter((c) => c.method === "createResult")).toHaveLength(2);
  });

  it("answers AlreadyExists for a duplicate name", async () => {
    const h = createHarness();
    await createResult(h, "ns", "r");
    await expectCode(createResult(h, "ns", "r"), Code.AlreadyExists);
    // Another parent may reuse the name.
    await createResult(h, "other", "r");
  });

  it("validates the summary", async () => {
    const h = createHarness();
    const cases: [object, RegExp][] = [
      [{ ...validSummary, record: "" }, /^result\.summary\.record is required$/],
      [
        { ...validSummary, record: "ns/results/r" },
        /^result\.summary\.record: invalid record name/,
      ],
      [{ ...validSummary, type: "" }, /^result\.summary\.type is required$/],
      [
        { ...validSummary, type: "t".repeat(769) },
        /^result\.summary\.type is longer than 768 characters$/,
      ],
      [{ ...validSummary, status: 9 }, /^result\.summary\.status 9 is not a known status$/],
      [{ ...validSummary, annotations: { "": "x" } }, /keys must not be empty/],
      [
        { ...validSummary, startTime: { seconds: 300_000_000_000n, nanos: 0 } },
        /^result\.summary\.start_time is out of range$/,
      ],
    ];
    for (const [summary, message] of cases) {
      await expectCode(
        h.client.createResult({ parent: "ns", result: { name: "ns/results/r", summary } }),
        Code.InvalidArgument,
        message,
      );
    }
    expect(h.calls).toHaveLength(0);
    const ok = await h.client.createResult({
      parent: "ns",
      result: { name: "ns/results/r", summary: { ...validSummary, type: "t".repeat(768) } },
    });
    expect(ok.summary?.type).toHaveLength(768);
  });

  it("validates annotations against the documented limits", async () => {
    const h = createHarness();
    await expectCode(
      createResult(h, "ns", "r", { ["k".repeat(318)]: "v" }),
      Code.InvalidArgument,
      /^result\.annotations: key "k+…" is longer than 317 characters$/,
    );
    await expectCode(
      createResult(h, "ns", "r", { a: "v".repeat(256 * 1024) }),
      Code.InvalidArgument,
      /^result\.annotations: keys and values exceed 262144 bytes in total$/,
    );
    await expectCode(
      createResult(h, "ns", "r", { "": "v" }),
      Code.InvalidArgument,
      "result.annotations: keys must not be empty",
    );
    const ok = await createResult(h, "ns", "r", { ["k".repeat(317)]: "v".repeat(1000) });
    expect(Object.keys(ok.annotations)).toEqual(["k".repeat(317)]);
  });
});

describe("malformed requests", () => {
  it("change nothing stored and make no write to the store", async () => {
    const h = createHarness();
    const result = await createResult(h, "ns", "r", { keep: "me" });
    const record = await createRecord(h, "ns/results/r", "tr", { v: 1 });
    h.clock.tick(1_000);
    const before = h.calls.length;
    const bad: Promise<unknown>[] = [
      h.client.createResult({
        parent: "ns",
        result: { name: "ns/results/r2", summary: { ...validSummary, type: "" } },
      }),
      h.client.createResult({
        parent: "ns",
        result: { name: "ns/results/r2", annotations: { "": "x" } },
      }),
      h.client.createRecord({
        parent: "ns/results/r",
        record: { name: "ns/results/r/records/x", data: { type: "t", value: json(1).slice(0, 0) } },
      }),
      h.client.updateResult({
        name: "ns/results/r",
        result: { summary: { ...validSummary, status: 77 as RecordSummary_Status } },
      }),
      h.client.updateResult({ name: "ns/results/r", result: { name: "ns/results/zz" } }),
      h.client.updateRecord({
        record: { name: record.name, data: { value: new TextEncoder().encode("{") } },
      }),
      h.client.updateRecord({
        record: { name: record.name, data: { type: "x" } },
        updateMask: { paths: ["etag"] },
      }),
      h.client.deleteResult({ name: "ns/results/R" }),
      h.client.deleteRecord({ name: "ns/results/r/records/" }),
    ];
    for (const p of bad) await expectCode(p, Code.InvalidArgument);
    const writes = h.calls
      .slice(before)
      .filter((c) => !c.method.startsWith("get") && !c.method.startsWith("list"));
    expect(writes).toEqual([]);
    expect(await h.client.getResult({ name: result.name })).toEqual(result);
    expect(await h.client.getRecord({ name: record.name })).toEqual(record);
    expect((await h.client.listResults({ parent: "-" })).results).toEqual([result]);
    expect((await h.client.listRecords({ parent: "-/results/-" })).records).toEqual([record]);
  });
});

describe("CreateRecord", () => {
  it("stores data.value byte for byte and assigns server fields", async () => {
    const h = createHarness();
    await createResult(h, "ns", "r");
    h.clock.tick(5_000);
    const text = '{ "kind" : "TaskRun",\n  "name": "é ✓ 😀", "n": 1.50 }';
    const value = new TextEncoder().encode(text);
    const rec = await h.client.createRecord({
      parent: "ns/results/r",
      record: { name: "ns/results/r/records/tr", data: { type: "tekton.dev/v1.TaskRun", value } },
    });
    expect(rec.name).toBe("ns/results/r/records/tr");
    expect(rec.uid).toBe(seqUid(2));
    expect(rec.id).toBe(rec.uid);
    expect(rec.etag).toBe(etagOf(seqUid(2), T0 + 5_000));
    expect(timestampDate(rec.createTime!).getTime()).toBe(T0 + 5_000);
    expect(rec.createdTime).toEqual(rec.createTime);
    expect(rec.updatedTime).toEqual(rec.updateTime);
    expect(rec.data?.type).toBe("tekton.dev/v1.TaskRun");
    expect(rec.data?.value).toEqual(value);
    const stored = await h.store.getRecord("ns", "r", "tr");
    expect(stored.data).toBe(text);
    expect(await h.client.getRecord({ name: "ns/results/r/records/tr" })).toEqual(rec);
  });

  it("ignores OUTPUT_ONLY fields", async () => {
    const h = createHarness();
    await createResult(h, "ns", "r");
    const rec = await h.client.createRecord({
      parent: "ns/results/r",
      record: {
        name: "ns/results/r/records/tr",
        uid: "u",
        id: "i",
        etag: "e",
        createTime: timestampFromDate(new Date(0)),
        data: { type: "t", value: json({}) },
      },
    });
    expect(rec.uid).toBe(seqUid(2));
    expect(rec.id).toBe(seqUid(2));
    expect(rec.etag).toBe(etagOf(seqUid(2), T0));
    expect(timestampDate(rec.createTime!).getTime()).toBe(T0);
  });

  it("validates the request", async () => {
    const h = createHarness();
    await createResult(h, "ns", "r");
    const base = { name: "ns/results/r/records/tr", data: { type: "t", value: json({ a: 1 }) } };
    const big = new TextEncoder().encode(`{"a": "${"x".repeat(2_000_000)}`);
    const cases: [Parameters<Harness["client"]["createRecord"]>[0], string | RegExp][] = [
      [{ parent: "ns/results/r" }, "record is required"],
      [{ parent: "ns/results/r", record: { ...base, name: "" } }, "record.name is required"],
      [
        { parent: "ns/results/r", record: { ...base, name: "ns/results/r/records/A" } },
        /^record\.name: invalid record name/,
      ],
      [
        { parent: "ns/results/r", record: { ...base, name: "ns/results/r/logs/x" } },
        /^record\.name: invalid record name/,
      ],
      [
        { parent: "ns/results/other", record: base },
        "requested parent does not match resource name",
      ],
      [{ parent: "ns", record: base }, "requested parent does not match resource name"],
      [{ parent: "ns/results/r", record: { name: base.name } }, "record.data is required"],
      [
        { parent: "ns/results/r", record: { ...base, data: { type: "", value: json({}) } } },
        "record.data.type is required",
      ],
      [
        {
          parent: "ns/results/r",
          record: { ...base, data: { type: "t".repeat(769), value: json({}) } },
        },
        "record.data.type is longer than 768 characters",
      ],
      [
        { parent: "ns/results/r", record: { ...base, data: { type: "t" } } },
        /^record data\.value is not valid JSON: /,
      ],
      [
        {
          parent: "ns/results/r",
          record: { ...base, data: { type: "t", value: new TextEncoder().encode("{nope") } },
        },
        /^record data\.value is not valid JSON: /,
      ],
      [
        {
          parent: "ns/results/r",
          record: { ...base, data: { type: "t", value: new TextEncoder().encode('{"a":1} x') } },
        },
        /^record data\.value is not valid JSON: /,
      ],
      [
        {
          parent: "ns/results/r",
          record: { ...base, data: { type: "t", value: new Uint8Array([0x22, 0xff, 0x22]) } },
        },
        "record data.value is not valid UTF-8",
      ],
      [
        {
          parent: "ns/results/r",
          record: {
            ...base,
            data: { type: "t", value: new Uint8Array([0xef, 0xbb, 0xbf, 0x7b, 0x7d]) },
          },
        },
        /^record data\.value is not valid JSON: /,
      ],
    ];
    for (const [req, message] of cases) {
      await expectCode(h.client.createRecord(req), Code.InvalidArgument, message);
    }
    const err = await expectCode(
      h.client.createRecord({
        parent: "ns/results/r",
        record: { ...base, data: { type: "t", value: big } },
      }),
      Code.InvalidArgument,
      /^record data\.value is not valid JSON: /,
    );
    expect(err.rawMessage.length).toBeLessThan(300);
    expect(h.calls.filter((c) => c.method === "createRecord")).toHaveLength(0);
    const list = await h.client.listRecords({ parent: "-/results/-" });
    expect(list.records).toHaveLength(0);
    // A type of exactly 768 characters and any JSON document (even a scalar) are accepted.
    const ok = await h.client.createRecord({
      parent: "ns/results/r",
      record: { ...base, data: { type: "t".repeat(768), value: new TextEncoder().encode(" 42 ") } },
    });
    expect(new TextDecoder().decode(ok.data!.value)).toBe(" 42 ");
  });

  it("answers NotFound under a missing Result and AlreadyExists for a duplicate", async () => {
    const h = createHarness();
    await expectCode(createRecord(h, "ns/results/missing", "tr"), Code.NotFound);
    await createResult(h, "ns", "r");
    await createRecord(h, "ns/results/r", "tr");
    await expectCode(createRecord(h, "ns/results/r", "tr"), Code.AlreadyExists);
  });
});

describe("Get and Delete", () => {
  it("answers NotFound for missing resources and InvalidArgument for malformed names", async () => {
    const h = createHarness();
    await expectCode(h.client.getResult({ name: "ns/results/r" }), Code.NotFound);
    await expectCode(h.client.deleteResult({ name: "ns/results/r" }), Code.NotFound);
    await expectCode(h.client.getRecord({ name: "ns/results/r/records/x" }), Code.NotFound);
    await expectCode(h.client.deleteRecord({ name: "ns/results/r/records/x" }), Code.NotFound);
    await expectCode(h.client.getResult({ name: "" }), Code.InvalidArgument, "name is required");
    await expectCode(
      h.client.getResult({ name: "ns/results/r/records/x" }),
      Code.InvalidArgument,
      /^name: invalid result name/,
    );
    await expectCode(
      h.client.deleteResult({ name: "Ns/results/r" }),
      Code.InvalidArgument,
      /^name: invalid result name/,
    );
    await expectCode(
      h.client.getRecord({ name: "ns/results/r" }),
      Code.InvalidArgument,
      /^name: invalid record name/,
    );
    await expectCode(h.client.deleteRecord({ name: "" }), Code.InvalidArgument, "name is required");
    expect(h.calls).toHaveLength(4);
  });

  it("deletes a Record, and a Result with all its Records", async () => {
    const h = createHarness();
    await createResult(h, "ns", "r");
    await createResult(h, "ns", "keep");
    await createRecord(h, "ns/results/r", "a");
    await createRecord(h, "ns/results/r", "b");
    await createRecord(h, "ns/results/keep", "c");
    await h.client.deleteRecord({ name: "ns/results/r/records/a" });
    await expectCode(h.client.getRecord({ name: "ns/results/r/records/a" }), Code.NotFound);
    await h.client.deleteResult({ name: "ns/results/r" });
    await expectCode(h.client.getResult({ name: "ns/results/r" }), Code.NotFound);
    await expectCode(h.client.getRecord({ name: "ns/results/r/records/b" }), Code.NotFound);
    const left = await h.client.listRecords({ parent: "ns/results/-" });
    expect(left.records.map((r) => r.name)).toEqual(["ns/results/keep/records/c"]);
  });
});

describe("UpdateResult", () => {
  it("replaces annotations and summary wholesale and recomputes the etag", async () => {
    const h = createHarness();
    const created = await h.client.createResult({
      parent: "ns",
      result: { name: "ns/results/r", annotations: { a: "1", b: "2" }, summary: validSummary },
    });
    h.clock.tick(1_000);
    const updated = await h.client.updateResult({
      name: "ns/results/r",
      result: { name: "ns/results/r", annotations: { c: "3" } },
    });
    expect(updated.annotations).toEqual({ c: "3" });
    expect(updated.summary).toBeUndefined();
    expect(updated.uid).toBe(created.uid);
    expect(updated.createTime).toEqual(created.createTime);
    expect(timestampDate(updated.updateTime!).getTime()).toBe(T0 + 1_000);
    expect(updated.updatedTime).toEqual(updated.updateTime);
    expect(updated.etag).toBe(etagOf(created.uid, T0 + 1_000));
    expect(await h.client.getResult({ name: "ns/results/r" })).toEqual(updated);

    h.clock.tick(1_000);
    const again = await h.client.updateResult({
      name: "ns/results/r",
      result: { summary: validSummary },
    });
    expect(again.annotations).toEqual({});
    expect(again.summary?.record).toBe(validSummary.record);
  });

  it("takes the name from result.name when name is empty, and rejects two different names", async () => {
    const h = createHarness();
    await createResult(h, "ns", "r");
    const byBody = await h.client.updateResult({
      result: { name: "ns/results/r", annotations: { x: "y" } },
    });
    expect(byBody.annotations).toEqual({ x: "y" });
    await expectCode(
      h.client.updateResult({ name: "ns/results/r", result: { name: "ns/results/other" } }),
      Code.InvalidArgument,
      "name and result.name differ",
    );
    await expectCode(
      h.client.updateResult({ result: {} }),
      Code.InvalidArgument,
      "name is required",
    );
    await expectCode(
      h.client.updateResult({ name: "ns/results/r" }),
      Code.InvalidArgument,
      "result is required",
    );
    await expectCode(
      h.client.updateResult({ name: "ns/results/R", result: {} }),
      Code.InvalidArgument,
      /^name: invalid result name/,
    );
    await expectCode(
      h.client.updateResult({
        name: "ns/results/r",
        result: { summary: { ...validSummary, record: "bad" } },
      }),
      Code.InvalidArgument,
      /^result\.summary\.record: invalid record name/,
    );
    expect((await h.client.getResult({ name: "ns/results/r" })).annotations).toEqual({ x: "y" });
  });

  it("checks the etag: a stale one is FailedPrecondition, the current one succeeds", async () => {
    const h = createHarness();
    const created = await createResult(h, "ns", "r");
    h.clock.tick(10);
    const first = await h.client.updateResult({
      name: "ns/results/r",
      etag: created.etag,
      result: { annotations: { n: "1" } },
    });
    expect(first.etag).not.toBe(created.etag);
    await expectCode(
      h.client.updateResult({
        name: "ns/results/r",
        etag: created.etag,
        result: { annotations: { n: "2" } },
      }),
      Code.FailedPrecondition,
    );
    expect((await h.client.getResult({ name: "ns/results/r" })).annotations).toEqual({ n: "1" });
    // Without an etag the last write wins.
    const last = await h.client.updateResult({
      name: "ns/results/r",
      result: { annotations: { n: "3" } },
    });
    expect(last.annotations).toEqual({ n: "3" });
  });

  it("answers NotFound for a missing Result", async () => {
    const h = createHarness();
    await expectCode(h.client.updateResult({ name: "ns/results/r", result: {} }), Code.NotFound);
  });

  it("changes the etag on every write even when the clock has not moved", async () => {
    const h = createHarness();
    const created = await createResult(h, "ns", "r");
    const a = await h.client.updateResult({ name: "ns/results/r", result: {} });
    const b = await h.client.updateResult({ name: "ns/results/r", result: {} });
    expect(timestampDate(a.updateTime!).getTime()).toBe(T0 + 1);
    expect(timestampDate(b.updateTime!).getTime()).toBe(T0 + 2);
    expect(new Set([created.etag, a.etag, b.etag]).size).toBe(3);
  });

  it("retries a lost race when the client sent no etag, and not when it did", async () => {
    const inner = createMemoryStore();
    let races = 1;
    const racing: ResultsStore = Object.create(inner) as ResultsStore;
    Object.assign(racing, {
      capabilities: inner.capabilities,
      async updateResult(...args: Parameters<ResultsStore["updateResult"]>) {
        if (races > 0) {
          races--;
          // Another writer sneaks in between our read and our write.
          const cur = await inner.getResult(args[0].parent, args[0].name);
          await inner.updateResult({
            ...args[0],
            annotations: { by: "other" },
            etag: `${cur.uid}-other`,
          });
        }
        return inner.updateResult(...args);
      },
    });
    const h = createHarness({ store: racing });
    await createResult(h, "ns", "r");
    const res = await h.client.updateResult({
      name: "ns/results/r",
      result: { annotations: { by: "me" } },
    });
    expect(res.annotations).toEqual({ by: "me" });
    expect(h.calls.filter((c) => c.method === "getResult")).toHaveLength(2);
    expect(h.calls.filter((c) => c.method === "updateResult")).toHaveLength(2);
    const [firstOptions, secondOptions] = h.calls
      .filter((c) => c.method === "updateResult")
      .map((c) => c.args[1]);
    expect(firstOptions).toEqual({ expectEtag: etagOf(seqUid(1), T0) });
    expect(secondOptions).toEqual({ expectEtag: `${seqUid(1)}-other` });

    // With a client etag the lost race is the client's answer.
    races = 1;
    const cur = await h.client.getResult({ name: "ns/results/r" });
    await expectCode(
      h.client.updateResult({
        name: "ns/results/r",
        etag: cur.etag,
        result: { annotations: { by: "me2" } },
      }),
      Code.FailedPrecondition,
    );
    expect((await h.client.getResult({ name: "ns/results/r" })).annotations).toEqual({
      by: "other",
    });
  });

  it("lets exactly one of two concurrent updates with the same etag win", async () => {
    const h = createHarness();
    const created = await createResult(h, "ns", "r");
    const outcomes = await Promise.allSettled(
      ["a", "b"].map((who) =>
        h.client.updateResult({
          name: "ns/results/r",
          etag: created.etag,
          result: { annotations: { who } },
        }),
      ),
    );
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
    const rejected = outcomes.filter((o): o is PromiseRejectedResult => o.status === "rejected");
    expect(rejected).toHaveLength(1);
    expect((rejected[0]!.reason as ConnectError).code).toBe(Code.FailedPrecondition);
  });

  it("lets every concurrent update without an etag succeed, re-reading after a lost race", async () => {
    const h = createHarness();
    await createResult(h, "ns", "r");
    await createRecord(h, "ns/results/r", "x", { v: 0 });
    const updated = await Promise.all(
      [1, 2, 3, 4].map((v) =>
        h.client.updateRecord({
          record: { name: "ns/results/r/records/x", data: { value: json({ v }) } },
        }),
      ),
    );
    expect(new Set(updated.map((u) => u.etag)).size).toBe(4);
    const final = await h.client.getRecord({ name: "ns/results/r/records/x" });
    expect(updated.map((u) => u.etag)).toContain(final.etag);
    expect(h.calls.filter((c) => c.method === "updateRecord").length).toBeGreaterThan(4);
  });

  it("gives up with Aborted when every retry loses", async () => {
    const inner = createMemoryStore();
    const losing = Object.assign(Object.create(inner) as ResultsStore, {
      capabilities: inner.capabilities,
      updateResult: () => Promise.reject(new StorageError("failed_precondition", "etag mismatch")),
    });
    const h = createHarness({ store: losing });
    await createResult(h, "ns", "r");
    await expectCode(h.client.updateResult({ name: "ns/results/r", result: {} }), Code.Aborted);
    expect(h.calls.filter((c) => c.method === "updateResult")).toHaveLength(6);
  });
});

describe("UpdateRecord", () => {
  async function setup(): Promise<{ h: Harness; rec: ApiRecord }> {
    const h = createHarness();
    await createResult(h, "ns", "r");
    const rec = await createRecord(h, "ns/results/r", "tr", { v: 1 }, "type/one");
    h.clock.tick(1_000);
    return { h, rec };
  }
  const text = (r: ApiRecord) => new TextDecoder().decode(r.data!.value);

  it("overwrites the fields set in the request and keeps the rest", async () => {
    const { h, rec } = await setup();
    const onlyValue = await h.client.updateRecord({
      record: { name: rec.name, data: { value: json({ v: 2 }) } },
    });
    expect(onlyValue.data?.type).toBe("type/one");
    expect(text(onlyValue)).toBe('{"v":2}');
    expect(onlyValue.uid).toBe(rec.uid);
    expect(onlyValue.createTime).toEqual(rec.createTime);
    expect(onlyValue.etag).toBe(etagOf(rec.uid, T0 + 1_000));
    expect(onlyValue.updatedTime).toEqual(onlyValue.updateTime);

    h.clock.tick(1_000);
    const onlyType = await h.client.updateRecord({
      record: { name: rec.name, data: { type: "type/two" } },
    });
    expect(onlyType.data?.type).toBe("type/two");
    expect(text(onlyType)).toBe('{"v":2}');

    h.clock.tick(1_000);
    const noData = await h.client.updateRecord({ record: { name: rec.name } });
    expect(noData.data?.type).toBe("type/two");
    expect(text(noData)).toBe('{"v":2}');
    expect(noData.etag).toBe(etagOf(rec.uid, T0 + 3_000));
  });

  it("limits the update to update_mask paths", async () => {
    const { h, rec } = await setup();
    const data = { type: "type/new", value: json({ v: 9 }) };
    const valueOnly = await h.client.updateRecord({
      record: { name: rec.name, data },
      updateMask: create(FieldMaskSchema, { paths: ["data.value"] }),
    });
    expect(valueOnly.data?.type).toBe("type/one");
    expect(text(valueOnly)).toBe('{"v":9}');

    const typeOnly = await h.client.updateRecord({
      record: { name: rec.name, data: { type: "type/new", value: json({ v: 10 }) } },
      updateMask: { paths: ["data.type"] },
    });
    expect(typeOnly.data?.type).toBe("type/new");
    expect(text(typeOnly)).toBe('{"v":9}');

    const both = await h.client.updateRecord({
      record: { name: rec.name, data: { type: "type/3", value: json({ v: 11 }) } },
      updateMask: { paths: ["data"] },
    });
    expect(both.data?.type).toBe("type/3");
    expect(text(both)).toBe('{"v":11}');

    // A masked field must be valid even when empty in the request.
    await expectCode(
      h.client.updateRecord({ record: { name: rec.name }, updateMask: { paths: ["data"] } }),
      Code.InvalidArgument,
      "record.data.type is required",
    );
    await expectCode(
      h.client.updateRecord({
        record: { name: rec.name, data: { type: "x" } },
        updateMask: { paths: ["data.value"] },
      }),
      Code.InvalidArgument,
      /^record data\.value is not valid JSON/,
    );
    for (const path of ["name", "data.foo", "uid", ""]) {
      await expectCode(
        h.client.updateRecord({ record: { name: rec.name, data }, updateMask: { paths: [path] } }),
        Code.InvalidArgument,
        /^update_mask: unsupported path/,
      );
    }
    expect((await h.client.getRecord({ name: rec.name })).etag).toBe(both.etag);
  });

  it("validates the request and changes nothing when it is malformed", async () => {
    const { h, rec } = await setup();
    await expectCode(h.client.updateRecord({}), Code.InvalidArgument, "record is required");
    await expectCode(
      h.client.updateRecord({ record: {} }),
      Code.InvalidArgument,
      "record.name is required",
    );
    await expectCode(
      h.client.updateRecord({ record: { name: "ns/results/r" } }),
      Code.InvalidArgument,
      /^record\.name: invalid record name/,
    );
    await expectCode(
      h.client.updateRecord({
        record: { name: rec.name, data: { value: new TextEncoder().encode("[1,") } },
      }),
      Code.InvalidArgument,
      /^record data\.value is not valid JSON/,
    );
    await expectCode(
      h.client.updateRecord({ record: { name: rec.name, data: { type: "t".repeat(769) } } }),
      Code.InvalidArgument,
      "record.data.type is longer than 768 characters",
    );
    expect(h.calls.filter((c) => c.method === "updateRecord")).toHaveLength(0);
    expect(await h.client.getRecord({ name: rec.name })).toEqual(rec);
  });

  it("answers NotFound for another name and FailedPrecondition for a stale etag", async () => {
    const { h, rec } = await setup();
    await expectCode(
      h.client.updateRecord({ record: { name: "ns/results/r/records/other" } }),
      Code.NotFound,
    );
    const first = await h.client.updateRecord({
      etag: rec.etag,
      record: { name: rec.name, data: { value: json(1) } },
    });
    await expectCode(
      h.client.updateRecord({
        etag: rec.etag,
        record: { name: rec.name, data: { value: json(2) } },
      }),
      Code.FailedPrecondition,
    );
    expect(await h.client.getRecord({ name: rec.name })).toEqual(first);
    const second = await h.client.updateRecord({
      etag: first.etag,
      record: { name: rec.name, data: { value: json(3) } },
    });
    expect(text(second)).toBe("3");
  });
});
