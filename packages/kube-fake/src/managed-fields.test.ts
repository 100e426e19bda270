import { describe, expect, it } from "vitest";
import { fieldSetOf, fromFieldsV1, toFieldsV1 } from "./field-sets.js";
import { readOwnership, recordUpdate, serverSideApply, type Actor } from "./managed-fields.js";
import type { KubeObject } from "./types.js";

const actor = (manager: string): Actor => ({
  manager,
  apiVersion: "tekton.dev/v1",
  time: "2026-01-01T00:00:00Z",
});

function run(
  meta: Partial<KubeObject["metadata"]> = {},
  rest: Record<string, unknown> = {},
): KubeObject {
  return {
    apiVersion: "tekton.dev/v1",
    kind: "PipelineRun",
    metadata: { name: "r", namespace: "ns", ...meta },
    ...rest,
  };
}

describe("field sets", () => {
  it("lists leaves, set items (finalizers) and keyed items (ownerReferences), never server metadata", () => {
    const set = fieldSetOf(
      run(
        {
          uid: "u",
          resourceVersion: "5",
          labels: { a: "1" },
          finalizers: ["f"],
          ownerReferences: [{ apiVersion: "v1", kind: "X", name: "x", uid: "o1" }],
        },
        { spec: { params: [1, 2], timeouts: { pipeline: "1h" } }, status: { x: 1 } },
      ),
      "main",
    );
    const keys = [...set.values()].map((p) => p.join("/"));
    expect(keys.sort()).toEqual(
      [
        "f:metadata/f:labels/f:a",
        'f:metadata/f:finalizers/v:"f"',
        'f:metadata/f:ownerReferences/k:{"uid":"o1"}',
        "f:spec/f:params",
        "f:spec/f:timeouts/f:pipeline",
      ].sort(),
    );
  });

  it("round-trips through the FieldsV1 form, with '.' markers on sets", () => {
    const set = fieldSetOf(
      run({ labels: { a: "1" }, finalizers: ["f"] }, { spec: { x: 1 } }),
      "all",
    );
    const v1 = toFieldsV1(set);
    expect(v1).toEqual({
      "f:metadata": { "f:labels": { "f:a": {} }, "f:finalizers": { ".": {}, 'v:"f"': {} } },
      "f:spec": { "f:x": {} },
    });
    expect([...fromFieldsV1(v1).keys()].sort()).toEqual([...set.keys()].sort());
  });
});

describe("server-side apply", () => {
  it("creates ownership for the applier and merges into the live object", () => {
    const live = run({ labels: { keep: "yes" } }, { spec: { a: 1 } });
    const { object, conflicts } = serverSideApply(
      live,
      run({ labels: { mine: "1" } }, { spec: { b: 2 } }),
      actor("w"),
      "main",
      false,
    );
    expect(conflicts).toEqual([]);
    expect(object.metadata.labels).toEqual({ keep: "yes", mine: "1" });
    expect(object["spec"]).toEqual({ a: 1, b: 2 });
    const own = readOwnership(object);
    expect(own).toHaveLength(1);
    expect(own[0]).toMatchObject({ manager: "w", operation: "Apply" });
    expect([...own[0]!.fields.keys()].length).toBe(2);
  });

  it("reports a conflict when another manager owns a field with a different value, and takes it with force", () => {
    const first = serverSideApply(
      run(),
      run({ annotations: { x: "1" } }),
      actor("a"),
      "main",
      false,
    ).object;
    const clash = serverSideApply(
      first,
      run({ annotations: { x: "2" } }),
      actor("b"),
      "main",
      false,
    );
    expect(clash.conflicts).toEqual([
      { manager: "a", apiVersion: "tekton.dev/v1", field: ".metadata.annotations.x" },
    ]);
    const same = serverSideApply(
      first,
      run({ annotations: { x: "1" } }),
      actor("b"),
      "main",
      false,
    );
    expect(same.conflicts).toEqual([]);
    const forced = serverSideApply(
      first,
      run({ annotations: { x: "2" } }),
      actor("b"),
      "main",
      true,
    );
    expect(forced.conflicts).toEqual([]);
    expect(forced.object.metadata.annotations).toEqual({ x: "2" });
    const owners = readOwnership(forced.object).map((o) => o.manager);
    expect(owners).toEqual(["b"]);
  });

  it("removes fields the manager stopped applying unless someone else owns them", () => {
    let obj = serverSideApply(
      run(),
      run({ labels: { a: "1", b: "1" }, finalizers: ["f1", "f2"] }),
      actor("m"),
      "main",
      false,
    ).object;
    obj = serverSideApply(obj, run({ labels: { c: "1" } }), actor("other"), "main", false).object;
    obj = serverSideApply(
      obj,
      run({ labels: { a: "1" }, finalizers: ["f1"] }),
      actor("m"),
      "main",
      false,
    ).object;
    expect(obj.metadata.labels).toEqual({ a: "1", c: "1" });
    expect(obj.metadata.finalizers).toEqual(["f1"]);
    // A shared field survives when its co-owner stops applying it.
    obj = serverSideApply(
      obj,
      run({ labels: { a: "1", c: "1" } }),
      actor("other"),
      "main",
      false,
    ).object;
    obj = serverSideApply(obj, run({}), actor("m"), "main", false).object;
    expect(obj.metadata.labels).toEqual({ a: "1", c: "1" });
    expect(obj.metadata.finalizers).toBeUndefined();
  });

  it("an Update by another manager takes the changed fields, so a later apply of another value conflicts", () => {
    const applied = serverSideApply(
      run(),
      run({ annotations: { x: "1" } }),
      actor("watcher"),
      "main",
      false,
    ).object;
    const edited = run({ annotations: { x: "edited" } });
    edited.metadata.managedFields = recordUpdate(applied, edited, actor("kubectl-edit"), "main");
    const owners = readOwnership(edited);
    expect(owners.map((o) => `${o.manager}:${o.operation}:${o.fields.size}`)).toEqual([
      "kubectl-edit:Update:1",
    ]);
    const again = serverSideApply(
      edited,
      run({ annotations: { x: "1" } }),
      actor("watcher"),
      "main",
      false,
    );
    expect(again.conflicts.map((c) => c.manager)).toEqual(["kubectl-edit"]);
  });
});
