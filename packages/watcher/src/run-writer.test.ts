import { describe, expect } from "vitest";
import { reconcilerTest as it } from "../test/reconciler-fixture.js";
import { pipelineRun, taskRun } from "../test/runs.js";
import { PIPELINE_RUN, TASK_RUN } from "./run-kinds.js";
import { keyOfRun, type TektonRun } from "./run.js";

describe("reconciler: its own writes to runs", () => {
  it("recognizes the watch event of its own last write once, and no other version", async ({
    kube,
    reconciler,
    stored,
  }) => {
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

  it("absorbs an echo that arrives before its write's reply; queues the run again for anyone else's change", async ({
    kube,
    enqueued,
    reconciler,
    stored,
  }) => {
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

  it("absorbs the echo of its previous write arriving while its next write is in flight", async ({
    kube,
    enqueued,
    reconciler,
    stored,
  }) => {
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
});
