import { describe, expect } from "vitest";
import { reconcilerTest as it } from "../test/reconciler-fixture.js";
import { createReconciler } from "./reconciler.js";
import { createUpserter } from "./upsert.js";
import { writesOf } from "../test/results-api.js";
import { pipelineRun } from "../test/runs.js";
import { PIPELINE_RUN } from "./run-kinds.js";
import { keyOfRun } from "./run.js";

describe("reconciler", () => {
  it("a running run is stored and gets the finalizer; once finished it is marked stored and released", async ({
    api,
    kube,
    metrics,
    reconciler,
    stored,
  }) => {
    const r = reconciler();
    const run = kube.put(
      PIPELINE_RUN,
      pipelineRun("p1", { labels: { "tekton.dev/pipeline": "build" } }),
    );
    const key = keyOfRun(run, PIPELINE_RUN);
    await r.reconcile(key);
    const uid = run.metadata!.uid!;
    let now = stored(PIPELINE_RUN, run)!;
    expect(now.metadata?.finalizers).toEqual(["results.tekton.dev/pipelinerun"]);
    expect(now.metadata?.annotations?.["results.tekton.dev/result"]).toBe(`ns/results/${uid}`);
    expect(now.metadata?.annotations?.["results.tekton.dev/stored"]).toBeUndefined();

    now.status = pipelineRun("p1", { reason: "Succeeded" }).status;
    await r.reconcile(key);
    now = stored(PIPELINE_RUN, run)!;
    expect(now.metadata?.finalizers).toEqual([]);
    expect(now.metadata?.annotations?.["results.tekton.dev/stored"]).toBe("true");
    expect(kube.calls.filter((c) => c.startsWith("patch"))).toHaveLength(2);
    expect(metrics.counter("watcher_runs_stored_total", { kind: "PipelineRun" })).toBe(1);
    const result = await api.client.getResult({ name: `ns/results/${uid}` });
    expect(result.annotations).toEqual({
      "object.metadata.name": "p1",
      "tekton.dev/pipeline": "build",
    });
    expect(result.summary?.record).toBe(`ns/results/${uid}/records/${uid}`);

    // A resync with nothing new: no Results API call, no Kubernetes write.
    api.calls.length = 0;
    kube.calls.length = 0;
    await r.reconcile(key);
    expect(api.calls).toEqual([]);
    expect(kube.calls).toEqual([]);
  });

  it("a malformed annotation is reported once (event, metric), not retried, and releases the finalizer", async ({
    api,
    kube,
    metrics,
    reconciler,
    stored,
  }) => {
    const r = reconciler();
    const run = kube.put(
      PIPELINE_RUN,
      pipelineRun("bad", {
        reason: "Succeeded",
        annotations: { "results.tekton.dev/resultAnnotations": "{oops" },
        finalizers: ["results.tekton.dev/pipelinerun"],
      }),
    );
    const key = keyOfRun(run, PIPELINE_RUN);
    await expect(r.reconcile(key)).resolves.toEqual({});
    expect(kube.events).toHaveLength(1);
    expect(kube.events[0]!.event).toMatchObject({ type: "Warning", reason: "MalformedAnnotation" });
    expect(metrics.counter("watcher_errors_total", { kind: "permanent" })).toBe(1);
    expect(stored(PIPELINE_RUN, run)!.metadata?.finalizers).toEqual([]);
    expect(writesOf(api.calls)).toEqual([]);
    await r.reconcile(key);
    expect(kube.events).toHaveLength(1);
  });

  it("runs managed by another controller are skipped unless listed", async ({
    api,
    kube,
    reconciler,
  }) => {
    const run = pipelineRun("foreign", { reason: "Succeeded" });
    run.spec = { managedBy: "example.com/other" };
    kube.put(PIPELINE_RUN, run);
    await reconciler().reconcile(keyOfRun(run, PIPELINE_RUN));
    expect(api.calls).toEqual([]);
    await reconciler({ managedBy: ["example.com/other"] }).reconcile(keyOfRun(run, PIPELINE_RUN));
    expect(writesOf(api.calls)).toEqual(["CreateResult", "CreateRecord"]);
  });

  it("a run of another controller being deleted with our finalizer is stored and released", async ({
    api,
    kube,
    reconciler,
    stored,
  }) => {
    const run = pipelineRun("foreign-held", {
      reason: "Succeeded",
      finalizers: ["results.tekton.dev/pipelinerun"],
    });
    run.spec = { managedBy: "example.com/other" };
    run.metadata!.deletionTimestamp = "2026-01-01T00:02:00Z";
    kube.put(PIPELINE_RUN, run);
    await reconciler().reconcile(keyOfRun(run, PIPELINE_RUN));
    expect(stored(PIPELINE_RUN, run)).toBeUndefined();
    expect(writesOf(api.calls)).toEqual(["CreateResult", "CreateRecord"]);
  });

  it("when the API is down past the store deadline, the finalizer is released and counted, and it keeps retrying", async ({
    kube,
    clock,
    metrics,
    stored,
  }) => {
    const run = kube.put(
      PIPELINE_RUN,
      pipelineRun("late", { reason: "Failed", finalizers: ["results.tekton.dev/pipelinerun"] }),
    );
    const broken = createReconciler({
      kube,
      upserter: {
        upsert: () => Promise.reject(new Error("connection refused")),
        forget: () => {},
        isCurrent: () => false,
      },
      clock,
      metrics,
      enqueue: () => {},
      index: {
        get: (kind, ns, name) => kube.runs.get(`${kind.plural}/${ns}/${name}`),
        childrenOf: () => [],
      },
      settings: {
        managedBy: [],
        summaryLabels: [],
        writeBack: true,
        storeDeadlineMs: 60_000,
        completedRunGracePeriodMs: 0,
      },
    });
    const key = keyOfRun(run, PIPELINE_RUN);
    // Before the deadline: retried no later than the deadline.
    await expect(broken.reconcile(key)).rejects.toMatchObject({
      name: "RetryBefore",
      withinMs: 60_000,
    });
    expect(stored(PIPELINE_RUN, run)!.metadata?.finalizers).toEqual([
      "results.tekton.dev/pipelinerun",
    ]);
    await clock.advance(60_000);
    await expect(broken.reconcile(key)).rejects.toThrow("connection refused");
    expect(stored(PIPELINE_RUN, run)!.metadata?.finalizers).toEqual([]);
    expect(metrics.counter("watcher_runs_not_stored_total", { kind: "PipelineRun" })).toBe(1);
    await expect(broken.reconcile(key)).rejects.toThrow();
    expect(metrics.counter("watcher_runs_not_stored_total", { kind: "PipelineRun" })).toBe(1);
  });

  it("a standby remembers only deleted runs that may not be stored, and stores them once it reconciles", async ({
    api,
    reconciler,
  }) => {
    const r = reconciler();
    const storedRun = pipelineRun("done", {
      reason: "Succeeded",
      annotations: { "results.tekton.dev/stored": "true" },
    });
    r.tombstoneIfUnstored(keyOfRun(storedRun, PIPELINE_RUN), storedRun);
    const otherController = pipelineRun("theirs", { reason: "Succeeded" });
    otherController.spec = { managedBy: "example.com/other" };
    r.tombstoneIfUnstored(keyOfRun(otherController, PIPELINE_RUN), otherController);
    expect(r.tombstoneKeys()).toEqual([]);

    const unstored = pipelineRun("fast", { reason: "Failed" });
    r.tombstoneIfUnstored(keyOfRun(unstored, PIPELINE_RUN), unstored);
    expect(r.tombstoneKeys()).toEqual(["ns/PipelineRun/fast"]);
    await r.reconcile("ns/PipelineRun/fast");
    expect(writesOf(api.calls)).toEqual(["CreateResult", "CreateRecord"]);
    expect(r.tombstoneKeys()).toEqual([]);
  });

  it("a finished run first seen while the API is down gets the finalizer, so its deletion waits", async ({
    api,
    kube,
    clock,
    metrics,
    stored,
  }) => {
    const run = kube.put(PIPELINE_RUN, pipelineRun("early", { reason: "Succeeded" }));
    let down = true;
    const upserter = createUpserter(api.client);
    const r = createReconciler({
      kube,
      upserter: {
        upsert: (plan) => (down ? Promise.reject(new Error("unavailable")) : upserter.upsert(plan)),
        forget: upserter.forget,
        isCurrent: upserter.isCurrent,
      },
      clock,
      metrics,
      enqueue: () => {},
      index: {
        get: (kind, ns, name) => kube.runs.get(`${kind.plural}/${ns}/${name}`),
        childrenOf: () => [],
      },
      settings: {
        managedBy: [],
        summaryLabels: [],
        writeBack: true,
        storeDeadlineMs: 600_000,
        completedRunGracePeriodMs: 0,
      },
    });
    const key = keyOfRun(run, PIPELINE_RUN);
    await expect(r.reconcile(key)).rejects.toThrow("unavailable");
    expect(stored(PIPELINE_RUN, run)!.metadata?.finalizers).toEqual([
      "results.tekton.dev/pipelinerun",
    ]);
    down = false;
    await r.reconcile(key);
    expect(stored(PIPELINE_RUN, run)!.metadata?.finalizers).toEqual([]);
    expect(stored(PIPELINE_RUN, run)!.metadata?.annotations?.["results.tekton.dev/stored"]).toBe(
      "true",
    );
    expect(kube.calls.filter((c) => c.startsWith("patch"))).toHaveLength(2);
  });

  it("a deleted run's last known state is stored from its tombstone", async ({
    api,
    reconciler,
  }) => {
    const r = reconciler();
    const run = pipelineRun("gone", { reason: "Succeeded" });
    r.tombstone(keyOfRun(run, PIPELINE_RUN), run);
    await r.reconcile(keyOfRun(run, PIPELINE_RUN));
    expect(writesOf(api.calls)).toEqual(["CreateResult", "CreateRecord"]);
    api.calls.length = 0;
    await r.reconcile(keyOfRun(run, PIPELINE_RUN));
    expect(api.calls).toEqual([]);
  });

  it("a run deleted and created again under the same name: the old one is stored too", async ({
    api,
    kube,
    reconciler,
  }) => {
    const r = reconciler();
    const old = pipelineRun("again", { reason: "Failed" });
    r.tombstone(keyOfRun(old, PIPELINE_RUN), old);
    const fresh = kube.put(PIPELINE_RUN, pipelineRun("again"));
    await r.reconcile(keyOfRun(fresh, PIPELINE_RUN));
    await api.client.getRecord({
      name: `ns/results/${old.metadata!.uid}/records/${old.metadata!.uid}`,
    });
    await api.client.getRecord({
      name: `ns/results/${fresh.metadata!.uid}/records/${fresh.metadata!.uid}`,
    });
  });

  it("a run being deleted before it finished is stored and released", async ({
    api,
    kube,
    reconciler,
    stored,
  }) => {
    const r = reconciler();
    const run = kube.put(
      PIPELINE_RUN,
      pipelineRun("del", { finalizers: ["results.tekton.dev/pipelinerun"] }),
    );
    stored(PIPELINE_RUN, run)!.metadata!.deletionTimestamp = "2026-01-01T00:00:30Z";
    await r.reconcile(keyOfRun(run, PIPELINE_RUN));
    expect(stored(PIPELINE_RUN, run)).toBeUndefined();
    expect(writesOf(api.calls)).toEqual(["CreateResult", "CreateRecord"]);
  });

  it("with write-back disabled nothing is written to runs", async ({ api, kube, reconciler }) => {
    const r = reconciler({ writeBack: false });
    const run = kube.put(PIPELINE_RUN, pipelineRun("quiet", { reason: "Succeeded" }));
    await r.reconcile(keyOfRun(run, PIPELINE_RUN));
    expect(kube.calls).toEqual([]);
    expect(writesOf(api.calls)).toEqual(["CreateResult", "CreateRecord"]);
  });
});
