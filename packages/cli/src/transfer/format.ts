/**
 * The export stream of `tkn-results export` and `tkn-results import`: NDJSON, one JSON object a
 * line, each with a `kind`. Version 1 (see the package README, "The export format"):
 *
 * - `header` (first line): `format`, `version`, `exportedAt`, `source`, `selection`, `logs`
 *   (`inline` or `files`) and `logsDir`;
 * - `result`: `name`, `annotations`, `summary` (the API's JSON mapping), `server` (informative);
 * - `record`: `name`, `type`, `encoding` (`json`, `text` or `base64`), `data`, `server`;
 * - `log`: the log of the Log record `record`: inline `offset`, `encoding` (`text` or `base64`),
 *   `data`, or `file` (relative to the logs directory); the last line of a log has `end: true`,
 *   `size` and `sha256` (of the whole log);
 * - `checkpoint`: `pageToken`, where a resumed export continues;
 * - `end` (last line): the counts of the stream.
 *
 * @module
 */
import { fromJson, toJson, type JsonObject, type JsonValue } from "@bufbuild/protobuf";
import { timestampDate, type Timestamp } from "@bufbuild/protobuf/wkt";
import {
  RecordSummarySchema,
  type Record as ResultRecord,
  type RecordSummary,
  type Result,
} from "@tekton-results/client";

/** The `format` of the header line. */
export const FORMAT = "tekton-results-export";
/** The version of the format this program writes and reads. */
export const FORMAT_VERSION = 1;

/** How the bytes of a record's data or a piece of log are written. */
export type Encoding = "json" | "text" | "base64";

/** What the export selected (the header's `selection`). */
export interface Selection {
  /** A namespace, or `-` for every namespace. */
  parent: string;
  /** The CEL filter of Records as given (empty: none). */
  filter: string;
  /** Records created at or after this time (RFC 3339), or null. */
  since: string | null;
  /** Records created before this time (RFC 3339), or null. */
  until: string | null;
  /** Whether logs (and the Log records of the selected runs) come along. */
  logs: boolean;
}

/** The first line. */
export interface HeaderLine {
  kind: "header";
  format: typeof FORMAT;
  version: number;
  exportedAt: string;
  source: string;
  selection: Selection;
  logs: "inline" | "files";
  /** With `logs: "files"`: the logs directory, relative to the stream file's directory. */
  logsDir?: string;
}

/** What the server set itself: written for the reader, never imported. */
export interface ServerFields {
  uid: string;
  createTime: string | null;
  updateTime: string | null;
  etag: string;
}

/** A Result. */
export interface ResultLine {
  kind: "result";
  name: string;
  annotations: { [key: string]: string };
  summary?: JsonValue;
  server?: ServerFields;
}

/** A Record. */
export interface RecordLine {
  kind: "record";
  name: string;
  type: string;
  encoding: Encoding;
  data: JsonValue;
  server?: ServerFields;
}

/** A piece of a log (inline), or the whole log as a file. */
export interface LogLine {
  kind: "log";
  /** The Log record whose log this is. */
  record: string;
  offset?: number;
  encoding?: "text" | "base64";
  data?: string;
  file?: string;
  end: boolean;
  size?: number;
  sha256?: string;
}

/** Where a resumed export continues. */
export interface CheckpointLine {
  kind: "checkpoint";
  pageToken: string;
}

/** The counts of a complete stream. */
export interface EndLine {
  kind: "end";
  results: number;
  records: number;
  logs: number;
  logBytes: number;
}

/** Any line. */
export type Line = HeaderLine | ResultLine | RecordLine | LogLine | CheckpointLine | EndLine;

