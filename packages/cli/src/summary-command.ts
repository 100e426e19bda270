/**
 * `tkn-results summary`: counts, durations and percentiles of the PipelineRuns (or TaskRuns) of
 * a namespace, over all of them or grouped (by pipeline, namespace, repository, or a period of
 * time), from the API's GetRecordListSummary; printed as `tkn` prints a table, or as the API's
 * JSON, YAML or through a JSONPath template. Not upstream's: its CLI has no summary command.
 *
 * @module
 */
import { toJson } from "@bufbuild/protobuf";
import { RecordListSummarySchema } from "@tekton-results/client";
import { Command, Option } from "commander";
import { connect } from "./connection.js";
import { CliError, describeError } from "./errors.js";
import { buildFilter, parseLabels, type RunKind } from "./filter.js";
import { formatAge, formatDuration, renderTable } from "./format.js";
import type { Io } from "./io.js";
import { addConnectionFlags, connectionFlags } from "./options.js";
import { outputOption, printOutput, type Output } from "./output.js";

/** The fields `summary` shows when `--summary` is not given. */
export const DEFAULT_SUMMARY_FIELDS =
  "total,succeeded,failed,running,avg_duration,p95_duration,last_runtime";

/** The API's summary fields, for the help (the server checks them: it may know more). */
const KNOWN_FIELDS =
  "total, succeeded, failed, cancelled, running, others, avg_duration, min_duration, max_duration, total_duration, last_runtime, p50_duration, p95_duration, p99_duration";

/** One row of a summary as the API returns it (a `google.protobuf.Struct`). */
type SummaryRow = Record<string, unknown>;

/** Milliseconds of PostgreSQL interval text (`00:01:16.21875`, `1 day 02:00:00`, `-00:00:01`). */
export function parseInterval(text: string): number | undefined {
  const m = /^(?:(-?\d+) days? ?)?(-)?(\d+):(\d{2}):(\d{2}(?:\.\d+)?)$/.exec(text.trim());
  if (!m) return undefined;
  const days = Number(m[1] ?? 0);
  const clock = (Number(m[3]) * 3600 + Number(m[4]) * 60 + Number(m[5])) * 1000;
  return days * 86_400_000 + (m[2] ? -clock : clock);
}

const pad = (n: number): string => String(n).padStart(2, "0");

