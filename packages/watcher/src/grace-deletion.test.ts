import { describe, expect } from "vitest";
import { reconcilerTest as it } from "../test/reconciler-fixture.js";
import { pipelineRun, taskRun } from "../test/runs.js";
import { PIPELINE_RUN, TASK_RUN } from "./run-kinds.js";
import { keyOfRun } from "./run.js";

describe("reconciler: deletion after the grace period", () => {
  it("negative grace period: a stored top-level run is deleted once every child is stored; children are not", async ({
    kube,
    metrics,
    enqueued,
    reconciler,
    stored,
  }) => {
    const r = reconciler({ completedRunGracePeriodMs: -1 });
    const parent = kube.put(PIPELINE_RUN, pipelineRun("pp", { reason: "Succeeded" }));
    const child = kube.put(TASK_RUN, taskRun("pp-t", { owner: parent }));
    await r.reconcile(keyOfRun(child, TASK_RUN));
    expect(await r.reconcile(keyOfRun(parent, PIPELINE_RUN))).toEqual({ requeueAfterMs: 5000 });
    expect(stored(PIPELINE_RUN, parent)).toBeDefined();
    stored(TASK_RUN, child)!.status = taskRun("x", { reason: "Succeeded" }).status;
    await r.reconcile(keyOfRun(child, TASK_RUN));
    expect(enqueued).toContain("ns/PipelineRun/pp");
    expect(
      stored(TASK_RUN, child)?.metadata?.annotations?.["results.tekton.dev/childReadyForDeletion"],
    ).toBe("true");
    await r.reconcile(keyOfRun(parent, PIPELINE_RUN));
    expect(stored(PIPELINE_RUN, parent)).toBeUndefined();
    expect(kube.calls.filter((c) => c.startsWith("delete"))).toEqual(["delete ns/pp"]);
    expect(metrics.counter("watcher_runs_deleted_total", { kind: "PipelineRun" })).toBe(1);
  });

  it("negative grace period: a child named in status.childReferences but not cached holds the parent's deletion", async ({
    kube,
    reconciler,
    stored,
  }) => {
    const r = reconciler({ completedRunGracePeriodMs: -1 });
    const parent = pipelineRun("refs", { reason: "Succeeded" });
    parent.status!["childReferences"] = [
      { apiVersion: "tekton.dev/v1", kind: "TaskRun", name: "refs-build" },
    ];
    kube.put(PIPELINE_RUN, parent);
    // The TaskRun exists in the cluster, but its informer has not cached it (yet).
    expect(await r.reconcile(keyOfRun(parent, PIPELINE_RUN))).toEqual({ requeueAfterMs: 5000 });
    expect(stored(PIPELINE_RUN, parent)).toBeDefined();
    expect(kube.calls.filter((c) => c.startsWith("delete"))).toEqual([]);

    const child = kube.put(TASK_RUN, taskRun("refs-build", { owner: parent, reason: "Succeeded" }));
    expect(await r.reconcile(keyOfRun(parent, PIPELINE_RUN))).toEqual({ requeueAfterMs: 5000 });
    await r.reconcile(keyOfRun(child, TASK_RUN));
    await r.reconcile(keyOfRun(parent, PIPELINE_RUN));
    expect(stored(PIPELINE_RUN, parent)).toBeUndefined();
  });

  it("negative grace period: a referenced child still not cached at the store deadline is taken as gone", async ({
    kube,
    clock,
    reconciler,
    stored,
  }) => {
    const r = reconciler({ completedRunGracePeriodMs: -1, storeDeadlineMs: 60_000 });
    const parent = pipelineRun("gone-child", { reason: "Succeeded" });
    // Completed at 00:01:00, the clock's time; a reference without a kind is a TaskRun.
    parent.status!["childReferences"] = [{ name: "gone-child-build" }];
    kube.put(PIPELINE_RUN, parent);
    expect(await r.reconcile(keyOfRun(parent, PIPELINE_RUN))).toEqual({ requeueAfterMs: 5000 });
    await clock.advance(59_000);
    expect(await r.reconcile(keyOfRun(parent, PIPELINE_RUN))).toEqual({ requeueAfterMs: 5000 });
    await clock.advance(1_000);
    await r.reconcile(keyOfRun(parent, PIPELINE_RUN));
    expect(stored(PIPELINE_RUN, parent)).toBeUndefined();
  });

  it("positive grace period: deleted that long after completion", async ({
    kube,
    clock,
    reconciler,
    stored,
  }) => {
    const r = reconciler({ completedRunGracePeriodMs: 120_000 });
    const run = kube.put(PIPELINE_RUN, pipelineRun("g", { reason: "Succeeded" }));
    const outcome = await r.reconcile(keyOfRun(run, PIPELINE_RUN));
    expect(outcome.requeueAfterMs).toBe(120_000);
    await clock.advance(120_000);
    await r.reconcile(keyOfRun(run, PIPELINE_RUN));
    expect(stored(PIPELINE_RUN, run)).toBeUndefined();
  });
});
