/**
 * Runs (PipelineRuns, TaskRuns) from their Records, and how a list of them is printed: upstream's
 * table, or JSON, YAML, names.
 *
 * @module
 */
import { recordData, type Record as ResultRecord } from "@tekton-results/client";
import {
  formatAge,
  formatCondition,
  formatDuration,
  renderTable,
  type Condition,
} from "./format.js";
import type { RunKind } from "./filter.js";
import { printOutput, type Output } from "./output.js";

/** The parts of a Tekton run the list shows. */
export interface Run {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; uid?: string; labels?: Record<string, string> };
  status?: { startTime?: string; completionTime?: string; conditions?: Condition[] };
  [key: string]: unknown;
}

/** The run a Record holds (an empty object for a Record without data). */
export function runOf(record: ResultRecord): Run {
  return recordData<Run>(record) ?? {};
}

/** The plain output formats of `-o/--output` of the run commands (JSONPath besides: output.ts). */
export const OUTPUT_FORMATS = ["json", "yaml", "name"] as const;
/** One of {@link OUTPUT_FORMATS}. */
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

const TITLES: Record<RunKind, string> = { pipelinerun: "PipelineRuns", taskrun: "TaskRuns" };

function date(s: string | undefined): Date | undefined {
  if (!s) return undefined;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** How to print a list. */
export interface PrintOptions {
  kind: RunKind;
  allNamespaces: boolean;
  now: Date;
  colour: boolean;
  /** `-o`: a plain format or a JSONPath template (see {@link parseOutput}); none: the table. */
  output?: Output | undefined;
  /** The token of the next page, when there is one (`metadata.continue` of JSON and YAML). */
  nextPageToken?: string | undefined;
}

/**
 * The text of a list: upstream's table (`NAME UID STARTED DURATION STATUS`, `NAMESPACE` first
 * with `-A`; "No PipelineRuns found" when empty), or a Kubernetes `List` in JSON, YAML or through
 * a JSONPath template, or `pipelinerun.tekton.dev/<name>` lines.
 */
export function printRuns(runs: Run[], o: PrintOptions): string {
  if (o.output) {
    const list = {
      apiVersion: "v1",
      kind: "List",
      items: runs,
      metadata: o.nextPageToken ? { continue: o.nextPageToken } : {},
    };
    return printOutput(o.output, list, {
      name: () => runs.map((r) => `${o.kind}.tekton.dev/${r.metadata?.name ?? ""}\n`).join(""),
    });
  }
  if (runs.length === 0) return `No ${TITLES[o.kind]} found\n`;
  const head = ["NAME", "UID", "STARTED", "DURATION", "STATUS"];
  const rows = runs.map((r) => {
    const start = date(r.status?.startTime);
    return [
      r.metadata?.name ?? "",
      r.metadata?.uid ?? "",
      formatAge(start, o.now),
      formatDuration(start, date(r.status?.completionTime)),
      formatCondition(r.status?.conditions, o.colour),
    ];
  });
  return o.allNamespaces
    ? renderTable(
        ["NAMESPACE", ...head],
        rows.map((row, i) => [runs[i]!.metadata?.namespace ?? "", ...row]),
      )
    : renderTable(head, rows);
}
