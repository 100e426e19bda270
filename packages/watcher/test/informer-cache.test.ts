import { afterEach, describe, expect, it } from "vitest";
import { KubeConfig } from "@kubernetes/client-node";
import { createKubeFake, type KubeFake } from "@tekton-results/kube-fake";
import { createKubeClient } from "../src/kube-client.js";
import { ANNOTATIONS, PIPELINE_RUN } from "../src/run-kinds.js";
import { createInformerFactory, listAllRuns, type InformerSource } from "../src/run-informer.js";
import type { TektonRun } from "../src/run.js";
import { pipelineRunObject, waitFor } from "./stack.js";

let kube: KubeFake | undefined;
let source: InformerSource | undefined;
afterEach(async () => {
  await source?.stop();
  source = undefined;
  await kube?.close();
  kube = undefined;
});

const lastApplied = { [ANNOTATIONS.lastApplied]: '{"apiVersion":"tekton.dev/v1"}' };

async function cluster(runs: number) {
  kube = await createKubeFake();
  const kc = new KubeConfig();
  kc.loadFromString(kube.kubeconfigYaml());
  for (let i = 0; i < runs; i++) {
    kube.create(pipelineRunObject(`run-${i}`, "ns", { metadata: { annotations: lastApplied } }));
  }
  return { kube, kc, client: createKubeClient(kc) };
}

const trimmed = (run: TektonRun | undefined) =>
  run !== undefined &&
  run.metadata?.managedFields === undefined &&
  run.metadata?.annotations?.[ANNOTATIONS.lastApplied] === undefined;

describe("informer cache over the fake API server", () => {
  it("lists a collection in pages (limit/continue) into trimmed runs", async () => {
    const { kube, client } = await cluster(7);
    const full = await client.listRuns(PIPELINE_RUN, {});
    expect(full.items).toHaveLength(7);
    expect(full.items[0]?.metadata?.managedFields).toBeDefined();
    expect(full.items[0]?.metadata?.annotations?.[ANNOTATIONS.lastApplied]).toBeDefined();
    kube.resetRequestCounts();

    const list = await listAllRuns(client, PIPELINE_RUN, { pageSize: 3 });
    const lists = Object.entries(kube.requestCounts())
      .filter(([k]) => k.startsWith("list"))
      .reduce((n, [, v]) => n + v, 0);
    expect(lists).toBe(3);
    expect(list.items.map((r) => r.metadata?.name).sort()).toEqual(
      full.items.map((r) => r.metadata?.name).sort(),
    );
    expect(list.metadata?.resourceVersion).toBe(full.metadata?.resourceVersion);
    expect(list.items.every(trimmed)).toBe(true);
    // Nothing else is lost.
    const strip = (r: TektonRun) => {
      const copy = JSON.parse(JSON.stringify(r)) as TektonRun;
      delete copy.metadata?.managedFields;
      delete copy.metadata?.annotations;
      return copy;
    };
    expect(list.items.map(strip)).toEqual(full.items.map(strip));
  });

  it("caches listed and watched runs without managedFields or the last-applied annotation", async () => {
    const { kube, kc, client } = await cluster(4);
    source = createInformerFactory(kc, client)(PIPELINE_RUN);
    const updates: TektonRun[] = [];
    source.on("update", (obj) => updates.push(obj as TektonRun));
    await source.start();
    expect(source.list()).toHaveLength(4);
    expect(source.list().every((r) => trimmed(r as TektonRun))).toBe(true);

    const current = kube.get("tekton.dev/v1", "PipelineRun", "ns", "run-1")!;
    kube.update({
      ...current,
      metadata: {
        ...current.metadata,
        labels: { ...current.metadata.labels, changed: "yes" },
      },
    });
    await waitFor(() => updates.length > 0, "the watched update", 5000);
    const cached = source.get("run-1", "ns") as TektonRun | undefined;
    expect(cached?.metadata?.labels?.["changed"]).toBe("yes");
    expect(trimmed(cached)).toBe(true);
    expect(trimmed(updates[0])).toBe(true);
  });
});
