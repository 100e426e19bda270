import { describe, expect, it } from "vitest";
import type { KubernetesObject } from "@kubernetes/client-node";
import { createFakeClock } from "../test/fake-clock.js";
import { createBackoff } from "./backoff.js";
import { KubernetesError } from "./errors.js";
import type { KubeClient, ListRunsOptions, RunList } from "./kube-client.js";
import { ANNOTATIONS, PIPELINE_RUN, type RunKind } from "./run-kinds.js";
import { createRunInformer, listAllRuns, type InformerSource } from "./run-informer.js";
import type { TektonRun } from "./run.js";

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
      backoff: createBackoff({ baseMs: 100, maxMs: 1000, jitter: 0 }),
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

describe("listAllRuns", () => {
  const managed = [{ manager: "tekton", operation: "Update" }];
  const runs = Array.from({ length: 5 }, (_, i) => ({
    metadata: {
      name: `r${i}`,
      namespace: "ns",
      resourceVersion: String(10 + i),
      managedFields: managed,
      annotations: { [ANNOTATIONS.lastApplied]: "{}", keep: "yes" },
    },
  }));
  const copy = () => JSON.parse(JSON.stringify(runs)) as TektonRun[];

  /** A KubeClient whose listRuns pages `copy()` by `limit`, with continue tokens `c<offset>`. */
  function pagingKube(onCall: (options: ListRunsOptions) => void = () => {}) {
    const calls: ListRunsOptions[] = [];
    const kube = {
      async listRuns(_kind: RunKind, options: ListRunsOptions): Promise<RunList> {
        calls.push(options);
        onCall(options);
        const all = copy();
        const from = options.continue ? Number(options.continue.slice(1)) : 0;
        const to = options.limit === undefined ? all.length : from + options.limit;
        return {
          items: all.slice(from, to),
          metadata: {
            resourceVersion: "99",
            ...(to < all.length ? { continue: `c${to}` } : {}),
          },
        };
      },
    };
    return { kube: kube as unknown as KubeClient, calls };
  }

  it("lists page by page with limit/continue, trimming every run, with the snapshot's resourceVersion", async () => {
    const { kube, calls } = pagingKube();
    const list = await listAllRuns(kube, PIPELINE_RUN, {
      namespace: "ns",
      labelSelector: "a=b",
      pageSize: 2,
    });
    expect(calls).toEqual([
      { namespace: "ns", labelSelector: "a=b", limit: 2 },
      { namespace: "ns", labelSelector: "a=b", limit: 2, continue: "c2" },
      { namespace: "ns", labelSelector: "a=b", limit: 2, continue: "c4" },
    ]);
    expect(list.metadata).toEqual({ resourceVersion: "99" });
    expect(list.items.map((r) => r.metadata?.name)).toEqual(["r0", "r1", "r2", "r3", "r4"]);
    for (const run of list.items) {
      expect(run.metadata?.managedFields).toBeUndefined();
      expect(run.metadata?.annotations).toEqual({ keep: "yes" });
    }
  });

  it("lists again in one request when a continue token has expired (410)", async () => {
    const { kube, calls } = pagingKube((options) => {
      if (options.continue === "c2") throw new KubernetesError("list: HTTP 410: expired", 410);
    });
    const list = await listAllRuns(kube, PIPELINE_RUN, { pageSize: 2 });
    expect(calls).toEqual([{ limit: 2 }, { limit: 2, continue: "c2" }, {}]);
    expect(list.items.map((r) => r.metadata?.name)).toEqual(["r0", "r1", "r2", "r3", "r4"]);
    expect(list.items.every((r) => r.metadata?.managedFields === undefined)).toBe(true);
  });

  it("fails with other errors, and with a 410 on the first page", async () => {
    const failing = (status: number, on: string | undefined) =>
      pagingKube((options) => {
        if (options.continue === on) throw new KubernetesError(`HTTP ${status}`, status);
      }).kube;
    await expect(listAllRuns(failing(500, "c2"), PIPELINE_RUN, { pageSize: 2 })).rejects.toThrow(
      "HTTP 500",
    );
    await expect(
      listAllRuns(failing(410, undefined), PIPELINE_RUN, { pageSize: 2 }),
    ).rejects.toThrow("HTTP 410");
  });
});
