/**
 * End-to-end: the Logs API on a real HTTP server (h2c and HTTP/1.1 on one
 * port) over a SQLite file and a directory log store. A multi-MiB log is
 * uploaded with the client's `uploadLog` over gRPC and Connect, read back with
 * GetLog (v1alpha2 and v1alpha3) and as raw text over REST, listed, and
 * deleted with DeleteLog and DeleteResult.
 */
import { createHash } from "node:crypto";
import * as http from "node:http";
import * as http2 from "node:http2";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, ConnectError, createClient, type Client } from "@connectrpc/connect";
import {
  createConnectTransport,
  createGrpcTransport,
  Http2SessionManager,
} from "@connectrpc/connect-node";
import { createLogsClient, type LogsClient } from "@tekton-results/client";
import {
  createDirectoryLogStore,
  createMemoryLogStore,
  type DirectoryLogStore,
  type LogStore,
} from "@tekton-results/log-store";
import { startFakeS3 } from "@tekton-results/log-store/testing";
import { createMemoryStore } from "@tekton-results/storage-conformance";
import { Results, RECORD_TYPES } from "@tekton-results/proto";
import { Logs as LogsV1alpha3 } from "@tekton-results/proto/v1alpha3";
import type { ResultsStore } from "@tekton-results/storage";
import { createSqliteStore } from "@tekton-results/storage-sqlite";
import type { Logger } from "../src/deps.js";
import { main, openLogStore } from "../src/main.js";
import { createResultsRoutes } from "../src/routes.js";
import { createResultsServer, type ResultsServer } from "../src/server.js";
import { files } from "./support/outcomes.js";

const V1ALPHA2 = "/apis/results.tekton.dev/v1alpha2/parents";
const V1ALPHA3 = "/apis/results.tekton.dev/v1alpha3/parents";
const MiB = 1024 * 1024;
const encoder = new TextEncoder();

/** A log of `size` bytes in 64 KiB lines-of-text chunks, generated lazily, with its sha256. */
function makeLog(size: number, seed: string): { chunks: () => Generator<Uint8Array>; sha: string } {
  const piece = (i: number): Uint8Array => {
    let text = "";
    for (let n = 0; text.length < 64 * 1024; n++) text += `[${seed} : step-${i}] line ${n}\n`;
    return encoder.encode(text.slice(0, 64 * 1024));
  };
  function* chunks(): Generator<Uint8Array> {
    let left = size;
    for (let i = 0; left > 0; i++) {
      const p = piece(i);
      const out = left >= p.byteLength ? p : p.subarray(0, left);
      left -= out.byteLength;
      yield out;
    }
  }
  const hash = createHash("sha256");
  for (const c of chunks()) hash.update(c);
  return { chunks, sha: hash.digest("hex") };
}

