/**
 * The write-back against the fake Kubernetes API server (real HTTP, real
 * client-node): a run deleted while its key is queued or in flight is never
 * recreated by the watcher's write.
 */
import { KubeConfig } from "@kubernetes/client-node";
import { createKubeFake, type KubeFake } from "@tekton-results/kube-fake";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createKubeClient } from "../src/kube-client.js";
import type { Reconciler } from "../src/reconciler.js";
import { PIPELINE_RUN } from "../src/run-kinds.js";
import { keyOfRun, type TektonRun } from "../src/run.js";
import { testReconciler } from "./reconciler-harness.js";
import { createTestResultsApi, type TestResultsApi } from "./results-api.js";
import { pipelineRunObject, setStatus } from "./stack.js";

let kube: KubeFake;
let api: TestResultsApi;
/** What the informer's cache holds: the run as last seen, whatever happened since. */
let cached: TektonRun | undefined;

beforeEach(async () => {
  kube = await createKubeFake();
  api = await createTestResultsApi();
  cached = undefined;
});
afterEach(async () => {
  await kube.close();
  await api.close();
});

function reconciler(): Reconciler {
  const kc = new KubeConfig();
  kc.loadFromString(kube.kubeconfigYaml());
  return testReconciler({ kube: createKubeClient(kc), api, get: () => cached });
}

const live = () => kube.get("tekton.dev/v1", "PipelineRun", "ns", "gone");

describe("write-back of a run deleted meanwhile", () => {
  it("a running run deleted while its key is queued is not recreated by the first write", async () => {
    const created = kube.create(pipelineRunObject("gone"));
    cached = structuredClone(setStatus(kube, created)) as TektonRun;
    kube.delete("tekton.dev/v1", "PipelineRun", "ns", "gone");
    expect(live()).toBeUndefined();

    await reconciler().reconcile(keyOfRun(cached, PIPELINE_RUN));
    expect(live()).toBeUndefined();
  });

  it("a finished run deleted before it is marked stored is not recreated", async () => {
    const created = kube.create(pipelineRunObject("gone"));
    cached = structuredClone(setStatus(kube, created, "Succeeded")) as TektonRun;
    kube.delete("tekton.dev/v1", "PipelineRun", "ns", "gone");

    await reconciler().reconcile(keyOfRun(cached, PIPELINE_RUN));
    expect(live()).toBeUndefined();
  });

  it("a run deleted and created again under the same name is not written with the old run's state", async () => {
    const created = kube.create(pipelineRunObject("gone"));
    cached = structuredClone(setStatus(kube, created)) as TektonRun;
    kube.delete("tekton.dev/v1", "PipelineRun", "ns", "gone");
    const again = kube.create(pipelineRunObject("gone"));

    await expect(reconciler().reconcile(keyOfRun(cached, PIPELINE_RUN))).rejects.toThrow(/422/);
    const now = live()!;
    expect(now.metadata.uid).toBe(again.metadata.uid);
    expect(now.metadata.annotations?.["results.tekton.dev/result"]).toBeUndefined();
    expect(now.metadata.finalizers).toBeUndefined();
  });
});
