import { execFile } from "node:child_process";
import * as http2 from "node:http2";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { connectNodeAdapter, createGrpcTransport } from "@connectrpc/connect-node";
import { createResultsRoutes } from "@tekton-results/server";
import { createMemoryStore } from "@tekton-results/storage-conformance";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runClientUsage, type ClientUsageReport } from "../src/client-usage.js";

const workspaceRoot = fileURLToPath(new URL("../../../", import.meta.url));
const script = fileURLToPath(new URL("../src/client-usage.ts", import.meta.url));

function expected(ns: string): ClientUsageReport {
  return {
    result: `${ns}/results/nightly-build`,
    succeededTaskRuns: [0, 1, 3, 4].map((i) => `${ns}/results/nightly-build/records/taskrun-${i}`),
    nightlyPipelineRuns: [`${ns}/results/nightly-build/records/pipelinerun`],
  };
}

describe("the client usage example", () => {
  let server: http2.Http2Server;
  const sessions = new Set<http2.ServerHttp2Session>();
  let baseUrl: string;

  beforeAll(async () => {
    server = http2.createServer(
      connectNodeAdapter({ routes: createResultsRoutes({ store: createMemoryStore() }) }),
    );
    server.on("session", (s) => {
      sessions.add(s);
      s.once("close", () => sessions.delete(s));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });

  afterAll(async () => {
    for (const s of sessions) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it("stores the runs, filters them with CEL across pages, and is idempotent", async () => {
    const lines: string[] = [];
    const transport = createGrpcTransport({ baseUrl });
    const report = await runClientUsage(transport, {
      namespace: "demo",
      pageSize: 1,
      log: (l) => lines.push(l),
    });
    expect(report).toEqual(expected("demo"));
    expect(lines).toContain("created demo/results/nightly-build");
    expect(lines).toContain("stored 6 records");
    expect(lines.filter((l) => l.startsWith("succeeded: "))).toEqual(
      [0, 1, 3, 4].map((i) => `succeeded: nightly-build-run-task-${i}`),
    );

    const again: string[] = [];
    expect(
      await runClientUsage(transport, { namespace: "demo", log: (l) => again.push(l) }),
    ).toEqual(expected("demo"));
    expect(again).toContain("reusing demo/results/nightly-build");
  });

  it("runs as a script with node and prints its report", async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--conditions=source", "--import", "tsx", script, baseUrl],
      { cwd: workspaceRoot },
    );
    const last = stdout.trim().split("\n").at(-1) ?? "";
    expect(JSON.parse(last)).toEqual(expected("default"));
    expect(stdout).toContain("summarised default/results/nightly-build as FAILURE");
  }, 60_000);
});
