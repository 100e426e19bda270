/**
 * DeleteResult during a database outage keeps the Result's logs (found by
 * the fuzzer, packages/fuzz, with an injected store fault: the logs were
 * deleted, then the store call failed, and the Log records outlived their bytes).
 */
import { Code, ConnectError, createClient, createRouterTransport } from "@connectrpc/connect";
import { createMemoryLogStore } from "@tekton-results/log-store";
import { Results } from "@tekton-results/proto";
import { StorageError, type ResultsStore } from "@tekton-results/storage";
import { createMemoryStore } from "@tekton-results/storage-conformance";
import { describe, expect, it } from "vitest";
import { createResultsRoutes } from "../src/routes.js";

const LOG = "ns/results/r1/logs/log1";

function setup() {
  const memory = createMemoryStore();
  const state = { down: false };
  const store = new Proxy(memory, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== "function") return value;
      return (...args: unknown[]) =>
        state.down
          ? Promise.reject(new StorageError("unavailable", "the database is unreachable"))
          : (value as (...a: unknown[]) => unknown).apply(target, args);
    },
  }) as ResultsStore;
  const logs = createMemoryLogStore();
  const client = createClient(Results, createRouterTransport(createResultsRoutes({ store, logs })));
  return { client, logs, state };
}

describe("DeleteResult with a log store", () => {
  it("answers Unavailable during an outage and keeps the logs", async () => {
    const { client, logs, state } = setup();
    await client.createResult({ parent: "ns", result: { name: "ns/results/r1" } });
    await logs.write(LOG, [new TextEncoder().encode("step\n")]);
    state.down = true;
    const err = await client.deleteResult({ name: "ns/results/r1" }).catch((e: unknown) => e);
    expect(ConnectError.from(err).code).toBe(Code.Unavailable);
    expect(await logs.exists(LOG)).toBe(true);
    state.down = false;
    await client.deleteResult({ name: "ns/results/r1" });
    expect(await logs.exists(LOG)).toBe(false);
  });

  it("answers NotFound for a missing Result without touching logs under its name", async () => {
    const { client, logs } = setup();
    await logs.write(LOG, [new TextEncoder().encode("step\n")]);
    const err = await client.deleteResult({ name: "ns/results/r1" }).catch((e: unknown) => e);
    expect(ConnectError.from(err).code).toBe(Code.NotFound);
    expect(await logs.exists(LOG)).toBe(true);
  });
});
