/**
 * Plays the Tekton Pipelines controller against the fake cluster: takes a
 * PipelineRun to Running, creates its TaskRuns (owned by it, with Tekton's
 * labels) wave by wave along `runAfter`, a pod per TaskRun with one `step-*`
 * container per step and their logs, and drives everything to Succeeded or
 * Failed with the status fields Tekton writes (conditions, start and
 * completion times, childReferences, skippedTasks, steps, podName, specs).
 *
 * No container runs: a step prints the `echo` lines of its script and exits
 * with its `exit` code (see {@link runStepScript}), taking `stepMs` each.
 *
 * @module
 */
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { KubeFake, KubeObject, OwnerReference } from "@tekton-results/kube-fake";
import {
  resolveParams,
  resolveTaskSpec,
  runStepScript,
  substituteParams,
  taskWaves,
  type Param,
  type PipelineSpec,
  type PipelineTask,
  type TaskCatalog,
  type TaskSpec,
} from "./tekton-spec.js";

/** The field manager of the simulated controller's writes. */
export const CONTROLLER_FIELD_MANAGER = "tekton-pipelines-controller";

const TEKTON_V1 = "tekton.dev/v1";

/** How one TaskRun ended. */
export interface TaskRunOutcome {
  name: string;
  pipelineTask: string;
  /** `Succeeded` or `Failed`. */
  reason: string;
}

/** How a PipelineRun ended. */
export interface PipelineRunOutcome {
  name: string;
  namespace: string;
  uid: string;
  /** `Succeeded` or `Failed`. */
  reason: string;
  /** The TaskRuns, in the order they were created. */
  taskRuns: TaskRunOutcome[];
  /** Pipeline tasks that never ran because an earlier one failed. */
  skipped: string[];
}

/** Options of {@link createSimulatedController}. */
export interface SimulatedControllerOptions {
  kube: KubeFake;
  /** Tasks that `taskRef`s name. */
  catalog: TaskCatalog;
  /** How long each step runs, in ms. Default 600. */
  stepMs?: number;
  /** Told when a TaskRun finishes. */
  onTaskRun?: (pipelineRun: string, taskRun: TaskRunOutcome) => void;
}

/** The simulated controller; see {@link createSimulatedController}. */
export interface SimulatedController {
  /** Run the PipelineRun `namespace/name` (already created) to completion. */
  runPipelineRun(namespace: string, name: string): Promise<PipelineRunOutcome>;
}

/** Kubernetes times are RFC 3339 with whole seconds. */
function now(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, "Z");
}

function containerId(): string {
  return `containerd://${randomBytes(32).toString("hex")}`;
}

function condition(status: "True" | "False" | "Unknown", reason: string, message: string) {
  return [{ type: "Succeeded", status, reason, message, lastTransitionTime: now() }];
}

