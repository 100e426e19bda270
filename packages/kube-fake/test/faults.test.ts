import {
  ApiException,
  CustomObjectsApi,
  KubeConfig,
  Watch,
  type KubernetesObject,
} from "@kubernetes/client-node";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createKubeFake, type KubeFake } from "../src/index.js";
import { pipelineRun, waitFor } from "./helpers.js";

let fake: KubeFake;
let kc: KubeConfig;
let custom: CustomObjectsApi;

beforeEach(async () => {
  fake = await createKubeFake();
  kc = new KubeConfig();
  kc.loadFromString(fake.kubeconfigYaml());
  custom = kc.makeApiClient(CustomObjectsApi);
});
afterEach(async () => {
  await fake.close();
});

const list = (plural: string, namespace?: string) =>
  namespace
    ? custom.listNamespacedCustomObject({ group: "tekton.dev", version: "v1", namespace, plural })
    : custom.listClusterCustomObject({ group: "tekton.dev", version: "v1", plural });

/** The HTTP status a client-node call failed with, or "ok". */
async function outcome(p: Promise<unknown>): Promise<number | "ok"> {
  try {
    await p;
    return "ok";
  } catch (e) {
    if (e instanceof ApiException) return e.code;
    throw e;
  }
}

describe("failRequests", () => {
  it("fails the first 3 TaskRun lists with 503 while PipelineRun lists work", async () => {
    fake.failRequests({ verb: "list", resource: "taskruns", times: 3 });
    const results: Array<number | "ok"> = [];
    for (let i = 0; i < 4; i++) {
      results.push(await outcome(list("taskruns")));
      expect(await outcome(list("pipelineruns"))).toBe("ok");
    }
    expect(results).toEqual([503, 503, 503, "ok"]);
    expect(fake.requestCounts()["list taskruns"]).toBe(4);
  });

  it("answers the Status a real server sends (500 InternalError, 503 ServiceUnavailable)", async () => {
    fake.failRequests({ resource: "taskruns", status: 500, times: 1 });
    const err = (await list("taskruns").catch((e: unknown) => e)) as ApiException<string>;
    expect(err.code).toBe(500);
    expect(JSON.parse(err.body)).toMatchObject({
      kind: "Status",
      status: "Failure",
      code: 500,
      reason: "InternalError",
    });
    fake.failRequests({ times: 1 });
    const res = await fetch(`${fake.url}/api/v1/namespaces/default/pods`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ code: 503, reason: "ServiceUnavailable" });
  });

  it("fails before the request has any effect, and stops when cleared", async () => {
    const clear = fake.failRequests({ verb: "create", resource: "pipelineruns", status: 429 });
    const body = pipelineRun("a");
    const create = () =>
      custom.createNamespacedCustomObject({
        group: "tekton.dev",
        version: "v1",
        namespace: "default",
        plural: "pipelineruns",
        body,
      });
    expect(await outcome(create())).toBe(429);
    expect(await outcome(create())).toBe(429);
    expect(fake.get("tekton.dev/v1", "PipelineRun", "default", "a")).toBeUndefined();
    clear();
    expect(await outcome(create())).toBe("ok");
    expect(fake.get("tekton.dev/v1", "PipelineRun", "default", "a")).toBeDefined();
  });

  it("matches the namespace in the path only", async () => {
    fake.failRequests({ verb: "list", namespace: "team-a" });
    expect(await outcome(list("taskruns", "team-a"))).toBe(503);
    expect(await outcome(list("taskruns", "team-b"))).toBe("ok");
    expect(await outcome(list("taskruns"))).toBe("ok");
  });

  it("fails watches (the client's done callback gets the error) and records them", async () => {
    fake.failRequests({ verb: "watch", resource: "pipelineruns", times: 1 });
    let failed: unknown;
    await new Watch(kc)
      .watch(
        "/apis/tekton.dev/v1/pipelineruns",
        {},
        () => undefined,
        (err: unknown) => (failed ??= err),
      )
      .catch((e: unknown) => (failed ??= e));
    await waitFor(() => failed, "the watch to fail");
    expect(String(failed)).toMatch(/503|Service Unavailable/);
    expect(fake.requests()).toMatchObject([
      { verb: "watch", resource: "pipelineruns", injectedStatus: 503 },
    ]);
    // The rule is spent: the next watch opens.
    const events: string[] = [];
    fake.create(pipelineRun("a"));
    const controller = await new Watch(kc).watch(
      "/apis/tekton.dev/v1/pipelineruns",
      {},
      (type: string, obj: KubernetesObject) => events.push(`${type} ${obj.metadata?.name}`),
      () => undefined,
    );
    try {
      await waitFor(() => events.includes("ADDED a"), "the ADDED event");
    } finally {
      controller.abort();
    }
  });

  it("refuses a bad status or times", () => {
    expect(() => fake.failRequests({ status: 200 })).toThrow(TypeError);
    expect(() => fake.failRequests({ times: 0 })).toThrow(TypeError);
  });
});

describe("requests and lastWatchQuery", () => {
  it("record verb, path and query, so a test can see a watch asked for bookmarks", async () => {
    expect(fake.lastWatchQuery("pipelineruns")).toBeUndefined();
    const controller = await new Watch(kc).watch(
      "/apis/tekton.dev/v1/namespaces/default/pipelineruns",
      { allowWatchBookmarks: true, resourceVersion: "1", labelSelector: "app=x" },
      () => undefined,
      () => undefined,
    );
    try {
      await waitFor(() => fake.lastWatchQuery("pipelineruns"), "the watch request");
      expect(fake.lastWatchQuery("pipelineruns")).toMatchObject({
        watch: "true",
        allowWatchBookmarks: "true",
        resourceVersion: "1",
        labelSelector: "app=x",
      });
      expect(fake.lastWatchQuery("taskruns")).toBeUndefined();
      await list("taskruns", "default");
      const last = fake.requests().at(-1)!;
      expect(last).toEqual({
        verb: "list",
        resource: "taskruns",
        namespace: "default",
        path: "/apis/tekton.dev/v1/namespaces/default/taskruns",
        query: {},
      });
      fake.resetRequestCounts();
      expect(fake.requests()).toEqual([]);
      expect(fake.lastWatchQuery("pipelineruns")).toBeUndefined();
    } finally {
      controller.abort();
    }
  });
});
