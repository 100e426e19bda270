import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createRouterTransport } from "@connectrpc/connect";
import { createLogsClient, Logs, recordData } from "@tekton-results/client";
import type { V1Pod } from "@kubernetes/client-node";
import { createFakeKube, type FakeKube } from "../test/fake-kube-client.js";
import { createTestResultsApi, type TestResultsApi } from "../test/results-api.js";
import { taskRun } from "../test/runs.js";
import { createLogUploader, prefixedChunks, stepContainers, taskOfPod } from "./log-uploader.js";
import { KubernetesError } from "./errors.js";
import { CUSTOM_RUN, TASK_RUN } from "./run-kinds.js";

let api: TestResultsApi;
let kube: FakeKube;
beforeEach(async () => {
  api = await createTestResultsApi();
  kube = createFakeKube();
});
afterEach(async () => {
  await api.close();
});

/** A Logs service that records every UpdateLog message. */
function fakeLogs() {
  const received: { name: string; data: string }[] = [];
  let maxChunk = 0;
  const transport = createRouterTransport((router) => {
    router.service(Logs, {
      async updateLog(requests) {
        let bytes = 0n;
        let name = "";
        for await (const req of requests) {
          name ||= req.name;
          maxChunk = Math.max(maxChunk, req.data.byteLength);
          bytes += BigInt(req.data.byteLength);
          received.push({ name: req.name, data: new TextDecoder().decode(req.data) });
        }
        return { record: name, bytesReceived: bytes };
      },
    });
  });
  return { client: createLogsClient(transport), received, maxChunk: () => maxChunk };
}

const pod = (name: string, task: string, containers: string[], created: string): V1Pod => ({
  metadata: {
    name,
    namespace: "ns",
    creationTimestamp: new Date(created),
    labels: { "tekton.dev/taskRun": "tr", "tekton.dev/pipelineTask": task },
  },
  spec: { containers: containers.map((c) => ({ name: c })) },
});

