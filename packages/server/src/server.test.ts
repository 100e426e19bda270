import * as http2 from "node:http2";
import * as net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createClient, Code, ConnectError, type Transport } from "@connectrpc/connect";
import {
  createConnectTransport,
  createGrpcTransport,
  createGrpcWebTransport,
  Http2SessionManager,
} from "@connectrpc/connect-node";
import { Results } from "@tekton-results/proto";
import { Health, HealthCheckResponse_ServingStatus } from "@tekton-results/proto/grpc-health";
import { createFakeResultsRoutes } from "../test/support/fake-results.js";
import { createServerMetrics } from "./metrics.js";
import {
  createResultsServer,
  DEFAULT_HTTP2_CONNECTION_WINDOW_BYTES,
  DEFAULT_HTTP2_STREAM_WINDOW_BYTES,
  type ResultsServer,
} from "./server.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function start(options: Partial<Parameters<typeof createResultsServer>[0]> = {}): Promise<{
  server: ResultsServer;
  url: string;
}> {
  const server = createResultsServer({ routes: createFakeResultsRoutes(), ...options });
  const { url } = await server.listen(0, "127.0.0.1");
  cleanups.push(() => server.close({ deadlineMs: 1000 }));
  return { server, url };
}

function h2Transport(url: string, kind: "grpc" | "connect" | "grpcweb"): Transport {
  const sessionManager = new Http2SessionManager(url);
  cleanups.push(() => sessionManager.abort());
  const opts = { baseUrl: url, httpVersion: "2" as const, sessionManager };
  return kind === "grpc"
    ? createGrpcTransport(opts)
    : kind === "connect"
      ? createConnectTransport(opts)
      : createGrpcWebTransport(opts);
}

/** One HTTP/2 request with prior knowledge. */
async function h2Get(url: string, path: string): Promise<{ status: number; body: string }> {
  const session = http2.connect(url);
  try {
    return await new Promise((resolve, reject) => {
      const req = session.request({ ":path": path, ":method": "GET" });
      let status = 0;
      let body = "";
      req.on("response", (h) => (status = Number(h[":status"])));
      req.setEncoding("utf8");
      req.on("data", (c: string) => (body += c));
      req.on("end", () => resolve({ status, body }));
      req.on("error", reject);
      req.end();
    });
  } finally {
    session.close();
  }
}

