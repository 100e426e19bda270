/**
 * Owners of a run: which runs set their Result's summary (only runs without
 * any owner, as upstream's top-level records) and how the PipelineRun owner
 * is recognized (its kind compared case-insensitively, as upstream's
 * `strings.EqualFold(kind, "pipelinerun")`).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFakeKube, type FakeKube } from "../test/fake-kube-client.js";
import { createTestResultsApi, type TestResultsApi } from "../test/results-api.js";
import { testReconciler } from "../test/reconciler-harness.js";
import { pipelineRun, taskRun } from "../test/runs.js";
import { resultNameOf } from "./naming.js";
import type { Reconciler } from "./reconciler.js";
import { pipelineRunOwnerUids } from "./run-index.js";
import { TASK_RUN } from "./run-kinds.js";
import { isChild, keyOfRun, pipelineRunOwner, type TektonRun } from "./run.js";

let api: TestResultsApi;
let kube: FakeKube;
beforeEach(async () => {
  api = await createTestResultsApi();
  kube = createFakeKube();
});
afterEach(async () => {
  await api.close();
});

function reconciler(): Reconciler {
  return testReconciler({
    kube,
    api,
    get: (kind, ns, name) => kube.runs.get(`${kind.plural}/${ns}/${name}`),
  });
}

/** A finished TaskRun owned by an object of `kind`. */
function ownedTaskRun(name: string, kind: string, ownerUid: string): TektonRun {
  return taskRun(name, {
    reason: "Succeeded",
    labels: { "tekton.dev/pipeline": "build" },
    ownerReferences: [{ apiVersion: "example.dev/v1", kind, name: "owner", uid: ownerUid }],
  });
}

describe("owners", () => {
  it("a run owned by something other than a PipelineRun does not set its Result's summary", async () => {
    const run = kube.put(TASK_RUN, ownedTaskRun("by-job", "Job", "job-uid"));
    await reconciler().reconcile(keyOfRun(run, TASK_RUN));
    const result = await api.client.getResult({ name: resultNameOf(run) });
    expect(result.name).toBe(`ns/results/${run.metadata!.uid}`);
    expect(result.summary).toBeUndefined();
    expect(result.annotations).toEqual({});
  });

  it("a run without owners sets its Result's summary", async () => {
    const run = kube.put(TASK_RUN, taskRun("alone", { reason: "Succeeded" }));
    await reconciler().reconcile(keyOfRun(run, TASK_RUN));
    const result = await api.client.getResult({ name: resultNameOf(run) });
    expect(result.summary?.record).toBe(`${result.name}/records/${run.metadata!.uid}`);
  });

  it.each(["PipelineRun", "pipelinerun", "PIPELINERUN"])(
    "an owner of kind %s is the PipelineRun owner",
    (kind) => {
      const run = ownedTaskRun("child", kind, "parent-uid");
      expect(pipelineRunOwner(run)?.uid).toBe("parent-uid");
      expect(isChild(run)).toBe(true);
      expect(resultNameOf(run)).toBe("ns/results/parent-uid");
      expect(pipelineRunOwnerUids(run)).toEqual(["parent-uid"]);
    },
  );

  it("a child of a lowercase-kind PipelineRun owner is stored under its parent's Result, marked ready for deletion", async () => {
    const parent = pipelineRun("parent");
    const run = kube.put(TASK_RUN, ownedTaskRun("child", "pipelinerun", parent.metadata!.uid!));
    await reconciler().reconcile(keyOfRun(run, TASK_RUN));
    const stored = kube.runs.get(`taskruns/ns/child`)!;
    expect(stored.metadata?.annotations?.["results.tekton.dev/result"]).toBe(
      `ns/results/${parent.metadata!.uid}`,
    );
    expect(stored.metadata?.annotations?.["results.tekton.dev/childReadyForDeletion"]).toBe("true");
  });
});
