/**
 * The workers must not starve the event loop: a long run of keys whose
 * reconcile needs no I/O (runs already stored, runs of another controller —
 * after an initial sync, every write-back comes back as such a key) settles
 * in microtasks only. Without a yield between keys, no I/O callback runs
 * until the queue is empty: the calls still in flight for the last runs, the
 * informers' watches, lease renewals and /metrics all wait (B2 saw the last 2
 * of 100,000 runs stored 12 s and 50 s after the others).
 */
import { afterEach, describe, expect, it } from "vitest";
import { createGrpcTransport } from "@connectrpc/connect-node";
import type { InformerFactory, InformerSource } from "../src/run-informer.js";
import { PIPELINE_RUN } from "../src/run-kinds.js";
import type { TektonRun } from "../src/run.js";
import { createWatcher, type Watcher } from "../src/watcher.js";
import { createFakeKube } from "./fake-kube-client.js";
import { pipelineRun } from "./runs.js";
import { waitFor } from "./stack.js";

/** An informer source over a fixed list of runs: listed once, never watched. */
function staticSource(runs: readonly TektonRun[]): InformerSource {
  const byKey = new Map(runs.map((r) => [`${r.metadata?.namespace}/${r.metadata?.name}`, r]));
  const source = {
    on: () => {},
    off: () => {},
    start: async () => {},
    stop: async () => {},
    get: (name: string, namespace?: string) => byKey.get(`${namespace}/${name}`),
    list: () => runs,
  };
  return source as unknown as InformerSource;
}

let watcher: Watcher | undefined;
afterEach(async () => {
  await watcher?.stop({ deadlineMs: 1_000 });
  watcher = undefined;
});

describe("workers and the event loop", () => {
  it("let I/O callbacks run while they go through keys that need no I/O", async () => {
    // Runs of another controller: their reconcile returns without any call.
    const runs = Array.from({ length: 5_000 }, (_, i) => {
      const run = pipelineRun(`other-${i}`, { reason: "Succeeded" });
      run.spec = { managedBy: "example.com/another-controller" };
      return run;
    });
    const factory: InformerFactory = (kind) =>
      staticSource(kind.kind === PIPELINE_RUN.kind ? runs : []);
    watcher = createWatcher({
      transport: createGrpcTransport({ baseUrl: "http://127.0.0.1:9" }),
      kube: createFakeKube(),
      informerFactory: factory,
      leaderElect: false,
      workers: 4,
      qps: 0,
    });
    await watcher.start();
    expect(watcher.idle()).toBe(false);

    // The next turn of the event loop comes while most keys are still queued.
    const idleAtNextTurn = await new Promise<boolean>((resolve) =>
      setImmediate(() => resolve(watcher!.idle())),
    );
    expect(idleAtNextTurn).toBe(false);

    // ...and every key is still processed.
    await waitFor(() => watcher!.idle() || undefined, "the queue to drain");
    expect(watcher.idle()).toBe(true);
  });
});
