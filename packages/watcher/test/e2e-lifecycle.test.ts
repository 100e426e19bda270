import { afterEach, describe, expect, it } from "vitest";
import { createBackoff } from "../src/backoff.js";
import {
  childTaskRunObject,
  collect,
  pipelineRunObject,
  setStatus,
  startStack,
  waitFor,
  type Stack,
} from "./stack.js";

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

const fastRetry = { backoff: createBackoff({ baseMs: 20, maxMs: 200 }) };
const annotation = (stack: Stack, kind: string, name: string, key: string) =>
  stack.kube.get("tekton.dev/v1", kind, "ns", name)?.metadata.annotations?.[key];

describe("e2e: never lose a run", () => {
  it("the finalizer holds a deletion while the API is down; once stored the run goes away", async () => {
    stack = await startStack(fastRetry);
    const { kube, client, watcher } = stack;
    await watcher.start();
    const pr = kube.create(pipelineRunObject("held"));
    setStatus(kube, pr);
    await waitFor(
      () =>
        kube
          .get("tekton.dev/v1", "PipelineRun", "ns", "held")
          ?.metadata.finalizers?.includes("results.tekton.dev/pipelinerun"),
      "the finalizer",
    );
    stack.setApiDown(true);
    setStatus(kube, pr, "PipelineRunTimeout");
    kube.delete("tekton.dev/v1", "PipelineRun", "ns", "held");
    const deleting = kube.get("tekton.dev/v1", "PipelineRun", "ns", "held");
    expect(deleting?.metadata.deletionTimestamp).toBeDefined();
    await waitFor(
      () => watcher.metrics.counter("watcher_errors_total", { kind: "api_unavailable" }) >= 2,
      "retries",
    );
    expect(kube.get("tekton.dev/v1", "PipelineRun", "ns", "held")).toBeDefined();

    stack.setApiDown(false);
    await waitFor(
      () => kube.get("tekton.dev/v1", "PipelineRun", "ns", "held") === undefined,
      "the run deleted",
    );
    const result = await client.getResult({ name: `ns/results/${pr.metadata.uid}` });
    expect(result.summary?.status).toBe(3); // TIMEOUT
    const [record] = await collect(
      client.listAllRecords({ parent: `ns/results/${pr.metadata.uid}` }),
    );
    expect(record?.name).toBe(`ns/results/${pr.metadata.uid}/records/${pr.metadata.uid}`);
  });

  it("negative grace period: a stored PipelineRun is deleted once its children are stored; children cascade", async () => {
    stack = await startStack({ completedRunGracePeriodMs: -1 });
    const { kube, watcher } = stack;
    await watcher.start();
    const pr = kube.create(pipelineRunObject("short"));
    const t1 = kube.create(childTaskRunObject("short-a", pr));
    const t2 = kube.create(childTaskRunObject("short-b", pr));
    setStatus(kube, t1, "Succeeded");
    setStatus(kube, t2, "Succeeded");
    setStatus(kube, pr, "Succeeded");
    await waitFor(
      () => kube.get("tekton.dev/v1", "PipelineRun", "ns", "short") === undefined,
      "the PipelineRun deleted",
    );
    await waitFor(
      () => kube.list("tekton.dev/v1", "TaskRun", { namespace: "ns" }).length === 0,
      "children cascaded",
    );
    // The run is gone from the cluster as soon as the API server applies the
    // DELETE; the watcher counts it when the answer reaches it, a moment later.
    await waitFor(
      () => watcher.metrics.counter("watcher_runs_deleted_total", { kind: "PipelineRun" }) === 1,
      "the deletion counted",
    );
    expect(watcher.metrics.counter("watcher_runs_deleted_total", { kind: "TaskRun" })).toBe(0);
    const records = await collect(
      stack.client.listAllRecords({ parent: `ns/results/${pr.metadata.uid}` }),
    );
    expect(records).toHaveLength(3);
  });

  it("malformed JSON annotation: reported (event, metric), not retried; other runs still stored", async () => {
    stack = await startStack(fastRetry);
    const { kube, watcher } = stack;
    await watcher.start();
    const bad = kube.create(
      pipelineRunObject("bad", "ns", {
        metadata: { annotations: { "results.tekton.dev/resultAnnotations": "{not json" } },
      }),
    );
    const good = kube.create(pipelineRunObject("good"));
    setStatus(kube, bad, "Succeeded");
    setStatus(kube, good, "Succeeded");
    await waitFor(
      () => annotation(stack!, "PipelineRun", "good", "results.tekton.dev/stored") === "true",
      "good stored",
    );
    await waitFor(() => watcher.idle(), "idle");
    expect(watcher.metrics.counter("watcher_errors_total", { kind: "permanent" })).toBe(1);
    const events = kube.list("v1", "Event", { namespace: "ns" });
    expect(
      events.some(
        (e) =>
          e["reason"] === "MalformedAnnotation" &&
          (e["involvedObject"] as { name: string }).name === "bad",
      ),
    ).toBe(true);
    expect(annotation(stack, "PipelineRun", "bad", "results.tekton.dev/stored")).toBeUndefined();
    await expect(
      stack.client.getResult({ name: `ns/results/${bad.metadata.uid}` }),
    ).rejects.toThrow(/not found/i);
    // Not retried: nothing more happens for it.
    const calls = stack.calls.length;
    await new Promise((r) => setTimeout(r, 300));
    expect(stack.calls.length).toBe(calls);
    expect(watcher.metrics.counter("watcher_errors_total", { kind: "permanent" })).toBe(1);
  });

  it("managedBy: runs of another controller are skipped unless listed", async () => {
    stack = await startStack();
    const { kube, watcher, client } = stack;
    await watcher.start();
    const foreign = kube.create(
      pipelineRunObject("foreign", "ns", { spec: { managedBy: "example.com/other" } }),
    );
    const ours = kube.create(pipelineRunObject("ours"));
    setStatus(kube, foreign, "Succeeded");
    setStatus(kube, ours, "Succeeded");
    await waitFor(
      () => annotation(stack!, "PipelineRun", "ours", "results.tekton.dev/stored") === "true",
      "ours stored",
    );
    await waitFor(() => watcher.idle(), "idle");
    await expect(client.getResult({ name: `ns/results/${foreign.metadata.uid}` })).rejects.toThrow(
      /not found/i,
    );
    expect(
      annotation(stack, "PipelineRun", "foreign", "results.tekton.dev/result"),
    ).toBeUndefined();

    await watcher.stop();
    const listing = stack.newWatcher({ managedBy: ["example.com/other"] });
    await listing.start();
    await waitFor(
      () => annotation(stack!, "PipelineRun", "foreign", "results.tekton.dev/stored") === "true",
      "foreign stored",
    );
  });

  it("the informers recover from an API server restart and from 410 Gone", async () => {
    stack = await startStack({ ...fastRetry });
    const { kube, watcher } = stack;
    await watcher.start();
    await waitFor(() => watcher.ready(), "ready");
    await kube.stop();
    await waitFor(
      () => watcher.metrics.counter("watcher_errors_total", { kind: "kubernetes" }) >= 1,
      "a failed watch",
    );
    await kube.start();
    const a = kube.create(pipelineRunObject("after-restart"));
    setStatus(kube, a, "Succeeded");
    await waitFor(
      () =>
        annotation(stack!, "PipelineRun", "after-restart", "results.tekton.dev/stored") === "true",
      "stored after the restart",
      20_000,
    );
    kube.compact();
    kube.dropWatches();
    const b = kube.create(pipelineRunObject("after-compaction"));
    setStatus(kube, b, "Succeeded");
    await waitFor(
      () =>
        annotation(stack!, "PipelineRun", "after-compaction", "results.tekton.dev/stored") ===
        "true",
      "stored after 410 Gone",
      20_000,
    );
  });
});
