import { mkdtemp, rm, writeFile } from "node:fs/promises";
import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createRouterTransport } from "@connectrpc/connect";
import { createResultsClient, Results } from "@tekton-results/client";
import { createFakeClock } from "../test/fake-clock.js";
import { connectNodeAdapter, createGrpcTransport } from "@connectrpc/connect-node";
import {
  bearerTokenInterceptor,
  createApiConnection,
  createSessionManager,
  pacedClient,
} from "./api-transport.js";
import { createRateLimiter } from "./rate-limiter.js";

describe("API transport helpers", () => {
  it("pacedClient waits for a token before each call and reports the method", async () => {
    const transport = createRouterTransport((router) => {
      router.service(Results, { getResult: async (req) => ({ name: req.name }) });
    });
    const clock = createFakeClock();
    const methods: string[] = [];
    const client = pacedClient(
      createResultsClient(transport),
      createRateLimiter(1, 1, clock),
      (m) => methods.push(m),
    );
    expect((await client.getResult({ name: "ns/results/a" })).name).toBe("ns/results/a");
    let second = false;
    const pending = client.getResult({ name: "ns/results/b" }).then(() => (second = true));
    await clock.advance(500);
    expect(second).toBe(false);
    await clock.advance(500);
    await pending;
    expect(second).toBe(true);
    expect(methods).toEqual(["getResult", "getResult"]);
    // Helpers that are not API calls pass through unpaced.
    expect(typeof client.listAllResults).toBe("function");
  });

  it("the watcher's connection does not ask for compressed responses (connect-node's default does)", async () => {
    const accepted: string[] = [];
    const server = http2.createServer(
      connectNodeAdapter({
        routes: (router) =>
          router.service(Results, {
            getResult: async (req, ctx) => {
              accepted.push(ctx.requestHeader.get("grpc-accept-encoding") ?? "");
              return { name: req.name, annotations: { big: "x".repeat(8192) } };
            },
          }),
      }),
    );
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const ours = createApiConnection(url);
    const sessionManager = createSessionManager(url);
    try {
      const got = await createResultsClient(ours.transport).getResult({ name: "ns/results/a" });
      expect(got.annotations["big"]).toHaveLength(8192);
      await createResultsClient(createGrpcTransport({ baseUrl: url, sessionManager })).getResult({
        name: "ns/results/a",
      });
      expect(accepted[0]).not.toContain("gzip");
      expect(accepted[1]).toContain("gzip");
    } finally {
      ours.close();
      sessionManager.abort();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it("bearerTokenInterceptor sends the token read from its file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "watcher-token-"));
    try {
      const file = join(dir, "token");
      await writeFile(file, "abc\n");
      const seen: string[] = [];
      const transport = createRouterTransport(
        (router) => {
          router.service(Results, {
            getResult: async (_req, ctx) => {
              seen.push(ctx.requestHeader.get("authorization") ?? "");
              return {};
            },
          });
        },
        { transport: { interceptors: [bearerTokenInterceptor(file, 0)] } },
      );
      const client = createResultsClient(transport);
      await client.getResult({ name: "ns/results/a" });
      await writeFile(file, "rotated");
      await client.getResult({ name: "ns/results/a" });
      expect(seen).toEqual(["Bearer abc", "Bearer rotated"]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("a request right after a GOAWAY on an idle connection reconnects without an uncaught error", async () => {
    const serverSessions = new Set<http2.ServerHttp2Session>();
    const server = http2.createServer();
    server.on("session", (session) => serverSessions.add(session));
    server.on("stream", (stream) => {
      stream.respond({ ":status": 200 });
      stream.end("ok");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const manager = createSessionManager(
      `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    );
    const uncaught: unknown[] = [];
    let sawUncaught!: () => void;
    const uncaughtSeen = new Promise<void>((resolve) => (sawUncaught = resolve));
    const onUncaught = (err: unknown) => {
      uncaught.push(err);
      sawUncaught();
    };
    process.on("uncaughtException", onUncaught);
    const get = async () => {
      const stream = await manager.request("GET", "/", {}, {});
      const session = stream.session; // unset once the stream is closed
      stream.resume();
      await new Promise((resolve, reject) => {
        stream.on("close", resolve);
        stream.on("error", reject);
      });
      return session;
    };
    try {
      const first = await get(); // the connection is now idle
      const firstClosed = new Promise<void>((resolve) => first?.once("close", () => resolve()));
      const afterGoaway = new Promise<unknown>((resolve) => {
        first?.once("goaway", () => queueMicrotask(() => resolve(get())));
      });
      for (const session of serverSessions) session.close(); // graceful: GOAWAY NO_ERROR
      const second = await afterGoaway;
      expect(second).toBeDefined();
      expect(second !== first, "a new connection").toBe(true);
      // Let the first connection finish closing (its deferred error fires then).
      await Promise.race([firstClosed, uncaughtSeen]);
      await new Promise((resolve) => setImmediate(resolve));
      expect(uncaught).toEqual([]);
    } finally {
      process.off("uncaughtException", onUncaught);
      manager.abort();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