describe("log uploader", () => {
  it("creates the Log record, then streams every step's lines prefixed [task : step]", async () => {
    const logs = fakeLogs();
    kube.pods.push(
      pod("tr-pod", "build", ["step-clone", "sidecar-x", "step-compile"], "2026-01-01T00:00:00Z"),
    );
    kube.podLogs.set("ns/tr-pod/step-clone", "cloning\ndone\n");
    kube.podLogs.set("ns/tr-pod/step-compile", "compiling");
    const run = taskRun("tr");
    const uid = run.metadata!.uid!;
    await api.client.createResult({ parent: "ns", result: { name: `ns/results/${uid}` } });
    const uploader = createLogUploader({ kube, results: api.client, logs: logs.client });
    const logName = await uploader.upload(run, TASK_RUN, `ns/results/${uid}`);
    expect(logName).toBe(`ns/results/${uid}/logs/${uid}-log`);
    const record = await api.client.getRecord({ name: `ns/results/${uid}/records/${uid}-log` });
    expect(record.data?.type).toBe("results.tekton.dev/v1alpha3.Log");
    expect(recordData(record)).toMatchObject({
      kind: "Log",
      apiVersion: "results.tekton.dev/v1alpha3",
      spec: { resource: { kind: "TaskRun", namespace: "ns", name: "tr", uid } },
    });
    expect(logs.received.every((m) => m.name === logName)).toBe(true);
    expect(logs.received.map((m) => m.data).join("")).toBe(
      "[build : clone] cloning\n[build : clone] done\n[build : compile] compiling\n",
    );
    expect(kube.calls).toContain("list pods tekton.dev/taskRun=tr");
    // Uploading again reuses the record (the log is replaced).
    await uploader.upload(run, TASK_RUN, `ns/results/${uid}`);
  });
  it("sends bounded chunks, never the whole log in one message", async () => {
    const logs = fakeLogs();
    kube.pods.push(pod("tr-pod", "t", ["step-s"], "2026-01-01T00:00:00Z"));
    kube.podLogs.set("ns/tr-pod/step-s", `${"x".repeat(100)}\n`.repeat(200));
    const run = taskRun("tr");
    await api.client.createResult({
      parent: "ns",
      result: { name: `ns/results/${run.metadata!.uid}` },
    });
    await createLogUploader({
      kube,
      results: api.client,
      logs: logs.client,
      chunkBytes: 1024,
    }).upload(run, TASK_RUN, `ns/results/${run.metadata!.uid}`);
    expect(logs.maxChunk()).toBeLessThanOrEqual(1024);
    expect(logs.received.length).toBeGreaterThan(20);
  });
  it("a container whose log is gone is noted, and a run without pods sends one empty message", async () => {
    const logs = fakeLogs();
    kube.pods.push(pod("tr-pod", "t", ["step-gone"], "2026-01-01T00:00:00Z"));
    const run = taskRun("tr");
    await api.client.createResult({
      parent: "ns",
      result: { name: `ns/results/${run.metadata!.uid}` },
    });
    const uploader = createLogUploader({ kube, results: api.client, logs: logs.client });
    await uploader.upload(run, TASK_RUN, `ns/results/${run.metadata!.uid}`);
    expect(logs.received.map((m) => m.data).join("")).toMatch(
      /^\[t : gone\] \(log unavailable: container not found\)\n$/,
    );
    logs.received.length = 0;
    const custom = { ...taskRun("c"), kind: "CustomRun" };
    await api.client.createResult({
      parent: "ns",
      result: { name: `ns/results/${custom.metadata!.uid}` },
    });
    await uploader.upload(custom, CUSTOM_RUN, `ns/results/${custom.metadata!.uid}`);
    expect(logs.received).toHaveLength(1);
    expect(logs.received[0]!.data).toBe("");
  });
  it("a log stream that breaks off midway fails the upload with a KubernetesError", async () => {
    const logs = fakeLogs();
    kube.pods.push(pod("tr-pod", "t", ["step-a", "step-b"], "2026-01-01T00:00:00Z"));
    kube.podLogs.set("ns/tr-pod/step-b", "never read\n");
    kube.streamLog = async (_ns, _pod, container, sink) => {
      if (container === "step-a") {
        sink.write("first line\nhalf a li");
        setTimeout(() => sink.destroy(new Error("Premature close")), 5);
      }
      return () => undefined;
    };
    const run = taskRun("tr");
    const resultName = `ns/results/${run.metadata!.uid}`;
    await api.client.createResult({ parent: "ns", result: { name: resultName } });
    const uploader = createLogUploader({ kube, results: api.client, logs: logs.client });
    const err = await uploader.upload(run, TASK_RUN, resultName).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(KubernetesError);
    expect((err as Error).message).toBe("the log of ns/tr-pod/step-a broke off: Premature close");
    // Nothing after the break was read; the half line was never sent as a line.
    const sent = logs.received.map((m) => m.data).join("");
    expect(sent).not.toContain("half a li");
    expect(sent).not.toContain("never read");
  });
  it("helpers: step containers, task names, chunking of long lines", async () => {
    expect(
      stepContainers(pod("p", "t", ["prepare", "step-a", "step-b"], "2026-01-01T00:00:00Z")),
    ).toEqual([
      { container: "step-a", step: "a" },
      { container: "step-b", step: "b" },
    ]);
    expect(taskOfPod({ metadata: { name: "p", labels: { "tekton.dev/task": "lint" } } })).toBe(
      "lint",
    );
    expect(taskOfPod({ metadata: { name: "p" } })).toBe("p");
    async function* lines() {
      yield "a".repeat(10);
    }
    async function* sources() {
      yield { prefix: "[t : s]", lines: lines() };
    }
    const chunks: Uint8Array[] = [];
    for await (const c of prefixedChunks(sources(), 4)) chunks.push(c);
    expect(chunks.every((c) => c.byteLength <= 4)).toBe(true);
    expect(new TextDecoder().decode(Buffer.concat(chunks))).toBe(`[t : s] ${"a".repeat(10)}\n`);
  });
});