/** A time bucket (its start, Unix seconds) as the period names it, in UTC. */
function bucketText(seconds: number, period: string): string {
  const d = new Date(seconds * 1000);
  const day = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  switch (period) {
    case "year":
      return String(d.getUTCFullYear());
    case "month":
      return day.slice(0, 7);
    case "hour":
      return `${day} ${pad(d.getUTCHours())}:00`;
    case "minute":
      return `${day} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
    default:
      // day, and week (the Monday it starts on)
      return day;
  }
}

/** One cell: a count, a duration (`1m10s`), the last start as an age, `---` without a value. */
function cell(field: string, value: unknown, now: Date): string {
  if (value === null || value === undefined || value === "") return "---";
  if (field === "last_runtime" && typeof value === "number") {
    return formatAge(new Date(value * 1000), now);
  }
  if (typeof value === "string") {
    const ms = parseInterval(value);
    return ms === undefined ? value : formatDuration(new Date(0), new Date(Math.round(ms)));
  }
  return String(value);
}

/** The column title of a field: `avg_duration` is `AVG DURATION`. */
function title(field: string): string {
  return field.replace(/_/g, " ").toUpperCase();
}

/** What the summary table needs to know. */
export interface SummaryTableOptions {
  /** The fields asked for, in order. */
  fields: string[];
  /** `--group-by` as given (`pipeline`, `week startTime`...), if any. */
  groupBy?: string | undefined;
  /** What the rows count ("PipelineRuns"), for the message of an empty grouped summary. */
  title: string;
  now: Date;
}

/**
 * The summary as `tkn` prints a table: the group first (`PIPELINE`, `DAY`...; time buckets as
 * dates in UTC), then one column per field; durations as Go prints them, `last_runtime` as an
 * age, `---` for a group without a value.
 */
export function summaryTable(rows: SummaryRow[], o: SummaryTableOptions): string {
  const group = o.groupBy?.trim().split(/\s+/)[0];
  if (group && rows.length === 0) return `No ${o.title} found\n`;
  const head = [...(group ? [group.toUpperCase()] : []), ...o.fields.map(title)];
  const body = rows.map((row) => {
    const cells = o.fields.map((f) => cell(f, row[f], o.now));
    if (!group) return cells;
    const v = row["group_value"];
    const g =
      v === null || v === undefined || v === ""
        ? "---"
        : typeof v === "number"
          ? bucketText(v, group)
          : String(v);
    return [g, ...cells];
  });
  return renderTable(head, body);
}

interface SummaryFlags {
  kind: RunKind;
  summary: string;
  groupBy?: string;
  orderBy?: string;
  filter?: string;
  label?: string;
  allNamespaces?: boolean;
  output?: Output;
}

const EXAMPLES = `
Examples:
Counts and durations of the PipelineRuns in namespace 'foo':
    tkn-results summary -n foo

Per pipeline, in every namespace, slowest (95th percentile) first:
    tkn-results summary -A --group-by pipeline --summary total,failed,p50_duration,p95_duration --order-by "p95_duration desc"

TaskRuns per day of their start, as JSON:
    tkn-results summary --kind taskrun --group-by "day startTime" -o json

Failures of one app's runs, with a CEL filter of your own:
    tkn-results summary -L app=myapp --filter 'data.status.conditions[0].reason == "Failed"'

The total of the PipelineRuns of each namespace, through a JSONPath template:
    tkn-results summary -A --group-by namespace --summary total -o jsonpath='{range .summary[*]}{.group_value}{"\\t"}{.total}{"\\n"}{end}'
`;

/** The `summary` command. */
export function summaryCommand(io: Io): Command {
  const cmd = addConnectionFlags(
    new Command("summary")
      .description(
        "Summarize PipelineRuns or TaskRuns: counts, durations and percentiles, over all or per group",
      )
      .addOption(
        new Option("--kind <kind>", "what to summarize")
          .choices(["pipelinerun", "taskrun"])
          .default("pipelinerun"),
      )
      .option(
        "--summary <fields>",
        `comma-separated fields, of: ${KNOWN_FIELDS}`,
        DEFAULT_SUMMARY_FIELDS,
      )
      .option(
        "--group-by <grouping>",
        'group by pipeline, namespace, repository, or year|month|week|day|hour|minute, optionally followed by startTime or completionTime (e.g. "week startTime"; default the creation time)',
      )
      .option("--order-by <order>", 'order of the groups: "<field> asc|desc" (with --group-by)')
      .option("--filter <cel>", "a CEL filter of the records, and-ed with the kind's")
      .option("-L, --label <string>", "Filter by label (format: key=value[,key=value...])")
      .option("-A, --all-namespaces", "summarize every namespace")
      .addOption(outputOption(["json", "yaml"]))
      .addHelpText("after", EXAMPLES),
  );
  cmd.action(async (flags: SummaryFlags, self: Command) => {
    const conn = connectionFlags(self);
    if (flags.allNamespaces && self.getOptionValueSourceWithGlobals("namespace") === "cli") {
      throw new CliError("cannot use --all-namespaces/-A and --namespace/-n together");
    }
    if (flags.label !== undefined) parseLabels(flags.label);
    const fields = flags.summary
      .split(",")
      .map((f) => f.trim())
      .filter((f) => f !== "");
    if (fields.length === 0)
      throw new CliError("--summary: no field given", `e.g. ${DEFAULT_SUMMARY_FIELDS}`);
    let filter = buildFilter({ kind: flags.kind, label: flags.label });
    if (flags.filter?.trim()) filter += ` && (${flags.filter.trim()})`;
    const { client, namespace, address, timeoutMs } = await connect(conn);
    const res = await client
      .getRecordListSummary({
        parent: flags.allNamespaces ? "-/results/-" : `${namespace}/results/-`,
        summary: fields.join(","),
        filter,
        groupBy: flags.groupBy ?? "",
        orderBy: flags.orderBy ?? "",
      })
      .catch((err: unknown) => {
        throw new CliError(describeError(err, address, { timeoutMs }));
      });
    const json = toJson(RecordListSummarySchema, res, { alwaysEmitImplicit: true }) as {
      summary: SummaryRow[];
    };
    if (flags.output) {
      io.out(printOutput(flags.output, json));
      return;
    }
    io.out(
      summaryTable(json.summary, {
        fields,
        groupBy: flags.groupBy,
        title: flags.kind === "pipelinerun" ? "PipelineRuns" : "TaskRuns",
        now: io.now(),
      }),
    );
  });
  return cmd;
}
