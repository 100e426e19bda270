import { describe, expect, it } from "vitest";
import type { KubernetesObject } from "@kubernetes/client-node";
import { createFakeClock } from "../test/fake-clock.js";
import { createBackoff } from "./backoff.js";
import { PIPELINE_RUN } from "./run-kinds.js";
import { createRunInformer, type InformerSource } from "./run-informer.js";

/** A scripted informer source: each start() either succeeds or fails (emitting "error"). */
function scriptedSource(outcomes: ("ok" | "fail")[]) {
  const handlers = new Map<string, ((arg: unknown) => void)[]>();
  const objects: KubernetesObject[] = [];
  let starts = 0;
  let stops = 0;
  const emit = (verb: string, arg?: unknown) => (handlers.get(verb) ?? []).forEach((h) => h(arg));
  const source = {
    on(verb: string, cb: (arg: unknown) => void) {
      handlers.set(verb, [...(handlers.get(verb) ?? []), cb]);
    },
    off() {},
    async start() {
      const outcome = outcomes[starts++] ?? "ok";
      if (outcome === "fail") emit("error", new Error("connect ECONNREFUSED"));
    },
    async stop() {
      stops++;
    },
    get: (name: string, namespace?: string) =>
      objects.find((o) => o.metadata?.name === name && o.metadata?.namespace === namespace),
    list: () => objects,
  };
  return {
    source: source as unknown as InformerSource,
    emit,
    objects,
    starts: () => starts,
    stops: () => stops,
  };
}

describe("run informer", () => {
  it("restarts a failed informer with exponential backoff until it syncs", async () => {
    const clock = createFakeClock();
    const s = scriptedSource(["fail", "fail", "ok"]);
    const errors: unknown[] = [];
    const informer = createRunInformer({
      kind: PIPELINE_RUN,
      factory: () => s.source,
      clock,
      backoff: createBackoff({ baseMs: 100, maxMs: 1000 }),
      onError: (e) => errors.push(e),
    });
    await informer.start();
    expect(informer.hasSynced()).toBe(false);
    expect(s.starts()).toBe(1);
    await clock.advance(99);
    expect(s.starts()).toBe(1);
    await clock.advance(1);
    expect(s.starts()).toBe(2);
    await clock.advance(199);
    expect(s.starts()).toBe(2);
    await clock.advance(1);
    expect(s.starts()).toBe(3);
    expect(informer.hasSynced()).toBe(true);
    expect(errors).toHaveLength(2);
    await informer.stop();
  });
  it("a watch that breaks later is restarted too; errors after stop are ignored", async () => {
    const clock = createFakeClock();
    const s = scriptedSource(["ok", "ok"]);
    const informer = createRunInformer({ kind: PIPELINE_RUN, factory: () => s.source, clock });
    await informer.start();
    s.emit("error", new Error("watch closed"));
    await clock.advance(100);
    expect(s.starts()).toBe(2);
    await informer.stop();
    s.emit("error", new Error("aborted"));
    await clock.advance(60_000);
    expect(s.starts()).toBe(2);
    expect(s.stops()).toBe(1);
  });
  it("forwards events and serves the cache", async () => {
    const s = scriptedSource([]);
    const informer = createRunInformer({ kind: PIPELINE_RUN, factory: () => s.source });
    const seen: string[] = [];
    informer.onEvent((type, run) => seen.push(`${type} ${run.metadata?.name}`));
    const run = { metadata: { name: "a", namespace: "ns" } };
    s.objects.push(run);
    s.emit("add", run);
    s.emit("update", run);
    s.emit("delete", run);
    expect(seen).toEqual(["add a", "update a", "delete a"]);
    expect(informer.get("ns", "a")).toBe(run);
    expect(informer.list()).toHaveLength(1);
  });
});
