import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createKubeFake, KubeApiError, type KubeFake, type KubeObject } from "../src/index.js";
import { pipelineRun, rawWatch, waitFor } from "./helpers.js";

let fake: KubeFake;
beforeEach(async () => {
  fake = await createKubeFake({ bookmarkIntervalMs: 50 });
});
afterEach(async () => {
  await fake.close();
});

function errorOf(fn: () => unknown): KubeApiError {
  try {
    fn();
  } catch (e) {
    if (e instanceof KubeApiError) return e;
    throw e;
  }
  throw new Error("expected a KubeApiError");
}

const PR = ["tekton.dev/v1", "PipelineRun"] as const;
const TR = ["tekton.dev/v1", "TaskRun"] as const;

/** A controller ownerReference to `owner`. */
function ownerRef(owner: KubeObject) {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name,
    uid: owner.metadata.uid!,
    controller: true,
  };
}

/** A TaskRun owned by `owners`. */
function taskRun(
  name: string,
  owners: ReturnType<typeof ownerRef>[],
  extra: Partial<KubeObject["metadata"]> = {},
): KubeObject {
  return {
    apiVersion: "tekton.dev/v1",
    kind: "TaskRun",
    metadata: { name, namespace: "default", ownerReferences: owners, ...extra },
    spec: {},
  };
}

describe("direct API: create/get/update", () => {
  it("fills server fields and bumps one global resourceVersion", () => {
    const a = fake.create(pipelineRun("a"));
    const b = fake.create({
      ...pipelineRun(""),
      metadata: { name: "", generateName: "gen-", namespace: "default" },
    });
    expect(a.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.metadata.creationTimestamp).toMatch(/Z$/);
    expect(a.metadata.generation).toBe(1);
    expect(Number(b.metadata.resourceVersion)).toBe(Number(a.metadata.resourceVersion) + 1);
    expect(b.metadata.name).toMatch(/^gen-[a-z0-9]{5}$/);
    expect(fake.get(...PR, "default", "a")?.metadata.uid).toBe(a.metadata.uid);
    expect(fake.get(...PR, "default", "nope")).toBeUndefined();
  });

  it("refuses duplicates (409 AlreadyExists) and bad names (422)", () => {
    fake.create(pipelineRun("a"));
    const dup = errorOf(() => fake.create(pipelineRun("a")));
    expect(dup.code).toBe(409);
    expect(dup.status.reason).toBe("AlreadyExists");
    expect(dup.status.details).toEqual({ name: "a", group: "tekton.dev", kind: "pipelineruns" });
    expect(errorOf(() => fake.create(pipelineRun("Bad_Name"))).code).toBe(422);
  });

  it("checks resourceVersion on update (409 Conflict) and bumps generation only on spec change", () => {
    const a = fake.create(pipelineRun("a"));
    const labelled = fake.update({ ...a, metadata: { ...a.metadata, labels: { x: "1" } } });
    expect(labelled.metadata.generation).toBe(1);
    const stale = errorOf(() => fake.update({ ...a, spec: { changed: true } }));
    expect(stale.code).toBe(409);
    expect(stale.status.reason).toBe("Conflict");
    expect(stale.message).toContain("the object has been modified");
    const changed = fake.update({ ...labelled, spec: { changed: true } });
    expect(changed.metadata.generation).toBe(2);
  });

  it("keeps status on the main resource and only status on the status subresource", () => {
    const a = fake.create({ ...pipelineRun("a"), status: { phase: "initial" } });
    expect(a["status"]).toEqual({ phase: "initial" });
    const main = fake.update({
      ...a,
      status: { phase: "ignored" },
      metadata: { ...a.metadata, labels: { l: "1" } },
    });
    expect(main["status"]).toEqual({ phase: "initial" });
    const status = fake.update(
      {
        ...main,
        status: { phase: "done" },
        metadata: { ...main.metadata, labels: { l: "ignored" } },
      },
      { subresource: "status" },
    );
    expect(status["status"]).toEqual({ phase: "done" });
    expect(status.metadata.labels).toEqual({ l: "1" });
  });

  it("does not write a no-op update (same resourceVersion, no event)", () => {
    const a = fake.create(pipelineRun("a"));
    const again = fake.update(a);
    expect(again.metadata.resourceVersion).toBe(a.metadata.resourceVersion);
  });

  it("creates missing namespaces by default, refuses them when autoCreateNamespaces is off", async () => {
    fake.create({ ...pipelineRun("a"), metadata: { name: "a", namespace: "team" } });
    expect(fake.get("v1", "Namespace", undefined, "team")?.["status"]).toEqual({ phase: "Active" });
    const strict = await createKubeFake({ autoCreateNamespaces: false });
    try {
      const err = errorOf(() =>
        strict.create({ ...pipelineRun("a"), metadata: { name: "a", namespace: "team" } }),
      );
      expect(err.code).toBe(404);
      expect(err.message).toBe('namespaces "team" not found');
      expect(strict.create(pipelineRun("b")).metadata.namespace).toBe("default");
    } finally {
      await strict.close();
    }
  });
});

