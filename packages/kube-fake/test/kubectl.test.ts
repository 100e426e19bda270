import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKubeFake, type KubeFake, type KubeObject } from "../src/index.js";
import { findKubectl, kubectlRunner } from "./kubectl-helpers.js";

// kubectl is a Debian package (CI installs it); without it these tests cannot run and are skipped.
const kubectl = findKubectl();

const MANIFEST = `apiVersion: tekton.dev/v1
kind: PipelineRun
metadata:
  name: demo-run
  labels:
    app: demo
spec:
  pipelineRef:
    name: build
`;

describe.skipIf(!kubectl)("kubectl against the fake", () => {
  let fake: KubeFake;
  let dir: string;
  let kubeconfig: string;
  let manifest: string;

  let k: (...args: string[]) => Promise<string>;

  beforeAll(async () => {
    fake = await createKubeFake();
    dir = await mkdtemp(join(tmpdir(), "kube-fake-kubectl-"));
    kubeconfig = join(dir, "kubeconfig");
    manifest = join(dir, "pr.yaml");
    await fake.writeKubeconfig(kubeconfig);
    await writeFile(manifest, MANIFEST);
    k = kubectlRunner(kubectl!, dir, kubeconfig);
  });
  afterAll(async () => {
    await fake.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("applies a PipelineRun manifest (client-side apply)", async () => {
    expect(await k("apply", "-f", manifest)).toBe("pipelinerun.tekton.dev/demo-run created\n");
    const stored = fake.get("tekton.dev/v1", "PipelineRun", "default", "demo-run");
    expect(stored?.metadata.labels).toEqual({ app: "demo" });
    expect(
      stored?.metadata.annotations?.["kubectl.kubernetes.io/last-applied-configuration"],
    ).toContain('"name":"demo-run"');
    expect(await k("apply", "-f", manifest)).toBe("pipelinerun.tekton.dev/demo-run unchanged\n");
  });

  it("gets runs as a table with Tekton's columns, by short name, and as JSON", async () => {
    fake.patch(
      "tekton.dev/v1",
      "PipelineRun",
      "default",
      "demo-run",
      {
        status: {
          conditions: [{ type: "Succeeded", status: "Unknown", reason: "Running" }],
          startTime: new Date().toISOString(),
        },
      },
      { subresource: "status" },
    );
    const table = await k("get", "pipelineruns");
    const [header, row] = table.trim().split("\n");
    expect(header!.split(/\s+/)).toEqual([
      "NAME",
      "SUCCEEDED",
      "REASON",
      "STARTTIME",
      "COMPLETIONTIME",
    ]);
    expect(row!.split(/\s+/).slice(0, 3)).toEqual(["demo-run", "Unknown", "Running"]);
    expect(await k("get", "pr", "demo-run", "-o", "name")).toBe(
      "pipelinerun.tekton.dev/demo-run\n",
    );
    const json = JSON.parse(await k("get", "pipelineruns", "-o", "json")) as {
      kind: string;
      items: KubeObject[];
    };
    expect(json.kind).toBe("List");
    expect(json.items.map((i) => i.metadata.name)).toEqual(["demo-run"]);
    expect(await k("get", "tekton", "-o", "name")).toContain("pipelinerun.tekton.dev/demo-run");
  });

  it("applies server-side with the kubectl field manager", async () => {
    expect(await k("apply", "--server-side", "-f", manifest)).toBe(
      "pipelinerun.tekton.dev/demo-run serverside-applied\n",
    );
    const managers = fake
      .get("tekton.dev/v1", "PipelineRun", "default", "demo-run")
      ?.metadata.managedFields?.map((m) => `${m.manager}/${m.operation}`);
    expect(managers).toContain("kubectl/Apply");
  });

  it("deletes a PipelineRun", async () => {
    expect(await k("delete", "pipelinerun", "demo-run")).toBe(
      'pipelinerun.tekton.dev "demo-run" deleted\n',
    );
    expect(fake.get("tekton.dev/v1", "PipelineRun", "default", "demo-run")).toBeUndefined();
    expect(await k("get", "prs", "-o", "name")).toBe("");
  });

  it("lists core kinds (namespaces, pods) and reads pod logs", async () => {
    fake.create({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "p", namespace: "default" },
      spec: { containers: [{ name: "step-one" }] },
      status: { phase: "Succeeded" },
    });
    fake.setPodLogs("default", "p", { "step-one": "built\n" });
    expect(await k("get", "ns", "-o", "name")).toContain("namespace/default");
    const pods = (await k("get", "po")).trim().split("\n");
    expect(pods[0]!.split(/\s+/)).toEqual(["NAME", "READY", "STATUS", "RESTARTS", "AGE"]);
    expect(pods[1]!.split(/\s+/).slice(0, 3)).toEqual(["p", "0/1", "Succeeded"]);
    expect(await k("logs", "p")).toBe("built\n");
  });
});