/** A line the reader cannot take; the message names what is wrong. */
export class StreamError extends Error {
  /** Build the error of line `lineNo`. */
  constructor(
    readonly lineNo: number,
    message: string,
  ) {
    super(message);
    this.name = "StreamError";
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const encoder = new TextEncoder();

/** The bytes as a string when they are valid UTF-8 (a byte order mark kept), else undefined. */
export function utf8Text(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * A record's data for the stream: the JSON document itself when writing it back gives the same
 * bytes (`json`), else the text (`text`), else base64 (`base64`).
 */
export function encodeData(bytes: Uint8Array): { encoding: Encoding; data: JsonValue } {
  const text = utf8Text(bytes);
  if (text === undefined)
    return { encoding: "base64", data: Buffer.from(bytes).toString("base64") };
  try {
    const value = JSON.parse(text) as JsonValue;
    if (JSON.stringify(value) === text) return { encoding: "json", data: value };
  } catch {
    // not JSON: kept as text
  }
  return { encoding: "text", data: text };
}

/** The bytes {@link encodeData} wrote. */
export function decodeData(encoding: Encoding, data: JsonValue): Uint8Array {
  switch (encoding) {
    case "json":
      return encoder.encode(JSON.stringify(data));
    case "text":
      return encoder.encode(data as string);
    case "base64":
      return new Uint8Array(Buffer.from(data as string, "base64"));
  }
}

/** A piece of log for the stream: `text` when it is UTF-8, else `base64`. */
export function encodeLogBytes(bytes: Uint8Array): { encoding: "text" | "base64"; data: string } {
  const text = utf8Text(bytes);
  return text === undefined
    ? { encoding: "base64", data: Buffer.from(bytes).toString("base64") }
    : { encoding: "text", data: text };
}

function iso(t: Timestamp | undefined): string | null {
  return t ? timestampDate(t).toISOString() : null;
}

/** The server's own fields of a Result or Record. */
function serverFields(x: Pick<Result, "uid" | "createTime" | "updateTime" | "etag">): ServerFields {
  return { uid: x.uid, createTime: iso(x.createTime), updateTime: iso(x.updateTime), etag: x.etag };
}

/** The line of a Result. */
export function resultLine(result: Result): ResultLine {
  return {
    kind: "result",
    name: result.name,
    annotations: { ...result.annotations },
    ...(result.summary ? { summary: toJson(RecordSummarySchema, result.summary) } : {}),
    server: serverFields(result),
  };
}

/** The line of a Record. */
export function recordLine(record: ResultRecord): RecordLine {
  const { encoding, data } = encodeData(record.data?.value ?? new Uint8Array());
  return {
    kind: "record",
    name: record.name,
    type: record.data?.type ?? "",
    encoding,
    data,
    server: serverFields(record),
  };
}

/** The summary of a result line, as the API's message. */
export function summaryOf(line: ResultLine): RecordSummary | undefined {
  return line.summary === undefined ? undefined : fromJson(RecordSummarySchema, line.summary);
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function need(ok: boolean, lineNo: number, what: string): void {
  if (!ok) throw new StreamError(lineNo, what);
}

const str = (v: unknown): v is string => typeof v === "string";
const count = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/**
 * Parse and check line `lineNo` of a stream. Throws a {@link StreamError} saying what is wrong:
 * not JSON, no or an unknown `kind`, a field missing or of the wrong type.
 */
export function parseLine(text: string, lineNo: number): Line {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new StreamError(lineNo, `not JSON (${(err as Error).message})`);
  }
  need(isObject(value), lineNo, "not a JSON object");
  const o = value as JsonObject;
  switch (o["kind"]) {
    case "header":
      need(
        o["format"] === FORMAT,
        lineNo,
        `not a ${FORMAT} stream (format ${JSON.stringify(o["format"])})`,
      );
      need(count(o["version"]), lineNo, "the header has no version");
      need(
        (o["version"] as number) <= FORMAT_VERSION,
        lineNo,
        `format version ${String(o["version"])} is newer than this tkn-results reads (${FORMAT_VERSION}); update tkn-results`,
      );
      need(
        o["logs"] === "inline" || o["logs"] === "files",
        lineNo,
        `the header's logs is neither "inline" nor "files"`,
      );
      need(
        o["logsDir"] === undefined || str(o["logsDir"]),
        lineNo,
        "the header's logsDir is not a string",
      );
      return o as unknown as HeaderLine;
    case "result":
      need(str(o["name"]), lineNo, "a result needs a name");
      need(
        isObject(o["annotations"]) && Object.values(o["annotations"]).every(str),
        lineNo,
        "a result's annotations must be an object of strings",
      );
      if (o["summary"] !== undefined) {
        try {
          fromJson(RecordSummarySchema, o["summary"]);
        } catch (err) {
          throw new StreamError(
            lineNo,
            `a result's summary is not one (${(err as Error).message})`,
          );
        }
      }
      return o as unknown as ResultLine;
    case "record":
      need(str(o["name"]) && str(o["type"]), lineNo, "a record needs a name and a type");
      need(
        o["encoding"] === "json" ||
          ((o["encoding"] === "text" || o["encoding"] === "base64") && str(o["data"])),
        lineNo,
        `a record's encoding must be "json", "text" or "base64" (with a string)`,
      );
      need(o["data"] !== undefined, lineNo, "a record needs data");
      return o as unknown as RecordLine;
    case "log":
      need(str(o["record"]), lineNo, "a log needs its record");
      need(typeof o["end"] === "boolean", lineNo, "a log line needs end: true or false");
      if (o["file"] !== undefined) {
        need(
          str(o["file"]) && o["end"] === true,
          lineNo,
          "a log file line needs a file and end: true",
        );
      } else {
        need(count(o["offset"]), lineNo, "a log line needs an offset");
        need(
          (o["encoding"] === "text" || o["encoding"] === "base64") && str(o["data"]),
          lineNo,
          `a log line needs data and an encoding "text" or "base64"`,
        );
      }
      if (o["end"] === true) {
        need(
          count(o["size"]) && str(o["sha256"]),
          lineNo,
          "the last line of a log needs its size and sha256",
        );
      }
      return o as unknown as LogLine;
    case "checkpoint":
      need(str(o["pageToken"]), lineNo, "a checkpoint needs a pageToken");
      return o as unknown as CheckpointLine;
    case "end":
      need(
        ["results", "records", "logs", "logBytes"].every((k) => count(o[k])),
        lineNo,
        "the end line needs the counts results, records, logs and logBytes",
      );
      return o as unknown as EndLine;
    default:
      throw new StreamError(lineNo, `unknown kind ${JSON.stringify(o["kind"])}`);
  }
}

/** A line as written: its JSON and a newline. */
export function lineText(line: Line): string {
  return JSON.stringify(line) + "\n";
}
