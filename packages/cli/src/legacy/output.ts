/**
 * The output of upstream's older commands (`format.PrintProto` and `result describe`): `tab`
 * tables through Go's tabwriter, `textproto` (protobuf text format) and `json` (protojson).
 *
 * @module
 */
import { toJsonString, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import { timestampDate, type Timestamp } from "@bufbuild/protobuf/wkt";
import { toText } from "@bufbuild/protobuf/txtpb";
import {
  createApiRegistry,
  RecordSummary_StatusSchema,
  type ListRecordsResponse,
  type ListResultsResponse,
  type Result,
} from "@tekton-results/proto";
import { CliError } from "../errors.js";
import { formatDuration } from "../format.js";
import { tabwrite } from "./tabwriter.js";

/** The formats of the list commands (`-o`, default `tab`). */
export const LIST_FORMATS = ["tab", "textproto", "json"] as const;
/** The formats of the get commands (`-o`, default `json`). */
export const GET_FORMATS = ["textproto", "json"] as const;
/** An output format. */
export type ProtoFormat = (typeof LIST_FORMATS)[number];

/** Upstream's error for a format it does not know. */
export function checkFormat(format: string, allowed: readonly string[]): ProtoFormat {
  if (!allowed.includes(format)) throw new CliError(`unknown output format "${format}"`);
  return format as ProtoFormat;
}

let registry: ReturnType<typeof createApiRegistry> | undefined;

/**
 * A message as upstream's `PrintProto` prints it in `textproto` or `json` (protobuf-go's
 * multi-line forms, two-space indentation, without their randomised extra spaces), with a
 * trailing newline.
 */
export function printMessage<Desc extends DescMessage>(
  schema: Desc,
  message: MessageShape<Desc>,
  format: "textproto" | "json",
): string {
  registry ??= createApiRegistry();
  if (format === "textproto") return toText(schema, message, { registry });
  return `${toJsonString(schema, message, { registry, prettySpaces: 2 })}\n`;
}

const pad2 = (n: number): string => String(n).padStart(2, "0");

/**
 * A time as Go's `t.Truncate(time.Second).Local().String()` prints it:
 * `2006-01-02 15:04:05 -0700 MST` in the local zone (the zone's short name as `Intl` knows it:
 * `UTC`, `PST`, else `GMT+1`).
 */
export function goTime(ts: Timestamp | undefined): string {
  const d = ts ? timestampDate(ts) : new Date(0);
  const offset = -d.getTimezoneOffset();
  const sign = offset < 0 ? "-" : "+";
  const abs = Math.abs(offset);
  const zone =
    new Intl.DateTimeFormat("en-US", { timeZoneName: "short" })
      .formatToParts(d)
      .find((p) => p.type === "timeZoneName")?.value ?? "";
  return (
    `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ` +
    `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())} ` +
    `${sign}${pad2(Math.floor(abs / 60))}${pad2(abs % 60)} ${zone === "GMT" && offset === 0 ? "UTC" : zone}`
  );
}

const LIST_TABLE = { minwidth: 40, tabwidth: 2, padding: 2 };

/** `ListResults` as upstream's `tab` table: Name, Start, Update. */
export function resultsTable(res: ListResultsResponse): string {
  const rows = res.results.map((r) => [r.name, goTime(r.createTime), goTime(r.updateTime)]);
  return tabwrite(
    [["Name", "Start", "Update"], ...rows].map((c) => c.join("\t") + "\n").join(""),
    LIST_TABLE,
  );
}

/** `ListRecords` as upstream's `tab` table: Name, Type, Start, Update. */
export function recordsTable(res: ListRecordsResponse): string {
  const rows = res.records.map((r) => [
    r.name,
    r.data?.type ?? "",
    goTime(r.createTime),
    goTime(r.updateTime),
  ]);
  return tabwrite(
    [["Name", "Type", "Start", "Update"], ...rows].map((c) => c.join("\t") + "\n").join(""),
    LIST_TABLE,
  );
}

const DURAFMT_UNITS: [string, number][] = [
  ["year", 365 * 86_400_000],
  ["week", 7 * 86_400_000],
  ["day", 86_400_000],
  ["hour", 3_600_000],
  ["minute", 60_000],
  ["second", 1000],
  ["millisecond", 1],
];

/**
 * A duration as `durafmt.ParseShort(d).String()` prints it: its largest unit only ("5 minutes",
 * "1 hour", "2 weeks"; years of 365 days), "0 seconds" for none.
 */
export function durafmtShort(ms: number): string {
  const sign = ms < 0 ? "-" : "";
  let rest = Math.abs(ms);
  for (const [unit, size] of DURAFMT_UNITS) {
    const n = Math.floor(rest / size);
    if (n > 0) return `${sign}${n} ${unit}${n > 1 ? "s" : ""}`;
    rest %= size;
  }
  return "0 seconds";
}

/** Upstream's `format.Age`: "5 minutes ago", `---` without a time. */
export function age(ts: Timestamp | undefined, now: Date): string {
  if (!ts) return "---";
  return `${durafmtShort(now.getTime() - timestampDate(ts).getTime())} ago`;
}

/** Upstream's `format.Duration`: Go's duration between two times, `---` without either. */
function duration(a: Timestamp | undefined, b: Timestamp | undefined): string {
  if (!a || !b) return "---";
  return formatDuration(timestampDate(a), timestampDate(b));
}

const sorted = (m: { [key: string]: string }): [string, string][] =>
  Object.entries(m).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/**
 * `result describe`: upstream's template (Name, UID, Annotations, Status, Summary) through its
 * tabwriter (`0, 5, 3, ' ', TabIndent`).
 */
export function describeResult(r: Result, now: Date): string {
  let t = `Name:\t${r.name}\nUID:\t${r.uid}\n`;
  const annotations = sorted(r.annotations);
  if (annotations.length > 0) {
    t += "Annotations:\n" + annotations.map(([k, v]) => `\t${k}=${v}\n`).join("");
  }
  t += `Status:\n\tCreated:\t${age(r.createTime, now)}\tDURATION: ${duration(r.createTime, r.updateTime)}\n`;
  const s = r.summary;
  if (s) {
    const status = RecordSummary_StatusSchema.value[s.status]?.name ?? String(s.status);
    t += `Summary:\n\tType:\t${s.type}\n\tStatus:\n\tSTARTED\tDURATION\tSTATUS\n`;
    t += `\t${age(s.startTime, now)}\t${duration(s.startTime, s.endTime)}\t${status}\n`;
    const sa = sorted(s.annotations);
    if (sa.length > 0) {
      t += "\tAnnotations:\n" + sa.map(([k, v]) => `\t\t\t${k}=${v}\n`).join("");
    }
  }
  return tabwrite(t, { minwidth: 0, tabwidth: 5, padding: 3, tabIndent: true });
}
