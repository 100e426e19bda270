/**
 * End-to-end, on a real port: connections that do nothing are closed (a
 * socket that sends nothing after `handshakeTimeoutMs`, an HTTP/2 connection
 * without an open stream after `idleTimeoutMs`, with GOAWAY), while streams
 * in progress, however slow, are never cut by the idle timeout.
 */
import * as http2 from "node:http2";
import * as net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { createLogsClient, type LogsClient } from "@tekton-results/client";
import { createMemoryLogStore } from "@tekton-results/log-store";
import { Results, RECORD_TYPES } from "@tekton-results/proto";
import { createMemoryStore } from "@tekton-results/storage-conformance";
import { createResultsRoutes } from "../src/routes.js";
import { createResultsServer, type ResultsServer } from "../src/server.js";

const IDLE_MS = 400;
const HANDSHAKE_MS = 300;
const PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Connect, send `bytes`, and resolve to how long (ms) until the server closed the socket. */
function closedAfter(port: number, bytes: string, limitMs: number): Promise<number | "open"> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = net.connect(port, "127.0.0.1", () => {
      if (bytes !== "") socket.write(bytes);
    });
    socket.on("data", () => undefined);
    socket.on("error", () => undefined);
    const limit = setTimeout(() => {
      socket.destroy();
      resolve("open");
    }, limitMs);
    socket.on("close", () => {
      clearTimeout(limit);
      resolve(Date.now() - started);
    });
  });
}

describe("idle connections are closed; slow streams are not", () => {
  let server: ResultsServer;
  let port: number;
  let url: string;
  let logs: LogsClient;
  let session: Http2SessionManager;

  beforeAll(async () => {
    const store = createMemoryStore();
    server = createResultsServer({
      routes: createResultsRoutes({ store, logs: createMemoryLogStore(), logChunkSize: 2048 }),
      store,
      idleTimeoutMs: IDLE_MS,
      handshakeTimeoutMs: HANDSHAKE_MS,
    });
    ({ port, url } = await server.listen(0, "127.0.0.1"));
    session = new Http2SessionManager(url);
    const transport = createGrpcTransport({ baseUrl: url, sessionManager: session });
    logs = createLogsClient(transport);
    const results = createClient(Results, transport);
    await results.createResult({ parent: "p", result: { name: "p/results/r" } });
    await results.createRecord({
      parent: "p/results/r",
      record: {
        name: "p/results/r/records/l",
        data: { type: RECORD_TYPES.LOG, value: new TextEncoder().encode('{"kind":"Log"}') },
      },
    });
  });

  afterAll(async () => {
    session?.abort();
    await server?.close({ deadlineMs: 1000 });
  });

  it("closes a socket that sends only the HTTP/2 preface after the idle timeout", async () => {
    const after = await closedAfter(port, PREFACE, 5_000);
    expect(after).not.toBe("open");
    expect(after).toBeGreaterThanOrEqual(IDLE_MS - 50);
  });

  it("closes a socket that sends nothing, or half a preface, after the handshake timeout", async () => {
    for (const bytes of ["", PREFACE.slice(0, 10)]) {
      const after = await closedAfter(port, bytes, 5_000);
      expect(after).not.toBe("open");
      expect(after).toBeGreaterThanOrEqual(HANDSHAKE_MS - 50);
    }
  });

  it("sends GOAWAY to an HTTP/2 client once its last stream has been idle for the timeout", async () => {
    const client = http2.connect(url);
    const goaway = new Promise<number>((resolve) => client.once("goaway", (code) => resolve(code)));
    const closed = new Promise<void>((resolve) => client.once("close", () => resolve()));
    const req = client.request({ ":path": "/healthz" });
    req.resume();
    await new Promise((resolve) => req.once("end", resolve));
    const ended = Date.now();
    expect(await goaway).toBe(http2.constants.NGHTTP2_NO_ERROR);
    expect(Date.now() - ended).toBeGreaterThanOrEqual(IDLE_MS - 50);
    await closed;
  });

  it("does not cut a slow UpdateLog upload or a GetLog stream read slowly (gaps longer than the idle timeout)", async () => {
    async function* slowly(): AsyncGenerator<string> {
      for (let i = 0; i < 3; i++) {
        yield `line ${i}\n`.repeat(200);
        await sleep(IDLE_MS * 1.5);
      }
    }
    const summary = await logs.uploadLog("p/results/r/logs/l", slowly());
    expect(summary.bytesReceived).toBe(BigInt(7 * 200 * 3));

    let received = 0;
    for await (const body of logs.getLog({ name: "p/results/r/logs/l" })) {
      received += body.data.byteLength;
      await sleep(IDLE_MS * 1.5);
    }
    expect(received).toBe(7 * 200 * 3);
  });
});

describe("idleTimeoutMs and handshakeTimeoutMs", () => {
  it("are checked when the server is created (idle 0 = never; handshake at least 1)", () => {
    const routes = createResultsRoutes({ store: createMemoryStore() });
    for (const bad of [{ idleTimeoutMs: -1 }, { idleTimeoutMs: 1.5 }, { handshakeTimeoutMs: 0 }]) {
      expect(() => createResultsServer({ routes, ...bad }), JSON.stringify(bad)).toThrow(
        RangeError,
      );
    }
    expect(() => createResultsServer({ routes, idleTimeoutMs: 0 })).not.toThrow();
  });
});
