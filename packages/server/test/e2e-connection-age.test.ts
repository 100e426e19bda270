/**
 * End-to-end, on a real port: connections older than `maxConnectionAgeMs`
 * (±10%) are asked to go. A gRPC client (connect-node) keeps working across
 * the GOAWAY on a new connection; RPCs in flight at the GOAWAY finish within
 * `maxConnectionAgeGraceMs`; a stream still open after the grace is cut.
 * HTTP/1.1 connections are closed when idle, or after their response in
 * progress, which says `Connection: close`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import * as net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConnectError, createClient, type Interceptor } from "@connectrpc/connect";
import { createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { createLogsClient } from "@tekton-results/client";
import { createMemoryLogStore } from "@tekton-results/log-store";
import { Results, RECORD_TYPES } from "@tekton-results/proto";
import { Health, HealthCheckResponse_ServingStatus } from "@tekton-results/proto/grpc-health";
import { createMemoryStore } from "@tekton-results/storage-conformance";
import { capture } from "../src/log-capture-fixtures.js";
import { createServerMetrics } from "../src/metrics.js";
import { createResultsRoutes } from "../src/routes.js";
import { createResultsServer, type ResultsServer } from "../src/server.js";
import { issueCertificate, makeCa } from "./support/tls-ca.js";

const AGE_MS = 300;
const GRACE_MS = 1500;
/** How long a GetResult of a result named `.../slow` takes. */
const SLOW_MS = 1000;
/**
 * Without a new request, the GOAWAY goes this long after the age (the age
 * when under 1 s).
 */
const QUIET_MS = AGE_MS;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The pause of the server before each GetLog message after the first. */
const LOG_PACE_MS = AGE_MS;

/** Each message of `messages`, the later ones {@link LOG_PACE_MS} apart. */
async function* paced<T>(messages: AsyncIterable<T>): AsyncGenerator<T> {
  let first = true;
  for await (const m of messages) {
    if (!first) await sleep(LOG_PACE_MS);
    first = false;
    yield m;
  }
}

/** GetResult of `.../slow` takes {@link SLOW_MS}; GetLog sends its messages slowly. */
const slowly: Interceptor = (next) => async (req) => {
  if (req.stream) {
    const res = await next(req);
    return req.method.name === "GetLog" && res.stream
      ? { ...res, message: paced(res.message) }
      : res;
  }
  const name = (req.message as { name?: unknown }).name;
  if (req.method.name === "GetResult" && typeof name === "string" && name.endsWith("/slow")) {
    await sleep(SLOW_MS);
  }
  return next(req);
};

