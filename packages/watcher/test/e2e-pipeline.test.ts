import { afterEach, describe, expect, it } from "vitest";
import { RecordSummary_Status, recordData, timestampDate } from "@tekton-results/client";
import {
  collect,
  childTaskRunObject,
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

const writes = (calls: string[]) => calls.filter((c) => /^(Create|Update|Delete)/.test(c));

describe("e2e: a PipelineRun with two TaskRuns", () => {
  it("is archived as one Result with three Records, summary and annotations; runs are annotated stored", async () => {
    // This watcher dials the API itself (gRPC over h2c), as the command does.
    stack = await startStack({ transport: undefined });
    const { kube, client, watcher } = stack;
    await watcher.start();
    kube.resetRequestCounts();
    const pr = kube.create(pipelineRunObject("build-1"));
    const uid = pr.metadata.uid!;
    const t1 = kube.create(childTaskRunObject("build-1-clone", pr));
    const t2 = kube.create(childTaskRunObject("build-1-test", pr));
    for (const run of [pr, t1, t2]) setStatus(kube, run);

    const resultName = `ns/results/${uid}`;
    await waitFor(async () => (await client.getResult({ name: resultName })).name, "the Result");
    // While running, the runs carry the finalizer.
    await waitFor(
      () =>
        kube
          .get("tekton.dev/v1", "TaskRun", "ns", "build-1-clone")
          ?.metadata.finalizers?.includes("results.tekton.dev/taskrun"),
      "the TaskRun finalizer",
    );

    setStatus(kube, t1, "Succeeded");
    setStatus(kube, t2, "Succeeded");
    setStatus(kube, pr, "Succeeded");

    for (const [kind, name] of [
      ["PipelineRun", "build-1"],
      ["TaskRun", "build-1-clone"],
      ["TaskRun", "build-1-test"],
    ] as const) {
      await waitFor(
        () =>
          kube.get("tekton.dev/v1", kind, "ns", name)?.metadata.annotations?.[
            "results.tekton.dev/stored"
          ] === "true",
        `${name} annotated stored`,
      );
    }
    const prNow = kube.get("tekton.dev/v1", "PipelineRun", "ns", "build-1")!;
    expect(prNow.metadata.finalizers ?? []).not.toContain("results.tekton.dev/pipelinerun");
    expect(prNow.metadata.annotations?.["results.tekton.dev/result"]).toBe(resultName);
    expect(prNow.metadata.annotations?.["results.tekton.dev/record"]).toBe(
      `${resultName}/records/${uid}`,
    );
    const childNow = kube.get("tekton.dev/v1", "TaskRun", "ns", "build-1-test")!;
    expect(childNow.metadata.annotations?.["results.tekton.dev/childReadyForDeletion"]).toBe(
      "true",
    );
    expect(childNow.metadata.finalizers ?? []).toEqual([]);

    const result = await client.getResult({ name: resultName });
    expect(result.annotations).toEqual({
      "object.metadata.name": "build-1",
      "tekton.dev/pipeline": "build",
    });
    expect(result.summary?.status).toBe(RecordSummary_Status.SUCCESS);
    expect(result.summary?.record).toBe(`${resultName}/records/${uid}`);
    expect(result.summary?.type).toBe("tekton.dev/v1.PipelineRun");
    expect(timestampDate(result.summary!.startTime!).toISOString()).toBe(
      "2026-01-01T00:00:00.000Z",
    );
    expect(result.summary?.endTime).toBeDefined();

    const records = await collect(client.listAllRecords({ parent: resultName }));
    expect(records.map((r) => r.data?.type).sort()).toEqual([
      "tekton.dev/v1.PipelineRun",
      "tekton.dev/v1.TaskRun",
      "tekton.dev/v1.TaskRun",
    ]);
    const prRecord = records.find((r) => r.data?.type === "tekton.dev/v1.PipelineRun")!;
    const value = recordData<{
      metadata: { managedFields?: unknown; name: string };
      status: { conditions: { reason: string }[] };
    }>(prRecord)!;
    expect(value.metadata.name).toBe("build-1");
    expect(value.metadata.managedFields).toBeUndefined();
    expect(value.status.conditions[0]!.reason).toBe("Succeeded");

    // Kubernetes writes per stored run: at most 2 (one apply while running, one once stored).
    const counts = kube.requestCounts();
    expect(counts["patch pipelineruns"] ?? 0).toBeLessThanOrEqual(2);
    expect(counts["patch taskruns"] ?? 0).toBeLessThanOrEqual(4);
    expect(watcher.metrics.counter("watcher_runs_stored_total", { kind: "TaskRun" })).toBe(2);
    expect(watcher.metrics.counter("watcher_runs_stored_total", { kind: "PipelineRun" })).toBe(1);
  });

  it("a no-op resync and a restarted watcher make zero Results API writes and no duplicates", async () => {
    stack = await startStack();
    const { kube, client, watcher } = stack;
    await watcher.start();
    const pr = kube.create(pipelineRunObject("build-2"));
    const t = kube.create(childTaskRunObject("build-2-a", pr));
    setStatus(kube, t, "Succeeded");
    setStatus(kube, pr, "Failed");
    await waitFor(
      () =>
        kube.get("tekton.dev/v1", "PipelineRun", "ns", "build-2")?.metadata.annotations?.[
          "results.tekton.dev/stored"
        ] === "true",
      "stored",
    );
    await waitFor(
      () =>
        kube.get("tekton.dev/v1", "TaskRun", "ns", "build-2-a")?.metadata.annotations?.[
          "results.tekton.dev/stored"
        ] === "true",
      "child stored",
    );
    await waitFor(() => watcher.idle(), "idle");
    stack.calls.length = 0;
    kube.resetRequestCounts();
    watcher.resync();
    await waitFor(() => watcher.idle(), "idle after resync");
    expect(stack.calls).toEqual([]);

    await watcher.stop();
    const second = stack.newWatcher();
    await second.start();
    await waitFor(
      () => stack!.calls.filter((c) => c === "GetRecord").length >= 2,
      "the restarted watcher's reads",
    );
    await waitFor(() => second.idle(), "second idle");
    expect(writes(stack.calls)).toEqual([]);
    const counts = kube.requestCounts();
    expect(
      Object.keys(counts).filter((k) => !k.startsWith("list") && !k.startsWith("watch")),
    ).toEqual([]);
    const records = await collect(
      client.listAllRecords({ parent: `ns/results/${pr.metadata.uid}` }),
    );
    expect(records).toHaveLength(2);
    const result = await client.getResult({ name: `ns/results/${pr.metadata.uid}` });
    expect(result.summary?.status).toBe(RecordSummary_Status.FAILURE);
  });
});

describe("e2e: initial sync", () => {
  it("reconciles each finished run once (its own write-backs' echoes are not queued again) over reused connections", async () => {
    stack = await startStack({ workers: 4 });
    const { kube, watcher } = stack;
    const names: string[] = [];
    for (let i = 0; i < 10; i++) {
      const pr = kube.create(pipelineRunObject(`sync-${i}`));
      names.push(`sync-${i}`);
      for (let j = 0; j < 3; j++) {
        const t = kube.create(childTaskRunObject(`sync-${i}-${j}`, pr));
        setStatus(kube, t, "Succeeded");
      }
      setStatus(kube, pr, "Succeeded");
    }
    await watcher.start();
    await waitFor(
      () =>
        names.every(
          (n) =>
            kube.get("tekton.dev/v1", "PipelineRun", "ns", n)?.metadata.annotations?.[
              "results.tekton.dev/stored"
            ] === "true",
        ),
      "all stored",
    );
    await waitFor(() => watcher.idle(), "idle");
    // Give any echo still on its way the time to be queued and processed.
    await new Promise((r) => setTimeout(r, 300));
    await waitFor(() => watcher.idle(), "idle again");
    const reconciles = (kind: string) =>
      watcher.metrics.counter("watcher_reconciles_total", { kind });
    expect(reconciles("PipelineRun")).toBe(10);
    expect(reconciles("TaskRun")).toBe(30);
    expect(kube.requestCounts()["patch taskruns"]).toBe(30);
    // Connections are reused: a handful (lists, three watches, a few concurrent patches),
    // not one per request (client-node alone opens a new one for each of the 40 patches).
    expect(kube.connectionCount()).toBeLessThanOrEqual(12);
  });
});
