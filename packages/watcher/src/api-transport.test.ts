import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createRouterTransport } from "@connectrpc/connect";
import { createResultsClient, Results } from "@tekton-results/client";
import { createFakeClock } from "../test/fake-clock.js";
import { bearerTokenInterceptor, pacedClient } from "./api-transport.js";
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
});
