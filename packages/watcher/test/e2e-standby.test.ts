/**
 * A standby replica keeps only its informers' cache: runs stored and deleted
 * by the leader leave nothing queued or remembered in it, so taking over
 * costs no call for runs long gone; a run deleted before anyone stored it is
 * still stored by whoever leads next. Two watchers against one kube-fake and
 * the real Results API server.
 */
import { afterEach, describe, expect, it } from "vitest";
import { recordData } from "@tekton-results/client";
import type { TektonRun } from "../src/run.js";
import { finishedPipelineRunObject } from "./finished.js";
import { collect, fastElection as election, startStack, waitFor, type Stack } from "./stack.js";

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

const RUNS = 120;

describe("e2e: a standby replica", () => {
  it("queues nothing while runs are stored and deleted, and takes over without a call for runs already gone", async () => {
    stack = await startStack({ ...election, identity: "a", completedRunGracePeriodMs: -1 });
    const { kube } = stack;
    const a = stack.watcher;
    await a.start();
    await waitFor(() => a.isLeader(), "a leads");
    const b = stack.newWatcher({ ...election, identity: "b", completedRunGracePeriodMs: -1 });
    await b.start();
    await waitFor(() => b.ready(), "b's informers synced");

    for (let i = 0; i < RUNS; i++) kube.create(finishedPipelineRunObject(`r-${i}`));
    await waitFor(
      () => kube.list("tekton.dev/v1", "PipelineRun", { namespace: "ns" }).length === 0,
      "every run stored and deleted by a",
      60_000,
    );
    await waitFor(() => a.idle(), "a idle");
    // Time for b's watches to deliver the last deletions.
    await new Promise((r) => setTimeout(r, 500));
    expect(b.isLeader()).toBe(false);
    expect(await b.metrics.render()).toContain("watcher_queue_depth 0");
    expect(b.idle()).toBe(true);

    const before = stack.calls.length;
    await a.stop();
    await waitFor(() => b.isLeader(), "b takes over");
    await waitFor(() => b.idle(), "b idle");
    await new Promise((r) => setTimeout(r, 300));
    expect(b.idle()).toBe(true);
    // Nothing to do: no GetResult / GetRecord (nor any other call) for the runs gone.
    expect(stack.calls.slice(before)).toEqual([]);
    expect(b.metrics.counter("watcher_reconciles_total", { kind: "PipelineRun" })).toBe(0);
  }, 90_000);

  it("a run deleted before anyone stored it is stored by the standby once it takes over", async () => {
    stack = await startStack({ ...election, identity: "a" });
    const { kube } = stack;
    const a = stack.watcher;
    await a.start();
    await waitFor(() => a.isLeader(), "a leads");
    const b = stack.newWatcher({ ...election, identity: "b" });
    await b.start();
    await waitFor(() => b.ready(), "b's informers synced");

    // The leader cannot store anything, and the run is gone before it could add its finalizer.
    stack.setApiDown(true);
    const run = kube.create(finishedPipelineRunObject("fleeting"));
    kube.delete("tekton.dev/v1", "PipelineRun", "ns", "fleeting");
    expect(kube.get("tekton.dev/v1", "PipelineRun", "ns", "fleeting")).toBeUndefined();
    await waitFor(
      () => a.metrics.counter("watcher_errors_total", { kind: "api_unavailable" }) >= 1,
      "a failing to store it",
    );
    await a.stop({ deadlineMs: 100 });
    stack.setApiDown(false);
    await waitFor(() => b.isLeader(), "b takes over");
    const records = await waitFor(async () => {
      const all = await collect(stack!.client.listAllRecords({ parent: "ns/results/-" }));
      return all.length > 0 ? all : undefined;
    }, "the deleted run stored by b");
    expect(records.map((r) => recordData<TektonRun>(r)?.metadata?.uid)).toEqual([run.metadata.uid]);
  });
});
