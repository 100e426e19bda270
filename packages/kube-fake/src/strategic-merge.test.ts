import { describe, expect, it } from "vitest";
import { findResource } from "./resources.js";
import { applyStrategicMergePatch } from "./strategic-merge.js";

const deployments = findResource("apps", "v1", "deployments")!;
const pdbs = findResource("policy", "v1", "poddisruptionbudgets")!;

/** Env vars from `NAME=value` strings. */
const env = (...vars: string[]) =>
  vars.map((v) => ({ name: v.split("=")[0]!, value: v.split("=")[1]! }));

const deployment = {
  metadata: { name: "d", finalizers: ["a"] },
  spec: {
    strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1 } },
    template: {
      spec: {
        containers: [
          {
            name: "api",
            image: "api:1",
            env: env("A=1", "B=2"),
          },
          { name: "side", image: "side:1" },
        ],
        tolerations: [{ key: "x" }],
      },
    },
  },
};

const patch = (p: unknown, target: unknown = deployment, info = deployments) =>
  applyStrategicMergePatch(info, target, p) as typeof deployment;

describe("strategic merge patch", () => {
  it("merges lists by their merge keys and replaces the others", () => {
    const out = patch({
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: "api",
                env: env("B=3", "C=4"),
              },
            ],
            tolerations: [{ key: "y" }],
          },
        },
      },
    });
    expect(out.spec.template.spec.containers).toEqual([
      {
        name: "api",
        image: "api:1",
        env: env("A=1", "B=3", "C=4"),
      },
      { name: "side", image: "side:1" },
    ]);
    expect(out.spec.template.spec.tolerations).toEqual([{ key: "y" }]);
  });

  it("deletes items and keys, orders by $setElementOrder, keeps only $retainKeys", () => {
    const out = patch({
      metadata: { "$deleteFromPrimitiveList/finalizers": ["a"] },
      spec: {
        strategy: { $retainKeys: ["type"], type: "Recreate", rollingUpdate: null },
        template: {
          spec: {
            "$setElementOrder/containers": [{ name: "side" }, { name: "api" }],
            containers: [{ name: "api", env: [{ name: "A", $patch: "delete" }], image: null }],
          },
        },
      },
    });
    expect(out.metadata.finalizers).toEqual([]);
    expect(out.spec.strategy).toEqual({ type: "Recreate" });
    expect(out.spec.template.spec.containers).toEqual([
      { name: "side", image: "side:1" },
      { name: "api", env: env("B=2") },
    ]);
  });

  it("replaces a list or a map on $patch: replace, and a replace-strategy field whole", () => {
    const out = patch({
      spec: { template: { spec: { containers: [{ name: "only" }, { $patch: "replace" }] } } },
    });
    expect(out.spec.template.spec.containers).toEqual([{ name: "only" }]);
    const map = patch({ spec: { strategy: { $patch: "replace", type: "Recreate" } } });
    expect(map.spec.strategy).toEqual({ type: "Recreate" });
    const pdb = { spec: { selector: { matchLabels: { a: "1", b: "2" } } } };
    expect(patch({ spec: { selector: { matchLabels: { a: "1" } } } }, pdb, pdbs)).toEqual({
      spec: { selector: { matchLabels: { a: "1" } } },
    });
  });

  it("refuses a merge-list item without its merge key", () => {
    expect(() => patch({ spec: { template: { spec: { containers: [{ image: "x" }] } } } })).toThrow(
      "does not contain declared merge key: name",
    );
  });
});
