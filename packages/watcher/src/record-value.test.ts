import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { canonicalJson, recordFingerprint, recordValueOf } from "./record-value.js";
import type { TektonRun } from "./run.js";

const run: TektonRun = {
  metadata: {
    name: "r",
    resourceVersion: "5",
    managedFields: [{ manager: "kubectl" }],
    annotations: { "kubectl.kubernetes.io/last-applied-configuration": "{...}", keep: "yes" },
  },
  spec: { x: 1 },
};

describe("record value", () => {
  it("drops managedFields and the last-applied annotation, sets apiVersion and kind, copies deeply", () => {
    const value = recordValueOf(run, "tekton.dev/v1", "TaskRun");
    expect(value.metadata?.managedFields).toBeUndefined();
    expect(value.metadata?.annotations).toEqual({ keep: "yes" });
    expect(value.apiVersion).toBe("tekton.dev/v1");
    expect(value.kind).toBe("TaskRun");
    expect(run.metadata?.managedFields).toHaveLength(1);
  });
  it("removes an annotation map left empty", () => {
    const value = recordValueOf(
      { metadata: { annotations: { "kubectl.kubernetes.io/last-applied-configuration": "{}" } } },
      "v",
      "K",
    );
    expect(value.metadata?.annotations).toBeUndefined();
  });
  it("the fingerprint ignores key order and the watcher's own write-back", () => {
    const a = {
      metadata: { name: "r", resourceVersion: "1", annotations: { x: "1" } },
      spec: { a: 1, b: 2 },
    };
    const b = {
      spec: { b: 2, a: 1 },
      metadata: {
        resourceVersion: "9",
        name: "r",
        finalizers: ["results.tekton.dev/taskrun"],
        annotations: {
          x: "1",
          "results.tekton.dev/stored": "true",
          "results.tekton.dev/result": "ns/results/a",
        },
      },
    };
    expect(recordFingerprint(a)).toBe(recordFingerprint(b));
    expect(recordFingerprint(a)).not.toBe(recordFingerprint({ ...a, spec: { a: 2, b: 2 } }));
  });
  it("canonical JSON sorts keys at every level", () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: 0 } })).toBe(
      '{"a":{"c":0,"d":[{"y":2,"z":1}]},"b":1}',
    );
  });
});

/** The reference: JSON.stringify with a replacer that sorts keys through sorted copies. */
function referenceCanonical(value: unknown): string {
  return (
    JSON.stringify(value, (_key, v: unknown) => {
      if (v === null || typeof v !== "object" || Array.isArray(v)) return v;
      const sorted: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
      return sorted;
    }) ?? "null"
  );
}

/** The reference fingerprint: a deep JSON copy, trimmed, then hashed. */
function referenceFingerprint(value: unknown): string {
  const normalized = JSON.parse(JSON.stringify(value ?? null)) as TektonRun | null;
  const metadata = normalized?.metadata;
  if (metadata) {
    delete metadata.resourceVersion;
    delete metadata.managedFields;
    if (metadata.annotations) {
      for (const key of [
        "results.tekton.dev/stored",
        "results.tekton.dev/childReadyForDeletion",
        "results.tekton.dev/log",
        "results.tekton.dev/result",
        "results.tekton.dev/record",
      ])
        delete metadata.annotations[key];
      delete metadata.annotations["kubectl.kubernetes.io/last-applied-configuration"];
      if (Object.keys(metadata.annotations).length === 0) delete metadata.annotations;
    }
    if (metadata.finalizers) {
      metadata.finalizers = metadata.finalizers.filter((f) => !f.startsWith("results.tekton.dev/"));
      if (metadata.finalizers.length === 0) delete metadata.finalizers;
    }
  }
  return createHash("sha256").update(referenceCanonical(normalized)).digest("hex");
}

describe("canonical JSON and fingerprint, written without copies", () => {
  let seed = 7;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const keys = ["b", "a", "10", "9", "0", "é", "a b", '"q"', "z", "01", "4294967295"];
  function randomValue(depth: number): unknown {
    const r = random();
    if (depth > 3 || r < 0.3) {
      const leaves = [
        0,
        -0,
        1.5,
        -3,
        1e21,
        NaN,
        Infinity,
        "s",
        'q"\\\n\u2028',
        "",
        true,
        false,
        null,
        undefined,
      ];
      return leaves[Math.floor(random() * leaves.length)];
    }
    if (r < 0.45) return new Date(Date.UTC(2026, 0, 1, 0, 0, Math.floor(random() * 1000)));
    if (r < 0.7)
      return Array.from({ length: Math.floor(random() * 4) }, () => randomValue(depth + 1));
    const obj: Record<string, unknown> = {};
    for (let i = 0; i < Math.floor(random() * 5); i++) {
      obj[keys[Math.floor(random() * keys.length)]!] = randomValue(depth + 1);
    }
    return obj;
  }

  it("canonicalJson writes exactly what JSON.stringify with a sorting replacer writes", () => {
    for (let i = 0; i < 2000; i++) {
      const value = randomValue(0);
      expect(canonicalJson(value)).toBe(referenceCanonical(value));
    }
    expect(canonicalJson(undefined)).toBe("null");
    expect(canonicalJson({ toJSON: () => ({ b: 1, a: 2 }) })).toBe('{"a":2,"b":1}');
  });

  it("recordFingerprint equals the deep-copy fingerprint and leaves the value untouched", () => {
    const cases: unknown[] = [
      undefined,
      null,
      "x",
      [1, 2],
      { spec: { b: 1, a: [2, { d: 1, c: 2 }] } },
      {
        kind: "TaskRun",
        metadata: {
          name: "r",
          resourceVersion: "5",
          creationTimestamp: new Date(Date.UTC(2026, 0, 1)),
          managedFields: [{ manager: "m" }],
          annotations: {
            "results.tekton.dev/stored": "true",
            "kubectl.kubernetes.io/last-applied-configuration": "{}",
            keep: "1",
          },
          finalizers: ["results.tekton.dev/taskrun", "other"],
        },
        status: { conditions: [{ type: "Succeeded", status: "True" }] },
      },
      {
        metadata: {
          annotations: { "results.tekton.dev/log": "l" },
          finalizers: ["results.tekton.dev/pipelinerun"],
        },
      },
    ];
    for (let i = 0; i < 300; i++) cases.push({ metadata: randomValue(1), spec: randomValue(1) });
    for (const value of cases) {
      const before = JSON.stringify(value);
      expect(recordFingerprint(value)).toBe(referenceFingerprint(value));
      expect(JSON.stringify(value)).toBe(before);
    }
  });
});