function sha(data: Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

function json(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

describe("the Logs API end to end", () => {
  let dir: string;
  let store: ResultsStore;
  let logStore: DirectoryLogStore;
  let server: ResultsServer;
  let url: string;
  const sessions: Http2SessionManager[] = [];
  let grpcResults: Client<typeof Results>;
  let grpcLogs: LogsClient;
  let connectLogs: LogsClient;
  let grpcV1alpha3: Client<typeof LogsV1alpha3>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "results-e2e-logs-"));
    store = await createSqliteStore({ filename: join(dir, "results.db") });
    logStore = createDirectoryLogStore({ dir: join(dir, "logs") });
    server = createResultsServer({
      routes: createResultsRoutes({ store, logs: logStore }),
      store,
    });
    ({ url } = await server.listen(0, "127.0.0.1"));
    const session = (): Http2SessionManager => {
      const s = new Http2SessionManager(url);
      sessions.push(s);
      return s;
    };
    const grpc = createGrpcTransport({ baseUrl: url, sessionManager: session() });
    const connect = createConnectTransport({
      baseUrl: url,
      httpVersion: "2",
      sessionManager: session(),
    });
    grpcResults = createClient(Results, grpc);
    grpcLogs = createLogsClient(grpc);
    connectLogs = createLogsClient(connect);
    grpcV1alpha3 = createClient(LogsV1alpha3, grpc);

    await grpcResults.createResult({ parent: "e2e", result: { name: "e2e/results/r1" } });
    await grpcResults.createResult({ parent: "e2e", result: { name: "e2e/results/r2" } });
    for (const [result, record, runUid] of [
      ["r1", "log-a", "run-a"],
      ["r1", "log-b", "run-b"],
      ["r2", "log-c", "run-c"],
    ] as const) {
      await grpcResults.createRecord({
        parent: `e2e/results/${result}`,
        record: {
          name: `e2e/results/${result}/records/${runUid}`,
          data: { type: RECORD_TYPES.TASK_RUN, value: json({ metadata: { uid: runUid } }) },
        },
      });
      await grpcResults.createRecord({
        parent: `e2e/results/${result}`,
        record: {
          name: `e2e/results/${result}/records/${record}`,
          data: {
            type: RECORD_TYPES.LOG,
            value: json({
              kind: "Log",
              apiVersion: "results.tekton.dev/v1alpha3",
              metadata: { name: `${runUid}-log`, namespace: "e2e" },
              spec: { resource: { kind: "TaskRun", namespace: "e2e", uid: runUid }, type: "File" },
            }),
          },
        },
      });
    }
  }, 60_000);

  afterAll(async () => {
    for (const s of sessions) s.abort();
    await server?.close({ deadlineMs: 1000 });
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const big = makeLog(6 * MiB + 12_345, "build");
  const other = makeLog(3 * MiB, "test");

  it("uploads a multi-MiB log over gRPC and reads it back over gRPC and Connect", async () => {
    const summary = await grpcLogs.uploadLog("e2e/results/r1/logs/log-a", big.chunks());
    expect(summary.record).toBe("e2e/results/r1/records/log-a");
    expect(summary.bytesReceived).toBe(BigInt(6 * MiB + 12_345));
    expect(files(logStore.dir)).toEqual(["e2e/r1/log-a.log"]);
    expect(statSync(logStore.filePath("e2e/results/r1/logs/log-a")).size).toBe(6 * MiB + 12_345);

    let largest = 0;
    const hash = createHash("sha256");
    for await (const body of grpcLogs.getLog({ name: "e2e/results/r1/logs/log-a" })) {
      expect(body.contentType).toBe("text/plain");
      largest = Math.max(largest, body.data.byteLength);
      hash.update(body.data);
    }
    expect(largest).toBe(32 * 1024);
    expect(hash.digest("hex")).toBe(big.sha);
    expect(sha(await connectLogs.readLog("e2e/results/r1/logs/log-a"))).toBe(big.sha);
  });

  it("uploads over Connect (HTTP/2) and reads over v1alpha3 GetLog by the run's record id", async () => {
    const summary = await connectLogs.uploadLog("e2e/results/r1/logs/log-b", other.chunks());
    expect(summary.bytesReceived).toBe(BigInt(3 * MiB));
    const hash = createHash("sha256");
    for await (const body of grpcV1alpha3.getLog({ name: "e2e/results/r1/logs/run-b" })) {
      expect(body.contentType).toBe("text/plain");
      expect(body.data.byteLength).toBeLessThanOrEqual(32 * 1024);
      hash.update(body.data);
    }
    expect(hash.digest("hex")).toBe(other.sha);
    const record = await grpcResults.getRecord({ name: "e2e/results/r1/records/log-b" });
    const status = (JSON.parse(new TextDecoder().decode(record.data!.value)) as { status: unknown })
      .status;
    expect(status).toEqual({ path: "e2e/r1/log-b.log", size: 3 * MiB, isStored: true });
  });

  it("serves the raw text over REST (HTTP/1.1) on the v1alpha2 and v1alpha3 paths", async () => {
    for (const path of [
      `${V1ALPHA2}/e2e/results/r1/logs/log-a`,
      `${V1ALPHA3}/e2e/results/r1/logs/run-a`,
    ]) {
      const res = await fetch(url + path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("content-type")).toBe("text/plain");
      expect(res.headers.get("content-length")).toBeNull();
      const body = new Uint8Array(await res.arrayBuffer());
      expect(body.byteLength).toBe(6 * MiB + 12_345);
      expect(sha(body)).toBe(big.sha);
    }
  });

  it("answers a missing log over REST with a JSON 404 and over gRPC with NotFound", async () => {
    await grpcResults.createRecord({
      parent: "e2e/results/r2",
      record: {
        name: "e2e/results/r2/records/pending",
        data: { type: RECORD_TYPES.LOG, value: json({ kind: "Log", status: { isStored: false } }) },
      },
    });
    const res = await fetch(`${url}${V1ALPHA2}/e2e/results/r2/logs/pending`);
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(await res.json()).toEqual({
      code: Code.NotFound,
      message: 'log "e2e/results/r2/logs/pending" not found',
      details: [],
    });
    const err = await grpcLogs.readLog("e2e/results/r2/logs/pending").catch((e: unknown) => e);
    expect(ConnectError.from(err).code).toBe(Code.NotFound);
    const bad = await fetch(`${url}${V1ALPHA3}/e2e/results/r2/logs/UPPER`);
    expect(bad.status).toBe(400);
  });

  it("lists Log records over gRPC and REST", async () => {
    const listed = await grpcLogs.listLogs({ parent: "e2e/results/-" });
    expect(listed.records.map((r) => r.name)).toEqual([
      "e2e/results/r1/logs/log-a",
      "e2e/results/r1/logs/log-b",
      "e2e/results/r2/logs/log-c",
      "e2e/results/r2/logs/pending",
    ]);
    const res = await fetch(`${url}${V1ALPHA2}/e2e/results/r1/logs?page_size=1`);
    expect(res.status).toBe(200);
    const page = (await res.json()) as { records: { name: string }[]; next_page_token: string };
    expect(page.records.map((r) => r.name)).toEqual(["e2e/results/r1/logs/log-a"]);
    expect(page.next_page_token).not.toBe("");
  });

  it("deletes a log over REST, a Log record with its bytes, then a Result with its log files", async () => {
    await grpcLogs.uploadLog("e2e/results/r2/logs/log-c", ["c\n"]);
    expect(files(logStore.dir)).toEqual([
      "e2e/r1/log-a.log",
      "e2e/r1/log-b.log",
      "e2e/r2/log-c.log",
    ]);

    const deleted = await fetch(`${url}${V1ALPHA2}/e2e/results/r2/logs/log-c`, {
      method: "DELETE",
    });
    expect(deleted.status).toBe(200);
    expect(files(logStore.dir)).toEqual(["e2e/r1/log-a.log", "e2e/r1/log-b.log"]);
    const gone = await grpcResults
      .getRecord({ name: "e2e/results/r2/records/log-c" })
      .catch((e: unknown) => e);
    expect(ConnectError.from(gone).code).toBe(Code.NotFound);

    // Results.DeleteRecord of a TaskRun record takes its Log record and the
    // log's bytes with it; of a Log record, that log's bytes.
    await grpcResults.deleteRecord({ name: "e2e/results/r1/records/run-b" });
    expect(files(logStore.dir)).toEqual(["e2e/r1/log-a.log"]);
    const missing = await grpcResults
      .deleteRecord({ name: "e2e/results/r1/records/log-b" })
      .catch((e: unknown) => e);
    expect(ConnectError.from(missing).code).toBe(Code.NotFound);
    // The other run of the Result keeps its Log record and log.
    expect((await grpcResults.getRecord({ name: "e2e/results/r1/records/log-a" })).name).toBe(
      "e2e/results/r1/records/log-a",
    );

    await grpcResults.deleteResult({ name: "e2e/results/r1" });
    expect(files(logStore.dir)).toEqual([]);
    const after = await fetch(`${url}${V1ALPHA2}/e2e/results/r1/logs/log-a`);
    expect(after.status).toBe(404);
  });
});

