import { describe, expect, it } from "vitest";
import { pipelineRun, taskRun } from "../test/runs.js";
import type { RunEventType, RunInformer } from "./run-informer.js";
import { createRunIndex } from "./run-index.js";
import {
  CUSTOM_RUN,
  PIPELINE_RUN,
  RUN_KINDS,
  TASK_RUN,
  type RunKind,
  type RunKindName,
} from "./run-kinds.js";
import type { TektonRun } from "./run.js";

/** An informer over a map, whose events the test sends; `list()` throws (nothing may scan). */
function fakeInformer(kind: RunKind) {
  const runs = new Map<string, TektonRun>();
  const handlers: ((type: RunEventType, run: TektonRun) => void)[] = [];
  const informer: RunInformer = {
    kind,
    start: async () => {},
    stop: async () => {},
    get: (namespace, name) => runs.get(`${namespace}/${name}`),
    list: () => {
      throw new Error("the cache was scanned");
    },
    hasSynced: () => true,
    synced: async () => {},
    onEvent: (h) => void handlers.push(h),
  };
  /** Change the cache and send the event, as client-node's ListWatch does. */
  const send = (type: RunEventType, run: TektonRun) => {
    const key = `${run.metadata!.namespace}/${run.metadata!.name}`;
    if (type === "delete") runs.delete(key);
    else runs.set(key, run);
    for (const h of handlers) h(type, run);
  };
  return { informer, send };
}

function setup() {
  const fakes = new Map(RUN_KINDS.map((k) => [k.kind, fakeInformer(k)]));
  const informers = new Map<RunKindName, RunInformer>([...fakes].map(([k, f]) => [k, f.informer]));
  const index = createRunIndex(informers);
  const send = (kind: RunKind, type: RunEventType, run: TektonRun) =>
    fakes.get(kind.kind)!.send(type, run);
  const names = (namespace: string, uid: string) =>
    index
      .childrenOf(namespace, uid)
      .map(({ kind, run }) => `${kind.kind}/${run.metadata!.name}`)
      .sort();
  return { index, send, names };
}

/** `run` with its PipelineRun owners replaced by `owners`. */
function ownedBy(run: TektonRun, ...owners: TektonRun[]): TektonRun {
  return {
    ...run,
    metadata: {
      ...run.metadata,
      ownerReferences: owners.map((o) => ({
        apiVersion: "tekton.dev/v1",
        kind: "PipelineRun",
        name: o.metadata!.name!,
        uid: o.metadata!.uid!,
        controller: true,
      })),
    },
  };
}

describe("run index", () => {
  it("answers a parent's children through adds, updates (owner changed or removed) and deletes", () => {
    const { send, names, index } = setup();
    const p1 = pipelineRun("p1");
    const p2 = pipelineRun("p2");
    const uid1 = p1.metadata!.uid!;
    const uid2 = p2.metadata!.uid!;
    send(PIPELINE_RUN, "add", p1);
    const t1 = taskRun("p1-a", { owner: p1 });
    const t2 = taskRun("p1-b", { owner: p1 });
    const c1 = { ...taskRun("p1-c", { owner: p1 }), kind: "CustomRun" };
    const solo = taskRun("solo");
    send(TASK_RUN, "add", t1);
    send(TASK_RUN, "add", t2);
    send(CUSTOM_RUN, "add", c1);
    send(TASK_RUN, "add", solo);
    expect(names("ns", uid1)).toEqual(["CustomRun/p1-c", "TaskRun/p1-a", "TaskRun/p1-b"]);
    expect(names("other", uid1)).toEqual([]);
    expect(names("ns", uid2)).toEqual([]);
    // The run returned is the cached one, as it is now.
    const t1Done = { ...t1, metadata: { ...t1.metadata, resourceVersion: "2" } };
    send(TASK_RUN, "update", t1Done);
    expect(index.childrenOf("ns", uid1).find((c) => c.run.metadata?.name === "p1-a")?.run).toBe(
      t1Done,
    );

    send(TASK_RUN, "update", ownedBy(t2, p2));
    expect(names("ns", uid1)).toEqual(["CustomRun/p1-c", "TaskRun/p1-a"]);
    expect(names("ns", uid2)).toEqual(["TaskRun/p1-b"]);
    send(TASK_RUN, "update", ownedBy(t2));
    expect(names("ns", uid2)).toEqual([]);
    send(TASK_RUN, "update", ownedBy(solo, p2));
    expect(names("ns", uid2)).toEqual(["TaskRun/solo"]);

    send(TASK_RUN, "delete", t1Done);
    send(CUSTOM_RUN, "delete", c1);
    expect(names("ns", uid1)).toEqual([]);
    // A child deleted and created again under the same name, now another parent's.
    send(TASK_RUN, "add", taskRun("p1-a", { owner: p2 }));
    expect(names("ns", uid1)).toEqual([]);
    expect(names("ns", uid2)).toEqual(["TaskRun/p1-a", "TaskRun/solo"]);
  });

  it("looks children up without scanning the cache: 20,000 unrelated runs cost nothing", () => {
    const { send, names } = setup();
    const parents = Array.from({ length: 2_000 }, (_, i) => pipelineRun(`p-${i}`));
    for (const p of parents) send(PIPELINE_RUN, "add", p);
    for (let i = 0; i < 20_000; i++) {
      send(TASK_RUN, "add", taskRun(`t-${i}`, { owner: parents[i % parents.length] }));
    }
    const mine = pipelineRun("mine");
    send(TASK_RUN, "add", taskRun("mine-a", { owner: mine }));
    send(CUSTOM_RUN, "add", { ...taskRun("mine-b", { owner: mine }), kind: "CustomRun" });
    // The informers' list() throws: an answer proves no scan.
    const started = performance.now();
    for (let i = 0; i < 1_000; i++) {
      expect(names("ns", mine.metadata!.uid!)).toEqual(["CustomRun/mine-b", "TaskRun/mine-a"]);
    }
    expect(names("ns", parents[7]!.metadata!.uid!)).toHaveLength(10);
    // 1,000 lookups: far below one scan of 20,000 runs each.
    expect(performance.now() - started).toBeLessThan(500);
  });
});
