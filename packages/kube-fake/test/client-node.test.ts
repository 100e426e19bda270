import { PassThrough } from "node:stream";
import {
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  Log,
  PatchStrategy,
  setHeaderOptions,
  AuthenticationV1Api,
  AuthorizationV1Api,
} from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKubeFake, type KubeFake, type KubeObject } from "../src/index.js";
import { apiError, ownedTaskRun, pipelineRun, tekton, waitFor } from "./helpers.js";

let fake: KubeFake;
let kc: KubeConfig;
let custom: CustomObjectsApi;

beforeAll(async () => {
  fake = await createKubeFake({
    tokens: { "t-1": { username: "system:serviceaccount:ns:sa", groups: ["g"] } },
  });
  kc = new KubeConfig();
  kc.loadFromString(fake.kubeconfigYaml());
  custom = kc.makeApiClient(CustomObjectsApi);
});
afterAll(async () => {
  await fake.close();
});

describe("CustomObjectsApi", () => {
  it("creates, gets, lists, replaces and deletes pipelineruns, taskruns and customruns", async () => {
    for (const [plural, kind, version] of [
      ["pipelineruns", "PipelineRun", "v1"],
      ["taskruns", "TaskRun", "v1"],
      ["customruns", "CustomRun", "v1beta1"],
    ] as const) {
      const body = {
        apiVersion: `tekton.dev/${version}`,
        kind,
        metadata: { name: `crud-${plural}` },
        spec: {},
      };
      const created = (await custom.createNamespacedCustomObject({
        ...tekton(plural, version),
        body,
      })) as KubeObject;
      expect(created.metadata.uid).toBeDefined();
      const got = (await custom.getNamespacedCustomObject({
        ...tekton(plural, version),
        name: body.metadata.name,
      })) as KubeObject;
      expect(got.metadata.resourceVersion).toBe(created.metadata.resourceVersion);
      const list = (await custom.listNamespacedCustomObject(tekton(plural, version))) as {
        items: KubeObject[];
        kind: string;
      };
      expect(list.kind).toBe(`${kind}List`);
      expect(list.items.map((i) => i.metadata.name)).toContain(body.metadata.name);
      const replaced = (await custom.replaceNamespacedCustomObject({
        ...tekton(plural, version),
        name: body.metadata.name,
        body: { ...got, spec: { changed: true } },
      })) as KubeObject;
      expect(replaced.metadata.generation).toBe(2);
      await custom.deleteNamespacedCustomObject({
        ...tekton(plural, version),
        name: body.metadata.name,
      });
      const gone = await apiError(
        custom.getNamespacedCustomObject({ ...tekton(plural, version), name: body.metadata.name }),
      );
      expect(gone.code).toBe(404);
    }
  });

  it("updates status through the status subresource", async () => {
    await custom.createNamespacedCustomObject({
      ...tekton("pipelineruns"),
      body: pipelineRun("st"),
    });
    const current = (await custom.getNamespacedCustomObject({
      ...tekton("pipelineruns"),
      name: "st",
    })) as KubeObject;
    const status = { conditions: [{ type: "Succeeded", status: "True", reason: "Succeeded" }] };
    const updated = (await custom.replaceNamespacedCustomObjectStatus({
      ...tekton("pipelineruns"),
      name: "st",
      body: { ...current, status, spec: { ignored: true } },
    })) as KubeObject;
    expect(updated["status"]).toEqual(status);
    expect(updated["spec"]).toEqual(current["spec"]);
    const patched = (await custom.patchNamespacedCustomObjectStatus(
      {
        ...tekton("pipelineruns"),
        name: "st",
        body: { status: { completionTime: "2026-01-01T00:00:00Z" } },
      },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    )) as KubeObject;
    expect(patched["status"]).toMatchObject({
      completionTime: "2026-01-01T00:00:00Z",
      conditions: status.conditions,
    });
    const read = (await custom.getNamespacedCustomObjectStatus({
      ...tekton("pipelineruns"),
      name: "st",
    })) as KubeObject;
    expect(read["status"]).toEqual(patched["status"]);
  });

  it("answers 409 for a stale resourceVersion and for a uid precondition mismatch", async () => {
    const created = (await custom.createNamespacedCustomObject({
      ...tekton("pipelineruns"),
      body: pipelineRun("c409"),
    })) as KubeObject;
    await custom.patchNamespacedCustomObject(
      { ...tekton("pipelineruns"), name: "c409", body: { metadata: { labels: { a: "1" } } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    const stale = await apiError(
      custom.replaceNamespacedCustomObject({
        ...tekton("pipelineruns"),
        name: "c409",
        body: created,
      }),
    );
    expect(stale.code).toBe(409);
    expect(JSON.parse(stale.body)).toMatchObject({ reason: "Conflict", code: 409 });
    const pre = await apiError(
      custom.deleteNamespacedCustomObject({
        ...tekton("pipelineruns"),
        name: "c409",
        body: { preconditions: { uid: "not-the-uid" } },
      }),
    );
    expect(pre.code).toBe(409);
    await custom.deleteNamespacedCustomObject({
      ...tekton("pipelineruns"),
      name: "c409",
      body: { preconditions: { uid: created.metadata.uid! } },
    });
    expect(fake.get("tekton.dev/v1", "PipelineRun", "default", "c409")).toBeUndefined();
  });

  it("holds a run with finalizers (deletionTimestamp) and removes it when they are cleared", async () => {
    await custom.createNamespacedCustomObject({
      ...tekton("pipelineruns"),
      body: pipelineRun("fin", { finalizers: ["results.tekton.dev/pipelinerun"] }),
    });
    const deleting = (await custom.deleteNamespacedCustomObject({
      ...tekton("pipelineruns"),
      name: "fin",
    })) as KubeObject;
    expect(deleting.metadata.deletionTimestamp).toBeDefined();
    const still = (await custom.getNamespacedCustomObject({
      ...tekton("pipelineruns"),
      name: "fin",
    })) as KubeObject;
    expect(still.metadata.finalizers).toEqual(["results.tekton.dev/pipelinerun"]);
    await custom.patchNamespacedCustomObject({
      ...tekton("pipelineruns"),
      name: "fin",
      body: [{ op: "remove", path: "/metadata/finalizers" }],
    });
    expect(
      (await apiError(custom.getNamespacedCustomObject({ ...tekton("pipelineruns"), name: "fin" })))
        .code,
    ).toBe(404);
  });

  it("cascades deletion from an owner PipelineRun to its TaskRuns", async () => {
    const owner = (await custom.createNamespacedCustomObject({
      ...tekton("pipelineruns"),
      body: pipelineRun("owner"),
    })) as KubeObject;
    await custom.createNamespacedCustomObject({
      ...tekton("taskruns"),
      body: ownedTaskRun("owner-task", owner),
    });
    await custom.deleteNamespacedCustomObject({
      ...tekton("pipelineruns"),
      name: "owner",
      body: { propagationPolicy: "Background" },
    });
    // The garbage collector deletes the dependent shortly after the owner.
    await fake.gcIdle();
    expect(
      (
        await apiError(
          custom.getNamespacedCustomObject({ ...tekton("taskruns"), name: "owner-task" }),
        )
      ).code,
    ).toBe(404);
  });

  it("patches with JSON patch (default), merge patch and server-side apply (fieldManager, conflicts, force)", async () => {
    await custom.createNamespacedCustomObject({
      ...tekton("pipelineruns"),
      body: pipelineRun("p"),
    });
    const json = (await custom.patchNamespacedCustomObject({
      ...tekton("pipelineruns"),
      name: "p",
      body: [{ op: "add", path: "/metadata/labels", value: { a: "1" } }],
    })) as KubeObject;
    expect(json.metadata.labels).toEqual({ a: "1" });
    const merge = (await custom.patchNamespacedCustomObject(
      { ...tekton("pipelineruns"), name: "p", body: { metadata: { annotations: { n: "1" } } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    )) as KubeObject;
    expect(merge.metadata.annotations).toEqual({ n: "1" });
    const ssa = setHeaderOptions("Content-Type", PatchStrategy.ServerSideApply);
    const applyBody = (value: string) => ({
      apiVersion: "tekton.dev/v1",
      kind: "PipelineRun",
      metadata: {
        name: "p",
        namespace: "default",
        annotations: { "results.tekton.dev/result": value },
      },
    });
    const applied = (await custom.patchNamespacedCustomObject(
      {
        ...tekton("pipelineruns"),
        name: "p",
        body: applyBody("default/results/1"),
        fieldManager: "tekton-results-watcher",
      },
      ssa,
    )) as KubeObject;
    expect(applied.metadata.annotations).toEqual({
      n: "1",
      "results.tekton.dev/result": "default/results/1",
    });
    expect(applied.metadata.managedFields?.map((m) => `${m.manager}/${m.operation}`)).toContain(
      "tekton-results-watcher/Apply",
    );
    const clash = await apiError(
      custom.patchNamespacedCustomObject(
        {
          ...tekton("pipelineruns"),
          name: "p",
          body: applyBody("x"),
          fieldManager: "someone-else",
        },
        ssa,
      ),
    );
    expect(clash.code).toBe(409);
    expect(JSON.parse(clash.body).message).toContain('conflict with "tekton-results-watcher"');
    const forced = (await custom.patchNamespacedCustomObject(
      {
        ...tekton("pipelineruns"),
        name: "p",
        body: applyBody("x"),
        fieldManager: "someone-else",
        force: true,
      },
      ssa,
    )) as KubeObject;
    expect(forced.metadata.annotations?.["results.tekton.dev/result"]).toBe("x");
  });

  it("lists all namespaces with listClusterCustomObject and a label selector", async () => {
    await custom.createNamespacedCustomObject({
      ...tekton("taskruns"),
      namespace: "other",
      body: {
        apiVersion: "tekton.dev/v1",
        kind: "TaskRun",
        metadata: { name: "t1", labels: { sel: "yes" } },
      },
    });
    const list = (await custom.listClusterCustomObject({
      group: "tekton.dev",
      version: "v1",
      plural: "taskruns",
      labelSelector: "sel=yes",
    })) as { items: KubeObject[] };
    expect(list.items.map((i) => `${i.metadata.namespace}/${i.metadata.name}`)).toEqual([
      "other/t1",
    ]);
  });
});

describe("core, coordination and review APIs", () => {
  it("does lease CRUD with CoordinationV1Api", async () => {
    const api = kc.makeApiClient(CoordinationV1Api);
    const lease = await api.createNamespacedLease({
      namespace: "default",
      body: {
        metadata: { name: "leader" },
        spec: {
          holderIdentity: "a",
          leaseDurationSeconds: 15,
          acquireTime: new Date(),
          renewTime: new Date(),
        },
      },
    });
    expect(lease.spec?.holderIdentity).toBe("a");
    // MicroTime fields come back in the real server's RFC 3339 microsecond form.
    expect(String(lease.spec?.renewTime)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    lease.spec!.holderIdentity = "b";
    const replaced = await api.replaceNamespacedLease({
      namespace: "default",
      name: "leader",
      body: lease,
    });
    expect(replaced.spec?.holderIdentity).toBe("b");
    const stale = await apiError(
      api.replaceNamespacedLease({ namespace: "default", name: "leader", body: lease }),
    );
    expect(stale.code).toBe(409);
    const list = await api.listNamespacedLease({ namespace: "default" });
    expect(list.items.map((l) => l.metadata?.name)).toEqual(["leader"]);
    await api.deleteNamespacedLease({ namespace: "default", name: "leader" });
    expect(
      (await apiError(api.readNamespacedLease({ namespace: "default", name: "leader" }))).code,
    ).toBe(404);
  });

  it("answers TokenReview and SubjectAccessReview", async () => {
    const authn = kc.makeApiClient(AuthenticationV1Api);
    const review = await authn.createTokenReview({ body: { spec: { token: "t-1" } } });
    expect(review.status?.authenticated).toBe(true);
    expect(review.status?.user?.username).toBe("system:serviceaccount:ns:sa");
    const unknown = await authn.createTokenReview({ body: { spec: { token: "nope" } } });
    expect(unknown.status?.authenticated).toBeFalsy();
    const authz = kc.makeApiClient(AuthorizationV1Api);
    const sar = await authz.createSubjectAccessReview({
      body: {
        spec: {
          user: "u",
          resourceAttributes: {
            verb: "get",
            resource: "results",
            group: "results.tekton.dev",
            namespace: "ns",
          },
        },
      },
    });
    expect(sar.status?.allowed).toBe(true);
  });

  it("reads pod logs with CoreV1Api.readNamespacedPodLog and with Log (follow)", async () => {
    const core = kc.makeApiClient(CoreV1Api);
    await core.createNamespacedPod({
      namespace: "default",
      body: {
        metadata: { name: "run-pod" },
        spec: { containers: [{ name: "step-build", image: "x" }] },
      },
    });
    fake.setPodLogs("default", "run-pod", { "step-build": "hello\n" });
    expect(
      await core.readNamespacedPodLog({
        namespace: "default",
        name: "run-pod",
        container: "step-build",
      }),
    ).toBe("hello\n");

    const out = new PassThrough();
    let text = "";
    out.on("data", (c: Buffer) => (text += c.toString()));
    const ended = new Promise<void>((resolve) => out.on("end", () => resolve()));
    await new Log(kc).log("default", "run-pod", "step-build", out, { follow: true });
    await waitFor(() => text === "hello\n", "the first chunk");
    fake.appendPodLogs("default", "run-pod", { "step-build": "world\n" });
    await waitFor(() => text === "hello\nworld\n", "the appended chunk");
    await core.deleteNamespacedPod({ namespace: "default", name: "run-pod" });
    await ended;
    expect(text).toBe("hello\nworld\n");
    const missing = await apiError(new Log(kc).log("default", "no-pod", "c", new PassThrough()));
    expect(missing.code).toBe(404);
  });
});
