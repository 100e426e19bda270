import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Interceptor } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import {
  createResultsClient,
  formatResultName,
  isPermissionDenied,
  isUnauthenticated,
  type ResultsClient,
} from "@tekton-results/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer } from "../src/server.js";

const TOKENS = { "team-a-token": ["team-a"], "admin-token": ["*"] };

function bearer(token: string): Interceptor {
  return (next) => (req) => {
    req.header.set("authorization", `Bearer ${token}`);
    return next(req);
  };
}

describe("the custom server example", () => {
  let dir: string;
  let server: Awaited<ReturnType<typeof startServer>>;
  const clientFor = (token?: string): ResultsClient =>
    createResultsClient(
      createGrpcTransport({
        baseUrl: server.url,
        interceptors: token === undefined ? [] : [bearer(token)],
      }),
    );

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "custom-server-"));
    server = await startServer({ port: 0, filename: join(dir, "results.db"), tokens: TOKENS });
  });

  afterAll(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("lets an allowed token create and list in its namespace", async () => {
    const client = clientFor("team-a-token");
    const name = formatResultName("team-a", "build-1");
    const created = await client.createResult({ parent: "team-a", result: { name } });
    expect(created.name).toBe(name);
    const res = await client.listResults({ parent: "team-a" });
    expect(res.results.map((r) => r.name)).toEqual([name]);
  });

  it("answers Unauthenticated without a token or with an unknown one", async () => {
    for (const client of [clientFor(), clientFor("wrong-token")]) {
      const err: unknown = await client.listResults({ parent: "team-a" }).catch((e: unknown) => e);
      expect(isUnauthenticated(err)).toBe(true);
    }
  });

  it("answers PermissionDenied for another namespace and for a cluster-wide list", async () => {
    const client = clientFor("team-a-token");
    const create: unknown = await client
      .createResult({ parent: "team-b", result: { name: formatResultName("team-b", "x") } })
      .catch((e: unknown) => e);
    expect(isPermissionDenied(create)).toBe(true);
    const list: unknown = await client.listResults({ parent: "-" }).catch((e: unknown) => e);
    expect(isPermissionDenied(list)).toBe(true);
  });

  it("lets a '*' token list across namespaces", async () => {
    const res = await clientFor("admin-token").listResults({ parent: "-" });
    expect(res.results.map((r) => r.name)).toContain(formatResultName("team-a", "build-1"));
  });

  it("keeps data in the SQLite file across restarts", async () => {
    await server.close();
    server = await startServer({ port: 0, filename: join(dir, "results.db"), tokens: TOKENS });
    const got = await clientFor("team-a-token").getResult({
      name: formatResultName("team-a", "build-1"),
    });
    expect(got.name).toBe(formatResultName("team-a", "build-1"));
  });
});

describe("the example's main script", () => {
  it("starts from the environment, serves requests and stops on SIGTERM", async () => {
    const dir = await mkdtemp(join(tmpdir(), "custom-server-main-"));
    const workspaceRoot = fileURLToPath(new URL("../../../", import.meta.url));
    const main = fileURLToPath(new URL("../src/main.ts", import.meta.url));
    const child = spawn(process.execPath, ["--conditions=source", "--import", "tsx", main], {
      cwd: workspaceRoot,
      env: { ...process.env, PORT: "0", DB: join(dir, "main.db"), TOKENS: '{"t":["ns"]}' },
      stdio: ["ignore", "pipe", "inherit"],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = "";
        child.stdout.on("data", (chunk: Buffer) => {
          out += chunk.toString("utf8");
          const m = /listening on (http:\/\/\S+)/.exec(out);
          if (m?.[1] !== undefined) resolve(m[1]);
        });
        child.once("exit", (code) =>
          reject(new Error(`exited with ${String(code)} before listening: ${out}`)),
        );
      });
      const client = createResultsClient(
        createGrpcTransport({ baseUrl: url, interceptors: [bearer("t")] }),
      );
      const created = await client.createResult({ parent: "ns", result: { name: "ns/results/r" } });
      expect(created.name).toBe("ns/results/r");
      const exited = new Promise<number | null>((resolve) =>
        child.once("exit", (code) => resolve(code)),
      );
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
