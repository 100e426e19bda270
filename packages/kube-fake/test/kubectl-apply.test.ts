import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKubeFake, type KubeFake } from "../src/index.js";
import { findKubectl, kubectlRunner } from "./kubectl-helpers.js";

const kubectl = findKubectl();
const FIXTURE = new URL("./fixtures/deployment.yaml", import.meta.url);

interface Container {
  name: string;
  image?: string;
  env?: Array<{ name: string; value?: string }>;
  ports?: Array<{ containerPort: number }>;
}

describe.skipIf(!kubectl)("kubectl apply of a deployment's kinds", () => {
  let fake: KubeFake;
  let dir: string;
  let k: (...args: string[]) => Promise<string>;
  let manifest: string;

  beforeAll(async () => {
    fake = await createKubeFake();
    dir = await mkdtemp(join(tmpdir(), "kube-fake-apply-"));
    const kubeconfig = join(dir, "kubeconfig");
    await fake.writeKubeconfig(kubeconfig);
    k = kubectlRunner(kubectl!, dir, kubeconfig);
    manifest = await readFile(FIXTURE, "utf8");
  });
  afterAll(async () => {
    await fake.close();
    await rm(dir, { recursive: true, force: true });
  });

  const containers = (): Container[] =>
    (
      fake.get("apps/v1", "Deployment", "demo", "demo-api")?.["spec"] as {
        template: { spec: { containers: Container[] } };
      }
    ).template.spec.containers;

  it("creates every kind of a multi-document manifest (client-side apply)", async () => {
    const file = join(dir, "deployment.yaml");
    await writeFile(file, manifest);
    const out = (await k("apply", "-f", file)).trim().split("\n");
    expect(out).toEqual([
      "namespace/demo created",
      "serviceaccount/demo-api created",
      "secret/demo-db created",
      "configmap/demo-config created",
      "service/demo-api created",
      "persistentvolumeclaim/demo-data created",
      "deployment.apps/demo-api created",
      "statefulset.apps/demo-db created",
      "job.batch/demo-migrate created",
      "poddisruptionbudget.policy/demo-api created",
      "clusterrole.rbac.authorization.k8s.io/demo-reader created",
      "clusterrolebinding.rbac.authorization.k8s.io/demo-reader created",
      "role.rbac.authorization.k8s.io/demo-leases created",
      "rolebinding.rbac.authorization.k8s.io/demo-leases created",
      "servicemonitor.monitoring.coreos.com/demo-api created",
    ]);
    const secret = fake.get("v1", "Secret", "demo", "demo-db");
    expect(secret?.["data"]).toEqual({ POSTGRES_USER: Buffer.from("results").toString("base64") });
    expect(secret?.["stringData"]).toBeUndefined();
    expect(
      fake.list("rbac.authorization.k8s.io/v1", "ClusterRole").map((r) => r.metadata.name),
    ).toContain("demo-reader");
    // kubectl reports "configured" for a Secret with stringData (never stored) and a PDB (its
    // selector is patched whole), on a real cluster too; nothing else changes.
    const rv = fake.get("apps/v1", "Deployment", "demo", "demo-api")?.metadata.resourceVersion;
    const again = await k("apply", "-f", file);
    expect(again).toContain("deployment.apps/demo-api unchanged\n");
    expect(again.split("\n").filter((l) => l.endsWith(" configured"))).toEqual([
      "secret/demo-db configured",
      "poddisruptionbudget.policy/demo-api configured",
    ]);
    expect(fake.get("apps/v1", "Deployment", "demo", "demo-api")?.metadata.resourceVersion).toBe(
      rv,
    );
  });

  it("merges a changed container env by the patch merge keys (strategic merge)", async () => {
    const file = join(dir, "changed.yaml");
    await writeFile(
      file,
      manifest
        .replace(
          "value: info\n            - name: DB_HOST",
          "value: debug\n            - name: DB_HOST",
        )
        .replace("image: example.com/sidecar:1", "image: example.com/sidecar:2"),
    );
    expect(await k("apply", "-f", file)).toContain("deployment.apps/demo-api configured\n");
    const [api, sidecar] = containers();
    expect(api).toEqual({
      name: "api",
      image: "example.com/api:1",
      ports: [{ containerPort: 8080 }],
      env: [
        { name: "LOG_LEVEL", value: "debug" },
        { name: "DB_HOST", value: "db" },
      ],
    });
    expect(sidecar).toEqual({ name: "sidecar", image: "example.com/sidecar:2" });
    expect(fake.get("apps/v1", "Deployment", "demo", "demo-api")?.metadata.generation).toBe(2);
  });

  it("removes a list item the manifest no longer has, keeping what others added", async () => {
    fake.patch(
      "apps/v1",
      "Deployment",
      "demo",
      "demo-api",
      {
        spec: {
          template: { spec: { containers: [{ name: "api", env: [{ name: "X", value: "1" }] }] } },
        },
      },
      { type: "strategic" },
    );
    expect(containers()[0]!.env!.map((e) => e.name)).toEqual(["LOG_LEVEL", "DB_HOST", "X"]);
    const file = join(dir, "less.yaml");
    await writeFile(
      file,
      manifest.replace("            - name: DB_HOST\n              value: db\n", ""),
    );
    await k("apply", "-f", file);
    expect(containers()[0]!.env).toEqual([
      { name: "LOG_LEVEL", value: "info" },
      { name: "X", value: "1" },
    ]);
  });

  it("gets the new kinds as tables and deletes them", async () => {
    expect(
      await k("get", "deploy,sts,job,svc,pvc,pdb,sa,cm,secret", "-n", "demo", "-o", "name"),
    ).toBe(
      [
        "deployment.apps/demo-api",
        "statefulset.apps/demo-db",
        "job.batch/demo-migrate",
        "service/demo-api",
        "persistentvolumeclaim/demo-data",
        "poddisruptionbudget.policy/demo-api",
        "serviceaccount/demo-api",
        "configmap/demo-config",
        "secret/demo-db",
        "",
      ].join("\n"),
    );
    const header = (await k("get", "deployments", "-n", "demo")).split("\n")[0]!.split(/\s+/);
    expect(header).toEqual(["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]);
    expect(await k("get", "servicemonitors", "-n", "demo", "-o", "name")).toBe(
      "servicemonitor.monitoring.coreos.com/demo-api\n",
    );
    expect(await k("delete", "deployment", "demo-api", "-n", "demo")).toBe(
      'deployment.apps "demo-api" deleted\n',
    );
    expect(fake.get("apps/v1", "Deployment", "demo", "demo-api")).toBeUndefined();
  });
});
