import { ApiException, CustomObjectsApi, KubeConfig } from "@kubernetes/client-node";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createKubeFake, type KubeFake, type KubeObject } from "../src/index.js";
import { ownedTaskRun, pipelineRun, rawWatch, tekton, waitFor } from "./helpers.js";

let fake: KubeFake;
let custom: CustomObjectsApi;

beforeEach(async () => {
  fake = await createKubeFake({ gcDelayMs: 200 });
  const kc = new KubeConfig();
  kc.loadFromString(fake.kubeconfigYaml());
  custom = kc.makeApiClient(CustomObjectsApi);
});
afterEach(async () => {
  await fake.close();
});

async function createOwnerAndChild(): Promise<KubeObject> {
  const owner = (await custom.createNamespacedCustomObject({
    ...tekton("pipelineruns"),
    body: pipelineRun("owner"),
  })) as KubeObject;
  await custom.createNamespacedCustomObject({
    ...tekton("taskruns"),
    body: ownedTaskRun("child", owner),
  });
  return owner;
}

async function childStatus(): Promise<number> {
  try {
    await custom.getNamespacedCustomObject({ ...tekton("taskruns"), name: "child" });
    return 200;
  } catch (e) {
    if (e instanceof ApiException) return e.code;
    throw e;
  }
}

describe("garbage collection over HTTP", () => {
  it("sends the owner's DELETED first; the collector deletes the dependent after gcDelayMs", async () => {
    await createOwnerAndChild();
    const prs = await rawWatch(
      `${fake.url}/apis/tekton.dev/v1/pipelineruns?watch=true&resourceVersion=1`,
    );
    const trs = await rawWatch(
      `${fake.url}/apis/tekton.dev/v1/taskruns?watch=true&resourceVersion=1`,
    );
    try {
      const started = Date.now();
      await custom.deleteNamespacedCustomObject({
        ...tekton("pipelineruns"),
        name: "owner",
        body: { propagationPolicy: "Background" },
      });
      expect(await childStatus()).toBe(200);
      await waitFor(async () => (await childStatus()) === 404, "the child collected");
      expect(Date.now() - started).toBeGreaterThanOrEqual(190);
      await waitFor(() => trs.events.some((e) => e.type === "DELETED"), "the child's DELETED");
      const ownerGone = prs.events.find((e) => e.type === "DELETED")!;
      const childGone = trs.events.find((e) => e.type === "DELETED")!;
      expect(Number(ownerGone.object.metadata.resourceVersion)).toBeLessThan(
        Number(childGone.object.metadata.resourceVersion),
      );
    } finally {
      prs.close();
      trs.close();
    }
  });

  it("Foreground: the DELETE answers the owner with foregroundDeletion; it goes after its dependent", async () => {
    await createOwnerAndChild();
    const answer = (await custom.deleteNamespacedCustomObject({
      ...tekton("pipelineruns"),
      name: "owner",
      body: { propagationPolicy: "Foreground" },
    })) as KubeObject;
    expect(answer.metadata.finalizers).toEqual(["foregroundDeletion"]);
    expect(answer.metadata.deletionTimestamp).toBeDefined();
    expect(await childStatus()).toBe(200);
    await fake.gcIdle();
    expect(await childStatus()).toBe(404);
    expect(fake.get("tekton.dev/v1", "PipelineRun", "default", "owner")).toBeUndefined();
  });

  it("Orphan: the dependent loses its ownerReference and stays", async () => {
    await createOwnerAndChild();
    await custom.deleteNamespacedCustomObject({
      ...tekton("pipelineruns"),
      name: "owner",
      body: { propagationPolicy: "Orphan" },
    });
    await fake.gcIdle();
    const child = (await custom.getNamespacedCustomObject({
      ...tekton("taskruns"),
      name: "child",
    })) as KubeObject;
    expect(child.metadata.ownerReferences).toBeUndefined();
    expect(fake.get("tekton.dev/v1", "PipelineRun", "default", "owner")).toBeUndefined();
  });

  it("refuses a negative gcDelayMs", async () => {
    await expect(createKubeFake({ gcDelayMs: -1 })).rejects.toThrow(TypeError);
  });
});
