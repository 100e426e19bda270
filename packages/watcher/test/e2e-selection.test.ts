import { afterEach, describe, expect, it } from "vitest";
import type { KubeObject } from "@tekton-results/kube-fake";
import { collect, pipelineRunObject, setStatus, startStack, waitFor, type Stack } from "./stack.js";

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

const storedAnnotation = (stack: Stack, apiVersion: string, kind: string, name: string) =>
  stack.kube.get(apiVersion, kind, "ns", name)?.metadata.annotations?.["results.tekton.dev/stored"];

describe("e2e: which runs", () => {
  it("a CustomRun child is archived under its PipelineRun's Result", async () => {
    stack = await startStack();
    const { kube, watcher, client } = stack;
    await watcher.start();
    const pr = kube.create(pipelineRunObject("with-custom"));
    const custom = kube.create({
      apiVersion: "tekton.dev/v1beta1",
      kind: "CustomRun",
      metadata: {
        name: "with-custom-wait",
        namespace: "ns",
        ownerReferences: [
          {
            apiVersion: "tekton.dev/v1",
            kind: "PipelineRun",
            name: "with-custom",
            uid: pr.metadata.uid!,
            controller: true,
          },
        ],
      },
      spec: { customRef: { apiVersion: "example.dev/v1", kind: "Wait" } },
    } as KubeObject);
    setStatus(kube, custom, "Succeeded");
    setStatus(kube, pr, "Succeeded");
    await waitFor(
      () =>
        storedAnnotation(stack!, "tekton.dev/v1beta1", "CustomRun", "with-custom-wait") === "true",
      "the CustomRun stored",
    );
    expect(
      kube.get("tekton.dev/v1beta1", "CustomRun", "ns", "with-custom-wait")?.metadata.annotations?.[
        "results.tekton.dev/childReadyForDeletion"
      ],
    ).toBe("true");
    await waitFor(
      () => storedAnnotation(stack!, "tekton.dev/v1", "PipelineRun", "with-custom") === "true",
      "parent stored",
    );
    const records = await collect(
      client.listAllRecords({ parent: `ns/results/${pr.metadata.uid}` }),
    );
    expect(records.map((r) => r.data?.type).sort()).toEqual([
      "tekton.dev/v1.PipelineRun",
      "tekton.dev/v1beta1.CustomRun",
    ]);
  });

  it("--label-selector narrows the runs watched", async () => {
    stack = await startStack({ labelSelector: "team=a" });
    const { kube, watcher, client } = stack;
    await watcher.start();
    const a = kube.create(
      pipelineRunObject("team-a", "ns", { metadata: { labels: { team: "a" } } }),
    );
    const b = kube.create(
      pipelineRunObject("team-b", "ns", { metadata: { labels: { team: "b" } } }),
    );
    setStatus(kube, a, "Succeeded");
    setStatus(kube, b, "Succeeded");
    await waitFor(
      () => storedAnnotation(stack!, "tekton.dev/v1", "PipelineRun", "team-a") === "true",
      "team-a stored",
    );
    await waitFor(() => watcher.idle(), "idle");
    expect(
      kube.get("tekton.dev/v1", "PipelineRun", "ns", "team-b")?.metadata.annotations,
    ).toBeUndefined();
    await expect(client.getResult({ name: `ns/results/${b.metadata.uid}` })).rejects.toThrow(
      /not found/i,
    );
  });
});
