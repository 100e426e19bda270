/**
 * The Tekton run kinds the watcher archives, their API coordinates, record
 * types and finalizers, and the annotation keys it reads and writes.
 *
 * @module
 */

/** A Tekton run kind the watcher archives. */
export type RunKindName = "PipelineRun" | "TaskRun" | "CustomRun";

/** The API coordinates and Results identity of one run kind. */
export interface RunKind {
  /** `PipelineRun`, `TaskRun` or `CustomRun`. */
  readonly kind: RunKindName;
  /** API group: `tekton.dev`. */
  readonly group: string;
  /** API version: `v1` (PipelineRun, TaskRun) or `v1beta1` (CustomRun). */
  readonly version: string;
  /** `group/version`. */
  readonly apiVersion: string;
  /** Resource name: `pipelineruns`, `taskruns`, `customruns`. */
  readonly plural: string;
  /** The Record data type, e.g. `tekton.dev/v1.PipelineRun`. */
  readonly recordType: string;
  /** The finalizer that holds the run's deletion until it is stored. */
  readonly finalizer: string;
  /** The label Tekton puts on the pods of a run of this kind (`tekton.dev/taskRun`), if any. */
  readonly podLabel?: string;
}

function runKind(
  kind: RunKindName,
  version: string,
  plural: string,
  finalizer: string,
  podLabel?: string,
): RunKind {
  const group = "tekton.dev";
  return {
    kind,
    group,
    version,
    apiVersion: `${group}/${version}`,
    plural,
    recordType: `${group}/${version}.${kind}`,
    finalizer,
    ...(podLabel === undefined ? {} : { podLabel }),
  };
}

/** `tekton.dev/v1` PipelineRun. */
export const PIPELINE_RUN: RunKind = runKind(
  "PipelineRun",
  "v1",
  "pipelineruns",
  "results.tekton.dev/pipelinerun",
  "tekton.dev/pipelineRun",
);
/** `tekton.dev/v1` TaskRun. */
export const TASK_RUN: RunKind = runKind(
  "TaskRun",
  "v1",
  "taskruns",
  "results.tekton.dev/taskrun",
  "tekton.dev/taskRun",
);
/** `tekton.dev/v1beta1` CustomRun. */
export const CUSTOM_RUN: RunKind = runKind(
  "CustomRun",
  "v1beta1",
  "customruns",
  "results.tekton.dev/customrun",
);

/** Every kind the watcher archives, parents first. */
export const RUN_KINDS: readonly RunKind[] = [PIPELINE_RUN, TASK_RUN, CUSTOM_RUN];

/** The kind descriptor of `kind`, or `undefined` when the watcher does not archive it. */
export function runKindOf(kind: string): RunKind | undefined {
  return RUN_KINDS.find((k) => k.kind === kind);
}

/** Annotation and label keys the watcher reads and writes. */
export const ANNOTATIONS = {
  /** A full Result name chosen for the run; written back with the name used. */
  result: "results.tekton.dev/result",
  /** A Record name chosen for a top-level run; written back with the name used. */
  record: "results.tekton.dev/record",
  /** The Log name, written back when the run's logs are stored. */
  log: "results.tekton.dev/log",
  /** `"true"` once the run's final state is stored. */
  stored: "results.tekton.dev/stored",
  /** `"true"` on a finished child run once it is stored. */
  childReadyForDeletion: "results.tekton.dev/childReadyForDeletion",
  /** A JSON object merged into the Result's annotations. */
  resultAnnotations: "results.tekton.dev/resultAnnotations",
  /** A JSON object that becomes the Result summary's annotations. */
  recordSummaryAnnotations: "results.tekton.dev/recordSummaryAnnotations",
  /** Dropped from stored records. */
  lastApplied: "kubectl.kubernetes.io/last-applied-configuration",
} as const;

/** The label Tekton Triggers sets to the event id that created a run. */
export const TRIGGERS_EVENT_ID_LABEL = "triggers.tekton.dev/triggers-eventid";

/** The `spec.managedBy` value of runs Tekton Pipelines itself manages. */
export const TEKTON_MANAGED_BY = "tekton.dev/pipeline";

/** The field manager of the watcher's server-side-apply patches. */
export const FIELD_MANAGER = "tekton-results-watcher";
