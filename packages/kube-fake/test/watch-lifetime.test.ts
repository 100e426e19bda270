import {
  CustomObjectsApi,
  KubeConfig,
  makeInformer,
  type Informer,
  type KubernetesObject,
} from "@kubernetes/client-node";
import { afterEach, describe, expect, it } from "vitest";
import { createKubeFake, type KubeFake, type KubeFakeOptions } from "../src/index.js";
import { pipelineRun, waitFor } from "./helpers.js";

let fake: KubeFake | undefined;
let informer: Informer<KubernetesObject> | undefined;

afterEach(async () => {
  await informer?.stop();
  informer = undefined;
  await fake?.close();
  fake = undefined;
});

async function start(options: KubeFakeOptions): Promise<KubeFake> {
  fake = await createKubeFake(options);
  return fake;
}

/** Opens a watch and resolves with how long it lasted once the server ends it cleanly. */
async function watchLasts(url: string): Promise<number> {
  const started = Date.now();
  const res = await fetch(url);
  expect(res.status).toBe(200);
  await res.text(); // rejects if the connection is cut instead of the body ending
  return Date.now() - started;
}

describe("watch lifetime", () => {
  it("ends each watch cleanly after a random time within watchLifetimeMs", async () => {
    const f = await start({ watchLifetimeMs: [300, 500] });
    const url = `${f.url}/apis/tekton.dev/v1/pipelineruns?watch=true`;
    const lasted = await Promise.all([1, 2, 3, 4].map(() => watchLasts(url)));
    for (const ms of lasted) {
      expect(ms).toBeGreaterThanOrEqual(290);
      expect(ms).toBeLessThan(1500);
    }
  });

  it("honours timeoutSeconds instead, even when longer than the lifetime", async () => {
    const f = await start({ watchLifetimeMs: [100, 100] });
    const ms = await watchLasts(
      `${f.url}/apis/tekton.dev/v1/pipelineruns?watch=true&timeoutSeconds=1`,
    );
    expect(ms).toBeGreaterThanOrEqual(950);
    expect(ms).toBeLessThan(3000);
  });

  it("keeps a watch open for 30 minutes or more by default", async () => {
    const f = await start({});
    const controller = new AbortController();
    const res = await fetch(`${f.url}/apis/tekton.dev/v1/pipelineruns?watch=true`, {
      signal: controller.signal,
    });
    const body = res.text().then(
      () => "ended",
      () => "aborted",
    );
    await new Promise((r) => setTimeout(r, 300));
    controller.abort();
    expect(await body).toBe("aborted");
  });

  it("refuses a lifetime range that is empty, not positive or too long for a timer", async () => {
    await expect(createKubeFake({ watchLifetimeMs: [0, 10] })).rejects.toThrow(TypeError);
    await expect(createKubeFake({ watchLifetimeMs: [20, 10] })).rejects.toThrow(TypeError);
    await expect(createKubeFake({ watchLifetimeMs: [10, 2 ** 31] })).rejects.toThrow(TypeError);
  });

  it("a client-node informer re-watches after each end and keeps receiving events, no relist", async () => {
    const f = await start({ watchLifetimeMs: [150, 250] });
    const kc = new KubeConfig();
    kc.loadFromString(f.kubeconfigYaml());
    const api = kc.makeApiClient(CustomObjectsApi);
    const seen: string[] = [];
    const inf = makeInformer(kc, "/apis/tekton.dev/v1/pipelineruns", () =>
      api.listClusterCustomObject({ group: "tekton.dev", version: "v1", plural: "pipelineruns" }),
    );
    informer = inf;
    inf.on("add", (o) => seen.push(`add ${o.metadata?.name}`));
    inf.on("error", () => seen.push("error"));
    await inf.start();
    for (let i = 1; i <= 4; i++) {
      const watches = f.requestCounts()["watch pipelineruns"] ?? 0;
      // Wait until the current watch has been ended by the server and a new one opened.
      await waitFor(
        () => (f.requestCounts()["watch pipelineruns"] ?? 0) > watches,
        `watch number ${watches + 1}`,
      );
      f.create(pipelineRun(`run-${i}`));
      await waitFor(() => seen.includes(`add run-${i}`), `add run-${i}`);
    }
    expect(f.requestCounts()["watch pipelineruns"]).toBeGreaterThanOrEqual(5);
    expect(f.requestCounts()["list pipelineruns"]).toBe(1);
    expect(seen).toEqual(["add run-1", "add run-2", "add run-3", "add run-4"]);
  });
});
