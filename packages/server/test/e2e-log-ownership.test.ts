/**
 * End-to-end, over a real HTTP/2 server with a directory log store, on SQLite
 * and on the in-memory store: a log's bytes belong to its Log record. They
 * are deleted when the record is deleted or stops being a Log record; only
 * the server sets `status.isStored` and `status.size`, so a new Log record of
 * a reused name never serves an old record's bytes; UpdateLog streams are
 * bounded by `maxLogBytes` (ResourceExhausted, nothing partial kept).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, createClient, type Client } from "@connectrpc/connect";
import {
  createConnectTransport,
  createGrpcTransport,
  Http2SessionManager,
} from "@connectrpc/connect-node";
import { createLogsClient, type LogsClient } from "@tekton-results/client";
import { createDirectoryLogStore, type DirectoryLogStore } from "@tekton-results/log-store";
import { Results, RECORD_TYPES } from "@tekton-results/proto";
import type { ResultsStore } from "@tekton-results/storage";
import { createMemoryStore } from "@tekton-results/storage-conformance";
import { createSqliteStore } from "@tekton-results/storage-sqlite";
import { createResultsRoutes } from "../src/routes.js";
import { createResultsServer, type ResultsServer } from "../src/server.js";
import { json } from "./service-harness.js";
import { codeOf, files } from "./support/outcomes.js";

const decoder = new TextDecoder();
const MAX_LOG_BYTES = 64 * 1024;

const stores: [string, (dir: string) => Promise<ResultsStore>][] = [
  ["SQLite", (dir) => createSqliteStore({ filename: join(dir, "results.db") })],
  ["the in-memory store", () => Promise.resolve(createMemoryStore())],
];

describe.each(stores)("a log's bytes belong to its Log record (%s)", (_, openStore) => {
  let dir: string;
  let store: ResultsStore;
  let logStore: DirectoryLogStore;
  let server: ResultsServer;
  const sessions: Http2SessionManager[] = [];
  let results: Client<typeof Results>;
  let grpcLogs: LogsClient;
  let connectLogs: LogsClient;
  let n = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "results-log-ownership-"));
    store = await openStore(dir);
    logStore = createDirectoryLogStore({ dir: join(dir, "logs") });
    server = createResultsServer({
      routes: createResultsRoutes({ store, logs: logStore, maxLogBytes: MAX_LOG_BYTES }),
      store,
    });
    const { url } = await server.listen(0, "127.0.0.1");
    const session = (): Http2SessionManager => {
      const s = new Http2SessionManager(url);
      sessions.push(s);
      return s;
    };
    const grpc = createGrpcTransport({ baseUrl: url, sessionManager: session() });
    results = createClient(Results, grpc);
    grpcLogs = createLogsClient(grpc);
    connectLogs = createLogsClient(
      createConnectTransport({ baseUrl: url, httpVersion: "2", sessionManager: session() }),
    );
  }, 60_000);

  afterAll(async () => {
    for (const s of sessions) s.abort();
    await server?.close({ deadlineMs: 1000 });
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A fresh Result `p/results/rN` holding a Log record `log`; its log name. */
  async function freshLog(): Promise<{ result: string; record: string; log: string }> {
    const result = `p/results/r${++n}`;
    await results.createResult({ parent: "p", result: { name: result } });
    const record = `${result}/records/log`;
    await createLogRecord(result, record, { kind: "Log", spec: { type: "File" } });
    return { result, record, log: `${result}/logs/log` };
  }

  function createLogRecord(result: string, record: string, data: unknown) {
    return results.createRecord({
      parent: result,
      record: { name: record, data: { type: RECORD_TYPES.LOG, value: json(data) } },
    });
  }

  /** The files the log store holds for `result` (`p/results/rN`), temporary files included. */
  function filesOf(result: string): string[] {
    return files(join(logStore.dir, result.replace("/results/", "/")));
  }

  async function statusOf(record: string): Promise<Record<string, unknown>> {
    const got = await results.getRecord({ name: record });
    const data = JSON.parse(decoder.decode(got.data!.value)) as {
      status?: Record<string, unknown>;
    };
    return data.status ?? {};
  }

  it("a Log record that changes type and is deleted leaves no bytes, and a new Log record of its name claiming isStored serves none", async () => {
    const { result, record, log } = await freshLog();
    await grpcLogs.uploadLog(log, ["the old record's secret log\n"]);
    expect(await grpcLogs.readLogText(log)).toBe("the old record's secret log\n");
    expect(filesOf(result)).toHaveLength(1);

    await results.updateRecord({
      record: {
        name: record,
        data: { type: RECORD_TYPES.TASK_RUN, value: json({ kind: "TaskRun" }) },
      },
    });
    // The bytes went with the record's Log type.
    expect(filesOf(result)).toEqual([]);
    await results.deleteRecord({ name: record });

    await createLogRecord(result, record, {
      kind: "Log",
      status: { isStored: true, size: 28, path: "p/r/log.log" },
    });
    expect(await codeOf(grpcLogs.readLog(log))).toEqual({
      code: Code.NotFound,
      message: `log ${JSON.stringify(log)} not found`,
    });
    expect(await statusOf(record)).toEqual({ path: "p/r/log.log" });
  });

  it("a new Log record of a reused name never serves the bytes of the previous one, even if they were left behind", async () => {
    const { result, record, log } = await freshLog();
    await grpcLogs.uploadLog(log, ["bytes of the first record\n"]);
    // The record is deleted behind the server's back (as a store-level
    // cleanup or a crash between the two deletions would): its bytes stay.
    const [, parent, resultName] = /^(.+)\/results\/(.+)$/.exec(result)!;
    await store.deleteRecord(parent!, resultName!, "log");
    expect(filesOf(result)).toHaveLength(1);

    await createLogRecord(result, record, { kind: "Log", status: { isStored: true, size: 26 } });
    expect(await codeOf(grpcLogs.readLog(log))).toMatchObject({ code: Code.NotFound });
    expect(await statusOf(record)).toEqual({});
    // Its own upload replaces the leftover.
    await grpcLogs.uploadLog(log, ["second\n"]);
    expect(await grpcLogs.readLogText(log)).toBe("second\n");
  });

  it("only the server sets isStored and size: an UpdateRecord keeps what the server stored", async () => {
    const { record, log } = await freshLog();
    await grpcLogs.uploadLog(log, ["0123456789"]);
    await results.updateRecord({
      record: {
        name: record,
        data: {
          type: RECORD_TYPES.LOG,
          value: json({ kind: "Log", status: { isStored: false, size: 0, errorOnStoreMsg: "" } }),
        },
      },
    });
    expect(await statusOf(record)).toMatchObject({ isStored: true, size: 10, errorOnStoreMsg: "" });
    expect(await grpcLogs.readLogText(log)).toBe("0123456789");

    // A record that becomes a Log record has nothing stored, whatever it says.
    const other = record.replace(/\/log$/, "/run");
    await results.createRecord({
      parent: record.replace(/\/records\/.*$/, ""),
      record: { name: other, data: { type: RECORD_TYPES.TASK_RUN, value: json({}) } },
    });
    await results.updateRecord({
      record: {
        name: other,
        data: { type: RECORD_TYPES.LOG, value: json({ status: { isStored: true, size: 5 } }) },
      },
    });
    expect(await statusOf(other)).toEqual({});
  });

  it("DeleteRecord of a Log record deletes its bytes", async () => {
    const { result, record, log } = await freshLog();
    await grpcLogs.uploadLog(log, ["x"]);
    expect(filesOf(result)).toHaveLength(1);
    await results.deleteRecord({ name: record });
    expect(filesOf(result)).toEqual([]);
  });

  it.each([
    ["gRPC", () => grpcLogs],
    ["Connect", () => connectLogs],
  ])(
    "an UpdateLog stream over maxLogBytes (%s) is ResourceExhausted, keeps the previous log and leaves no temporary file",
    async (_, client) => {
      const { result, record, log } = await freshLog();
      await client().uploadLog(log, ["the previous log\n"]);
      const piece = new Uint8Array(16 * 1024).fill(0x61);
      expect(
        await codeOf(client().uploadLog(log, [piece, piece, piece, piece, new Uint8Array(1)])),
      ).toEqual({
        code: Code.ResourceExhausted,
        message: `the log is larger than this server accepts (${MAX_LOG_BYTES} bytes)`,
      });
      expect(await client().readLogText(log)).toBe("the previous log\n");
      expect(filesOf(result)).toHaveLength(1);
      expect(await statusOf(record)).toMatchObject({ isStored: true, size: 17 });
      // Exactly the limit is accepted.
      const summary = await client().uploadLog(log, [piece, piece, piece, piece]);
      expect(summary.bytesReceived).toBe(BigInt(MAX_LOG_BYTES));
      await results.deleteRecord({ name: record });
    },
  );
});

describe("maxLogBytes", () => {
  it("must be a non-negative integer (0: no limit)", () => {
    const store = createMemoryStore();
    const logs = createDirectoryLogStore({ dir: join(tmpdir(), "unused-log-dir") });
    for (const maxLogBytes of [-1, 1.5, Number.NaN]) {
      expect(() => createResultsRoutes({ store, logs, maxLogBytes }), String(maxLogBytes)).toThrow(
        RangeError,
      );
    }
    expect(() => createResultsRoutes({ store, logs, maxLogBytes: 0 })).not.toThrow();
  });
});