describe("the maximum connection age", () => {
  let server: ResultsServer;
  let port: number;
  let url: string;
  const { lines, logger } = capture();
  const metrics = createServerMetrics();
  const managers: Http2SessionManager[] = [];

  /** A gRPC client on a connection manager of its own. */
  function grpcClient<S extends typeof Results | typeof Health>(service: S) {
    const sessionManager = new Http2SessionManager(url);
    managers.push(sessionManager);
    return createClient(service, createGrpcTransport({ baseUrl: url, sessionManager }));
  }

  /** The peers (address:port, one per connection) of the request log lines of `procedure`. */
  function peersOf(procedure: string, from = 0): string[] {
    return lines
      .slice(from)
      .filter((l) => l.msg === "request")
      .map((l) => l.obj as { procedure?: string; peer?: string })
      .filter((o) => o.procedure === procedure)
      .map((o) => o.peer!);
  }

  async function closedForAge(httpVersion: string): Promise<number> {
    const metric = await metrics.registry
      .getSingleMetric("tekton_results_connections_closed_for_age_total")!
      .get();
    return metric.values.find((v) => v.labels["http"] === httpVersion)?.value ?? 0;
  }

  beforeAll(async () => {
    const store = createMemoryStore();
    server = createResultsServer({
      routes: createResultsRoutes({ store, logs: createMemoryLogStore(), logChunkSize: 2048 }),
      store,
      logger,
      requestLogLevel: "info",
      metrics,
      interceptors: [slowly],
      maxConnectionAgeMs: AGE_MS,
      maxConnectionAgeGraceMs: GRACE_MS,
    });
    ({ port, url } = await server.listen(0, "127.0.0.1"));
    const setup = createGrpcTransport({ baseUrl: url });
    const results = createClient(Results, setup);
    for (const name of ["p/results/r", "p/results/slow"]) {
      await results.createResult({ parent: "p", result: { name } });
    }
    await results.createRecord({
      parent: "p/results/r",
      record: {
        name: "p/results/r/records/l",
        data: { type: RECORD_TYPES.LOG, value: new TextEncoder().encode('{"kind":"Log"}') },
      },
    });
    await createLogsClient(setup).uploadLog("p/results/r/logs/l", ["x".repeat(4 * 2048)]);
  });

  afterAll(async () => {
    for (const m of managers) m.abort();
    await server?.close({ deadlineMs: 1000 });
  });

  it("a gRPC client keeps working across the GOAWAY: its next call opens a new connection", async () => {
    const client = grpcClient(Results);
    const from = lines.length;
    const before = await closedForAge("2.0");
    const until = Date.now() + AGE_MS * 4;
    let calls = 0;
    // One call after another, without a pause: the GOAWAY goes as a call
    // arrives, ahead of its response, so the next call never races it.
    while (Date.now() < until) {
      await client.getResult({ name: "p/results/r" });
      calls++;
    }
    const peers = peersOf("/tekton.results.v1alpha2.Results/GetResult", from);
    expect(peers).toHaveLength(calls);
    expect(new Set(peers).size).toBeGreaterThanOrEqual(2);
    expect(await closedForAge("2.0")).toBeGreaterThan(before);
  });

  it("lets a slow unary call and a slow GetLog stream in flight at the GOAWAY finish within the grace", async () => {
    const results = grpcClient(Results);
    const logs = createLogsClient(
      createGrpcTransport({ baseUrl: url, sessionManager: managers.at(-1)! }),
    );
    const from = lines.length;
    const started = Date.now();
    const slow = results.getResult({ name: "p/results/slow" });
    let received = 0;
    for await (const body of logs.getLog({ name: "p/results/r/logs/l" })) {
      received += body.data.byteLength;
    }
    expect(received).toBe(4 * 2048);
    expect((await slow).name).toBe("p/results/slow");
    expect(Date.now() - started).toBeGreaterThan(AGE_MS * 1.1);
    // Both were served on one connection, which got its GOAWAY while they were in flight.
    const served = peersOf("/tekton.results.v1alpha2.Results/GetResult", from);
    expect(served).toHaveLength(1);
    expect(peersOf("/tekton.results.v1alpha2.Logs/GetLog", from)).toEqual(served);
    const closing = lines.findIndex(
      (l, i) =>
        i >= from &&
        l.msg === "closing an HTTP/2 connection at its maximum age" &&
        (l.obj as { peer?: string }).peer === served[0],
    );
    expect(closing).toBeGreaterThanOrEqual(from);
    expect(peersOf("/tekton.results.v1alpha2.Results/GetResult", closing)).toEqual(served);
    expect(peersOf("/tekton.results.v1alpha2.Logs/GetLog", closing)).toEqual(served);
    // The next call goes on a new connection.
    await results.getResult({ name: "p/results/r" });
    expect(peersOf("/tekton.results.v1alpha2.Results/GetResult", from).at(-1)).not.toBe(served[0]);
  });

  it("cuts a stream still open after the grace", async () => {
    const health = grpcClient(Health);
    const started = Date.now();
    const statuses: HealthCheckResponse_ServingStatus[] = [];
    let error: unknown;
    try {
      for await (const res of health.watch({ service: "" })) statuses.push(res.status);
    } catch (err) {
      error = err;
    }
    const elapsed = Date.now() - started;
    expect(statuses).toEqual([HealthCheckResponse_ServingStatus.SERVING]);
    expect(error).toBeInstanceOf(ConnectError);
    expect(elapsed).toBeGreaterThanOrEqual(AGE_MS * 0.9 + QUIET_MS + GRACE_MS - 50);
    expect(elapsed).toBeLessThan(AGE_MS * 1.1 + QUIET_MS + GRACE_MS + 2000);
    expect(lines.some((l) => l.msg === "cutting an HTTP/2 connection past its age and grace")).toBe(
      true,
    );
  });

  it("closes an HTTP/1.1 keep-alive connection past its age after its next response (Connection: close), not while idle", async () => {
    const before = await closedForAge("1.1");
    const socket = net.connect(port, "127.0.0.1");
    let response = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => (response += chunk));
    let closed = false;
    const close = new Promise<void>((resolve) =>
      socket.once("close", () => {
        closed = true;
        resolve();
      }),
    );
    const get = "GET /healthz HTTP/1.1\r\nhost: localhost\r\n\r\n";
    socket.write(get);
    await sleep(AGE_MS * 1.1 + 200);
    expect(closed).toBe(false);
    expect(response).toMatch(/^HTTP\/1\.1 200 /);
    expect(response.toLowerCase()).toContain("connection: keep-alive");
    const first = response.length;
    socket.write(get);
    await close;
    const second = response.slice(first);
    expect(second).toMatch(/^HTTP\/1\.1 200 /);
    expect(second.toLowerCase()).toContain("connection: close");
    expect(await closedForAge("1.1")).toBe(before + 1);
  });

  it("answers an HTTP/1.1 request in progress at the age with Connection: close, then closes", async () => {
    const agent = new http.Agent({ keepAlive: true });
    try {
      const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
        const req = http.get(
          `${url}/apis/results.tekton.dev/v1alpha2/parents/p/results/slow`,
          { agent },
          resolve,
        );
        req.on("error", reject);
      });
      const body = await new Promise<string>((resolve) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (text += c));
        res.on("end", () => resolve(text));
      });
      expect(res.statusCode).toBe(200);
      expect(JSON.parse(body)).toMatchObject({ name: "p/results/slow" });
      expect(res.headers.connection).toBe("close");
      await new Promise((resolve) =>
        res.socket.destroyed ? resolve(undefined) : res.socket.once("close", resolve),
      );
    } finally {
      agent.destroy();
    }
  });
});

