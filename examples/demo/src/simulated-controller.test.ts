import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import yaml from "js-yaml";
import { createKubeFake, type KubeFake, type KubeObject } from "@tekton-results/kube-fake";
import { afterEach, describe, expect, it } from "vitest";
import {
  createSimulatedController,
  type SimulatedControllerOptions,
} from "./simulated-controller.js";
import { parseTaskCatalog } from "./tekton-spec.js";

const manifest = (file: string) =>
  readFile(fileURLToPath(new URL(`../manifests/${file}`, import.meta.url)), "utf8");

interface Status {
  conditions: { type: string; status: string; reason: string; message: string }[];
  startTime: string;
  completionTime: string;
  childReferences?: { kind: string; name: string; pipelineTaskName: string }[];
  skippedTasks?: { name: string; reason: string }[];
  podName?: string;
  steps?: {
    name: string;
    container: string;
    terminated: { exitCode: number; reason: string };
    terminationReason: string;
  }[];
}
const status = (obj: KubeObject | undefined) => obj?.["status"] as Status;

let kube: KubeFake | undefined;
afterEach(async () => {
  await kube?.close();
  kube = undefined;
});

async function setUp(file: string, onTaskRun?: SimulatedControllerOptions["onTaskRun"]) {
  kube = await createKubeFake();
  const pr = yaml.load(await manifest(file)) as KubeObject;
  kube.create({ ...pr, metadata: { ...pr.metadata, namespace: "default" } });
  const controller = createSimulatedController({
    kube,
    catalog: parseTaskCatalog(await manifest("tasks.yaml")),
    stepMs: 1,
    ...(onTaskRun ? { onTaskRun } : {}),
  });
  return { kube, controller, name: pr.metadata.name! };
}

describe("the simulated Tekton controller", () => {
  it("fails a pipeline at its failing step: skips later steps and tasks, with Tekton's status fields", async () => {
    const seen: string[] = [];
    const { kube, controller, name } = await setUp("release.yaml", (_pr, tr) =>
      seen.push(`${tr.pipelineTask}:${tr.reason}`),
    );
    const outcome = await controller.runPipelineRun("default", name);
    expect(outcome.reason).toBe("Failed");
    expect(outcome.skipped).toEqual(["publish"]);
    expect(seen).toEqual(["clone:Succeeded", "integration-tests:Failed"]);

    const pr = kube.get("tekton.dev/v1", "PipelineRun", "default", name);
    expect(pr?.metadata.labels?.["tekton.dev/pipeline"]).toBe(name);
    const prStatus = status(pr);
    expect(prStatus.conditions[0]).toMatchObject({
      type: "Succeeded",
      status: "False",
      reason: "Failed",
      message: "Tasks Completed: 2 (Failed: 1, Cancelled 0), Skipped: 1",
    });
    expect(prStatus.startTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(prStatus.completionTime).toMatch(/Z$/);
    expect(prStatus.childReferences?.map((c) => [c.kind, c.name, c.pipelineTaskName])).toEqual([
      ["TaskRun", `${name}-clone`, "clone"],
      ["TaskRun", `${name}-integration-tests`, "integration-tests"],
    ]);
    expect(prStatus.skippedTasks).toEqual([
      { name: "publish", reason: "PipelineRun was stopping" },
    ]);

    const tr = kube.get("tekton.dev/v1", "TaskRun", "default", `${name}-integration-tests`);
    expect(tr?.metadata.ownerReferences).toEqual([
      expect.objectContaining({
        kind: "PipelineRun",
        name,
        uid: pr?.metadata.uid,
        controller: true,
      }),
    ]);
    expect(tr?.metadata.labels).toMatchObject({
      "tekton.dev/pipeline": name,
      "tekton.dev/pipelineRun": name,
      "tekton.dev/pipelineTask": "integration-tests",
      "app.kubernetes.io/part-of": "shop",
    });
    const trStatus = status(tr);
    expect(trStatus.conditions[0]).toMatchObject({
      status: "False",
      reason: "Failed",
      message: '"step-test" exited with code 1',
    });
    expect(
      trStatus.steps?.map((s) => [s.container, s.terminated.exitCode, s.terminationReason]),
    ).toEqual([
      ["step-start-db", 0, "Completed"],
      ["step-test", 1, "Error"],
      ["step-report", 1, "Skipped"],
    ]);

    const pod = kube.get("v1", "Pod", "default", trStatus.podName!);
    expect(pod?.metadata.labels?.["tekton.dev/taskRun"]).toBe(`${name}-integration-tests`);
    expect((pod?.["status"] as { phase: string }).phase).toBe("Failed");
    const clone = kube.get("tekton.dev/v1", "TaskRun", "default", `${name}-clone`);
    expect(clone?.metadata.labels?.["tekton.dev/task"]).toBe("git-clone");
    expect(kube.get("tekton.dev/v1", "TaskRun", "default", `${name}-publish`)).toBeUndefined();
  });

  it("succeeds a pipeline, running tasks in runAfter waves and writing step logs with substituted params", async () => {
    const { kube, controller, name } = await setUp("build-and-test.yaml");
    const outcome = await controller.runPipelineRun("default", name);
    expect(outcome.reason).toBe("Succeeded");
    expect(outcome.taskRuns.map((t) => t.pipelineTask)).toEqual([
      "clone",
      "unit-tests",
      "build",
      "image",
    ]);
    const prStatus = status(kube.get("tekton.dev/v1", "PipelineRun", "default", name));
    expect(prStatus.conditions[0]).toMatchObject({
      status: "True",
      reason: "Succeeded",
      message: "Tasks Completed: 4 (Failed: 0, Cancelled 0), Skipped: 0",
    });
    expect(prStatus.skippedTasks).toBeUndefined();
    const res = await fetch(
      `${kube.url}/api/v1/namespaces/default/pods/${name}-clone-pod/log?container=step-clone`,
    );
    expect(await res.text()).toBe(
      "Cloning into '/workspace/source'...\nFrom https://github.com/example/shop\nHEAD is now at 4f2c1e9\n",
    );
  });

  it("refuses a PipelineRun it cannot find", async () => {
    kube = await createKubeFake();
    const controller = createSimulatedController({ kube, catalog: new Map() });
    await expect(controller.runPipelineRun("default", "nope")).rejects.toThrow(/not found/);
  });
});
