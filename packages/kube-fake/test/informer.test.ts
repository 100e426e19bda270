import {
  CustomObjectsApi,
  KubeConfig,
  makeInformer,
  Watch,
  type Informer,
  type KubernetesObject,
} from "@kubernetes/client-node";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createKubeFake, type KubeFake } from "../src/index.js";
import { pipelineRun, waitFor } from "./helpers.js";

let fake: KubeFake;
let kc: KubeConfig;
let informer: Informer<KubernetesObject> | undefined;
let seen: string[];
let stopping = false;

beforeEach(async () => {
  fake = await createKubeFake({ bookmarkIntervalMs: 50 });
  kc = new KubeConfig();
  kc.loadFromString(fake.kubeconfigYaml());
  seen = [];
  stopping = false;
});
afterEach(async () => {
  stopping = true;
  await informer?.stop();
  informer = undefined;
  await fake.close();
});

function startInformer(restartOnError = false): Informer<KubernetesObject> {
  const api = kc.makeApiClient(CustomObjectsApi);
  const inf = makeInformer(kc, "/apis/tekton.dev/v1/pipelineruns", () =>
    api.listClusterCustomObject({ group: "tekton.dev", version: "v1", plural: "pipelineruns" }),
  );
  inf.on("add", (o) => seen.push(`add ${o.metadata?.name}`));
  inf.on("update", (o) => seen.push(`update ${o.metadata?.name}`));
  inf.on("delete", (o) => seen.push(`delete ${o.metadata?.name}`));
  inf.on("error", () => {
    seen.push("error");
    // What a user does: restart the informer after a short pause.
    if (restartOnError) {
      setTimeout(() => {
        if (!stopping) void inf.start().catch(() => undefined);
      }, 50);
    }
  });
  informer = inf;
  return inf;
}

const PR = ["tekton.dev/v1", "PipelineRun"] as const;

describe("client-node informer against the fake", () => {
  it("lists then sees ADD, UPDATE and DELETE", async () => {
    fake.create(pipelineRun("before"));
    const inf = startInformer();
    await inf.start();
    await waitFor(
      () => seen.includes("add before") && (fake.requestCounts()["watch pipelineruns"] ?? 0) > 0,
      "initial list and watch",
    );
    fake.create(pipelineRun("a"));
    fake.patch(...PR, "default", "a", { metadata: { labels: { x: "1" } } });
    fake.delete(...PR, "default", "a");
    await waitFor(() => seen.includes("delete a"), "delete a");
    expect(seen).toEqual(["add before", "add a", "update a", "delete a"]);
  });

  it("relists after compact() + dropWatches() (410 Gone) and keeps following changes", async () => {
    const inf = startInformer();
    await inf.start();
    fake.create(pipelineRun("a"));
    await waitFor(() => seen.includes("add a"), "add a");
    expect(fake.requestCounts()["list pipelineruns"]).toBe(1);
    fake.compact();
    fake.dropWatches();
    await waitFor(() => (fake.requestCounts()["list pipelineruns"] ?? 0) >= 2, "a relist");
    fake.create(pipelineRun("b"));
    await waitFor(() => seen.includes("add b"), "add b after the relist");
    expect(seen.filter((s) => s === "add a")).toHaveLength(1);
    expect(seen).not.toContain("error");
  });

  it("re-watches from its resourceVersion after dropWatches() without relisting", async () => {
    const inf = startInformer();
    await inf.start();
    await waitFor(() => fake.requestCounts()["watch pipelineruns"] === 1, "first watch");
    fake.dropWatches();
    fake.create(pipelineRun("while-reconnecting"));
    await waitFor(() => seen.includes("add while-reconnecting"), "the event across the reconnect");
    expect(fake.requestCounts()["list pipelineruns"]).toBe(1);
    expect(fake.requestCounts()["watch pipelineruns"]).toBeGreaterThanOrEqual(2);
  });

  it("recovers after stop()/start() when restarted on its error callback", async () => {
    const inf = startInformer(true);
    await inf.start();
    fake.create(pipelineRun("a"));
    await waitFor(() => seen.includes("add a"), "add a");
    await fake.stop();
    await waitFor(() => seen.includes("error"), "an error while the server is down");
    fake.create(pipelineRun("while-down"));
    fake.delete(...PR, "default", "a");
    await fake.start();
    await waitFor(
      () => seen.includes("add while-down") && seen.includes("delete a"),
      "changes made while down",
    );
    fake.create(pipelineRun("after"));
    await waitFor(() => seen.includes("add after"), "add after");
  });
});

describe("client-node Watch", () => {
  it("receives BOOKMARK events when allowWatchBookmarks is set", async () => {
    fake.create(pipelineRun("a"));
    const events: Array<{ type: string; rv?: string }> = [];
    const controller = await new Watch(kc).watch(
      "/apis/tekton.dev/v1/namespaces/default/pipelineruns",
      { allowWatchBookmarks: true },
      (type: string, obj: KubernetesObject) =>
        events.push({ type, rv: obj.metadata?.resourceVersion }),
      () => undefined,
    );
    try {
      await waitFor(() => events.some((e) => e.type === "BOOKMARK"), "a bookmark");
      expect(events[0]).toMatchObject({ type: "ADDED" });
      const bookmark = events.find((e) => e.type === "BOOKMARK")!;
      expect(Number(bookmark.rv)).toBeGreaterThanOrEqual(
        Number(fake.get(...PR, "default", "a")!.metadata.resourceVersion),
      );
    } finally {
      controller.abort();
    }
  });

  it("reports the 410 ERROR event for an expired resourceVersion and then ends", async () => {
    const a = fake.create(pipelineRun("a"));
    fake.compact();
    const events: Array<{ type: string; code?: number }> = [];
    let done!: (err: unknown) => void;
    const finished = new Promise((resolve) => (done = resolve));
    await new Watch(kc).watch(
      "/apis/tekton.dev/v1/pipelineruns",
      { resourceVersion: a.metadata.resourceVersion },
      (type: string, obj: { code?: number }) => events.push({ type, code: obj.code }),
      (err: unknown) => done(err),
    );
    await finished;
    expect(events).toEqual([{ type: "ERROR", code: 410 }]);
  });
});
