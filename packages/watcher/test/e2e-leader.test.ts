import { afterEach, describe, expect, it } from "vitest";
import {
  pipelineRunObject,
  setStatus,
  fastElection as election,
  startStack,
  waitFor,
  type Stack,
} from "./stack.js";

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

describe("e2e: leader election", () => {
  it("one replica leads and writes; when it stops it releases the lease and the other takes over", async () => {
    stack = await startStack({ ...election, identity: "a" });
    const { kube } = stack;
    const a = stack.watcher;
    await a.start();
    await waitFor(() => a.isLeader(), "a leads");
    const b = stack.newWatcher({ ...election, identity: "b" });
    await b.start();
    await waitFor(() => b.ready(), "b's informers synced");
    const lease = kube.get("coordination.k8s.io/v1", "Lease", "tekton-pipelines", "watcher");
    expect((lease?.["spec"] as { holderIdentity: string }).holderIdentity).toBe("a");

    const first = kube.create(pipelineRunObject("first"));
    setStatus(kube, first, "Succeeded");
    await waitFor(
      () =>
        kube.get("tekton.dev/v1", "PipelineRun", "ns", "first")?.metadata.annotations?.[
          "results.tekton.dev/stored"
        ] === "true",
      "stored by a",
    );
    expect(b.isLeader()).toBe(false);
    expect(a.metrics.counter("watcher_runs_stored_total", { kind: "PipelineRun" })).toBe(1);
    expect(b.metrics.counter("watcher_runs_stored_total", { kind: "PipelineRun" })).toBe(0);
    expect(await b.metrics.render()).toContain("watcher_is_leader 0");

    const stoppedAt = Date.now();
    await a.stop();
    await waitFor(() => b.isLeader(), "b takes over");
    // Released, not expired: well before the 3 s lease duration.
    expect(Date.now() - stoppedAt).toBeLessThan(2_500);
    const second = kube.create(pipelineRunObject("second"));
    setStatus(kube, second, "Succeeded");
    await waitFor(
      () =>
        kube.get("tekton.dev/v1", "PipelineRun", "ns", "second")?.metadata.annotations?.[
          "results.tekton.dev/stored"
        ] === "true",
      "stored by b",
    );
    expect(b.metrics.counter("watcher_runs_stored_total", { kind: "PipelineRun" })).toBe(1);
  });
});
