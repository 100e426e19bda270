/**
 * No address configured: the commands port-forward through the kubeconfig's cluster to
 * `service/tekton-results-api-service` in `tekton-pipelines`, and `--sa` asks that cluster for a
 * ServiceAccount's token. The cluster is the fake Kubernetes API (@tekton-results/kube-fake) with
 * RBAC on; its `pods/portforward` relays to a real Results API, whose authorizer reviews each
 * token with that same cluster (TokenReview, SubjectAccessReview), as in a deployment.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { createKubeFake, type KubeFake, type KubeObject } from "@tekton-results/kube-fake";
import { createKubernetesAuthorizer } from "@tekton-results/server/kubernetes-authorizer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli, startSeededServer, type SeededServer } from "./support/cli.js";

const NS = "tekton-pipelines";
const API = "tekton-results-api-service";
const RBAC = "rbac.authorization.k8s.io";

let kube: KubeFake;
let server: SeededServer;
/** The pod the test's Results API stands for; other pods have nothing listening. */
let apiPod = "tekton-results-api-0";
let apiPort = 0;

const dir = mkdtempSync(join(tmpdir(), "tkn-portforward-"));
const HOME = { HOME: dir, TZ: "UTC" };

function clusterRole(name: string, rules: object[]): KubeObject {
  return { apiVersion: `${RBAC}/v1`, kind: "ClusterRole", metadata: { name }, rules } as KubeObject;
}

function bind(name: string, role: string, subject: object): KubeObject {
  return {
    apiVersion: `${RBAC}/v1`,
    kind: "ClusterRoleBinding",
    metadata: { name },
    roleRef: { apiGroup: RBAC, kind: "ClusterRole", name: role },
    subjects: [subject],
  } as KubeObject;
}

/** A kubeconfig file of the fake whose user is `token`. */
async function kubeconfigOf(name: string, token: string): Promise<string> {
  const path = join(dir, name);
  await kube.writeKubeconfig(path, { token });
  return path;
}

function pod(name: string): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: NS, labels: { app: "tekton-results-api" } },
    spec: { containers: [{ name: "api", image: "api" }] },
    status: { phase: "Running" },
  };
}

let developer: string;

beforeAll(async () => {
  kube = await createKubeFake({
    rbac: true,
    portForward: (t) =>
      t.namespace === NS && t.pod === apiPod && t.port === 8080
        ? { host: "127.0.0.1", port: apiPort }
        : undefined,
  });
  const admin = new KubeConfig();
  admin.loadFromString(kube.kubeconfigYaml());
  server = await startSeededServer(
    [
      {
        kind: "PipelineRun",
        namespace: "default",
        name: "build-1",
        uid: "pr-1",
        startedAgo: 120,
        took: 30,
        status: "True",
      },
    ],
    Date.now(),
    {
      authorizer: createKubernetesAuthorizer({ kubeConfig: admin, cacheTtlMs: 0 }),
      token: kube.mintToken({ username: "seeder", groups: ["system:masters"] }),
    },
  );
  apiPort = Number(new URL(server.url).port);
  kube.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: NS } });
  kube.create({
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: API, namespace: NS },
    spec: { selector: { app: "tekton-results-api" }, ports: [{ port: 8080 }] },
  });
  kube.create(pod(apiPod));
  kube.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: "ci" } });
  kube.create({
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: { name: "reader", namespace: "ci" },
  });
  // What a developer needs: reach the API's pod, ask for a ServiceAccount's token, read results.
  kube.create(
    clusterRole("results-developer", [
      { apiGroups: [""], resources: ["services", "pods"], verbs: ["get", "list"] },
      { apiGroups: [""], resources: ["pods/portforward"], verbs: ["create"] },
      { apiGroups: [""], resources: ["serviceaccounts/token"], verbs: ["create"] },
      { apiGroups: ["results.tekton.dev"], resources: ["*"], verbs: ["get", "list"] },
    ]),
  );
  kube.create(bind("dev", "results-developer", { apiGroup: RBAC, kind: "User", name: "dev" }));
  kube.create(
    clusterRole("results-reader", [
      { apiGroups: ["results.tekton.dev"], resources: ["*"], verbs: ["get", "list"] },
    ]),
  );
  kube.create(
    bind("reader", "results-reader", { kind: "ServiceAccount", name: "reader", namespace: "ci" }),
  );
  developer = await kubeconfigOf("dev", kube.mintToken({ username: "dev" }));
});
afterAll(async () => {
  await server?.close();
  await kube?.close();
});

