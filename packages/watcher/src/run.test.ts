import { describe, expect, it } from "vitest";
import { PIPELINE_RUN, TASK_RUN } from "./run-kinds.js";
import {
  completionTime,
  hasNoOwners,
  isChild,
  isDeleting,
  isFinished,
  isManagedBy,
  keyOfRun,
  parseRunKey,
  runKey,
  type TektonRun,
} from "./run.js";

const withCondition = (status: string, extra: Partial<TektonRun["status"]> = {}): TektonRun => ({
  status: { conditions: [{ type: "Succeeded", status, reason: "X" }], ...extra },
});

describe("run predicates", () => {
  it("a run is finished when its Succeeded condition is True or False", () => {
    expect(isFinished(withCondition("True"))).toBe(true);
    expect(isFinished(withCondition("False"))).toBe(true);
    expect(isFinished(withCondition("Unknown"))).toBe(false);
    expect(isFinished({})).toBe(false);
    expect(isFinished({ status: { conditions: [{ type: "Ready", status: "True" }] } })).toBe(false);
  });
  it("completion time is completionTime, else the condition's transition time, only when finished", () => {
    expect(
      completionTime(
        withCondition("True", { completionTime: "2026-01-01T00:00:05Z" }),
      )?.toISOString(),
    ).toBe("2026-01-01T00:00:05.000Z");
    const byCondition: TektonRun = {
      status: {
        conditions: [
          { type: "Succeeded", status: "False", lastTransitionTime: "2026-01-02T00:00:00Z" },
        ],
      },
    };
    expect(completionTime(byCondition)?.toISOString()).toBe("2026-01-02T00:00:00.000Z");
    expect(
      completionTime(withCondition("Unknown", { completionTime: "2026-01-01T00:00:05Z" })),
    ).toBeUndefined();
  });
  it("a child is a run owned by a PipelineRun", () => {
    const owned: TektonRun = { metadata: { ownerReferences: [{ kind: "PipelineRun", uid: "p" }] } };
    const otherOwner: TektonRun = {
      metadata: { ownerReferences: [{ kind: "Something", uid: "s" }] },
    };
    expect(isChild(owned)).toBe(true);
    expect(isChild(otherOwner)).toBe(false);
    expect(isChild({ metadata: {} })).toBe(false);
    expect(hasNoOwners(otherOwner)).toBe(false);
    expect(hasNoOwners({ metadata: { ownerReferences: [] } })).toBe(true);
  });
  it("managedBy: empty, missing, blank and tekton.dev/pipeline are processed; others only when listed", () => {
    expect(isManagedBy({}, [])).toBe(true);
    expect(isManagedBy({ spec: { managedBy: "" } }, [])).toBe(true);
    expect(isManagedBy({ spec: { managedBy: "  " } }, [])).toBe(true);
    expect(isManagedBy({ spec: { managedBy: "tekton.dev/pipeline" } }, [])).toBe(true);
    expect(isManagedBy({ spec: { managedBy: "kueue.x-k8s.io/multikueue" } }, [])).toBe(false);
    expect(
      isManagedBy({ spec: { managedBy: "kueue.x-k8s.io/multikueue" } }, [
        "kueue.x-k8s.io/multikueue",
      ]),
    ).toBe(true);
  });
  it("deleting means a deletionTimestamp is set", () => {
    expect(isDeleting({ metadata: { deletionTimestamp: "2026-01-01T00:00:00Z" } })).toBe(true);
    expect(isDeleting({ metadata: {} })).toBe(false);
  });
  it("keys round-trip", () => {
    const run: TektonRun = { metadata: { namespace: "ns", name: "build-1" } };
    expect(keyOfRun(run, PIPELINE_RUN)).toBe("ns/PipelineRun/build-1");
    expect(parseRunKey(runKey("TaskRun", "ns", "t"))).toEqual({
      namespace: "ns",
      kind: TASK_RUN,
      name: "t",
    });
    expect(parseRunKey("ns/Pod/x")).toBeUndefined();
    expect(parseRunKey("nonsense")).toBeUndefined();
  });
});
