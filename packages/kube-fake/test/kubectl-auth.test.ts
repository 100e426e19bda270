import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKubeFake, type KubeFake } from "../src/index.js";
import { findKubectl, kubectlRunner } from "./kubectl-helpers.js";

const kubectl = findKubectl();
const FIXTURE = fileURLToPath(new URL("./fixtures/deployment.yaml", import.meta.url));

describe.skipIf(!kubectl)("kubectl auth against the fake with RBAC", () => {
  let fake: KubeFake;
  let dir: string;
  let k: (...args: string[]) => Promise<string>;
  let token: string;

  /** kubectl's answer and exit code (can-i exits 1 for "no"). */
  const answer = async (...args: string[]): Promise<string> => {
    try {
      return (await k(...args)).trim();
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string };
      return `${(e.stdout ?? "").trim()}${(e.stderr ?? "").trim()}`;
    }
  };

  beforeAll(async () => {
    // kubectl sends no token over plain HTTP.
    fake = await createKubeFake({ rbac: true, tls: true });
    dir = await mkdtemp(join(tmpdir(), "kube-fake-auth-"));
    const kubeconfig = join(dir, "kubeconfig");
    await fake.writeKubeconfig(kubeconfig);
    k = kubectlRunner(kubectl!, dir, kubeconfig);
    await k("apply", "-f", FIXTURE);
    token = fake.serviceAccountToken("demo", "demo-api");
  });
  afterAll(async () => {
    await fake.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("answers auth can-i with a ServiceAccount token from the applied RBAC", async () => {
    const can = (...args: string[]) => answer("auth", "can-i", "--token", token, ...args);
    expect(await can("list", "pipelineruns.tekton.dev", "-n", "demo")).toBe("yes");
    expect(await can("watch", "taskruns.tekton.dev", "-A")).toBe("yes");
    expect(await can("create", "pipelineruns.tekton.dev", "-n", "demo")).toBe("no");
    expect(await can("update", "leases.coordination.k8s.io", "-n", "demo")).toBe("yes");
    expect(await can("update", "leases.coordination.k8s.io", "-n", "default")).toBe("no");
    const list = await can("--list", "-n", "demo");
    expect(list).toMatch(/leases\.coordination\.k8s\.io\s+\[\]\s+\[\]\s+\[get create update\]/);
    expect(list).toMatch(/pipelineruns\.tekton\.dev\s+\[\]\s+\[\]\s+\[get list watch\]/);
  });

  it("impersonates with --as, and whoami names the user", async () => {
    expect(
      await answer(
        "auth",
        "can-i",
        "get",
        "leases",
        "-n",
        "demo",
        "--as",
        "system:serviceaccount:demo:demo-api",
      ),
    ).toBe("yes");
    expect(
      await answer(
        "auth",
        "whoami",
        "--token",
        token,
        "-o",
        "jsonpath={.status.userInfo.username}",
      ),
    ).toBe("system:serviceaccount:demo:demo-api");
  });

  it("reports a denied request with the server's message", async () => {
    // Allowed: an empty list ("No resources found" goes to stderr), exit 0.
    expect(await k("get", "pipelineruns", "-n", "demo", "--token", token)).toBe("");
    expect(await answer("get", "pods", "-n", "demo", "--token", token)).toContain(
      'Error from server (Forbidden): pods is forbidden: User "system:serviceaccount:demo:demo-api" cannot list resource "pods" in API group "" in the namespace "demo"',
    );
  });
});
