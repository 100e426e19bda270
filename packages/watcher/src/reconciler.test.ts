import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFakeClock, type FakeClock } from "../test/fake-clock.js";
import { createFakeKube, type FakeKube } from "../test/fake-kube-client.js";
import { createTestResultsApi, writesOf, type TestResultsApi } from "../test/results-api.js";
import { pipelineRun, taskRun } from "../test/runs.js";
import { createWatcherMetrics, type WatcherMetrics } from "./metrics.js";
import { createReconciler, type Reconciler, type ReconcilerSettings } from "./reconciler.js";
import { PIPELINE_RUN, RUN_KINDS, TASK_RUN, type RunKind } from "./run-kinds.js";
import { keyOfRun, type TektonRun } from "./run.js";
import { createUpserter } from "./upsert.js";

let api: TestResultsApi;
let kube: FakeKube;
let clock: FakeClock;
let metrics: WatcherMetrics;
let enqueued: string[];

beforeEach(async () => {
  api = await createTestResultsApi();
  kube = createFakeKube();
  clock = createFakeClock(Date.parse("2026-01-01T00:01:00Z"));
  metrics = createWatcherMetrics();
  enqueued = [];
});
afterEach(async () => {
  await api.close();
});

function reconciler(settings: Partial<ReconcilerSettings> = {}): Reconciler {
  return createReconciler({
    kube,
    upserter: createUpserter(api.client),
    clock,
    metrics,
    enqueue: (key) => enqueued.push(key),
    index: {
      get: (kind, ns, name) => kube.runs.get(`${kind.plural}/${ns}/${name}`),
      childrenOf: (ns, uid) =>
        [...kube.runs.entries()]
          .filter(
            ([, r]) =>
              r.metadata?.namespace === ns &&
              r.metadata.ownerReferences?.some((o) => o.uid === uid),
          )
          .map(([k, run]) => ({
            kind: RUN_KINDS.find((kd) => k.startsWith(`${kd.plural}/`))!,
            run,
          })),
    },
    settings: {
      managedBy: [],
      summaryLabels: ["tekton.dev/pipeline"],
      writeBack: true,
      storeDeadlineMs: 600_000,
      completedRunGracePeriodMs: 0,
      ...settings,
    },
  });
}

const stored = (kind: RunKind, run: TektonRun) =>
  kube.runs.get(`${kind.plural}/${run.metadata!.namespace}/${run.metadata!.name}`);

