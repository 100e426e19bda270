/**
 * The Logs services (v1alpha2 and v1alpha3) over the real generated clients
 * and an in-process router transport: UpdateLog, GetLog, ListLogs, DeleteLog,
 * DeleteResult removing logs, validation, authorization and store failures.
 */
import { beforeEach, describe, expect, it } from "vitest";
import {
  Code,
  ConnectError,
  createClient,
  createRouterTransport,
  type Client,
} from "@connectrpc/connect";
import { createLogsClient, type LogsClient } from "@tekton-results/client";
import {
  createMemoryLogStore,
  LogStoreError,
  type LogStore,
  type MemoryLogStore,
} from "@tekton-results/log-store";
import { Results, RECORD_TYPES } from "@tekton-results/proto";
import { Logs as LogsV1alpha3 } from "@tekton-results/proto/v1alpha3";
import { createMemoryStore } from "@tekton-results/storage-conformance";
import type { ResultsStore } from "@tekton-results/storage";
import type { AuthRequest, Authorizer } from "../src/auth.js";
import { LOGS_DISABLED_MESSAGE } from "../src/logs-service.js";
import { createResultsRoutes } from "../src/routes.js";
import {
  createFakeClock,
  createRecordingLogger,
  createSequentialIds,
  errorOf,
  json,
  type LogEntry,
} from "./service-harness.js";

const decoder = new TextDecoder();
const encoder = new TextEncoder();

interface LogsHarness {
  results: Client<typeof Results>;
  logs: LogsClient;
  v1alpha3: Client<typeof LogsV1alpha3>;
  store: ResultsStore;
  logStore: LogStore;
  authRequests: AuthRequest[];
  logEntries: LogEntry[];
}

function createLogsHarness(
  options: { logStore?: LogStore | null; authorizer?: Authorizer; logChunkSize?: number } = {},
): LogsHarness {
  const store = createMemoryStore();
  const logStore =
    options.logStore === null ? undefined : (options.logStore ?? createMemoryLogStore());
  const authRequests: AuthRequest[] = [];
  const logger = createRecordingLogger();
  const routes = createResultsRoutes({
    store,
    clock: createFakeClock(),
    ids: createSequentialIds(),
    logger,
    authorizer: {
      async authorize(request) {
        authRequests.push(request);
        await options.authorizer?.authorize(request);
      },
    },
    ...(logStore ? { logs: logStore } : {}),
    ...(options.logChunkSize !== undefined ? { logChunkSize: options.logChunkSize } : {}),
  });
  const transport = createRouterTransport(routes);
  return {
    results: createClient(Results, transport),
    logs: createLogsClient(transport),
    v1alpha3: createClient(LogsV1alpha3, transport),
    store,
    logStore: logStore ?? createMemoryLogStore(),
    authRequests,
    logEntries: logger.entries,
  };
}

async function expectCode(promise: Promise<unknown>, code: Code): Promise<ConnectError> {
  const err = await errorOf(promise);
  expect(err).toBeInstanceOf(ConnectError);
  expect(Code[(err as ConnectError).code]).toBe(Code[code]);
  return err as ConnectError;
}

/** The data of a Log record as the watcher writes it. */
function logData(run: string, runUid: string, status: object = {}): object {
  return {
    kind: "Log",
    apiVersion: "results.tekton.dev/v1alpha3",
    metadata: { name: `${run}-log`, namespace: "ns", uid: `${runUid}-log` },
    spec: { resource: { kind: "TaskRun", namespace: "ns", name: run, uid: runUid }, type: "File" },
    status,
  };
}

/** A Result `ns/results/r1`, a TaskRun record `ns/results/r1/records/{runUid}` and its Log record. */
async function seed(h: LogsHarness, logRecord = "log1", runUid = "run-uid-1"): Promise<void> {
  await h.results
    .createResult({ parent: "ns", result: { name: "ns/results/r1" } })
    .catch((err: unknown) => {
      if (ConnectError.from(err).code !== Code.AlreadyExists) throw err;
    });
  await h.results.createRecord({
    parent: "ns/results/r1",
    record: {
      name: `ns/results/r1/records/${runUid}`,
      data: {
        type: RECORD_TYPES.TASK_RUN,
        value: json({ kind: "TaskRun", metadata: { name: "build", uid: runUid } }),
      },
    },
  });
  await h.results.createRecord({
    parent: "ns/results/r1",
    record: {
      name: `ns/results/r1/records/${logRecord}`,
      data: { type: RECORD_TYPES.LOG, value: json(logData("build", runUid)) },
    },
  });
}

