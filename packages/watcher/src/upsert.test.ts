import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RecordSummary_Status, recordData, timestampDate } from "@tekton-results/client";
import { createTestResultsApi, writesOf, type TestResultsApi } from "../test/results-api.js";
import { createUpserter, sameSummary, type ArchivePlan } from "./upsert.js";

let api: TestResultsApi;
beforeEach(async () => {
  api = await createTestResultsApi();
});
afterEach(async () => {
  await api.close();
});

const plan = (over: Partial<ArchivePlan> = {}): ArchivePlan => ({
  uid: "uid-1",
  resultName: "ns/results/res",
  recordName: "ns/results/res/records/uid-1",
  recordType: "tekton.dev/v1.PipelineRun",
  value: { metadata: { name: "p", resourceVersion: "1" }, spec: { a: 1 } },
  summary: {
    record: "ns/results/res/records/uid-1",
    type: "tekton.dev/v1.PipelineRun",
    status: RecordSummary_Status.SUCCESS,
    startTime: new Date("2026-01-01T00:00:00Z"),
    endTime: new Date("2026-01-01T00:01:00Z"),
    annotations: { branch: "main" },
  },
  resultAnnotations: { "object.metadata.name": "p" },
  ...over,
});

describe("upsert", () => {
  it("creates the Result and the Record when missing", async () => {
    const outcome = await createUpserter(api.client).upsert(plan());
    expect(outcome.writes).toBe(2);
    expect(writesOf(api.calls)).toEqual(["CreateResult", "CreateRecord"]);
    const result = await api.client.getResult({ name: "ns/results/res" });
    expect(result.annotations).toEqual({ "object.metadata.name": "p" });
    expect(result.summary?.status).toBe(RecordSummary_Status.SUCCESS);
    expect(timestampDate(result.summary!.endTime!).toISOString()).toBe("2026-01-01T00:01:00.000Z");
    const record = await api.client.getRecord({ name: "ns/results/res/records/uid-1" });
    expect(record.data?.type).toBe("tekton.dev/v1.PipelineRun");
    expect(recordData(record)).toEqual(plan().value);
  });
  it("an unchanged plan makes no call at all; a new upserter only reads", async () => {
    const upserter = createUpserter(api.client);
    await upserter.upsert(plan());
    api.calls.length = 0;
    expect(upserter.isCurrent(plan())).toBe(true);
    await upserter.upsert(plan());
    expect(api.calls).toEqual([]);
    const fresh = createUpserter(api.client);
    // Only the watcher's own write-back changed: still no write.
    await fresh.upsert(
      plan({
        value: {
          metadata: {
            name: "p",
            resourceVersion: "2",
            annotations: { "results.tekton.dev/stored": "true" },
          },
          spec: { a: 1 },
        },
      }),
    );
    expect(api.calls).toEqual(["GetResult", "GetRecord"]);
  });
  it("updates the Result only when the summary or annotations change, and the Record with its etag", async () => {
    const upserter = createUpserter(api.client);
    await upserter.upsert(plan());
    api.calls.length = 0;
    await upserter.upsert(plan({ value: { metadata: { name: "p" }, spec: { a: 2 } } }));
    expect(writesOf(api.calls)).toEqual(["UpdateRecord"]);
    api.calls.length = 0;
    await upserter.upsert(
      plan({
        value: { metadata: { name: "p" }, spec: { a: 2 } },
        summary: { ...plan().summary!, status: RecordSummary_Status.FAILURE },
      }),
    );
    expect(writesOf(api.calls)).toEqual(["UpdateResult"]);
    const result = await api.client.getResult({ name: "ns/results/res" });
    expect(result.summary?.status).toBe(RecordSummary_Status.FAILURE);
  });
  it("keeps annotations other writers put on the Result", async () => {
    await api.client.createResult({
      parent: "ns",
      result: { name: "ns/results/res", annotations: { other: "x" } },
    });
    await createUpserter(api.client).upsert(plan());
    const result = await api.client.getResult({ name: "ns/results/res" });
    expect(result.annotations).toEqual({ other: "x", "object.metadata.name": "p" });
  });
  it("a child creates a bare Result when its parent was not stored yet, without touching the summary", async () => {
    const upserter = createUpserter(api.client);
    await upserter.upsert(
      plan({
        uid: "child",
        recordName: "ns/results/res/records/child",
        summary: undefined,
        resultAnnotations: undefined,
      }),
    );
    await upserter.upsert(plan());
    api.calls.length = 0;
    // A restarted watcher: the child now carries the annotations written back to it.
    await createUpserter(api.client).upsert(
      plan({
        uid: "child",
        recordName: "ns/results/res/records/child",
        value: {
          metadata: {
            name: "p",
            resourceVersion: "1",
            annotations: { "results.tekton.dev/record": "ns/results/res/records/child" },
          },
          spec: { a: 1 },
        },
        summary: undefined,
        resultAnnotations: undefined,
      }),
    );
    expect(writesOf(api.calls)).toEqual([]);
    const result = await api.client.getResult({ name: "ns/results/res" });
    expect(result.summary?.record).toBe("ns/results/res/records/uid-1");
  });
  it("a Result created by a racing writer (AlreadyExists) is read again", async () => {
    let raced = false;
    const racing = {
      ...api.client,
      async createResult(...args: Parameters<typeof api.client.createResult>) {
        if (!raced) {
          raced = true;
          await api.client.createResult(...args);
        }
        return api.client.createResult(...args);
      },
    };
    await createUpserter(racing).upsert(plan());
    const result = await api.client.getResult({ name: "ns/results/res" });
    expect(result.summary?.record).toBe("ns/results/res/records/uid-1");
  });
  it("sameSummary compares every field", () => {
    expect(sameSummary(plan().summary!, undefined)).toBe(false);
  });
});