describe("the server program's Logs API settings", () => {
  const quiet: Logger = {
    debug: () => undefined,
    info: () => undefined,
    warn: () => undefined,
    error: () => undefined,
  };

  async function withMain(
    args: string[],
    body: (url: string) => Promise<void>,
    env: Record<string, string> = {},
  ): Promise<void> {
    let stop!: () => void;
    let url = "";
    const done = main(
      ["--port", "0", "--host", "127.0.0.1", "--database", "sqlite::memory:", ...args],
      env,
      {
        logger: quiet,
        stop: new Promise<void>((r) => (stop = r)),
        onListening: (a) => (url = a.url),
      },
    );
    const deadline = Date.now() + 20_000;
    while (url === "" && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    try {
      expect(url).not.toBe("");
      await body(url);
    } finally {
      stop();
      expect(await done).toBe(0);
    }
  }

  async function seedAndUpload(url: string): Promise<void> {
    const connect = createConnectTransport({ baseUrl: url, httpVersion: "1.1" });
    const results = createClient(Results, connect);
    await results.createResult({ parent: "m", result: { name: "m/results/r" } });
    await results.createRecord({
      parent: "m/results/r",
      record: {
        name: "m/results/r/records/l",
        data: { type: RECORD_TYPES.LOG, value: json({ kind: "Log" }) },
      },
    });
    const session = new Http2SessionManager(url);
    try {
      const logs = createLogsClient(createGrpcTransport({ baseUrl: url, sessionManager: session }));
      await logs.uploadLog("m/results/r/logs/l", ["from main\n"]);
    } finally {
      session.abort();
    }
  }

  it("stores logs under --logs-dir, and sweeps the temporary files of crashed uploads", async () => {
    const dir = mkdtempSync(join(tmpdir(), "results-main-logs-"));
    try {
      // What a crash mid-upload two days ago left behind.
      const stale = join(dir, "logs", "old", "r", ".l.log.a1b2c3.tmp");
      mkdirSync(join(dir, "logs", "old", "r"), { recursive: true });
      writeFileSync(stale, "half");
      const twoDaysAgo = new Date(Date.now() - 2 * 24 * 3600 * 1000);
      utimesSync(stale, twoDaysAgo, twoDaysAgo);
      await withMain(["--logs-dir", join(dir, "logs")], async (url) => {
        // The sweep runs in the background once the server listens.
        const until = Date.now() + 5_000;
        while (existsSync(stale) && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
        expect(existsSync(stale)).toBe(false);
        await seedAndUpload(url);
        expect(files(join(dir, "logs"))).toEqual(["m/r/l.log"]);
        const res = await fetch(`${url}${V1ALPHA2}/m/results/r/logs/l`);
        expect(await res.text()).toBe("from main\n");
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("stores logs in S3-compatible object storage with --logs-type S3", async () => {
    const s3 = await startFakeS3();
    try {
      await withMain(
        [
          "--logs-type",
          "S3",
          "--s3-endpoint",
          s3.url,
          "--s3-bucket",
          s3.bucket,
          "--s3-key-prefix",
          "tekton/",
        ],
        async (url) => {
          await seedAndUpload(url);
          expect([...s3.objects.keys()]).toEqual(["tekton/m/r/l.log"]);
          const res = await fetch(`${url}${V1ALPHA2}/m/results/r/logs/l`);
          expect(res.headers.get("content-type")).toBe("text/plain");
          expect(await res.text()).toBe("from main\n");
          const deleted = await fetch(`${url}${V1ALPHA2}/m/results/r`, { method: "DELETE" });
          expect(deleted.status).toBe(200);
          expect(s3.objects.size).toBe(0);
        },
        { S3_ACCESS_KEY_ID: s3.accessKeyId, S3_SECRET_ACCESS_KEY: s3.secretAccessKey },
      );
    } finally {
      await s3.close();
    }
  });

  it("opens no log store when disabled and fails on unusable S3 settings", () => {
    const base = {
      enabled: true,
      dir: "./x",
      fsync: false,
      chunkBytes: 1024,
      maxBytes: 1024,
    } as const;
    expect(openLogStore({ ...base, enabled: false, type: "File" })).toBeUndefined();
    expect(openLogStore({ ...base, type: "File" })?.type).toBe("File");
    expect(() =>
      openLogStore({
        ...base,
        type: "S3",
        s3: {
          endpoint: "http://s3",
          bucket: "Not_A_Bucket",
          region: "us-east-1",
          keyPrefix: "",
          pathStyle: true,
          partSize: 5 * MiB,
          accessKeyId: "a",
          secretAccessKey: "b",
        },
      }),
    ).toThrow("bucket");
  });

  it("answers 501 on the log paths with --no-logs", async () => {
    await withMain(["--no-logs"], async (url) => {
      const res = await fetch(`${url}${V1ALPHA2}/m/results/r/logs/l`);
      expect(res.status).toBe(501);
      expect(((await res.json()) as { message: string }).message).toContain("not enabled");
    });
  });
});

describe("GetLog memory per stream", () => {
  const LOG_MIB = 32;
  let server: ResultsServer;
  let url: string;
  let yielded = 0;

  beforeAll(async () => {
    const inner = createMemoryLogStore();
    // Counts the chunks the service has pulled from the store.
    const logs: LogStore = {
      ...inner,
      read: async (name, options) => {
        const reader = await inner.read(name, options);
        return {
          size: reader.size,
          close: reader.close,
          async *[Symbol.asyncIterator]() {
            for await (const chunk of reader) {
              yielded++;
              yield chunk;
            }
          },
        };
      },
    };
    const store = createMemoryStore();
    server = createResultsServer({ routes: createResultsRoutes({ store, logs }), store });
    ({ url } = await server.listen(0, "127.0.0.1"));
    const results = createClient(
      Results,
      createConnectTransport({ baseUrl: url, httpVersion: "1.1" }),
    );
    await results.createResult({ parent: "mem", result: { name: "mem/results/r" } });
    // Only the server sets isStored (UpdateLog does), so the record is
    // written as UpdateLog would leave it, straight to the store.
    const now = new Date();
    await store.createRecord({
      parent: "mem",
      resultName: "r",
      name: "l",
      uid: "log-uid",
      type: RECORD_TYPES.LOG,
      data: JSON.stringify({ kind: "Log", status: { isStored: true } }),
      createTime: now,
      updateTime: now,
      etag: "log-etag",
    });
    const piece = new Uint8Array(MiB).fill(0x61);
    await inner.write(
      "mem/results/r/logs/l",
      (function* () {
        for (let i = 0; i < LOG_MIB; i++) yield piece;
      })(),
    );
  });

  afterAll(async () => {
    await server?.close({ deadlineMs: 1000 });
  });

  /** Resolves once `yielded` has not moved for 300 ms (at most 10 s). */
  async function settled(): Promise<number> {
    const deadline = Date.now() + 10_000;
    let last = -1;
    let since = Date.now();
    while (Date.now() < deadline) {
      if (yielded !== last) {
        last = yielded;
        since = Date.now();
      } else if (Date.now() - since >= 300 && last > 0) {
        return last;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    return yielded;
  }

  it("reads only a few chunks ahead of a gRPC client that does not read", async () => {
    yielded = 0;
    const session = http2.connect(url);
    session.on("error", () => undefined);
    try {
      const name = encoder.encode("mem/results/r/logs/l");
      const message = new Uint8Array([0x0a, name.byteLength, ...name]);
      const frame = Buffer.alloc(5 + message.byteLength);
      frame.writeUInt32BE(message.byteLength, 1);
      frame.set(message, 5);
      const req = session.request({
        ":method": "POST",
        ":path": "/tekton.results.v1alpha2.Logs/GetLog",
        "content-type": "application/grpc",
        te: "trailers",
      });
      req.on("error", () => undefined);
      req.pause();
      req.end(frame);
      const pulled = await settled();
      // HTTP/2 flow control (64 KiB window) holds the rest in the store.
      expect(pulled).toBeGreaterThan(0);
      expect(pulled).toBeLessThanOrEqual(8);
      req.close();
    } finally {
      session.close();
    }
  });

  it("does not buffer the whole log for a REST client that does not read", async () => {
    yielded = 0;
    const req = http.get(`${url}${V1ALPHA2}/mem/results/r/logs/l`);
    try {
      const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
        req.on("response", resolve);
        req.on("error", reject);
      });
      expect(res.statusCode).toBe(200);
      res.pause();
      const pulled = await settled();
      // Socket buffers take some; the rest waits in the store.
      expect(pulled).toBeGreaterThan(0);
      expect(pulled).toBeLessThan((LOG_MIB * MiB) / (32 * 1024) / 2);
    } finally {
      req.destroy();
    }
  });
});