describe("reconciler", () => {
  it("a running run is stored and gets the finalizer; once finished it is marked stored and released", async () => {
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

  it("a malformed annotation is reported once (event, metric), not retried, and releases the finalizer", async () => {
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

  it("runs managed by another controller are skipped unless listed", async () => {
    const run = pipelineRun("foreign", { reason: "Succeeded" });
    run.spec = { managedBy: "example.com/other" };
    kube.put(PIPELINE_RUN, run);
    await reconciler().reconcile(keyOfRun(run, PIPELINE_RUN));
    expect(api.calls).toEqual([]);
    await reconciler({ managedBy: ["example.com/other"] }).reconcile(keyOfRun(run, PIPELINE_RUN));
    expect(writesOf(api.calls)).toEqual(["CreateResult", "CreateRecord"]);
  });

  it("a run of another controller being deleted with our finalizer is stored and released", async () => {
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

  it("when the API is down past the store deadline, the finalizer is released and counted, and it keeps retrying", async () => {
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

  it("negative grace period: a stored top-level run is deleted once every child is stored; children are not", async () => {
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

  it("negative grace period: a child named in status.childReferences but not cached holds the parent's deletion", async () => {
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

  it("negative grace period: a referenced child still not cached at the store deadline is taken as gone", async () => {
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

  it("a standby remembers only deleted runs that may not be stored, and stores them once it reconciles", async () => {
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

  it("positive grace period: deleted that long after completion", async () => {
    const r = reconciler({ completedRunGracePeriodMs: 120_000 });
    const run = kube.put(PIPELINE_RUN, pipelineRun("g", { reason: "Succeeded" }));
    const outcome = await r.reconcile(keyOfRun(run, PIPELINE_RUN));
    expect(outcome.requeueAfterMs).toBe(120_000);
    await clock.advance(120_000);
    await r.reconcile(keyOfRun(run, PIPELINE_RUN));
    expect(stored(PIPELINE_RUN, run)).toBeUndefined();
  });

  it("a finished run first seen while the API is down gets the finalizer, so its deletion waits", async () => {
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

  it("a deleted run's last known state is stored from its tombstone", async () => {
    const r = reconciler();
    const run = pipelineRun("gone", { reason: "Succeeded" });
    r.tombstone(keyOfRun(run, PIPELINE_RUN), run);
    await r.reconcile(keyOfRun(run, PIPELINE_RUN));
    expect(writesOf(api.calls)).toEqual(["CreateResult", "CreateRecord"]);
    api.calls.length = 0;
    await r.reconcile(keyOfRun(run, PIPELINE_RUN));
    expect(api.calls).toEqual([]);
  });

  it("a run deleted and created again under the same name: the old one is stored too", async () => {
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

  it("a run being deleted before it finished is stored and released", async () => {
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

  it("recognizes the watch event of its own last write once, and no other version", async () => {
    const r = reconciler();
    const run = kube.put(PIPELINE_RUN, pipelineRun("echo", { reason: "Succeeded" }));
    const before = structuredClone(run);
    await r.reconcile(keyOfRun(run, PIPELINE_RUN));
    const written = structuredClone(stored(PIPELINE_RUN, run)!);
    expect(written.metadata?.resourceVersion).not.toBe(before.metadata?.resourceVersion);
    expect(r.absorbOwnEcho(before)).toBe(false);
    expect(r.absorbOwnEcho(written)).toBe(true);
    expect(r.absorbOwnEcho(written)).toBe(false); // once: a relist of it later is looked at

    // A change by someone else after our write has a version of its own.
    await r.reconcile(keyOfRun(run, PIPELINE_RUN));
    const theirs = structuredClone(written);
    theirs.metadata!.resourceVersion = String(Number(written.metadata!.resourceVersion) + 1);
    expect(r.absorbOwnEcho(theirs)).toBe(false);
    // The finalizer release of a run being deleted is a write of ours too.
    const held = kube.put(TASK_RUN, taskRun("held", { reason: "Succeeded" }));
    held.metadata!.finalizers = ["results.tekton.dev/taskrun"];
    held.metadata!.deletionTimestamp = "2026-01-01T00:00:30Z";
    await r.reconcile(keyOfRun(held, TASK_RUN));
    expect(kube.calls.at(-1)).toBe("patch ns/held");
    expect(r.absorbOwnEcho(structuredClone(stored(TASK_RUN, held) ?? held))).toBe(true);
  });

  it("absorbs an echo that arrives before its write's reply; queues the run again for anyone else's change", async () => {
    const r = reconciler();
    const run = kube.put(PIPELINE_RUN, pipelineRun("race", { reason: "Succeeded" }));
    const key = keyOfRun(run, PIPELINE_RUN);
    const patch = kube.jsonPatchRun.bind(kube);
    let during: boolean[] = [];
    let theirs = false;
    kube.jsonPatchRun = async (kind, ns, name, ops) => {
      const updated = await patch(kind, ns, name, ops);
      // The watch event of this very write comes first (as it often does)...
      during.push(r.absorbOwnEcho(structuredClone(updated)));
      if (theirs) {
        // ...and, this time, a controller's status update too.
        const other = structuredClone(updated);
        other.metadata!.resourceVersion = String(Number(updated.metadata!.resourceVersion) + 1);
        during.push(r.absorbOwnEcho(other));
      }
      return updated;
    };
    await r.reconcile(key);
    expect(during).toEqual([true]);
    expect(enqueued).toEqual([]);
    // The echo was consumed in flight: the same version later is not absorbed again.
    expect(r.absorbOwnEcho(structuredClone(stored(PIPELINE_RUN, run)!))).toBe(false);

    during = [];
    theirs = true;
    const second = kube.put(PIPELINE_RUN, pipelineRun("race-2", { reason: "Succeeded" }));
    await r.reconcile(keyOfRun(second, PIPELINE_RUN));
    expect(during).toEqual([true, true]);
    expect(enqueued).toEqual([keyOfRun(second, PIPELINE_RUN)]);
  });

  it("absorbs the echo of its previous write arriving while its next write is in flight", async () => {
    const r = reconciler();
    // Two writes: the first (annotations, finalizer) while it runs; its echo
    // arrives only while the second (stored, finalizer released) is in flight.
    const run = kube.put(PIPELINE_RUN, pipelineRun("two-writes"));
    const key = keyOfRun(run, PIPELINE_RUN);
    const patch = kube.jsonPatchRun.bind(kube);
    let written: TektonRun | undefined;
    const absorbed: boolean[] = [];
    kube.jsonPatchRun = async (kind, ns, name, ops) => {
      if (written) absorbed.push(r.absorbOwnEcho(structuredClone(written)));
      written = await patch(kind, ns, name, ops);
      return written;
    };
    await r.reconcile(key);
    stored(PIPELINE_RUN, run)!.status = pipelineRun("two-writes", { reason: "Succeeded" }).status;
    await r.reconcile(key);
    expect(kube.calls).toEqual(["patch ns/two-writes", "patch ns/two-writes"]);
    expect(stored(PIPELINE_RUN, run)!.metadata?.finalizers).toEqual([]);
    expect(absorbed).toEqual([true]);
    expect(enqueued).toEqual([]);
  });

  it("with write-back disabled nothing is written to runs", async () => {
    const r = reconciler({ writeBack: false });
    const run = kube.put(PIPELINE_RUN, pipelineRun("quiet", { reason: "Succeeded" }));
    await r.reconcile(keyOfRun(run, PIPELINE_RUN));
    expect(kube.calls).toEqual([]);
    expect(writesOf(api.calls)).toEqual(["CreateResult", "CreateRecord"]);
  });
});