describe("upsert shortcuts", () => {
  const child = (over: Partial<ArchivePlan> = {}) =>
    plan({
      uid: "child",
      recordName: "ns/results/res/records/child",
      recordType: "tekton.dev/v1.TaskRun",
      value: { metadata: { name: "c" }, spec: { t: 1 } },
      summary: undefined,
      resultAnnotations: undefined,
      ...over,
    });
  const seen = { "results.tekton.dev/record": "ns/results/res/records/uid-1" };

  it("a run no watcher has seen is created without reads; its children skip the known Result", async () => {
    const upserter = createUpserter(api.client);
    await upserter.upsert(plan());
    expect(api.calls).toEqual(["CreateResult", "CreateRecord"]);
    api.calls.length = 0;
    await upserter.upsert(child());
    expect(api.calls).toEqual(["CreateRecord"]);
    const record = await api.client.getRecord({ name: "ns/results/res/records/child" });
    expect(recordData(record)).toEqual(child().value);
  });
  it("a change of a Record this process wrote is one UpdateRecord with the etag it got back", async () => {
    const upserter = createUpserter(api.client);
    await upserter.upsert(plan());
    api.calls.length = 0;
    await upserter.upsert(plan({ value: { metadata: { name: "p" }, spec: { a: 2 } } }));
    await upserter.upsert(plan({ value: { metadata: { name: "p" }, spec: { a: 3 } } }));
    expect(api.calls).toEqual(["UpdateRecord", "UpdateRecord"]);
    const record = await api.client.getRecord({ name: "ns/results/res/records/uid-1" });
    expect(recordData(record)).toEqual({ metadata: { name: "p" }, spec: { a: 3 } });
  });
  it("a stale etag (another writer) falls back to read-then-update", async () => {
    const upserter = createUpserter(api.client);
    await upserter.upsert(plan());
    const other = await api.client.getRecord({ name: "ns/results/res/records/uid-1" });
    await api.client.updateRecord({ record: { name: other.name, data: other.data } });
    api.calls.length = 0;
    await upserter.upsert(plan({ value: { metadata: { name: "p" }, spec: { a: 9 } } }));
    expect(api.calls).toEqual(["UpdateRecord", "GetRecord", "UpdateRecord"]);
    const record = await api.client.getRecord({ name: "ns/results/res/records/uid-1" });
    expect(recordData(record)).toEqual({ metadata: { name: "p" }, spec: { a: 9 } });
  });
  it("an unseen run whose Record exists (AlreadyExists) reads it and writes only a change", async () => {
    await createUpserter(api.client).upsert(plan());
    api.calls.length = 0;
    await createUpserter(api.client).upsert(plan());
    expect(api.calls).toEqual(["CreateResult", "GetResult", "CreateRecord", "GetRecord"]);
    api.calls.length = 0;
    await createUpserter(api.client).upsert(
      plan({ value: { metadata: { name: "p" }, spec: { a: 5 } } }),
    );
    expect(writesOf(api.calls)).toEqual(["CreateResult", "CreateRecord", "UpdateRecord"]);
    const record = await api.client.getRecord({ name: "ns/results/res/records/uid-1" });
    expect(recordData(record)).toEqual({ metadata: { name: "p" }, spec: { a: 5 } });
  });
  it("a run a watcher has written back to, or createFirst off, only reads first", async () => {
    await createUpserter(api.client).upsert(plan());
    api.calls.length = 0;
    await createUpserter(api.client).upsert(
      plan({ value: { metadata: { name: "p", annotations: seen }, spec: { a: 1 } } }),
    );
    expect(api.calls).toEqual(["GetResult", "GetRecord"]);
    api.calls.length = 0;
    await createUpserter(api.client).upsert(
      plan({
        value: {
          metadata: { name: "p", finalizers: ["results.tekton.dev/pipelinerun"] },
          spec: { a: 1 },
        },
      }),
    );
    expect(api.calls).toEqual(["GetResult", "GetRecord"]);
    api.calls.length = 0;
    await createUpserter(api.client, { createFirst: false }).upsert(plan());
    expect(api.calls).toEqual(["GetResult", "GetRecord"]);
  });
  it("a child whose known Result was deleted recreates it on the next attempt", async () => {
    const upserter = createUpserter(api.client);
    await upserter.upsert(plan());
    await api.client.deleteResult({ name: "ns/results/res" });
    await expect(upserter.upsert(child())).rejects.toThrow();
    api.calls.length = 0;
    await upserter.upsert(child());
    expect(writesOf(api.calls)).toEqual(["CreateResult", "CreateRecord"]);
    const record = await api.client.getRecord({ name: "ns/results/res/records/child" });
    expect(recordData(record)).toEqual(child().value);
  });
});
