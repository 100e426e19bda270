/**
 * How a PipelineRun's log is assembled from its TaskRuns' logs, the one way the CLI's
 * `pipelinerun logs` and the web UI's Logs page both do it: the TaskRuns stored in the
 * PipelineRun's Result, labelled with its name and owned by it, in the order they started.
 *
 * ```ts
 * const taskRuns = await pipelineRunTaskRuns(client, pipelineRunRecord);
 * const ordered = orderTaskRunsForLog(recordData(pipelineRunRecord) ?? {}, taskRuns, (r) => recordData(r) ?? {});
 * ```
 *
 * @module
 */
import { parseRecordName } from "@tekton-results/proto";
import type { Record } from "@tekton-results/proto";
import { recordData } from "./record-data.js";
import type { ListAllOptions } from "./pagination.js";
import type { ResultsClient } from "./results-client.js";

/** The `data.type` values of stored PipelineRuns and TaskRuns (v1 and v1beta1). */
export const RUN_DATA_TYPES = {
  pipelinerun: ["tekton.dev/v1.PipelineRun", "tekton.dev/v1beta1.PipelineRun"],
  taskrun: ["tekton.dev/v1.TaskRun", "tekton.dev/v1beta1.TaskRun"],
} as const satisfies { readonly [kind: string]: readonly string[] };

/** The fields of a PipelineRun or TaskRun object that assembling a log reads. */
export interface RunForLog {
  metadata?: {
    name?: string;
    uid?: string;
    labels?: { [key: string]: string };
    ownerReferences?: { uid?: string }[];
  };
  status?: { startTime?: string; childReferences?: { name?: string }[] };
}

/** The run a Record holds, `{}` when it has no data or data that is not a JSON object. */
function runFor(record: Pick<Record, "data">): RunForLog {
  try {
    const data = recordData<RunForLog>(record);
    return data !== null && typeof data === "object" ? data : {};
  } catch {
    return {};
  }
}

/** A CEL filter matching the TaskRun records labelled with the PipelineRun `name`. */
export function taskRunsOfPipelineRunFilter(name: string): string {
  const types = RUN_DATA_TYPES.taskrun.map((t) => `data_type == ${JSON.stringify(t)}`).join(" || ");
  return `(${types}) && data.metadata.labels["tekton.dev/pipelineRun"] == ${JSON.stringify(name)}`;
}

/**
 * The TaskRun records of the PipelineRun in `record`: in its Result, labelled with its name and
 * owned by it (a TaskRun with no owner references counts as its own). Unordered: see
 * {@link orderTaskRunsForLog}. Errors of the API are thrown as they come.
 */
export async function pipelineRunTaskRuns(
  client: Pick<ResultsClient, "listAllRecords">,
  record: Record,
  options: ListAllOptions = {},
): Promise<Record[]> {
  const pipelineRun = runFor(record);
  const { parent, result } = parseRecordName(record.name);
  const out: Record[] = [];
  for await (const r of client.listAllRecords(
    {
      parent: `${parent}/results/${result}`,
      filter: taskRunsOfPipelineRunFilter(pipelineRun.metadata?.name ?? ""),
    },
    options,
  )) {
    const owners = runFor(r).metadata?.ownerReferences ?? [];
    if (owners.length === 0 || owners.some((o) => o.uid === pipelineRun.metadata?.uid)) {
      out.push(r);
    }
  }
  return out;
}

/**
 * The TaskRuns in the order their logs are shown: by start time (not started last), then by
 * their place in the PipelineRun's `status.childReferences`, then by name. `runOf` gives the
 * TaskRun object of an item (the item itself by default).
 */
export function orderTaskRunsForLog<T>(
  pipelineRun: RunForLog,
  taskRuns: readonly T[],
  runOf: (item: T) => RunForLog = (item) => item as RunForLog,
): T[] {
  const children = (pipelineRun.status?.childReferences ?? []).map((c) => c.name);
  const keyed = taskRuns.map((item) => {
    const run = runOf(item);
    const name = run.metadata?.name ?? "";
    const at = children.indexOf(name);
    const t = Date.parse(run.status?.startTime ?? "");
    return {
      item,
      name,
      start: Number.isNaN(t) ? Infinity : t,
      place: at < 0 ? children.length : at,
    };
  });
  keyed.sort((a, b) => a.start - b.start || a.place - b.place || a.name.localeCompare(b.name));
  return keyed.map((k) => k.item);
}

/**
 * The task a TaskRun's log lines are marked with when they carry no marker of their own: its
 * pipeline task (`tekton.dev/pipelineTask`), else its Task (`tekton.dev/task`), else its name.
 */
export function pipelineTaskOf(run: RunForLog): string {
  const labels = run.metadata?.labels ?? {};
  return labels["tekton.dev/pipelineTask"] ?? labels["tekton.dev/task"] ?? run.metadata?.name ?? "";
}