describe("no host configured: a port-forward to the API's service", () => {
  it("pipelinerun list reaches the API through the forward, with the kubeconfig's token", async () => {
    const out = await cli(["pipelinerun", "list", "-n", "default", "-o", "name", "-k", developer], {
      ...HOME,
    });
    expect(out).toEqual({ code: 0, stdout: "pipelinerun.tekton.dev/build-1\n", stderr: "" });
    expect(kube.requestCounts()["create pods/portforward"] ?? 0).toBeGreaterThan(0);
  });

  it("describe and summary work the same way, and the process ends (the forward is closed)", async () => {
    const describe = await cli(["pipelinerun", "describe", "build-1", "-k", developer], HOME);
    expect(describe.code).toBe(0);
    expect(describe.stdout).toMatch(/^Name:\s+build-1$/m);
    const summary = await cli(["summary", "-o", "json", "-k", developer], HOME);
    expect(summary.code).toBe(0);
    expect(JSON.parse(summary.stdout)).toMatchObject({ summary: [{ total: 1 }] });
  });

  it("a user the cluster does not let near the service gets upstream's error and why", async () => {
    const stranger = await kubeconfigOf("stranger", kube.mintToken({ username: "stranger" }));
    const out = await cli(["taskrun", "list", "-k", stranger], HOME);
    expect(out.code).toBe(1);
    expect(out.stderr).toBe(
      `Error: invalid config. You may need to run the 'config set' command to configure the CLI: API server host not configured: host field is empty; and no port-forward either: cannot port-forward to service/${API} in namespace ${NS}: services "${API}" is forbidden: User "stranger" cannot get resource "services" in API group "" in the namespace "${NS}"\n`,
    );
  });
});

describe("the older commands: port-forward and --sa", () => {
  it("result list with --sa: a TokenRequest's token, sent through the forward, read by the API", async () => {
    const out = await cli(["result", "list", "default", "--sa", "reader", "--sa-ns", "ci"], {
      ...HOME,
      KUBECONFIG: developer,
    });
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^default\/results\/build-1\s/m);
    expect(kube.requestCounts()["create serviceaccounts/token"]).toBeGreaterThan(0);
  });

  it("--sa naming an account without access: the API's denial, with the account's name", async () => {
    kube.create({
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: "nobody", namespace: "ci" },
    });
    const out = await cli(["result", "list", "default", "--sa", "nobody", "--sa-ns", "ci"], {
      ...HOME,
      KUBECONFIG: developer,
    });
    expect(out.code).toBe(1);
    expect(out.stderr.split("\n").at(-2)).toMatch(
      /^Error: ListResults: permission denied: .*system:serviceaccount:ci:nobody/,
    );
  });

  it("a pod with nothing listening: kubelet's error, in one line (new and older commands)", async () => {
    kube.delete("v1", "Pod", NS, apiPod);
    apiPod = "gone";
    kube.create(pod("tekton-results-api-1"));
    const legacy = await cli(["result", "list", "default", "--sa", "reader", "--sa-ns", "ci"], {
      ...HOME,
      KUBECONFIG: developer,
    });
    expect(legacy.code).toBe(1);
    expect(legacy.stderr.split("\n").at(-2)).toBe(
      `Error: ListResults: port-forward to pod tekton-results-api-1 of service/${API} in namespace ${NS} failed: error forwarding port 8080 to pod ${NS}/tekton-results-api-1: failed to connect to localhost:8080 inside the pod: connection refused`,
    );
    const current = await cli(["pipelinerun", "list", "-k", developer], HOME);
    expect(current.code).toBe(1);
    expect(current.stderr).toMatch(
      /^Error: the Results API at http:\/\/127\.0\.0\.1:\d+ is unavailable: port-forward to pod tekton-results-api-1 .* connection refused\n$/,
    );
  });
});