describe("direct API: patch", () => {
  it("merge-patches and JSON-patches (with test)", () => {
    fake.create(pipelineRun("a", { labels: { a: "1" } }));
    const merged = fake.patch(...PR, "default", "a", { metadata: { labels: { a: null, b: "2" } } });
    expect(merged.metadata.labels).toEqual({ b: "2" });
    const json = fake.patch(
      ...PR,
      "default",
      "a",
      [
        { op: "test", path: "/metadata/labels/b", value: "2" },
        { op: "add", path: "/metadata/labels/c", value: "3" },
      ],
      { type: "json" },
    );
    expect(json.metadata.labels).toEqual({ b: "2", c: "3" });
    expect(
      errorOf(() =>
        fake.patch(
          ...PR,
          "default",
          "a",
          [{ op: "test", path: "/metadata/labels/b", value: "x" }],
          { type: "json" },
        ),
      ).code,
    ).toBe(422);
  });

  it("server-side applies with field ownership: conflicts 409, force takes over, apply creates", () => {
    const created = fake.patch(
      ...PR,
      "default",
      "new",
      pipelineRun("new", { annotations: { k: "v" } }),
      { type: "apply", fieldManager: "a" },
    );
    expect(created.metadata.uid).toBeDefined();
    expect(created.metadata.managedFields?.[0]).toMatchObject({
      manager: "a",
      operation: "Apply",
      fieldsType: "FieldsV1",
    });
    const conflict = errorOf(() =>
      fake.patch(...PR, "default", "new", pipelineRun("new", { annotations: { k: "other" } }), {
        type: "apply",
        fieldManager: "b",
      }),
    );
    expect(conflict.code).toBe(409);
    expect(conflict.status.reason).toBe("Conflict");
    expect(conflict.message).toContain('conflict with "a"');
    expect(conflict.status.details?.causes?.[0]).toMatchObject({
      reason: "FieldManagerConflict",
      field: ".metadata.annotations.k",
    });
    const forced = fake.patch(
      ...PR,
      "default",
      "new",
      pipelineRun("new", { annotations: { k: "other" } }),
      {
        type: "apply",
        fieldManager: "b",
        force: true,
      },
    );
    expect(forced.metadata.annotations).toEqual({ k: "other" });
    const byDefault = fake.patch(
      ...PR,
      "default",
      "new",
      pipelineRun("new", { labels: { l: "1" } }),
      { type: "apply" },
    );
    expect(byDefault.metadata.managedFields?.map((m) => m.manager)).toContain("kube-fake");
  });

  it("patches status through the status subresource only", () => {
    fake.create(pipelineRun("a"));
    const out = fake.patch(
      ...PR,
      "default",
      "a",
      { status: { done: true }, metadata: { labels: { no: "x" } } },
      { subresource: "status" },
    );
    expect(out["status"]).toEqual({ done: true });
    expect(out.metadata.labels).toBeUndefined();
  });
});

describe("direct API: server-side apply on the status subresource", () => {
  it("applies only status, recorded with subresource status", () => {
    fake.create(pipelineRun("a"));
    const out = fake.patch(
      ...PR,
      "default",
      "a",
      {
        ...pipelineRun("a", { labels: { ignored: "x" } }),
        status: { startTime: "2026-01-01T00:00:00Z" },
      },
      { type: "apply", subresource: "status", fieldManager: "controller" },
    );
    expect(out["status"]).toEqual({ startTime: "2026-01-01T00:00:00Z" });
    expect(out.metadata.labels).toBeUndefined();
    const entry = out.metadata.managedFields?.find((m) => m.manager === "controller");
    expect(entry).toMatchObject({
      operation: "Apply",
      subresource: "status",
      fieldsV1: { "f:status": { "f:startTime": {} } },
    });
  });
});