async function recordStatus(h: LogsHarness, name: string): Promise<Record<string, unknown>> {
  const record = await h.results.getRecord({ name });
  const data = JSON.parse(decoder.decode(record.data!.value)) as {
    status: Record<string, unknown>;
  };
  return data.status;
}

function text(size: number, seed = 0): string {
  let out = "";
  for (let i = 0; out.length < size; i++) out += `[task : step] line ${seed}-${i}\n`;
  return out.slice(0, size);
}

/**
 * Upload chunks that stop after the first one until `release()` is called;
 * `begun` resolves once the first chunk was taken: a window to change the
 * Log record while its upload is in flight.
 */
function gatedUpload(): {
  chunks: () => AsyncGenerator<string>;
  begun: Promise<void>;
  release: () => void;
} {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let started!: () => void;
  const begun = new Promise<void>((r) => (started = r));
  async function* chunks() {
    yield "part 1\n";
    started();
    await gate;
    yield "part 2\n";
  }
  return { chunks, begun, release };
}

describe("Logs.UpdateLog", () => {
  let h: LogsHarness;
  beforeEach(async () => {
    h = createLogsHarness();
    await seed(h);
  });

  it("stores the streamed chunks and marks the Log record stored", async () => {
    const summary = await h.logs.uploadLog("ns/results/r1/logs/log1", ["hello ", "world\n", ""]);
    expect(summary.record).toBe("ns/results/r1/records/log1");
    expect(summary.bytesReceived).toBe(12n);
    expect(await h.logs.readLogText("ns/results/r1/logs/log1")).toBe("hello world\n");
    const status = await recordStatus(h, "ns/results/r1/records/log1");
    expect(status).toEqual({ path: "ns/r1/log1.log", size: 12, isStored: true });
  });

  it("replaces a stored log and updates its size", async () => {
    await h.logs.uploadLog("ns/results/r1/logs/log1", ["a long first version\n"]);
    await h.logs.uploadLog("ns/results/r1/logs/log1", ["v2\n"]);
    expect(await h.logs.readLogText("ns/results/r1/logs/log1")).toBe("v2\n");
    expect((await recordStatus(h, "ns/results/r1/records/log1"))["size"]).toBe(3);
  });

  it("keeps the other fields of the Log record's data", async () => {
    await h.logs.uploadLog("ns/results/r1/logs/log1", ["x"]);
    const record = await h.results.getRecord({ name: "ns/results/r1/records/log1" });
    const data = JSON.parse(decoder.decode(record.data!.value)) as { spec: unknown; kind: string };
    expect(data.kind).toBe("Log");
    expect(data.spec).toEqual((logData("build", "run-uid-1") as { spec: unknown }).spec);
    expect(record.data!.type).toBe(RECORD_TYPES.LOG);
  });

  it("accepts later messages that repeat the name or leave it empty", async () => {
    async function* messages() {
      yield { name: "ns/results/r1/logs/log1", data: encoder.encode("one\n") };
      yield { name: "", data: encoder.encode("two\n") };
      yield { name: "ns/results/r1/logs/log1", data: encoder.encode("three\n") };
    }
    const summary = await h.logs.updateLog(messages());
    expect(summary.bytesReceived).toBe(14n);
    expect(await h.logs.readLogText("ns/results/r1/logs/log1")).toBe("one\ntwo\nthree\n");
  });

  it("rejects a later message naming another log, keeps the previous log, and records the failure", async () => {
    await h.logs.uploadLog("ns/results/r1/logs/log1", ["kept\n"]);
    async function* messages() {
      yield { name: "ns/results/r1/logs/log1", data: encoder.encode("new\n") };
      yield { name: "ns/results/r1/logs/other", data: encoder.encode("x") };
    }
    const err = await expectCode(h.logs.updateLog(messages()), Code.InvalidArgument);
    expect(err.rawMessage).toContain("same log");
    expect(await h.logs.readLogText("ns/results/r1/logs/log1")).toBe("kept\n");
    const status = await recordStatus(h, "ns/results/r1/records/log1");
    expect(status["isStored"]).toBe(true);
    expect(status["size"]).toBe(5);
    expect(status["errorOnStoreMsg"]).toBe(err.rawMessage);
    expect(status["isRetryableErr"]).toBe(false);
    // A later successful upload clears the failure.
    await h.logs.uploadLog("ns/results/r1/logs/log1", ["ok\n"]);
    const after = await recordStatus(h, "ns/results/r1/records/log1");
    expect(after).toEqual({ path: "ns/r1/log1.log", size: 3, isStored: true });
  });

  it("rejects an empty stream as InvalidArgument", async () => {
    await expectCode(h.logs.uploadLog("ns/results/r1/logs/log1", []), Code.InvalidArgument);
  });

  it.each([
    ["", Code.InvalidArgument],
    ["ns/results/r1/records/log1", Code.InvalidArgument],
    ["ns/results/r1/logs/Log1", Code.InvalidArgument],
    ["../results/r1/logs/log1", Code.InvalidArgument],
    ["ns/results/r1/logs/missing", Code.NotFound],
    ["ns/results/r2/logs/log1", Code.NotFound],
  ])("answers %j with %s and stores nothing", async (name, code) => {
    await expectCode(h.logs.uploadLog(name, ["x"]), code);
    expect((h.logStore as MemoryLogStore).names()).toEqual([]);
  });

  it("stores the log of a run named by its run record (v1alpha3 style name)", async () => {
    const summary = await h.logs.uploadLog("ns/results/r1/logs/run-uid-1", ["by run\n"]);
    expect(summary.record).toBe("ns/results/r1/records/log1");
    expect(await h.logs.readLogText("ns/results/r1/logs/log1")).toBe("by run\n");
  });

  it("answers FailedPrecondition when the Log record's data is not an object", async () => {
    await h.results.createRecord({
      parent: "ns/results/r1",
      record: {
        name: "ns/results/r1/records/weird",
        data: { type: RECORD_TYPES.LOG, value: json([1, 2]) },
      },
    });
    await expectCode(h.logs.uploadLog("ns/results/r1/logs/weird", ["x"]), Code.FailedPrecondition);
  });

  it("updates the status even when the Log record changed during the upload", async () => {
    const { chunks, begun, release } = gatedUpload();
    const upload = h.logs.uploadLog("ns/results/r1/logs/log1", chunks());
    await begun;
    const current = await h.results.getRecord({ name: "ns/results/r1/records/log1" });
    const data = JSON.parse(decoder.decode(current.data!.value)) as Record<string, unknown>;
    data["metadata"] = { ...(data["metadata"] as object), labels: { changed: "yes" } };
    await h.results.updateRecord({
      record: { name: current.name, data: { type: RECORD_TYPES.LOG, value: json(data) } },
      etag: current.etag,
    });
    release();
    expect((await upload).bytesReceived).toBe(14n);
    const after = await h.results.getRecord({ name: "ns/results/r1/records/log1" });
    const afterData = JSON.parse(decoder.decode(after.data!.value)) as {
      metadata: { labels: unknown };
      status: unknown;
    };
    expect(afterData.metadata.labels).toEqual({ changed: "yes" });
    expect(afterData.status).toEqual({ path: "ns/r1/log1.log", size: 14, isStored: true });
  });

  it.each(["deleted", "retyped", "deleted and created again"])(
    "answers Aborted and keeps no bytes when the Log record is %s during the upload",
    async (change) => {
      const { chunks, begun, release } = gatedUpload();
      const name = "ns/results/r1/records/log1";
      const upload = h.logs.uploadLog("ns/results/r1/logs/log1", chunks());
      await begun;
      if (change === "retyped") {
        await h.results.updateRecord({
          record: { name, data: { type: RECORD_TYPES.TASK_RUN, value: json({}) } },
        });
      } else {
        await h.results.deleteRecord({ name });
        if (change !== "deleted") {
          await h.results.createRecord({
            parent: "ns/results/r1",
            record: { name, data: { type: RECORD_TYPES.LOG, value: json(logData("b", "u")) } },
          });
        }
      }
      release();
      const err = await expectCode(upload, Code.Aborted);
      expect(err.rawMessage).toBe(
        "the Log record was deleted or changed type while its log was uploaded; nothing was stored",
      );
      await expect(h.logStore.read("ns/results/r1/logs/log1")).rejects.toMatchObject({
        code: "not_found",
      });
    },
  );
});

