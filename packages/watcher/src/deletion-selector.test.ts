/**
 * `--deletion-label-selector` (upstream's `-label_selector`): every run is
 * stored, only matching ones are deleted after the grace period.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFakeKube, type FakeKube } from "../test/fake-kube-client.js";
import { createTestResultsApi, type TestResultsApi } from "../test/results-api.js";
import { testReconciler } from "../test/reconciler-harness.js";
import { pipelineRun } from "../test/runs.js";
import type { Reconciler } from "./reconciler.js";
import { PIPELINE_RUN } from "./run-kinds.js";
import { keyOfRun } from "./run.js";

let api: TestResultsApi;
let kube: FakeKube;
beforeEach(async () => {
  api = await createTestResultsApi();
  kube = createFakeKube();
});
afterEach(async () => {
  await api.close();
});

function reconciler(deletionLabelSelector?: string): Reconciler {
  return testReconciler({
    kube,
    api,
    get: (kind, ns, name) => kube.runs.get(`${kind.plural}/${ns}/${name}`),
    settings: {
      completedRunGracePeriodMs: -1,
      ...(deletionLabelSelector !== undefined ? { deletionLabelSelector } : {}),
    },
  });
}

describe("deletion label selector", () => {
  it("stores every run but deletes only those matching", async () => {
    const r = reconciler("keep!=true");
    const kept = kube.put(
      PIPELINE_RUN,
      pipelineRun("kept", { reason: "Succeeded", labels: { keep: "true" } }),
    );
    const deleted = kube.put(PIPELINE_RUN, pipelineRun("deleted", { reason: "Succeeded" }));
    await r.reconcile(keyOfRun(kept, PIPELINE_RUN));
    await r.reconcile(keyOfRun(deleted, PIPELINE_RUN));
    expect(kube.calls.filter((c) => c.startsWith("delete"))).toEqual(["delete ns/deleted"]);
    expect(kube.runs.has("pipelineruns/ns/kept")).toBe(true);
    for (const run of [kept, deleted]) {
      await api.client.getRecord({
        name: `ns/results/${run.metadata!.uid}/records/${run.metadata!.uid}`,
      });
    }
  });
  it("without one, every stored top-level run is deleted", async () => {
    const r = reconciler();
    const run = kube.put(
      PIPELINE_RUN,
      pipelineRun("any", { reason: "Succeeded", labels: { keep: "true" } }),
    );
    await r.reconcile(keyOfRun(run, PIPELINE_RUN));
    expect(kube.calls.filter((c) => c.startsWith("delete"))).toEqual(["delete ns/any"]);
  });
});
