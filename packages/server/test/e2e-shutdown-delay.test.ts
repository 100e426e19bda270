/**
 * End-to-end: the server program with `--shutdown-delay-ms`. On SIGTERM it
 * turns not ready (`/readyz` 503, gRPC health NOT_SERVING) but goes on
 * accepting and serving for the delay, then shuts down gracefully, closing
 * its port, and exits 0; a second signal ends the delay early.
 */
import * as http from "node:http";
import * as net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { Results } from "@tekton-results/proto";
import { Health, HealthCheckResponse_ServingStatus } from "@tekton-results/proto/grpc-health";
import { startMain, type Running } from "./support/program.js";

const DELAY_MS = 2500;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A GET on a connection of its own: the status. */
function get(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
  });
}

/** Whether a TCP connection to `url`'s port is accepted. */
function accepts(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), hostname, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on("error", () => resolve(false));
  });
}

/** The parsed log line of `msg`, once the program has written it. */
async function logLine(server: Running, msg: string): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    for (const line of server.stderr().split("\n")) {
      if (!line.includes(`"msg":"${msg}"`)) continue;
      return JSON.parse(line) as Record<string, unknown>;
    }
    if (Date.now() > deadline) throw new Error(`no "${msg}" in:\n${server.stderr()}`);
    await sleep(20);
  }
}

/** The program on an in-memory store, without the Logs API, with a shutdown delay. */
function startWithDelay(delayMs: number): Promise<Running> {
  const args = ["--database", "sqlite::memory:", "--no-logs"];
  return startMain([...args, "--shutdown-delay-ms", String(delayMs)]);
}

describe("--shutdown-delay-ms (e2e)", () => {
  let server: Running | undefined;
  const managers: Http2SessionManager[] = [];

  afterEach(async () => {
    for (const m of managers.splice(0)) m.abort();
    if (server && server.child.exitCode === null) {
      server.child.kill("SIGKILL");
      await server.exit;
    }
    server = undefined;
  });

  function clients(url: string) {
    const sessionManager = new Http2SessionManager(url);
    managers.push(sessionManager);
    const transport = createGrpcTransport({ baseUrl: url, sessionManager });
    return { health: createClient(Health, transport), results: createClient(Results, transport) };
  }

  it("serves, not ready, for the delay after SIGTERM, then closes its port and exits 0", async () => {
    server = await startWithDelay(DELAY_MS);
    const { url } = server;
    expect(await get(`${url}/readyz`)).toBe(200);
    const signalled = Date.now();
    server.child.kill("SIGTERM");
    expect(await logLine(server, "draining")).toMatchObject({
      signal: "SIGTERM",
      delayMs: DELAY_MS,
    });

    // New connections are accepted and served; readiness and health say not serving.
    expect(await get(`${url}/readyz`)).toBe(503);
    expect(await get(`${url}/healthz`)).toBe(200);
    expect(await get(`${url}/apis/results.tekton.dev/v1alpha2/parents/e2e/results`)).toBe(200);
    const { health, results } = clients(url);
    expect((await health.check({ service: "" })).status).toBe(
      HealthCheckResponse_ServingStatus.NOT_SERVING,
    );
    expect((await results.listResults({ parent: "e2e" })).results).toEqual([]);
    expect(server.stderr()).not.toContain('"msg":"shutting down"');
    for (const m of managers.splice(0)) m.abort();

    expect(await server.exit).toBe(0);
    expect(Date.now() - signalled).toBeGreaterThanOrEqual(DELAY_MS - 100);
    expect(await accepts(url)).toBe(false);
    const log = server.stderr();
    expect(log.indexOf('"msg":"draining"')).toBeLessThan(log.indexOf('"msg":"shutting down"'));
    expect(log).toContain('"msg":"stopped"');
  });

  it("ends the delay at a second signal", async () => {
    server = await startWithDelay(600_000);
    const signalled = Date.now();
    server.child.kill("SIGTERM");
    await logLine(server, "draining");
    server.child.kill("SIGTERM");
    expect(await server.exit).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(20_000);
    expect(server.stderr()).toContain('"msg":"second signal: shutting down now"');
    expect(server.stderr()).toContain('"forced":false');
  });
});