describe("createResultsServer", () => {
  it("serves HTTP/1.1 and HTTP/2 (prior knowledge) on the same port", async () => {
    const { url } = await start();
    const h1 = await fetch(`${url}/healthz`);
    expect(h1.status).toBe(200);
    expect(await h1.text()).toBe("ok\n");
    const h2 = await h2Get(url, "/healthz");
    expect(h2).toEqual({ status: 200, body: "ok\n" });
  });

  it("announces wide HTTP/2 receive windows, and validates configured ones", async () => {
    /** The server's SETTINGS, and the connection window it opened, as a raw HTTP/2 client sees them. */
    async function announced(url: string): Promise<{ stream: number; connection: number }> {
      const session = http2.connect(url);
      try {
        const stream = await new Promise<number>((resolve, reject) => {
          session.once("remoteSettings", (s) => resolve(s.initialWindowSize ?? 65_535));
          session.once("error", reject);
        });
        // The connection WINDOW_UPDATE follows the SETTINGS frame; poll for it.
        const deadline = Date.now() + 2000;
        let connection = session.state.remoteWindowSize ?? 0;
        while (connection <= 65_535 && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 5));
          connection = session.state.remoteWindowSize ?? 0;
        }
        return { stream, connection };
      } finally {
        session.destroy();
      }
    }
    const { url } = await start();
    expect(await announced(url)).toEqual({
      stream: DEFAULT_HTTP2_STREAM_WINDOW_BYTES,
      connection: DEFAULT_HTTP2_CONNECTION_WINDOW_BYTES,
    });
    const custom = await start({
      http2Windows: { streamBytes: 200_000, connectionBytes: 300_000 },
    });
    expect(await announced(custom.url)).toEqual({ stream: 200_000, connection: 300_000 });
    expect(() =>
      createResultsServer({
        routes: createFakeResultsRoutes(),
        http2Windows: { streamBytes: 1000 },
      }),
    ).toThrow(RangeError);
  });

  it("serves the RPCs over gRPC, gRPC-Web and Connect (HTTP/2) and Connect over HTTP/1.1", async () => {
    const { url } = await start();
    const grpc = createClient(Results, h2Transport(url, "grpc"));
    const created = await grpc.createResult({ parent: "ns", result: { name: "ns/results/a" } });
    expect(created.uid).not.toBe("");
    for (const transport of [
      h2Transport(url, "grpcweb"),
      h2Transport(url, "connect"),
      createConnectTransport({ baseUrl: url, httpVersion: "1.1" }),
      createGrpcWebTransport({ baseUrl: url, httpVersion: "1.1" }),
    ]) {
      const got = await createClient(Results, transport).getResult({ name: "ns/results/a" });
      expect(got.uid).toBe(created.uid);
    }
  });

  it("maps errors the same over every protocol", async () => {
    const { url } = await start();
    for (const transport of [
      h2Transport(url, "grpc"),
      createConnectTransport({ baseUrl: url, httpVersion: "1.1" }),
    ]) {
      const err = await createClient(Results, transport)
        .getResult({ name: "ns/results/missing" })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConnectError);
      expect((err as ConnectError).code).toBe(Code.NotFound);
    }
    const rest = await fetch(`${url}/apis/results.tekton.dev/v1alpha2/parents/ns/results/missing`);
    expect(rest.status).toBe(404);
    expect(await rest.json()).toEqual({
      code: Code.NotFound,
      message: "result not found",
      details: [],
    });
  });

  it("serves REST over HTTP/2 too", async () => {
    const { url } = await start();
    const res = await h2Get(url, "/apis/results.tekton.dev/v1alpha2/parents/ns/results");
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({});
  });

  it("serves grpc.health.v1 Check and List", async () => {
    const { url } = await start();
    const health = createClient(Health, h2Transport(url, "grpc"));
    expect((await health.check({ service: "" })).status).toBe(
      HealthCheckResponse_ServingStatus.SERVING,
    );
    expect((await health.check({ service: "tekton.results.v1alpha2.Results" })).status).toBe(
      HealthCheckResponse_ServingStatus.SERVING,
    );
    const err = await health.check({ service: "nope" }).catch((e: unknown) => e);
    expect((err as ConnectError).code).toBe(Code.NotFound);
    const list = await health.list({});
    expect(Object.keys(list.statuses).sort()).toEqual(["", "tekton.results.v1alpha2.Results"]);
  });

  it("answers /readyz 200 while the readiness check resolves and 503 when it fails", async () => {
    let ok = true;
    const { url } = await start({
      readiness: () => (ok ? Promise.resolve() : Promise.reject(new Error("SQLITE_BUSY: secret"))),
    });
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    ok = false;
    const res = await fetch(`${url}/readyz`);
    expect(res.status).toBe(503);
    expect(await res.text()).not.toContain("secret");
    expect((await h2Get(url, "/readyz")).status).toBe(503);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });

  it("answers 405 to a POST on /healthz", async () => {
    const { url } = await start();
    expect((await fetch(`${url}/healthz`, { method: "POST" })).status).toBe(405);
  });

  it("serves /metrics when given metrics, counting RPCs", async () => {
    const metrics = createServerMetrics();
    const { url } = await start({ metrics });
    await createClient(Results, h2Transport(url, "grpc")).listResults({ parent: "ns" });
    await fetch(`${url}/apis/results.tekton.dev/v1alpha2/parents/ns/results`);
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(text).toContain(
      'tekton_results_rpc_requests_total{service="tekton.results.v1alpha2.Results",method="ListResults",code="ok"} 2',
    );
  });

  it("keeps the metrics of two servers in one process apart", async () => {
    const a = await start({ metrics: createServerMetrics() });
    const b = await start({ metrics: createServerMetrics() });
    await createClient(Results, h2Transport(a.url, "grpc")).listResults({ parent: "ns" });
    await createClient(Results, h2Transport(a.url, "connect")).listResults({ parent: "ns" });
    await createClient(Results, h2Transport(b.url, "grpc")).listResults({ parent: "ns" });
    const series =
      'tekton_results_rpc_requests_total{service="tekton.results.v1alpha2.Results",method="ListResults",code="ok"}';
    const res = await fetch(`${a.url}/metrics`);
    expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    expect(await res.text()).toContain(`${series} 2`);
    const other = await (await fetch(`${b.url}/metrics`)).text();
    expect(other).toContain(`${series} 1`);
    expect(other).toMatch(/^process_cpu_user_seconds_total \d/m);
  });

  it("keeps serving after garbage, a half preface and an abrupt disconnect", async () => {
    const { url, server } = await start();
    const port = Number(new URL(url).port);
    const send = (bytes: string): Promise<string> =>
      new Promise((resolve) => {
        const socket = net.connect(port, "127.0.0.1", () => socket.end(bytes));
        let out = "";
        socket.on("data", (d) => (out += d.toString()));
        socket.on("close", () => resolve(out));
        socket.on("error", () => resolve(out));
      });
    expect(await send("\x00\x01garbage\r\n\r\n")).toContain("400");
    await send("PRI * HTTP/2.0\r\n");
    await send("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x04\xff\xff\xff\xff");
    const s = net.connect(port, "127.0.0.1");
    await new Promise((r) => s.once("connect", r));
    s.destroy();
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect(server.inFlight()).toBe(0);
  });

  it("closes gracefully: in-flight requests finish, health turns NOT_SERVING, new connections are refused", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { server, url } = await start({
      routes: (router) => {
        router.service(Results, {
          async listResults() {
            await gate;
            return { nextPageToken: "done" };
          },
        });
      },
    });
    const client = createClient(Results, h2Transport(url, "grpc"));
    const pending = client.listResults({ parent: "ns" });
    while (server.inFlight() === 0) await new Promise((r) => setTimeout(r, 5));
    const closed = server.close({ deadlineMs: 5000 });
    expect(server.health.get("")).toBe(HealthCheckResponse_ServingStatus.NOT_SERVING);
    release();
    expect((await pending).nextPageToken).toBe("done");
    await closed;
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });

  it("cuts connections that outlive the shutdown deadline", async () => {
    const { server, url } = await start({
      routes: (router) => {
        router.service(Results, {
          listResults: () => new Promise(() => {}),
        });
      },
    });
    const client = createClient(Results, h2Transport(url, "grpc"));
    const pending = client.listResults({ parent: "ns" }).catch((e: unknown) => e);
    while (server.inFlight() === 0) await new Promise((r) => setTimeout(r, 5));
    const t0 = Date.now();
    await server.close({ deadlineMs: 200 });
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(await pending).toBeInstanceOf(ConnectError);
  });

  it("cuts at once when close is called again with a zero deadline", async () => {
    const { server, url } = await start({
      routes: (router) => {
        router.service(Results, {
          listResults: () => new Promise(() => {}),
        });
      },
    });
    const client = createClient(Results, h2Transport(url, "grpc"));
    const pending = client.listResults({ parent: "ns" }).catch((e: unknown) => e);
    while (server.inFlight() === 0) await new Promise((r) => setTimeout(r, 5));
    const t0 = Date.now();
    const first = server.close({ deadlineMs: 60_000 });
    expect(server.close({ deadlineMs: 0 })).toBe(first);
    await first;
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(await pending).toBeInstanceOf(ConnectError);
  });
});