describe("Logs.GetLog", () => {
  it("streams text/plain chunks of 32 KiB, the last one shorter", async () => {
    const h = createLogsHarness();
    await seed(h);
    const body = text(100_000);
    await h.logs.uploadLog("ns/results/r1/logs/log1", [body]);
    const sizes: number[] = [];
    let out = "";
    for await (const chunk of h.logs.getLog({ name: "ns/results/r1/logs/log1" })) {
      expect(chunk.contentType).toBe("text/plain");
      sizes.push(chunk.data.byteLength);
      out += decoder.decode(chunk.data);
    }
    expect(sizes).toEqual([32768, 32768, 32768, 100_000 - 3 * 32768]);
    expect(out).toBe(body);
  });

  it("uses the configured chunk size", async () => {
    const h = createLogsHarness({ logChunkSize: 10 });
    await seed(h);
    await h.logs.uploadLog("ns/results/r1/logs/log1", [text(25)]);
    const sizes: number[] = [];
    for await (const chunk of h.logs.getLog({ name: "ns/results/r1/logs/log1" })) {
      sizes.push(chunk.data.byteLength);
    }
    expect(sizes).toEqual([10, 10, 5]);
  });

  it("rejects a chunk size out of range when the routes are created", () => {
    expect(() => createLogsHarness({ logChunkSize: 0 })).toThrow(RangeError);
    expect(() => createLogsHarness({ logChunkSize: 8 * 1024 * 1024 })).toThrow(RangeError);
  });

  it("answers NotFound for a missing record, an unstored log and a log lost from the store", async () => {
    const logStore = createMemoryLogStore();
    const h = createLogsHarness({ logStore });
    await seed(h);
    await expectCode(h.logs.readLog("ns/results/r1/logs/nothing"), Code.NotFound);
    await expectCode(h.logs.readLog("ns/results/r1/logs/log1"), Code.NotFound);
    await h.logs.uploadLog("ns/results/r1/logs/log1", ["x"]);
    await logStore.delete("ns/results/r1/logs/log1");
    const err = await expectCode(h.logs.readLog("ns/results/r1/logs/log1"), Code.NotFound);
    expect(err.rawMessage).toBe('log "ns/results/r1/logs/log1" not found');
  });

  it("answers InvalidArgument for a malformed name", async () => {
    const h = createLogsHarness();
    await expectCode(h.logs.readLog("ns/results/r1/records/log1"), Code.InvalidArgument);
    await expectCode(h.logs.readLog(""), Code.InvalidArgument);
  });

  it("serves a stored empty log as no chunks", async () => {
    const h = createLogsHarness();
    await seed(h);
    async function* messages() {
      yield { name: "ns/results/r1/logs/log1", data: new Uint8Array() };
    }
    expect((await h.logs.updateLog(messages())).bytesReceived).toBe(0n);
    expect(await h.logs.readLog("ns/results/r1/logs/log1")).toEqual(new Uint8Array());
    expect((await recordStatus(h, "ns/results/r1/records/log1"))["isStored"]).toBe(true);
  });

  it("finds the log of a run by the run record's name, over v1alpha2 and v1alpha3", async () => {
    const h = createLogsHarness();
    await seed(h, "log1", "run-uid-1");
    await h.logs.uploadLog("ns/results/r1/logs/log1", ["run log\n"]);
    expect(await h.logs.readLogText("ns/results/r1/logs/run-uid-1")).toBe("run log\n");
    let out = "";
    for await (const chunk of h.v1alpha3.getLog({ name: "ns/results/r1/logs/run-uid-1" })) {
      expect(chunk.contentType).toBe("text/plain");
      out += decoder.decode(chunk.data);
    }
    expect(out).toBe("run log\n");
  });

  it("finds the log of a run whose record name differs from its uid, by metadata.uid", async () => {
    const h = createLogsHarness();
    await h.results.createResult({ parent: "ns", result: { name: "ns/results/r1" } });
    await h.results.createRecord({
      parent: "ns/results/r1",
      record: {
        name: "ns/results/r1/records/build-run",
        data: {
          type: RECORD_TYPES.TASK_RUN,
          value: json({ kind: "TaskRun", metadata: { name: "build", uid: "6a1f-UID.9" } }),
        },
      },
    });
    await h.results.createRecord({
      parent: "ns/results/r1",
      record: {
        name: "ns/results/r1/records/build-log",
        data: { type: RECORD_TYPES.LOG, value: json(logData("build", "6a1f-UID.9")) },
      },
    });
    await h.logs.uploadLog("ns/results/r1/logs/build-log", ["found\n"]);
    expect(await h.logs.readLogText("ns/results/r1/logs/build-run")).toBe("found\n");
  });

  it("answers NotFound for a run record without a Log record", async () => {
    const h = createLogsHarness();
    await seed(h, "log1", "run-uid-1");
    await h.results.createRecord({
      parent: "ns/results/r1",
      record: {
        name: "ns/results/r1/records/lonely",
        data: { type: RECORD_TYPES.TASK_RUN, value: json({ metadata: { uid: "other" } }) },
      },
    });
    await expectCode(h.logs.readLog("ns/results/r1/logs/lonely"), Code.NotFound);
  });
});