/** One GET of `url` with `agent`: the status, the `connection` header and the socket. */
function get(
  url: string,
  agent: https.Agent,
): Promise<{ status: number; connection: string | undefined; socket: net.Socket }> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { agent }, (res) => {
      const socket = res.socket;
      res.resume();
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, socket }),
      );
    });
    req.on("error", reject);
  });
}

describe("the maximum connection age over TLS", () => {
  let dir: string;
  let server: ResultsServer;
  let url: string;
  let ca: string;
  const { lines, logger } = capture();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "results-age-"));
    const authority = makeCa(dir);
    ca = authority.pem;
    const leaf = issueCertificate(authority, dir);
    const store = createMemoryStore();
    server = createResultsServer({
      routes: createResultsRoutes({ store }),
      store,
      logger,
      requestLogLevel: "info",
      maxConnectionAgeMs: AGE_MS,
      tls: { certFile: leaf.certFile, keyFile: leaf.keyFile },
    });
    ({ url } = await server.listen(0, "127.0.0.1"));
    url = url.replace("127.0.0.1", "localhost");
  });

  afterAll(async () => {
    await server?.close({ deadlineMs: 1000 });
    rmSync(dir, { recursive: true, force: true });
  });

  it("a gRPC client over HTTP/2 keeps working across the GOAWAY, on new connections", async () => {
    const sessionManager = new Http2SessionManager(url, {}, { ca });
    try {
      const transport = createGrpcTransport({ baseUrl: url, sessionManager });
      const client = createClient(Health, transport);
      const until = Date.now() + AGE_MS * 4;
      let calls = 0;
      while (Date.now() < until) {
        await client.check({ service: "" });
        calls++;
      }
      const peers = lines
        .filter((l) => l.msg === "request")
        .map((l) => (l.obj as { peer?: string }).peer);
      expect(peers).toHaveLength(calls);
      expect(new Set(peers).size).toBeGreaterThanOrEqual(2);
    } finally {
      sessionManager.abort();
    }
  });

  it("an HTTP/1.1 connection past its age says Connection: close on its next response", async () => {
    const agent = new https.Agent({ keepAlive: true, ca });
    try {
      const first = await get(`${url}/healthz`, agent);
      expect(first).toMatchObject({ status: 200, connection: "keep-alive" });
      await sleep(AGE_MS * 1.1 + 100);
      const second = await get(`${url}/healthz`, agent);
      expect(second.socket).toBe(first.socket);
      expect(second).toMatchObject({ status: 200, connection: "close" });
    } finally {
      agent.destroy();
    }
  });
});

describe("http1KeepAliveTimeoutMs", () => {
  it("closes an idle HTTP/1.1 keep-alive connection after it", async () => {
    const store = createMemoryStore();
    const server = createResultsServer({
      routes: createResultsRoutes({ store }),
      store,
      http1KeepAliveTimeoutMs: 200,
    });
    const { port } = await server.listen(0, "127.0.0.1");
    try {
      const socket = net.connect(port, "127.0.0.1");
      let response = "";
      socket.setEncoding("utf8");
      socket.on("data", (chunk: string) => (response += chunk));
      const closed = new Promise<number>((resolve) => {
        let answered = 0;
        socket.on("data", () => (answered ||= Date.now()));
        socket.once("close", () => resolve(Date.now() - answered));
      });
      socket.write("GET /healthz HTTP/1.1\r\nhost: localhost\r\n\r\n");
      const idle = await closed;
      expect(response.toLowerCase()).toContain("keep-alive: timeout=0");
      expect(idle).toBeGreaterThanOrEqual(150);
      expect(idle).toBeLessThan(2000);
    } finally {
      await server.close({ deadlineMs: 1000 });
    }
  });
});

describe("maxConnectionAgeMs, maxConnectionAgeGraceMs and http1KeepAliveTimeoutMs", () => {
  it("are checked when the server is created (0 = unlimited, no limit, never)", () => {
    const routes = createResultsRoutes({ store: createMemoryStore() });
    for (const bad of [
      { maxConnectionAgeMs: -1 },
      { maxConnectionAgeMs: 1.5 },
      { maxConnectionAgeGraceMs: -1 },
      { http1KeepAliveTimeoutMs: 2 ** 31 },
    ]) {
      expect(() => createResultsServer({ routes, ...bad }), JSON.stringify(bad)).toThrow(
        RangeError,
      );
    }
    expect(() =>
      createResultsServer({
        routes,
        maxConnectionAgeMs: 0,
        maxConnectionAgeGraceMs: 0,
        http1KeepAliveTimeoutMs: 0,
      }),
    ).not.toThrow();
  });
});
