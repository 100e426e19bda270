import {
  AuthenticationV1Api,
  AuthorizationV1Api,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  makeInformer,
  RbacAuthorizationV1Api,
  type V1ClusterRole,
} from "@kubernetes/client-node";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createKubeFake, type KubeFake } from "../src/index.js";
import { apiError, pipelineRun, waitFor } from "./helpers.js";

const RBAC = "rbac.authorization.k8s.io";

function config(fake: KubeFake, token?: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(fake.kubeconfigYaml(token ? { token } : {}));
  return kc;
}

const runs = (namespace: string) => ({
  group: "tekton.dev",
  version: "v1",
  namespace,
  plural: "pipelineruns",
});

describe("RBAC", () => {
  let fake: KubeFake;
  let admin: RbacAuthorizationV1Api;
  let saToken: string;
  let asSa: CustomObjectsApi;

  beforeEach(async () => {
    fake = await createKubeFake({ rbac: true });
    admin = config(fake).makeApiClient(RbacAuthorizationV1Api);
    saToken = fake.serviceAccountToken("ci", "watcher");
    asSa = config(fake, saToken).makeApiClient(CustomObjectsApi);
    fake.create(pipelineRun("a", { namespace: "ci" }));
    fake.create(pipelineRun("b", { namespace: "ci" }));
    fake.create(pipelineRun("c", { namespace: "other" }));
  });
  afterEach(async () => {
    await fake.close();
  });

  const clusterRole = (
    name: string,
    rules: V1ClusterRole["rules"],
    labels?: Record<string, string>,
  ) =>
    admin.createClusterRole({ body: { metadata: { name, ...(labels ? { labels } : {}) }, rules } });
  const bindCluster = (name: string, role: string) =>
    admin.createClusterRoleBinding({
      body: {
        metadata: { name },
        roleRef: { apiGroup: RBAC, kind: "ClusterRole", name: role },
        subjects: [{ kind: "ServiceAccount", name: "watcher", namespace: "ci" }],
      },
    });
  const bindIn = (namespace: string, name: string, kind: "Role" | "ClusterRole", role: string) =>
    admin.createNamespacedRoleBinding({
      namespace,
      body: {
        metadata: { name },
        roleRef: { apiGroup: RBAC, kind, name: role },
        subjects: [{ kind: "ServiceAccount", name: "watcher" }],
      },
    });

  it("denies a ServiceAccount without rules with kube-apiserver's 403", async () => {
    const err = await apiError(asSa.listNamespacedCustomObject(runs("ci")));
    expect(err.code).toBe(403);
    const status = JSON.parse(err.body) as Record<string, unknown>;
    expect(status).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message:
        'pipelineruns.tekton.dev is forbidden: User "system:serviceaccount:ci:watcher" cannot list resource "pipelineruns" in API group "tekton.dev" in the namespace "ci"',
      reason: "Forbidden",
      details: { group: "tekton.dev", kind: "pipelineruns" },
      code: 403,
    });
    expect(fake.deniedRequests()).toEqual([
      {
        code: 403,
        user: "system:serviceaccount:ci:watcher",
        verb: "list",
        group: "tekton.dev",
        resource: "pipelineruns",
        namespace: "ci",
        path: "/apis/tekton.dev/v1/namespaces/ci/pipelineruns",
        message: status["message"],
      },
    ]);
    const named = await apiError(asSa.getNamespacedCustomObject({ ...runs("ci"), name: "a" }));
    expect(JSON.parse(named.body).message).toBe(
      'pipelineruns.tekton.dev "a" is forbidden: User "system:serviceaccount:ci:watcher" cannot get resource "pipelineruns" in API group "tekton.dev" in the namespace "ci"',
    );
  });

  it("grants a ClusterRole everywhere through a ClusterRoleBinding, verb by verb", async () => {
    await clusterRole("runs-reader", [
      { apiGroups: ["tekton.dev"], resources: ["pipelineruns"], verbs: ["list"] },
    ]);
    await bindCluster("runs-reader", "runs-reader");
    const list = (await asSa.listNamespacedCustomObject(runs("other"))) as { items: unknown[] };
    expect(list.items).toHaveLength(1);
    await asSa.listClusterCustomObject({
      group: "tekton.dev",
      version: "v1",
      plural: "pipelineruns",
    });
    // list is not get, nor watch
    expect(
      (await apiError(asSa.getNamespacedCustomObject({ ...runs("ci"), name: "a" }))).code,
    ).toBe(403);
    const res = await fetch(
      `${fake.url}/apis/tekton.dev/v1/namespaces/ci/pipelineruns?watch=true`,
      {
        headers: { Authorization: `Bearer ${saToken}` },
      },
    );
    expect(res.status).toBe(403);
    expect(((await res.json()) as { message: string }).message).toContain(
      'cannot watch resource "pipelineruns"',
    );
    // nor another resource, nor the status subresource
    expect(
      (await apiError(asSa.listNamespacedCustomObject({ ...runs("ci"), plural: "taskruns" }))).code,
    ).toBe(403);
    const status = await apiError(
      asSa.patchNamespacedCustomObjectStatus({ ...runs("ci"), name: "a", body: { status: {} } }),
    );
    expect(JSON.parse(status.body).message).toContain(
      'cannot patch resource "pipelineruns/status"',
    );
  });

  it("runs a client-node informer with exactly list and watch", async () => {
    const kc = config(fake, saToken);
    const api = kc.makeApiClient(CustomObjectsApi);
    const list = () =>
      api.listClusterCustomObject({ group: "tekton.dev", version: "v1", plural: "pipelineruns" });
    const informer = makeInformer(kc, "/apis/tekton.dev/v1/pipelineruns", list);
    const seen: string[] = [];
    informer.on("add", (o) => seen.push(o.metadata?.name ?? ""));
    informer.on("error", () => seen.push("error"));
    // Without the rules its list fails with 403 and the informer reports an error.
    await informer.start().catch(() => undefined);
    await waitFor(() => seen.includes("error"), "the informer's error");
    expect(fake.deniedRequests().map((d) => `${d.verb} ${d.resource}`)).toEqual([
      "list pipelineruns",
    ]);
    await clusterRole("runs-watcher", [
      { apiGroups: ["tekton.dev"], resources: ["pipelineruns"], verbs: ["list", "watch"] },
    ]);
    await bindCluster("runs-watcher", "runs-watcher");
    await informer.start();
    fake.create(pipelineRun("d", { namespace: "ci" }));
    await waitFor(() => seen.includes("d"), "the informer to see d");
    expect(seen.filter((x) => x !== "error").sort()).toEqual(["a", "b", "c", "d"]);
    await informer.stop();
  });

  it("grants Roles and ClusterRoles through a RoleBinding in its namespace only", async () => {
    const core = config(fake).makeApiClient(RbacAuthorizationV1Api);
    await core.createNamespacedRole({
      namespace: "ci",
      body: {
        metadata: { name: "leases" },
        rules: [
          { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["create", "get"] },
        ],
      },
    });
    await bindIn("ci", "leases", "Role", "leases");
    await clusterRole("runs-all", [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }]);
    await bindIn("ci", "runs-all", "ClusterRole", "runs-all");
    const leases = config(fake, saToken).makeApiClient(CoordinationV1Api);
    await leases.createNamespacedLease({
      namespace: "ci",
      body: { metadata: { name: "l" }, spec: {} },
    });
    expect(
      (
        await apiError(
          leases.createNamespacedLease({
            namespace: "other",
            body: { metadata: { name: "l" }, spec: {} },
          }),
        )
      ).code,
    ).toBe(403);
    await asSa.deleteNamespacedCustomObject({ ...runs("ci"), name: "a" });
    expect(
      (await apiError(asSa.deleteNamespacedCustomObject({ ...runs("other"), name: "c" }))).code,
    ).toBe(403);
    // Cluster-scoped requests are never granted by a RoleBinding.
    const err = await apiError(config(fake, saToken).makeApiClient(CoreV1Api).listNamespace());
    expect(JSON.parse(err.body).message).toBe(
      'namespaces is forbidden: User "system:serviceaccount:ci:watcher" cannot list resource "namespaces" in API group "" at the cluster scope',
    );
  });

  it("matches resourceNames, subresources and */subresource", async () => {
    await clusterRole("one-run", [
      {
        apiGroups: ["tekton.dev"],
        resources: ["pipelineruns"],
        resourceNames: ["a"],
        verbs: ["get", "watch", "list"],
      },
      { apiGroups: ["tekton.dev"], resources: ["*/status"], verbs: ["patch"] },
    ]);
    await bindCluster("one-run", "one-run");
    await asSa.getNamespacedCustomObject({ ...runs("ci"), name: "a" });
    expect(
      (await apiError(asSa.getNamespacedCustomObject({ ...runs("ci"), name: "b" }))).code,
    ).toBe(403);
    expect((await apiError(asSa.listNamespacedCustomObject(runs("ci")))).code).toBe(403);
    // A list of one object by field selector is authorized for that name.
    await asSa.listNamespacedCustomObject({ ...runs("ci"), fieldSelector: "metadata.name=a" });
    await asSa.patchNamespacedCustomObjectStatus({
      ...runs("ci"),
      name: "b",
      body: [{ op: "add", path: "/status", value: { x: 1 } }],
    });
    expect(
      (await apiError(asSa.patchNamespacedCustomObject({ ...runs("ci"), name: "a", body: {} })))
        .code,
    ).toBe(403);
  });

  it("needs create too for a server-side apply that creates", async () => {
    await clusterRole("lease-patcher", [
      { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["patch"] },
    ]);
    await bindCluster("lease-patcher", "lease-patcher");
    const apply = () =>
      fetch(`${fake.url}/apis/coordination.k8s.io/v1/namespaces/ci/leases/l?fieldManager=t`, {
        method: "PATCH",
        headers: {
          Authorization: `Bearer ${saToken}`,
          "Content-Type": "application/apply-patch+yaml",
        },
        body: JSON.stringify({
          apiVersion: "coordination.k8s.io/v1",
          kind: "Lease",
          metadata: { name: "l" },
        }),
      });
    const denied = await apply();
    expect(denied.status).toBe(403);
    expect(((await denied.json()) as { message: string }).message).toBe(
      'leases.coordination.k8s.io "l" is forbidden: ',
    );
    fake.create({
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: { name: "l", namespace: "ci" },
    });
    expect((await apply()).status).toBe(200);
  });

  it("names a missing role in the reason of a denial", async () => {
    await bindCluster("dangling", "no-such-role");
    const err = await apiError(asSa.listNamespacedCustomObject(runs("ci")));
    expect(JSON.parse(err.body).message).toBe(
      `pipelineruns.tekton.dev is forbidden: User "system:serviceaccount:ci:watcher" cannot list resource "pipelineruns" in API group "tekton.dev" in the namespace "ci": RBAC: clusterrole.${RBAC} "no-such-role" not found`,
    );
  });

  it("aggregates ClusterRoles into view, edit and admin and keeps them current", async () => {
    const read = {
      apiGroups: ["results.tekton.dev"],
      resources: ["results"],
      verbs: ["get", "list"],
    };
    const write = { apiGroups: ["results.tekton.dev"], resources: ["results"], verbs: ["create"] };
    await clusterRole("results-viewer", [read], { [`${RBAC}/aggregate-to-view`]: "true" });
    await clusterRole("results-editor", [write], { [`${RBAC}/aggregate-to-edit`]: "true" });
    const rules = async (name: string) => (await admin.readClusterRole({ name })).rules;
    expect(await rules("view")).toEqual([read]);
    expect(await rules("edit")).toEqual([write, read]);
    expect(await rules("admin")).toEqual([write, read]);
    await bindIn("ci", "can-view", "ClusterRole", "view");
    const sar = config(fake, saToken).makeApiClient(AuthorizationV1Api);
    const can = async (verb: string, namespace = "ci") =>
      (
        await sar.createSelfSubjectAccessReview({
          body: {
            spec: {
              resourceAttributes: {
                group: "results.tekton.dev",
                resource: "results",
                verb,
                namespace,
              },
            },
          },
        })
      ).status?.allowed;
    expect(await can("list")).toBe(true);
    expect(await can("list", "other")).toBe(false);
    expect(await can("create")).toBe(false);
    await admin.patchClusterRole({
      name: "results-viewer",
      body: [{ op: "replace", path: "/rules/0/verbs", value: ["get"] }],
    });
    expect(await can("list")).toBe(false);
    await admin.deleteClusterRole({ name: "results-viewer" });
    expect(await rules("view")).toEqual([]);
    expect(await rules("admin")).toEqual([write]);
  });

  it("authenticates: the admin is allowed, unknown tokens get 401, no token is anonymous", async () => {
    expect(
      (await config(fake).makeApiClient(CoreV1Api).listNamespace()).items.length,
    ).toBeGreaterThan(0);
    const bad = await fetch(`${fake.url}/api/v1/namespaces`, {
      headers: { Authorization: "Bearer nope" },
    });
    expect(bad.status).toBe(401);
    expect(((await bad.json()) as { reason: string }).reason).toBe("Unauthorized");
    const anon = await fetch(`${fake.url}/api/v1/namespaces`);
    expect(((await anon.json()) as { message: string }).message).toContain(
      'User "system:anonymous" cannot list',
    );
    expect((await fetch(`${fake.url}/healthz`)).status).toBe(200);
    // Discovery is open to authenticated users (system:discovery), not to anonymous ones.
    expect(
      (await fetch(`${fake.url}/apis`, { headers: { Authorization: `Bearer ${saToken}` } })).status,
    ).toBe(200);
    const apis = await fetch(`${fake.url}/apis`);
    expect(((await apis.json()) as { message: string }).message).toBe(
      'forbidden: User "system:anonymous" cannot get path "/apis"',
    );
  });

  it("answers TokenReview for minted tokens and SubjectAccessReview by RBAC", async () => {
    const user = fake.mintToken({ username: "alice", groups: ["devs"] });
    const authn = config(fake).makeApiClient(AuthenticationV1Api);
    const review = await authn.createTokenReview({ body: { spec: { token: saToken } } });
    expect(review.status?.user).toEqual({
      username: "system:serviceaccount:ci:watcher",
      groups: ["system:serviceaccounts", "system:serviceaccounts:ci", "system:authenticated"],
    });
    await clusterRole("devs", [
      { apiGroups: ["tekton.dev"], resources: ["taskruns"], verbs: ["get"] },
    ]);
    await admin.createClusterRoleBinding({
      body: {
        metadata: { name: "devs" },
        roleRef: { apiGroup: RBAC, kind: "ClusterRole", name: "devs" },
        subjects: [{ apiGroup: RBAC, kind: "Group", name: "devs" }],
      },
    });
    const authz = config(fake).makeApiClient(AuthorizationV1Api);
    const sar = (u: string, groups: string[]) =>
      authz.createSubjectAccessReview({
        body: {
          spec: {
            user: u,
            groups,
            resourceAttributes: {
              group: "tekton.dev",
              resource: "taskruns",
              verb: "get",
              namespace: "x",
            },
          },
        },
      });
    expect((await sar("alice", ["devs"])).status).toEqual({
      allowed: true,
      reason: `RBAC: allowed by ClusterRoleBinding "devs" of ClusterRole "devs" to Group "devs"`,
    });
    expect((await sar("bob", ["ops"])).status?.allowed).toBe(false);
    // The caller needs the right to review: system:auth-delegator.
    const asAlice = config(fake, user).makeApiClient(AuthorizationV1Api);
    expect(
      (
        await apiError(
          asAlice.createSubjectAccessReview({
            body: { spec: { user: "x", nonResourceAttributes: { path: "/", verb: "get" } } },
          }),
        )
      ).code,
    ).toBe(403);
    await bindCluster("delegator", "system:auth-delegator");
    const asSaAuthz = config(fake, saToken).makeApiClient(AuthorizationV1Api);
    const allowed = await asSaAuthz.createSubjectAccessReview({
      body: {
        spec: {
          user: "bob",
          groups: ["system:authenticated"],
          nonResourceAttributes: { path: "/healthz", verb: "get" },
        },
      },
    });
    expect(allowed.status?.allowed).toBe(true);
  });

  it("checks impersonation with the impersonate verb and acts as the impersonated user", async () => {
    const alice = fake.mintToken({ username: "alice" });
    await clusterRole("runs-reader", [
      { apiGroups: ["tekton.dev"], resources: ["pipelineruns"], verbs: ["list"] },
    ]);
    await bindCluster("runs-reader", "runs-reader");
    const headers = {
      Authorization: `Bearer ${alice}`,
      "Impersonate-User": "system:serviceaccount:ci:watcher",
    };
    const path = `${fake.url}/apis/tekton.dev/v1/namespaces/ci/pipelineruns`;
    const denied = await fetch(path, { headers });
    expect(((await denied.json()) as { message: string }).message).toBe(
      'serviceaccounts "watcher" is forbidden: User "alice" cannot impersonate resource "serviceaccounts" in API group "" in the namespace "ci"',
    );
    await clusterRole("impersonator", [
      {
        apiGroups: [""],
        resources: ["serviceaccounts"],
        verbs: ["impersonate"],
        resourceNames: ["watcher"],
      },
    ]);
    await admin.createClusterRoleBinding({
      body: {
        metadata: { name: "impersonator" },
        roleRef: { apiGroup: RBAC, kind: "ClusterRole", name: "impersonator" },
        subjects: [{ apiGroup: RBAC, kind: "User", name: "alice" }],
      },
    });
    expect((await fetch(path, { headers })).status).toBe(200);
    const other = await fetch(path.replace("/ci/", "/other/"), {
      headers: { ...headers, "Impersonate-Group": "admins" },
    });
    expect(((await other.json()) as { message: string }).message).toContain(
      'groups "admins" is forbidden: User "alice" cannot impersonate resource "groups"',
    );
  });
});
