import { afterEach, describe, expect, it } from "vitest";
import { createMemoryLogStore } from "@tekton-results/log-store";
import { createLogsClient, recordData } from "@tekton-results/client";
import { createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import type { KubeObject } from "@tekton-results/kube-fake";
import {
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

function stepPod(
  name: string,
  taskRun: string,
  pipelineRun: string,
  task: string,
  steps: string[],
): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace: "ns",
      labels: {
        "tekton.dev/taskRun": taskRun,
        "tekton.dev/pipelineRun": pipelineRun,
        "tekton.dev/pipelineTask": task,
      },
    },
    spec: {
      containers: [
        ...steps.map((s) => ({ name: `step-${s}`, image: "busybox" })),
        { name: "sidecar-proxy", image: "x" },
      ],
    },
  };
}

describe("e2e: logs", () => {
  it("a finished run's step logs are streamed to the Logs API and the run annotated with its log", async () => {
    stack = await startStack({ logs: true }, { logs: createMemoryLogStore() });
    const { kube, watcher } = stack;
    await watcher.start();
    const pr = kube.create(pipelineRunObject("with-logs"));
    const tr = kube.create(childTaskRunObject("with-logs-build", pr));
    kube.create(
      stepPod("with-logs-build-pod", "with-logs-build", "with-logs", "build", ["clone", "compile"]),
    );
    kube.setPodLogs("ns", "with-logs-build-pod", {
      "step-clone": "Cloning into 'src'...\ndone\n",
      "step-compile": "ok\n",
      "sidecar-proxy": "should not appear\n",
    });
    setStatus(kube, tr, "Succeeded");
    setStatus(kube, pr, "Succeeded");
    await waitFor(
      () =>
        kube.get("tekton.dev/v1", "PipelineRun", "ns", "with-logs")?.metadata.annotations?.[
          "results.tekton.dev/stored"
        ] === "true",
      "the PipelineRun stored",
    );
    const trNow = await waitFor(() => {
      const t = kube.get("tekton.dev/v1", "TaskRun", "ns", "with-logs-build");
      return t?.metadata.annotations?.["results.tekton.dev/stored"] === "true" ? t : undefined;
    }, "the TaskRun stored");
    const logName = trNow.metadata.annotations?.["results.tekton.dev/log"];
    expect(logName).toBe(`ns/results/${pr.metadata.uid}/logs/${tr.metadata.uid}-log`);

    const sessions = new Http2SessionManager(stack.apiUrl);
    try {
      const logs = createLogsClient(
        createGrpcTransport({ baseUrl: stack.apiUrl, sessionManager: sessions }),
      );
      const text = await logs.readLogText(logName!);
      expect(text).toBe(
        "[build : clone] Cloning into 'src'...\n[build : clone] done\n[build : compile] ok\n",
      );
      // The PipelineRun's log holds its TaskRuns' pods, found by the tekton.dev/pipelineRun label.
      const prLog = kube.get("tekton.dev/v1", "PipelineRun", "ns", "with-logs")!.metadata
        .annotations?.["results.tekton.dev/log"];
      expect(await logs.readLogText(prLog!)).toBe(text);
    } finally {
      sessions.abort();
    }
    const record = await stack.client.getRecord({
      name: `ns/results/${pr.metadata.uid}/records/${tr.metadata.uid}-log`,
    });
    expect(
      recordData<{ status: { isStored: boolean; size: number } }>(record)?.status,
    ).toMatchObject({ isStored: true });
  });
});

describe("e2e: a pod log stream cut midway", () => {
  it("is not stored as the log: the upload is retried and the whole log stored", async () => {
    stack = await startStack({ logs: true }, { logs: createMemoryLogStore() });
    const { kube, watcher } = stack;
    await watcher.start();
    const pr = kube.create(pipelineRunObject("cut"));
    const tr = kube.create(childTaskRunObject("cut-build", pr));
    kube.create(stepPod("cut-build-pod", "cut-build", "cut", "build", ["compile"]));
    const lines = Array.from({ length: 200 }, (_, i) => `compiling unit ${i}\n`).join("");
    kube.setPodLogs("ns", "cut-build-pod", { "step-compile": lines });
    // The first read of the log breaks off after 1 KB (of ~4 KB), like a dying kubelet.
    kube.cutPodLogs("ns", "cut-build-pod", "step-compile", 1024);
    kube.resetRequestCounts();
    setStatus(kube, tr, "Succeeded");
    setStatus(kube, pr, "Succeeded");
    const stored = (name: string, kind: string) => () => {
      const run = kube.get("tekton.dev/v1", kind, "ns", name);
      return run?.metadata.annotations?.["results.tekton.dev/stored"] === "true" ? run : undefined;
    };
    const trNow = await waitFor(stored("cut-build", "TaskRun"), "the TaskRun stored");
    const prNow = await waitFor(stored("cut", "PipelineRun"), "the PipelineRun stored");
    // One read was cut, so the log of one run was read twice.
    expect(kube.requestCounts()["get pods/log"]).toBe(3);

    const sessions = new Http2SessionManager(stack.apiUrl);
    try {
      const logs = createLogsClient(
        createGrpcTransport({ baseUrl: stack.apiUrl, sessionManager: sessions }),
      );
      const whole = lines.replace(/^(?=.)/gm, "[build : compile] ");
      for (const run of [trNow, prNow]) {
        expect(await logs.readLogText(run.metadata.annotations!["results.tekton.dev/log"]!)).toBe(
          whole,
        );
      }
    } finally {
      sessions.abort();
    }
  });
});
