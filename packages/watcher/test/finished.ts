/** Finished-run builders shared by the end-to-end tests. */
import type { KubeObject } from "@tekton-results/kube-fake";
import { pipelineRunObject } from "./stack.js";

/** A finished `status` (Succeeded), completed `at`, as Tekton writes it. */
export function finishedStatus(at = new Date().toISOString()): Record<string, unknown> {
  return {
    startTime: at,
    completionTime: at,
    conditions: [
      { type: "Succeeded", status: "True", reason: "Succeeded", lastTransitionTime: at },
    ],
  };
}

/** A PipelineRun object already finished (kube-fake keeps `status` on direct creates). */
export function finishedPipelineRunObject(name: string, namespace = "ns"): KubeObject {
  return { ...pipelineRunObject(name, namespace), status: finishedStatus() } as KubeObject;
}
