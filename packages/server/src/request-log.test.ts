import { Code, ConnectError, createClient, type ConnectRouter } from "@connectrpc/connect";
import { createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { Logs, Results } from "@tekton-results/proto";
import { createJsonLogger, type LogLevel } from "@tekton-results/runtime";
import { afterEach, describe, expect, it } from "vitest";
import { createKubernetesAuthorizer, type KubernetesUser } from "./kubernetes-authorizer.js";
import { DEFAULT_REQUEST_LOG_LEVEL, type RequestLogLevel } from "./request-log.js";
import { createResultsServer } from "./server.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const alice: KubernetesUser = { username: "alice", groups: [] };

/** Results routes that authorize each call as Kubernetes would, for token `t1` (alice). */
function routes(router: ConnectRouter): void {
  const authorizer = createKubernetesAuthorizer({
    reviewer: {
      reviewToken: (token) => Promise.resolve(token === "t1" ? alice : undefined),
      reviewAccess: () => Promise.resolve({ allowed: true }),
    },
  });
  const authorize = (header: Headers) =>
    authorizer.authorize({ resource: "results", verb: "get", parent: "ns", header });
  router.service(Results, {
    async listResults(_req, ctx) {
      await authorize(ctx.requestHeader);
      return {};
    },
    async getResult(_req, ctx) {
      await authorize(ctx.requestHeader);
      throw new ConnectError("no such result", Code.NotFound);
    },
  });
  router.service(Logs, {
    async *getLog(_req, ctx) {
      yield { contentType: "text/plain", data: new TextEncoder().encode("a line\n") };
      await authorize(ctx.requestHeader);
      throw new ConnectError("the log is gone", Code.DataLoss);
    },
  });
}

/** A server logging at `logLevel` with its request log at `requestLogLevel`; the lines it wrote. */
async function start(logLevel: LogLevel, requestLogLevel?: RequestLogLevel) {
  const lines: Record<string, unknown>[] = [];
  const logger = createJsonLogger({
    level: logLevel,
    write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>),
  });
  const server = createResultsServer({
    routes,
    logger,
    ...(requestLogLevel ? { requestLogLevel } : {}),
  });
  const { url } = await server.listen(0, "127.0.0.1");
  cleanups.push(() => server.close({ deadlineMs: 1000 }));
  const sessionManager = new Http2SessionManager(url);
  cleanups.push(() => sessionManager.abort());
  const transport = createGrpcTransport({ baseUrl: url, sessionManager });
  const client = createClient(Results, transport);
  const logs = createClient(Logs, transport);
  const requests = () => lines.filter((l) => l["msg"] === "request");
  return { url, client, logs, lines, requests };
}

const auth = { headers: { authorization: "Bearer t1" } };
const listPath = "/apis/results.tekton.dev/v1alpha2/parents/ns/results";

describe("the request log", () => {
  it("is at debug by default", () => {
    expect(DEFAULT_REQUEST_LOG_LEVEL).toBe("debug");
  });

  it("writes one line per RPC with procedure, protocol, code, duration, caller and peer", async () => {
    const { client, requests } = await start("debug");
    await client.listResults({ parent: "ns" }, auth);
    await expect(client.getResult({ name: "ns/results/x" }, auth)).rejects.toThrow(
      "no such result",
    );
    const [ok, notFound, ...rest] = requests();
    expect(rest).toEqual([]);
    expect(ok).toMatchObject({
      level: "debug",
      procedure: "/tekton.results.v1alpha2.Results/ListResults",
      protocol: "grpc",
      code: "ok",
      user: "alice",
      http: "2.0",
    });
    expect(ok!["duration_ms"]).toEqual(expect.any(Number));
    expect(ok!["peer"]).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(notFound).toMatchObject({ procedure: expect.stringContaining("GetResult") });
    expect(notFound).toMatchObject({ code: "not_found", user: "alice" });
  });

  it("logs a stream when it ends, with the code it ended with", async () => {
    const { logs, requests } = await start("debug");
    const got: string[] = [];
    await expect(
      (async () => {
        for await (const chunk of logs.getLog({ name: "ns/results/x/logs/y" }, auth)) {
          got.push(new TextDecoder().decode(chunk.data));
        }
      })(),
    ).rejects.toThrow("the log is gone");
    expect(got).toEqual(["a line\n"]);
    expect(requests()).toEqual([
      expect.objectContaining({
        procedure: "/tekton.results.v1alpha2.Logs/GetLog",
        code: "data_loss",
        user: "alice",
      }),
    ]);
  });

  it("writes one line per REST request, without the query or the token", async () => {
    const { url, requests, lines } = await start("debug");
    const res = await fetch(
      `${url}${listPath}?filter=${encodeURIComponent('data.secret == "x"')}`,
      {
        headers: { authorization: "Bearer t1" },
      },
    );
    expect(res.status).toBe(200);
    expect((await fetch(`${url}/apis/nothing-here`)).status).toBe(404);
    expect(requests()).toEqual([
      expect.objectContaining({
        method: "GET",
        path: listPath,
        protocol: "rest",
        procedure: "/tekton.results.v1alpha2.Results/ListResults",
        status: 200,
        code: "ok",
        user: "alice",
        http: "1.1",
        duration_ms: expect.any(Number),
      }),
      expect.objectContaining({ path: "/apis/nothing-here", protocol: "rest", status: 404 }),
    ]);
    const text = JSON.stringify(lines);
    expect(text).not.toContain("secret");
    expect(text).not.toContain("t1");
  });

  it("writes nothing at the default info level, nor when off", async () => {
    for (const [logLevel, requestLogLevel] of [
      ["info", undefined],
      ["debug", "off"],
    ] as const) {
      const { url, client, requests } = await start(logLevel, requestLogLevel);
      await client.listResults({ parent: "ns" }, auth);
      await fetch(`${url}${listPath}`, { headers: { authorization: "Bearer t1" } });
      expect(requests(), `${logLevel}/${requestLogLevel}`).toEqual([]);
    }
  });

  it("writes at info when asked to", async () => {
    const { client, requests } = await start("info", "info");
    await client.listResults({ parent: "ns" }, auth);
    expect(requests()).toEqual([expect.objectContaining({ level: "info", code: "ok" })]);
  });
});