describe("Logs.ListLogs", () => {
  let h: LogsHarness;
  beforeEach(async () => {
    h = createLogsHarness();
    await seed(h, "log1", "run-1");
    await seed(h, "log2", "run-2");
    await h.results.createResult({ parent: "ns", result: { name: "ns/results/r2" } });
    await h.results.createRecord({
      parent: "ns/results/r2",
      record: {
        name: "ns/results/r2/records/log3",
        data: { type: RECORD_TYPES.LOG, value: json(logData("deploy", "run-3")) },
      },
    });
  });

  it("lists only Log records, named as logs", async () => {
    const res = await h.logs.listLogs({ parent: "ns/results/r1" });
    expect(res.records.map((r) => r.name)).toEqual([
      "ns/results/r1/logs/log1",
      "ns/results/r1/logs/log2",
    ]);
    expect(res.records.every((r) => r.data?.type === RECORD_TYPES.LOG)).toBe(true);
    expect(res.nextPageToken).toBe("");
  });

  it("lists across results with a wildcard and combines the caller's filter", async () => {
    const all = await h.logs.listLogs({ parent: "ns/results/-" });
    expect(all.records.map((r) => r.name)).toEqual([
      "ns/results/r1/logs/log1",
      "ns/results/r1/logs/log2",
      "ns/results/r2/logs/log3",
    ]);
    const filtered = await h.logs.listLogs({
      parent: "ns/results/-",
      filter: 'data.spec.resource.name == "deploy" || data_type == "tekton.dev/v1.TaskRun"',
    });
    expect(filtered.records.map((r) => r.name)).toEqual(["ns/results/r2/logs/log3"]);
  });

  it("pages with tokens that only ListLogs accepts", async () => {
    const first = await h.logs.listLogs({ parent: "ns/results/-", pageSize: 2 });
    expect(first.records).toHaveLength(2);
    expect(first.nextPageToken).not.toBe("");
    const second = await h.logs.listLogs({
      parent: "ns/results/-",
      pageSize: 2,
      pageToken: first.nextPageToken,
    });
    expect(second.records.map((r) => r.name)).toEqual(["ns/results/r2/logs/log3"]);
    expect(second.nextPageToken).toBe("");
    const names: string[] = [];
    for await (const r of h.logs.listAllLogs({ parent: "ns/results/-", pageSize: 1 })) {
      names.push(r.name);
    }
    expect(names).toHaveLength(3);
    const records = await h.results.listRecords({ parent: "ns/results/-", pageSize: 1 });
    await expectCode(
      h.logs.listLogs({ parent: "ns/results/-", pageSize: 1, pageToken: records.nextPageToken }),
      Code.InvalidArgument,
    );
  });

  it("validates the parent, filter, order and page size", async () => {
    await expectCode(h.logs.listLogs({ parent: "" }), Code.InvalidArgument);
    await expectCode(h.logs.listLogs({ parent: "ns" }), Code.InvalidArgument);
    await expectCode(
      h.logs.listLogs({ parent: "ns/results/-", filter: "1 +" }),
      Code.InvalidArgument,
    );
    await expectCode(
      h.logs.listLogs({ parent: "ns/results/-", filter: "name" }),
      Code.InvalidArgument,
    );
    await expectCode(
      h.logs.listLogs({ parent: "ns/results/-", orderBy: "name" }),
      Code.InvalidArgument,
    );
    await expectCode(
      h.logs.listLogs({ parent: "ns/results/-", pageSize: -1 }),
      Code.InvalidArgument,
    );
  });
});

