/** Builders of Tekton runs for tests. */
import type { TektonRun } from "../src/run.js";

let counter = 0;

/** A uid-like string unique per call. */
export function uid(prefix = "u"): string {
  counter++;
  return `${prefix}${counter.toString().padStart(4, "0")}-0000-4000-8000-${Date.now().toString(16).padStart(12, "0").slice(-12)}`;
}

/** A running (or, with `reason`, finished) PipelineRun. */
export function pipelineRun(
  name: string,
  init: Partial<TektonRun["metadata"]> & { reason?: string; status?: string } = {},
): TektonRun {
  const { reason, status, ...metadata } = init;
  return {
    apiVersion: "tekton.dev/v1",
    kind: "PipelineRun",
    metadata: { name, namespace: "ns", uid: uid("p"), resourceVersion: "1", ...metadata },
    spec: {},
    status: statusOf(reason, status),
  };
}

/** A TaskRun, optionally owned by a PipelineRun. */
export function taskRun(
  name: string,
  init: Partial<TektonRun["metadata"]> & {
    reason?: string;
    status?: string;
    owner?: TektonRun;
  } = {},
): TektonRun {
  const { reason, status, owner, ...metadata } = init;
  return {
    apiVersion: "tekton.dev/v1",
    kind: "TaskRun",
    metadata: {
      name,
      namespace: "ns",
      uid: uid("t"),
      resourceVersion: "1",
      ...(owner
        ? {
            ownerReferences: [
              {
                apiVersion: "tekton.dev/v1",
                kind: "PipelineRun",
                name: owner.metadata!.name!,
                uid: owner.metadata!.uid!,
                controller: true,
              },
            ],
          }
        : {}),
      ...metadata,
    },
    spec: {},
    status: statusOf(reason, status),
  };
}

function statusOf(reason: string | undefined, status: string | undefined): TektonRun["status"] {
  if (reason === undefined) {
    return {
      startTime: "2026-01-01T00:00:00Z",
      conditions: [{ type: "Succeeded", status: "Unknown", reason: "Running" }],
    };
  }
  return {
    startTime: "2026-01-01T00:00:00Z",
    completionTime: "2026-01-01T00:01:00Z",
    conditions: [
      {
        type: "Succeeded",
        status: status ?? (reason === "Succeeded" || reason === "Completed" ? "True" : "False"),
        reason,
        lastTransitionTime: "2026-01-01T00:01:00Z",
      },
    ],
  };
}
