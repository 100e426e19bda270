/**
 * End-to-end: the real server program as a child process on a temporary
 * SQLite file, driven over every protocol it serves.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import * as http2 from "node:http2";
import * as net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import {
  createConnectTransport,
  createGrpcTransport,
  createGrpcWebTransport,
  Http2SessionManager,
} from "@connectrpc/connect-node";
import { Results } from "@tekton-results/proto";
import { Health, HealthCheckResponse_ServingStatus } from "@tekton-results/proto/grpc-health";
import { freePort } from "./support/postgres.js";
import { ROOT, runToExit, startMain, type Running } from "./support/program.js";

const BUF = join(ROOT, "node_modules/.bin/buf");
const REST = "/apis/results.tekton.dev/v1alpha2/parents";

/** One HTTP/2 (prior knowledge) GET. */
async function h2Get(url: string, path: string): Promise<{ status: number; body: string }> {
  const session = http2.connect(url);
  session.on("error", () => undefined);
  try {
    return await new Promise((resolveRes, reject) => {
      const req = session.request({ ":path": path });
      let status = 0;
      let body = "";
      req.on("response", (h) => (status = Number(h[":status"])));
      req.setEncoding("utf8");
      req.on("data", (c: string) => (body += c));
      req.on("end", () => resolveRes({ status, body }));
      req.on("error", reject);
      req.end();
    });
  } finally {
    session.close();
  }
}

describe("the server program's command line (e2e)", () => {
  it("prints usage with --help and exits 0", async () => {
    const { code, stdout } = await runToExit(["--help"]);
    expect(code).toBe(0);
    expect(stdout).toContain("Usage: tekton-results-server");
  });

  it("exits 2 with a message for an unparseable flag", async () => {
    const { code, stderr } = await runToExit(["--port", "eighty"]);
    expect(code).toBe(2);
    expect(stderr).toContain("port must be an integer");
  });

  it("exits 1 with a clear error when PostgreSQL does not answer", async () => {
    const port = await freePort();
    const { code, stderr } = await runToExit([
      "--database",
      `postgres://user:secret@127.0.0.1:${port}/results`,
      "--db-connect-retries",
      "0",
    ]);
    expect(code).toBe(1);
    expect(stderr).toContain("cannot open the store");
    expect(stderr).not.toContain("secret");
  });
});