describe("Logs.DeleteLog and Results.DeleteResult", () => {
  it("deletes the stored log and the Log record", async () => {
    const logStore = createMemoryLogStore();
    const h = createLogsHarness({ logStore });
    await seed(h);
    await h.logs.uploadLog("ns/results/r1/logs/log1", ["x"]);
    await h.logs.deleteLog({ name: "ns/results/r1/logs/log1" });
    expect(logStore.names()).toEqual([]);
    await expectCode(h.results.getRecord({ name: "ns/results/r1/records/log1" }), Code.NotFound);
    await expectCode(h.logs.readLog("ns/results/r1/logs/log1"), Code.NotFound);
    await expectCode(h.logs.deleteLog({ name: "ns/results/r1/logs/log1" }), Code.NotFound);
    // The run record stays.
    await h.results.getRecord({ name: "ns/results/r1/records/run-uid-1" });
  });

  it("deletes a Log record that has no stored log", async () => {
    const h = createLogsHarness();
    await seed(h);
    await h.logs.deleteLog({ name: "ns/results/r1/logs/log1" });
    await expectCode(h.results.getRecord({ name: "ns/results/r1/records/log1" }), Code.NotFound);
  });

  it("deletes the logs of a Result with it, and only those", async () => {
    const logStore = createMemoryLogStore();
    const h = createLogsHarness({ logStore });
    await seed(h, "log1", "run-1");
    await h.results.createResult({ parent: "ns", result: { name: "ns/results/r10" } });
    await h.results.createRecord({
      parent: "ns/results/r10",
      record: {
        name: "ns/results/r10/records/log9",
        data: { type: RECORD_TYPES.LOG, value: json(logData("other", "run-9")) },
      },
    });
    await h.logs.uploadLog("ns/results/r1/logs/log1", ["1"]);
    await h.logs.uploadLog("ns/results/r10/logs/log9", ["9"]);
    await h.results.deleteResult({ name: "ns/results/r1" });
    expect(logStore.names()).toEqual(["ns/results/r10/logs/log9"]);
    await expectCode(h.results.deleteResult({ name: "ns/results/r1" }), Code.NotFound);
  });

  it("keeps the Result when its logs cannot be deleted", async () => {
    const failing: LogStore = {
      ...createMemoryLogStore(),
      deletePrefix: () =>
        Promise.reject(new LogStoreError("unavailable", "log storage unavailable: EIO")),
    };
    const h = createLogsHarness({ logStore: failing });
    await seed(h);
    const err = await expectCode(
      h.results.deleteResult({ name: "ns/results/r1" }),
      Code.Unavailable,
    );
    expect(err.rawMessage).toBe("log storage unavailable");
    await h.results.getResult({ name: "ns/results/r1" });
  });
});