describe("direct API: deletion, finalizers and garbage collection", () => {
  it("deletes with uid and resourceVersion preconditions (409 on mismatch)", () => {
    const a = fake.create(pipelineRun("a"));
    const bad = errorOf(() =>
      fake.delete(...PR, "default", "a", { preconditions: { uid: "other" } }),
    );
    expect(bad.code).toBe(409);
    expect(bad.message).toContain("Precondition failed: UID in precondition: other");
    expect(
      errorOf(() =>
        fake.delete(...PR, "default", "a", { preconditions: { resourceVersion: "999" } }),
      ).code,
    ).toBe(409);
    expect(
      fake.delete(...PR, "default", "a", { preconditions: { uid: a.metadata.uid! } })?.metadata
        .name,
    ).toBe("a");
    expect(fake.get(...PR, "default", "a")).toBeUndefined();
    expect(fake.delete(...PR, "default", "a")).toBeUndefined();
  });

  it("holds an object with finalizers until they are removed, and refuses new finalizers meanwhile", () => {
    fake.create(pipelineRun("a", { finalizers: ["x/one", "x/two"] }));
    const deleting = fake.delete(...PR, "default", "a")!;
    expect(deleting.metadata.deletionTimestamp).toBeDefined();
    expect(deleting.metadata.deletionGracePeriodSeconds).toBe(0);
    const refused = errorOf(() =>
      fake.patch(...PR, "default", "a", {
        metadata: { finalizers: ["x/one", "x/two", "x/three"] },
      }),
    );
    expect(refused.code).toBe(422);
    expect(refused.message).toContain(
      "no new finalizers can be added if the object is being deleted",
    );
    fake.patch(...PR, "default", "a", { metadata: { finalizers: ["x/two"] } });
    expect(fake.get(...PR, "default", "a")?.metadata.finalizers).toEqual(["x/two"]);
    fake.patch(...PR, "default", "a", { metadata: { finalizers: null } });
    expect(fake.get(...PR, "default", "a")).toBeUndefined();
  });

  it("deletes dependents after the owner is removed (garbage collector, not in the delete call)", async () => {
    const owner = fake.create(pipelineRun("owner"));
    const ref = ownerRef(owner);
    fake.create(taskRun("child", [ref]));
    fake.create({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "child-pod", namespace: "default", ownerReferences: [ref] },
      spec: { containers: [{ name: "step" }] },
    });
    expect(fake.delete(...PR, "default", "owner")).toBeDefined();
    expect(fake.get(...PR, "default", "owner")).toBeUndefined();
    // The collector has not run yet: the dependents are still there.
    expect(fake.get(...TR, "default", "child")).toBeDefined();
    expect(fake.get("v1", "Pod", "default", "child-pod")).toBeDefined();
    await fake.gcIdle();
    expect(fake.get(...TR, "default", "child")).toBeUndefined();
    expect(fake.get("v1", "Pod", "default", "child-pod")).toBeUndefined();
  });

  it("cascades through several levels, each after the collector's delay", async () => {
    const top = fake.create(pipelineRun("top"));
    const mid = fake.create(taskRun("mid", [ownerRef(top)]));
    fake.create({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "leaf", namespace: "default", ownerReferences: [ownerRef(mid)] },
      spec: { containers: [{ name: "step" }] },
    });
    fake.delete(...PR, "default", "top");
    await waitFor(() => !fake.get(...TR, "default", "mid"), "mid collected");
    await fake.gcIdle();
    expect(fake.get("v1", "Pod", "default", "leaf")).toBeUndefined();
  });

  it("only drops the dangling ownerReference of a dependent that has another owner", async () => {
    const a = fake.create(pipelineRun("a"));
    const b = fake.create(pipelineRun("b"));
    const bRef = { ...ownerRef(b), controller: false };
    fake.create(taskRun("shared", [ownerRef(a), bRef]));
    fake.delete(...PR, "default", "a");
    await fake.gcIdle();
    expect(fake.get(...TR, "default", "shared")?.metadata.ownerReferences).toEqual([bRef]);
    fake.delete(...PR, "default", "b");
    await fake.gcIdle();
    expect(fake.get(...TR, "default", "shared")).toBeUndefined();
  });

  it("orphans dependents with Orphan: the owner waits (finalizer orphan) until they lost their reference", async () => {
    const owner = fake.create(pipelineRun("owner", { finalizers: ["hold"] }));
    fake.create(taskRun("child", [ownerRef(owner)]));
    const deleting = fake.delete(...PR, "default", "owner", { propagationPolicy: "Orphan" })!;
    expect(deleting.metadata.finalizers).toEqual(["hold", "orphan"]);
    expect(deleting.metadata.deletionTimestamp).toBeDefined();
    expect(fake.get(...TR, "default", "child")?.metadata.ownerReferences).toHaveLength(1);
    await fake.gcIdle();
    // The collector orphaned the child and removed its finalizer; "hold" still keeps the owner.
    expect(fake.get(...TR, "default", "child")?.metadata.ownerReferences).toBeUndefined();
    expect(fake.get(...PR, "default", "owner")?.metadata.finalizers).toEqual(["hold"]);
    fake.patch(...PR, "default", "owner", { metadata: { finalizers: [] } });
    expect(fake.get(...PR, "default", "owner")).toBeUndefined();
    await fake.gcIdle();
    expect(fake.get(...TR, "default", "child")).toBeDefined();
  });

  it("keeps a dependent with finalizers until released (cascade respects finalizers)", async () => {
    const owner = fake.create(pipelineRun("owner"));
    fake.create(taskRun("held", [ownerRef(owner)], { finalizers: ["results"] }));
    fake.delete(...PR, "default", "owner");
    await fake.gcIdle();
    const held = fake.get(...TR, "default", "held");
    expect(held?.metadata.deletionTimestamp).toBeDefined();
    fake.patch(...TR, "default", "held", [{ op: "remove", path: "/metadata/finalizers" }], {
      type: "json",
    });
    expect(fake.get(...TR, "default", "held")).toBeUndefined();
  });

  it("holds an owner deleted in Foreground (foregroundDeletion) until its dependents are gone", async () => {
    const owner = fake.create(pipelineRun("fg"));
    const ref = { ...ownerRef(owner), blockOwnerDeletion: true };
    fake.create(taskRun("free", [ref]));
    fake.create(taskRun("held", [ref], { finalizers: ["results"] }));
    const deleting = fake.delete(...PR, "default", "fg", { propagationPolicy: "Foreground" })!;
    expect(deleting.metadata.finalizers).toEqual(["foregroundDeletion"]);
    expect(deleting.metadata.deletionTimestamp).toBeDefined();
    expect(fake.get(...TR, "default", "free")).toBeDefined();
    await fake.gcIdle();
    expect(fake.get(...TR, "default", "free")).toBeUndefined();
    expect(fake.get(...TR, "default", "held")?.metadata.deletionTimestamp).toBeDefined();
    expect(fake.get(...PR, "default", "fg")).toBeDefined();
    fake.patch(...TR, "default", "held", { metadata: { finalizers: null } });
    expect(fake.get(...TR, "default", "held")).toBeUndefined();
    expect(fake.get(...PR, "default", "fg")).toBeDefined();
    await fake.gcIdle();
    expect(fake.get(...PR, "default", "fg")).toBeUndefined();
  });

  it("holds even an owner without dependents in Foreground until the collector has looked", async () => {
    fake.create(pipelineRun("alone"));
    const deleting = fake.delete(...PR, "default", "alone", { propagationPolicy: "Foreground" })!;
    expect(deleting.metadata.finalizers).toEqual(["foregroundDeletion"]);
    expect(fake.get(...PR, "default", "alone")).toBeDefined();
    await fake.gcIdle();
    expect(fake.get(...PR, "default", "alone")).toBeUndefined();
  });

  it("lists by namespace and label selector in name order", () => {
    fake.create(pipelineRun("b", { labels: { app: "x" } }));
    fake.create(pipelineRun("a", { labels: { app: "x" } }));
    fake.create(pipelineRun("c", { labels: { app: "y" } }));
    fake.create({
      ...pipelineRun("d"),
      metadata: { name: "d", namespace: "other", labels: { app: "x" } },
    });
    expect(
      fake
        .list(...PR, { namespace: "default", labelSelector: "app=x" })
        .map((o) => o.metadata.name),
    ).toEqual(["a", "b"]);
    expect(
      fake
        .list(...PR, { labelSelector: "app in (x)" })
        .map((o) => `${o.metadata.namespace}/${o.metadata.name}`),
    ).toEqual(["default/a", "default/b", "other/d"]);
  });
});