function ownerRef(obj: KubeObject): OwnerReference {
  return {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    name: obj.metadata.name!,
    uid: obj.metadata.uid!,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** Labels Tekton copies from a run to what it creates, without the ones it sets itself. */
function propagatedLabels(obj: KubeObject): Record<string, string> {
  const labels = { ...(obj.metadata.labels ?? {}) };
  for (const key of Object.keys(labels)) if (key.startsWith("tekton.dev/")) delete labels[key];
  return labels;
}

interface StepState {
  name: string;
  container: string;
  imageID: string;
  running?: { startedAt: string };
  waiting?: { reason: string };
  terminated?: {
    exitCode: number;
    reason: string;
    startedAt: string;
    finishedAt: string;
    containerID: string;
  };
  terminationReason?: string;
}

/** Create the simulated controller. */
export function createSimulatedController(
  options: SimulatedControllerOptions,
): SimulatedController {
  const { kube, catalog } = options;
  const stepMs = options.stepMs ?? 600;

  const patchStatus = (obj: KubeObject, status: object): KubeObject =>
    kube.patch(
      obj.apiVersion,
      obj.kind,
      obj.metadata.namespace,
      obj.metadata.name!,
      { status },
      { type: "merge", subresource: "status", fieldManager: CONTROLLER_FIELD_MANAGER },
    );

  async function runTaskRun(
    pr: KubeObject,
    pipelineLabel: string,
    task: PipelineTask,
    spec: TaskSpec,
    pipelineParams: Map<string, string>,
  ): Promise<{ taskRun: KubeObject; outcome: TaskRunOutcome }> {
    const namespace = pr.metadata.namespace!;
    const name = `${pr.metadata.name}-${task.name}`;
    const taskLabel: Record<string, string> = task.taskRef
      ? { "tekton.dev/task": task.taskRef.name }
      : {};
    const labels: Record<string, string> = {
      ...propagatedLabels(pr),
      "app.kubernetes.io/managed-by": "tekton-pipelines",
      "tekton.dev/memberOf": "tasks",
      "tekton.dev/pipeline": pipelineLabel,
      "tekton.dev/pipelineRun": pr.metadata.name!,
      "tekton.dev/pipelineRunUID": pr.metadata.uid!,
      "tekton.dev/pipelineTask": task.name,
      ...taskLabel,
    };
    const params: Param[] = (task.params ?? []).map((p) => ({
      name: p.name,
      value: substituteParams(String(p.value), pipelineParams),
    }));
    const prSpec = (pr["spec"] ?? {}) as { taskRunTemplate?: { serviceAccountName?: string } };
    const serviceAccountName = prSpec.taskRunTemplate?.serviceAccountName ?? "default";
    let taskRun = kube.create({
      apiVersion: TEKTON_V1,
      kind: "TaskRun",
      metadata: { name, namespace, labels, ownerReferences: [ownerRef(pr)] },
      spec: {
        ...(task.taskRef ? { taskRef: { kind: "Task", ...task.taskRef } } : { taskSpec: spec }),
        ...(params.length > 0 ? { params } : {}),
        serviceAccountName,
        timeout: "1h0m0s",
      },
    });

    const podName = `${name}-pod`;
    const startTime = now();
    const steps: StepState[] = spec.steps.map((s) => ({
      name: s.name,
      container: `step-${s.name}`,
      imageID: `${s.image.split(":")[0]}@sha256:${randomBytes(32).toString("hex")}`,
      waiting: { reason: "PodInitializing" },
    }));
    const pod = kube.create({
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        name: podName,
        namespace,
        labels: {
          ...labels,
          "tekton.dev/taskRun": name,
          "tekton.dev/taskRunUID": taskRun.metadata.uid!,
        },
        ownerReferences: [ownerRef(taskRun)],
      },
      spec: {
        restartPolicy: "Never",
        serviceAccountName,
        containers: spec.steps.map((s) => ({
          name: `step-${s.name}`,
          image: s.image,
          command: ["/tekton/bin/entrypoint"],
        })),
      },
      status: { phase: "Pending" },
    });
    const taskRunStatus = (): object => ({
      podName,
      startTime,
      taskSpec: spec,
      steps: steps.map((s) => ({ ...s })),
    });
    taskRun = patchStatus(taskRun, {
      ...taskRunStatus(),
      conditions: condition("Unknown", "Pending", `pod status "Initialized":"False"`),
    });
    patchStatus(pod, { phase: "Running", startTime });

    const values = resolveParams(spec.params, params);
    let failedStep: { name: string; exitCode: number } | undefined;
    for (const [i, step] of spec.steps.entries()) {
      const state = steps[i]!;
      if (failedStep) {
        const at = now();
        delete state.waiting;
        state.terminated = {
          exitCode: 1,
          reason: "Error",
          startedAt: at,
          finishedAt: at,
          containerID: containerId(),
        };
        state.terminationReason = "Skipped";
        continue;
      }
      const startedAt = now();
      delete state.waiting;
      state.running = { startedAt };
      taskRun = patchStatus(taskRun, {
        ...taskRunStatus(),
        conditions: condition(
          "Unknown",
          "Running",
          "Not all Steps in the Task have finished executing",
        ),
      });
      const { lines, exitCode } = runStepScript(substituteParams(step.script ?? "", values));
      await sleep(stepMs);
      kube.appendPodLogs(namespace, podName, {
        [state.container]: lines.map((l) => `${l}\n`).join(""),
      });
      delete state.running;
      state.terminated = {
        exitCode,
        reason: exitCode === 0 ? "Completed" : "Error",
        startedAt,
        finishedAt: now(),
        containerID: containerId(),
      };
      state.terminationReason = exitCode === 0 ? "Completed" : "Error";
      if (exitCode !== 0) failedStep = { name: step.name, exitCode };
    }

    const completionTime = now();
    patchStatus(pod, { phase: failedStep ? "Failed" : "Succeeded" });
    const reason = failedStep ? "Failed" : "Succeeded";
    taskRun = patchStatus(taskRun, {
      ...taskRunStatus(),
      completionTime,
      conditions: failedStep
        ? condition(
            "False",
            "Failed",
            `"step-${failedStep.name}" exited with code ${failedStep.exitCode}`,
          )
        : condition("True", "Succeeded", "All Steps have completed executing"),
    });
    const outcome = { name, pipelineTask: task.name, reason };
    options.onTaskRun?.(pr.metadata.name!, outcome);
    return { taskRun, outcome };
  }

  return {
    async runPipelineRun(namespace, name) {
      let pr = kube.get(TEKTON_V1, "PipelineRun", namespace, name);
      if (!pr) throw new Error(`PipelineRun ${namespace}/${name} not found`);
      const spec = (pr["spec"] ?? {}) as {
        pipelineSpec?: PipelineSpec;
        pipelineRef?: { name: string };
        params?: Param[];
      };
      if (!spec.pipelineSpec) {
        throw new Error(`PipelineRun ${name}: only an embedded pipelineSpec can be simulated`);
      }
      const pipelineSpec = spec.pipelineSpec;
      // Tekton labels a run of an embedded pipeline with the run's own name.
      const pipelineLabel = spec.pipelineRef?.name ?? name;
      pr = kube.patch(
        TEKTON_V1,
        "PipelineRun",
        namespace,
        name,
        { metadata: { labels: { "tekton.dev/pipeline": pipelineLabel } } },
        { type: "merge", fieldManager: CONTROLLER_FIELD_MANAGER },
      );
      const pipelineParams = resolveParams(pipelineSpec.params, spec.params);
      const waves = taskWaves(pipelineSpec.tasks);
      const specs = new Map(pipelineSpec.tasks.map((t) => [t.name, resolveTaskSpec(t, catalog)]));

      const startTime = now();
      const childReferences: object[] = [];
      const outcomes: TaskRunOutcome[] = [];
      const message = (skipped: number) => {
        const failed = outcomes.filter((o) => o.reason !== "Succeeded").length;
        return `Tasks Completed: ${outcomes.length} (Failed: ${failed}, Cancelled 0), Skipped: ${skipped}`;
      };
      const prStatus = () => ({ startTime, pipelineSpec, childReferences: [...childReferences] });
      pr = patchStatus(pr, {
        ...prStatus(),
        conditions: condition("Unknown", "Running", message(0)),
      });

      const skipped: string[] = [];
      for (const wave of waves) {
        if (outcomes.some((o) => o.reason !== "Succeeded")) {
          skipped.push(...wave.map((t) => t.name));
          continue;
        }
        const running = wave.map((task) => {
          const started = runTaskRun(
            pr!,
            pipelineLabel,
            task,
            specs.get(task.name)!,
            pipelineParams,
          );
          childReferences.push({
            apiVersion: TEKTON_V1,
            kind: "TaskRun",
            name: `${name}-${task.name}`,
            pipelineTaskName: task.name,
          });
          return started;
        });
        pr = patchStatus(pr, {
          ...prStatus(),
          conditions: condition("Unknown", "Running", message(0)),
        });
        for (const { outcome } of await Promise.all(running)) outcomes.push(outcome);
        pr = patchStatus(pr, {
          ...prStatus(),
          conditions: condition("Unknown", "Running", message(0)),
        });
      }

      const failed = outcomes.some((o) => o.reason !== "Succeeded");
      const reason = failed ? "Failed" : "Succeeded";
      pr = patchStatus(pr, {
        ...prStatus(),
        completionTime: now(),
        conditions: condition(failed ? "False" : "True", reason, message(skipped.length)),
        ...(skipped.length > 0
          ? { skippedTasks: skipped.map((t) => ({ name: t, reason: "PipelineRun was stopping" })) }
          : {}),
      });
      return { name, namespace, uid: pr.metadata.uid!, reason, taskRuns: outcomes, skipped };
    },
  };
}