describe("Logs authorization", () => {
  it("asks for logs get/list/update/delete in the log's namespace", async () => {
    const h = createLogsHarness();
    await seed(h);
    h.authRequests.length = 0;
    await h.logs.uploadLog("ns/results/r1/logs/log1", ["x"]);
    await h.logs.readLog("ns/results/r1/logs/log1");
    for await (const _ of h.v1alpha3.getLog({ name: "ns/results/r1/logs/log1" })) {
      // drain
    }
    await h.logs.listLogs({ parent: "ns/results/-" });
    await h.logs.listLogs({ parent: "-/results/-" });
    await h.logs.deleteLog({ name: "ns/results/r1/logs/log1" });
    expect(h.authRequests.map((r) => [r.resource, r.verb, r.parent])).toEqual([
      ["logs", "update", "ns"],
      ["logs", "get", "ns"],
      ["logs", "get", "ns"],
      ["logs", "list", "ns"],
      ["logs", "list", "-"],
      ["logs", "delete", "ns"],
    ]);
  });

  it("touches no storage when denied", async () => {
    const logStore = createMemoryLogStore();
    const deny: Authorizer = {
      authorize: (r) =>
        r.resource === "logs"
          ? Promise.reject(new ConnectError("no", Code.PermissionDenied))
          : Promise.resolve(),
    };
    const h = createLogsHarness({ logStore, authorizer: deny });
    await seed(h);
    await expectCode(h.logs.uploadLog("ns/results/r1/logs/log1", ["x"]), Code.PermissionDenied);
    expect(logStore.names()).toEqual([]);
    await logStore.write("ns/results/r1/logs/log1", [encoder.encode("x")]);
    await expectCode(h.logs.readLog("ns/results/r1/logs/log1"), Code.PermissionDenied);
    await expectCode(h.logs.listLogs({ parent: "ns/results/r1" }), Code.PermissionDenied);
    await expectCode(h.logs.deleteLog({ name: "ns/results/r1/logs/log1" }), Code.PermissionDenied);
    expect(logStore.names()).toEqual(["ns/results/r1/logs/log1"]);
    await h.results.getRecord({ name: "ns/results/r1/records/log1" });
  });
});