describe("direct API changes reach HTTP watches", () => {
  it("streams ADDED, MODIFIED (incl. deletionTimestamp) and DELETED for direct writes", async () => {
    const w = await rawWatch(
      `${fake.url}/apis/tekton.dev/v1/namespaces/default/pipelineruns?watch=true`,
    );
    try {
      fake.create(pipelineRun("a", { finalizers: ["f"] }));
      fake.delete(...PR, "default", "a");
      fake.patch(...PR, "default", "a", { metadata: { finalizers: null } });
      await waitFor(() => w.events.length >= 4, "4 events");
      expect(w.events.map((e) => e.type)).toEqual(["ADDED", "MODIFIED", "MODIFIED", "DELETED"]);
      expect(w.events[1]!.object.metadata.deletionTimestamp).toBeDefined();
      const rvs = w.events.map((e) => Number(e.object.metadata.resourceVersion));
      expect([...rvs].sort((x, y) => x - y)).toEqual(rvs);
      expect(new Set(rvs).size).toBe(4);
    } finally {
      w.close();
    }
  });

  it("tracks request counts per verb and resource (HTTP only) and resets them", async () => {
    await fetch(`${fake.url}/apis/tekton.dev/v1/namespaces/default/pipelineruns`);
    await fetch(`${fake.url}/apis/tekton.dev/v1/pipelineruns`);
    await fetch(`${fake.url}/api/v1/namespaces/default/pods/nope/log`);
    fake.create(pipelineRun("direct"));
    expect(fake.requestCounts()).toEqual({ "list pipelineruns": 2, "get pods/log": 1 });
    fake.resetRequestCounts();
    expect(fake.requestCounts()).toEqual({});
  });
});
