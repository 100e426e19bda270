import { PassThrough } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { KubeConfig } from "@kubernetes/client-node";
import { createKubeFake, type KubeFake } from "@tekton-results/kube-fake";
import { KubernetesError } from "../src/errors.js";
import { createKubeClient, type KubeClient } from "../src/kube-client.js";

let fake: KubeFake;
let client: KubeClient;
beforeEach(async () => {
  fake = await createKubeFake();
  const kc = new KubeConfig();
  kc.loadFromString(fake.kubeconfigYaml());
  client = createKubeClient(kc);
  fake.create({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p", namespace: "ns" },
    spec: { containers: [{ name: "step-a" }] },
  });
});
afterEach(async () => {
  await fake.close();
});

/** Everything written to the sink, or the error it was destroyed with. */
function collect(sink: PassThrough): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    sink.setEncoding("utf8");
    sink.on("data", (chunk: string) => (text += chunk));
    sink.once("end", () => resolve(text));
    sink.once("error", reject);
  });
}

describe("createKubeClient().streamLog against the fake API server", () => {
  it("streams a container log into the sink", async () => {
    fake.setPodLogs("ns", "p", { "step-a": "one\ntwo\n" });
    const sink = new PassThrough();
    const text = collect(sink);
    await client.streamLog("ns", "p", "step-a", sink);
    expect(await text).toBe("one\ntwo\n");
  });

  it("destroys the sink with an error when the stream breaks off midway", async () => {
    fake.setPodLogs("ns", "p", { "step-a": "x".repeat(10_000) });
    fake.cutPodLogs("ns", "p", "step-a", 100);
    const sink = new PassThrough();
    const text = collect(sink);
    await client.streamLog("ns", "p", "step-a", sink);
    await expect(text).rejects.toThrow();
  });

  it("rejects with a KubernetesError carrying the status and the server's message", async () => {
    const missingPod = await client
      .streamLog("ns", "gone", "step-a", new PassThrough())
      .catch((e: unknown) => e);
    expect(missingPod).toBeInstanceOf(KubernetesError);
    expect((missingPod as KubernetesError).status).toBe(404);
    expect((missingPod as Error).message).toContain('pods "gone" not found');
    const badContainer = await client
      .streamLog("ns", "p", "zzz", new PassThrough())
      .catch((e: unknown) => e);
    expect((badContainer as KubernetesError).status).toBe(400);
    expect((badContainer as Error).message).toContain("container zzz is not valid for pod p");
  });

  it("the abort function ends a stream in progress", async () => {
    fake.setPodLogs("ns", "p", { "step-a": "x".repeat(4 * 1024 * 1024) });
    const sink = new PassThrough({ highWaterMark: 1024 });
    const abort = await client.streamLog("ns", "p", "step-a", sink);
    abort();
    await expect(collect(sink)).rejects.toThrow();
  });
});