describe("Logs store failures and the disabled API", () => {
  it("answers Unavailable without internal details and records a retryable failure", async () => {
    const inner = createMemoryLogStore();
    const failing: LogStore = {
      ...inner,
      write: async (_name, source) => {
        for await (const _ of source) {
          throw new LogStoreError("unavailable", "log storage unavailable: cannot write (ENOSPC)", {
            cause: new Error("ENOSPC: /var/secret/path"),
          });
        }
        return 0;
      },
    };
    const h = createLogsHarness({ logStore: failing });
    await seed(h);
    const err = await expectCode(
      h.logs.uploadLog("ns/results/r1/logs/log1", ["x"]),
      Code.Unavailable,
    );
    expect(err.rawMessage).toBe("log storage unavailable");
    const status = await recordStatus(h, "ns/results/r1/records/log1");
    expect(status["errorOnStoreMsg"]).toBe("log storage unavailable");
    expect(status["isRetryableErr"]).toBe(true);
    expect(status["isStored"]).toBeUndefined();
    expect(h.logEntries.some((e) => e.level === "warn")).toBe(true);
  });

  it("answers Internal for an unexpected log store error, logging it", async () => {
    const failing: LogStore = {
      ...createMemoryLogStore(),
      read: () => Promise.reject(new Error("disk exploded at /secret")),
    };
    const h = createLogsHarness({ logStore: failing });
    await seed(h);
    await h.logs.uploadLog("ns/results/r1/logs/log1", ["x"]);
    const err = await expectCode(h.logs.readLog("ns/results/r1/logs/log1"), Code.Internal);
    expect(err.rawMessage).toBe("internal error");
    expect(h.logEntries.some((e) => e.level === "error")).toBe(true);
  });

  it("answers Unimplemented to every Logs RPC without a log store", async () => {
    const h = createLogsHarness({ logStore: null });
    await seed(h);
    for (const call of [
      h.logs.readLog("ns/results/r1/logs/log1"),
      h.logs.uploadLog("ns/results/r1/logs/log1", ["x"]),
      h.logs.listLogs({ parent: "ns/results/r1" }),
      h.logs.deleteLog({ name: "ns/results/r1/logs/log1" }),
      (async () => {
        for await (const _ of h.v1alpha3.getLog({ name: "ns/results/r1/logs/log1" })) {
          // drain
        }
      })(),
    ]) {
      const err = await expectCode(call, Code.Unimplemented);
      expect(err.rawMessage).toBe(LOGS_DISABLED_MESSAGE);
    }
    // DeleteResult still works.
    await h.results.deleteResult({ name: "ns/results/r1" });
  });
});