describe("the server program (e2e)", () => {
  let dir: string;
  let server: Running;
  let sessions: Http2SessionManager[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "results-e2e-"));
    server = await startMain([
      "--database",
      `sqlite:${join(dir, "results.db")}`,
      "--max-body-bytes",
      "65536",
    ]);
  }, 60_000);

  afterAll(async () => {
    for (const s of sessions) s.abort();
    sessions = [];
    if (server && server.child.exitCode === null) {
      server.child.kill("SIGKILL");
      await server.exit;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  function h2Session(): Http2SessionManager {
    const s = new Http2SessionManager(server.url);
    sessions.push(s);
    return s;
  }

  it("answers /healthz and /readyz over HTTP/1.1 and HTTP/2", async () => {
    for (const path of ["/healthz", "/readyz"]) {
      const res = await fetch(server.url + path);
      expect(res.status, path).toBe(200);
      expect(await res.text()).toBe("ok\n");
      expect(await h2Get(server.url, path)).toEqual({ status: 200, body: "ok\n" });
    }
  });

  it("agrees on the same data over gRPC, Connect, gRPC-Web and REST", async () => {
    const grpc = createClient(
      Results,
      createGrpcTransport({ baseUrl: server.url, sessionManager: h2Session() }),
    );
    const connect = createClient(
      Results,
      createConnectTransport({ baseUrl: server.url, httpVersion: "1.1" }),
    );
    const grpcWeb = createClient(
      Results,
      createGrpcWebTransport({ baseUrl: server.url, httpVersion: "1.1" }),
    );

    const created = await grpc.createResult({
      parent: "e2e",
      result: { name: "e2e/results/one", annotations: { via: "grpc" } },
    });
    expect(created.uid).not.toBe("");
    const record = await connect.createRecord({
      parent: "e2e/results/one",
      record: {
        name: "e2e/results/one/records/r1",
        data: {
          type: "tekton.dev/v1.TaskRun",
          value: new TextEncoder().encode('{"kind":"TaskRun"}'),
        },
      },
    });

    expect((await connect.getResult({ name: "e2e/results/one" })).uid).toBe(created.uid);
    const listed = await grpcWeb.listResults({ parent: "e2e" });
    expect(listed.results.map((r) => r.uid)).toEqual([created.uid]);

    const rest = await fetch(`${server.url}${REST}/e2e/results/one`);
    expect(rest.status).toBe(200);
    const restJson = (await rest.json()) as Record<string, unknown>;
    expect(restJson).toMatchObject({
      name: "e2e/results/one",
      uid: created.uid,
      etag: created.etag,
      annotations: { via: "grpc" },
    });
    expect(restJson["create_time"]).toBeDefined();

    const restRecord = (await (
      await fetch(`${server.url}${REST}/e2e/results/one/records/r1`)
    ).json()) as {
      uid: string;
      data: { type: string; value: string };
    };
    expect(restRecord.uid).toBe(record.uid);
    expect(Buffer.from(restRecord.data.value, "base64").toString()).toBe('{"kind":"TaskRun"}');

    // Created over REST, read over gRPC and Connect.
    const made = await fetch(`${server.url}${REST}/e2e/results`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "e2e/results/two", annotations: { via: "rest" } }),
    });
    expect(made.status).toBe(200);
    const madeJson = (await made.json()) as { uid: string };
    expect((await grpc.getResult({ name: "e2e/results/two" })).annotations).toEqual({
      via: "rest",
    });
    const page = await connect.listResults({ parent: "e2e", orderBy: "create_time asc" });
    expect(page.results.map((r) => r.uid)).toEqual([created.uid, madeJson.uid]);
    const restList = (await (
      await fetch(`${server.url}${REST}/e2e/results?page_size=1`)
    ).json()) as {
      results: { uid: string }[];
      next_page_token: string;
    };
    expect(restList.results.map((r) => r.uid)).toEqual([created.uid]);
    expect(restList.next_page_token).not.toBe("");

    const missing = await grpc.getResult({ name: "e2e/results/none" }).catch((e: unknown) => e);
    expect(ConnectError.from(missing).code).toBe(Code.NotFound);
  });

  it("answers the gRPC health check", async () => {
    const health = createClient(
      Health,
      createGrpcTransport({ baseUrl: server.url, sessionManager: h2Session() }),
    );
    expect((await health.check({ service: "" })).status).toBe(
      HealthCheckResponse_ServingStatus.SERVING,
    );
    expect((await health.check({ service: "tekton.results.v1alpha2.Results" })).status).toBe(
      HealthCheckResponse_ServingStatus.SERVING,
    );
  });

  it.skipIf(!existsSync(BUF))(
    "lets buf curl call ListResults by reflection, without a schema",
    async () => {
      const { stdout } = await promisify(execFile)(
        BUF,
        [
          "curl",
          "--protocol",
          "grpc",
          "--http2-prior-knowledge",
          `${server.url}/tekton.results.v1alpha2.Results/ListResults`,
          "-d",
          '{"parent":"-"}',
        ],
        { timeout: 30_000 },
      );
      const out = JSON.parse(stdout) as { results: { name: string }[] };
      expect(out.results.map((r) => r.name)).toContain("e2e/results/one");
    },
  );

  it("keeps serving after bad REST input", async () => {
    const post = (body: string) =>
      fetch(`${server.url}${REST}/e2e/results`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
    const malformed = await post("{oops");
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { code: number }).code).toBe(Code.InvalidArgument);
    const badName = await post(JSON.stringify({ name: "E2E/Results/Bad.Name" }));
    expect(badName.status).toBe(400);
    const huge = await post(JSON.stringify({ name: "e2e/results/huge", pad: "x".repeat(200_000) }));
    expect(huge.status).toBe(413);
    const badPercent = await fetch(`${server.url}${REST}/e2e/results/%E0%A4%A`);
    expect(badPercent.status).toBe(400);
    expect((await fetch(`${server.url}/no/such/path`)).status).toBe(404);
    // Garbage, a truncated HTTP/2 preface and a corrupt HTTP/2 frame on raw connections.
    const port = Number(new URL(server.url).port);
    for (const bytes of [
      "\x00\x01\x02garbage\r\n\r\n",
      "PRI * HTTP/2.0\r\n",
      "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x04\xff\xff\xff\xff\x00\x01",
    ]) {
      await new Promise<void>((done) => {
        const socket = net.connect(port, "127.0.0.1", () =>
          socket.end(Buffer.from(bytes, "latin1")),
        );
        socket.on("data", () => undefined);
        socket.on("close", () => done());
        socket.on("error", () => done());
      });
    }
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${server.url}${REST}/e2e/results/one`)).status).toBe(200);
  });

  it("stops gracefully on SIGTERM with exit code 0", async () => {
    for (const s of sessions) s.abort();
    sessions = [];
    server.child.kill("SIGTERM");
    expect(await server.exit).toBe(0);
    expect(server.stderr()).toContain('"msg":"stopped"');
  });
});
