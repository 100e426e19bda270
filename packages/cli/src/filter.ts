/**
 * The CEL filters of the list commands, built as upstream's `BuildFilterString` builds them (the
 * same expressions, values quoted as JSON strings), and the validation of `-L/--label`.
 *
 * @module
 */
import { RUN_DATA_TYPES } from "@tekton-results/client";
import { CliError } from "./errors.js";

/** The kinds of run the commands list. */
export type RunKind = "pipelinerun" | "taskrun";

/** What a list command filters on. */
export interface RunFilter {
  kind: RunKind;
  /** `-L/--label`: `key=value[,key=value...]`. */
  label?: string;
  /** The name argument: runs whose name contains it. */
  name?: string;
  /** `taskrun list --pipelinerun`: TaskRuns labelled with this PipelineRun's name. */
  pipelineRun?: string;
}

/** The record types of each kind: Tekton's v1 and v1beta1 objects (the client's list). */
export const DATA_TYPES: Record<RunKind, readonly string[]> = RUN_DATA_TYPES;

/** The `key=value` pairs of a `-L` value, or a {@link CliError} with upstream's message. */
export function parseLabels(labels: string): [string, string][] {
  return labels.split(",").map((pair) => {
    const parts = pair.trim().split("=");
    if (parts.length !== 2) {
      throw new CliError(`invalid label format: ${pair}. Expected format: key=value`);
    }
    if (/[ \t]/.test(parts[0]!))
      throw new CliError(`label key cannot contain whitespace: ${parts[0]}`);
    const key = parts[0]!.trim();
    const value = parts[1]!.trim();
    if (key === "") throw new CliError(`label key cannot be empty in pair: ${pair}`);
    if (value === "") throw new CliError(`label value cannot be empty in pair: ${pair}`);
    return [key, value];
  });
}

const q = (s: string): string => JSON.stringify(s);

/** The CEL filter of a list command, e.g. `(data_type=="tekton.dev/v1.TaskRun" || ...) && ...`. */
export function buildFilter(f: RunFilter): string {
  const filters = [`(${DATA_TYPES[f.kind].map((t) => `data_type==${q(t)}`).join(" || ")})`];
  if (f.label) {
    for (const [key, value] of parseLabels(f.label)) {
      filters.push(`data.metadata.labels[${q(key)}]==${q(value)}`);
    }
  }
  if (f.name) filters.push(`data.metadata.name.contains(${q(f.name)})`);
  if (f.pipelineRun) {
    filters.push(`data.metadata.labels["tekton.dev/pipelineRun"] == ${q(f.pipelineRun)}`);
  }
  return filters.join(" && ");
}
