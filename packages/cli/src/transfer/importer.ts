/**
 * The import: a stream of `tkn-results export` loaded into a server line by line, keeping names,
 * types and data byte for byte (CreateResult, CreateRecord with the stream's names; each log by
 * one UpdateLog stream).
 *
 * What is already on the server is compared, so a rerun after an interruption skips what the
 * first run loaded: a Result with the same annotations and summary, a Record with the same type
 * and data bytes (a Log record: the same but for the `status` the server keeps itself), a log
 * with the same bytes. Anything else is a conflict, handled as `--on-conflict` says. A line the
 * import cannot take stops it with an error naming the line; what came before stays loaded.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { resolve } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { equals } from "@bufbuild/protobuf";
import {
  formatResultName,
  InvalidNameError,
  isAlreadyExists,
  isNotFound,
  logNameOfRecord,
  parseRecordName,
  parseResultName,
  RECORD_TYPES,
  RecordSummarySchema,
  type LogsClient,
  type Record as ResultRecord,
  type ResultsClient,
} from "@tekton-results/client";
import { CliError, describeError } from "../errors.js";
import { LOG_TIMEOUT_MS } from "./exporter.js";
import {
  decodeData,
  parseLine,
  StreamError,
  summaryOf,
  utf8Text,
  type HeaderLine,
  type Line,
  type LogLine,
  type RecordLine,
  type ResultLine,
} from "./format.js";
import type { StreamLine } from "./lines.js";
import { type Counts, type Progress } from "./progress.js";

/** What to do with something the server has with other content. */
export const ON_CONFLICT = ["fail", "skip", "overwrite"] as const;
/** One of {@link ON_CONFLICT}. */
export type OnConflict = (typeof ON_CONFLICT)[number];

/** The `status` fields of a Log record the server keeps itself (where and whether its log is). */
const LOG_BOOKKEEPING = ["path", "size", "isStored", "errorOnStoreMsg", "isRetryableErr"];

/** What an import did. */
export interface ImportReport {
  /** What the stream held (and is now on the server, but for skipped conflicts). */
  counts: Counts;
  /** Created (results, records) or uploaded (logs) by this run. */
  created: number;
  /** Already on the server, identical. */
  existing: number;
  /** On the server with other content, left as they were (`--on-conflict=skip`). */
  conflicts: number;
  /** On the server with other content, replaced (`--on-conflict=overwrite`). */
  overwritten: number;
}

/** What an import needs. */
export interface ImportOptions {
  client: ResultsClient;
  logs: LogsClient;
  /** The server (for error messages). */
  address: string;
  /** The stream's lines. */
  lines: AsyncIterable<StreamLine>;
  /** The stream's name in messages: its file, or "standard input". */
  source: string;
  /** The directory a relative `logsDir` of the header is taken from (the stream file's). */
  baseDir: string;
  /** `--logs-dir`: where the log files are, whatever the header says. */
  logsDir?: string | undefined;
  onConflict: OnConflict;
  progress: Progress;
}

/** What happened to a record, for its log. */
type RecordState = "created" | "overwritten" | "skipped" | { existing: ResultRecord };

function nameError(lineNo: number, err: unknown): never {
  if (err instanceof InvalidNameError) throw new StreamError(lineNo, err.message);
  throw err;
}

/** Whether `a` and `b` are the same data of a Log record but for the server's bookkeeping. */
function sameLogRecord(a: Uint8Array, b: Uint8Array): boolean {
  const strip = (bytes: Uint8Array): unknown => {
    try {
      const value = JSON.parse(utf8Text(bytes) ?? "") as { status?: { [k: string]: unknown } };
      if (typeof value?.status === "object" && value.status !== null) {
        for (const field of LOG_BOOKKEEPING) delete value.status[field];
      }
      return value;
    } catch {
      return undefined;
    }
  };
  const x = strip(a);
  return x !== undefined && isDeepStrictEqual(x, strip(b));
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}

/** Whether the Log record says its log is stored. */
function isStored(record: ResultRecord): boolean {
  try {
    const value = JSON.parse(utf8Text(record.data?.value ?? new Uint8Array()) ?? "") as {
      status?: { isStored?: unknown };
    };
    return value?.status?.isStored === true;
  } catch {
    return false;
  }
}

/** Run an import to the stream's end line. */
export async function runImport(o: ImportOptions): Promise<ImportReport> {
  const { client, logs, progress } = o;
  const counts: Counts = { results: 0, records: 0, logs: 0, logBytes: 0 };
  const report: ImportReport = { counts, created: 0, existing: 0, conflicts: 0, overwritten: 0 };
  const states = new Map<string, RecordState>();
  const iterator = o.lines[Symbol.asyncIterator]();
  let lastLine = 0;
  let bytesRead = 0;

  async function next(): Promise<{ line: Line; lineNo: number } | undefined> {
    for (;;) {
      const r = await iterator.next();
      if (r.done) return undefined;
      lastLine = r.value.lineNo;
      bytesRead = r.value.end;
      if (r.value.text.trim() === "") continue;
      return { line: parseLine(r.value.text, r.value.lineNo), lineNo: r.value.lineNo };
    }
  }

  /** Handle a conflict as `--on-conflict` says; `overwrite` replaces with `replace`. */
  async function conflict(
    lineNo: number,
    what: string,
    replace: () => Promise<unknown>,
  ): Promise<"skipped" | "overwritten"> {
    switch (o.onConflict) {
      case "fail":
        throw new StreamError(
          lineNo,
          `${what}; --on-conflict=skip keeps the server's, --on-conflict=overwrite replaces it`,
        );
      case "skip":
        report.conflicts++;
        return "skipped";
      case "overwrite":
        await replace();
        report.overwritten++;
        return "overwritten";
    }
  }

  async function importResult(line: ResultLine, lineNo: number): Promise<void> {
    let parent: string;
    try {
      parent = parseResultName(line.name).parent;
    } catch (err) {
      nameError(lineNo, err);
    }
    const summary = summaryOf(line);
    const result = { name: line.name, annotations: line.annotations, summary };
    counts.results++;
    try {
      await client.createResult({ parent, result });
      report.created++;
      return;
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
    const there = await client.getResult({ name: line.name });
    const same =
      isDeepStrictEqual({ ...there.annotations }, { ...line.annotations }) &&
      (there.summary === undefined || summary === undefined
        ? there.summary === summary
        : equals(RecordSummarySchema, there.summary, summary));
    if (same) {
      report.existing++;
      return;
    }
    await conflict(
      lineNo,
      `result ${line.name} is on the server with other annotations or summary`,
      () => client.updateResult({ name: line.name, result }),
    );
  }

  async function importRecord(line: RecordLine, lineNo: number): Promise<void> {
    let parent: string;
    try {
      const n = parseRecordName(line.name);
      parent = formatResultName(n.parent, n.result);
    } catch (err) {
      nameError(lineNo, err);
    }
    let value: Uint8Array;
    try {
      value = decodeData(line.encoding, line.data);
    } catch (err) {
      throw new StreamError(lineNo, `its data does not decode (${(err as Error).message})`);
    }
    const record = { name: line.name, data: { type: line.type, value } };
    counts.records++;
    try {
      await client.createRecord({ parent, record });
      report.created++;
      states.set(line.name, "created");
      return;
    } catch (err) {
      if (isNotFound(err)) {
        throw new StreamError(
          lineNo,
          `its result ${parent} is neither on the server nor before it in the stream`,
        );
      }
      if (!isAlreadyExists(err)) throw err;
    }
    const there = await client.getRecord({ name: line.name });
    const thereValue = there.data?.value ?? new Uint8Array();
    const same =
      there.data?.type === line.type &&
      (sameBytes(thereValue, value) ||
        (line.type === RECORD_TYPES.LOG && sameLogRecord(thereValue, value)));
    if (same) {
      report.existing++;
      states.set(line.name, { existing: there });
      return;
    }
    states.set(
      line.name,
      await conflict(
        lineNo,
        `record ${line.name} is on the server with another type or other data`,
        () => client.updateRecord({ record }),
      ),
    );
  }

  /**
   * The bytes of the log that starts with `first`: its inline lines (pulled from the stream) or
   * its file; checked against the size and sha256 of its last line.
   */
  async function* logBytes(
    first: LogLine,
    lineNo: number,
    out: { sha256?: string },
  ): AsyncGenerator<Uint8Array> {
    const hash = createHash("sha256");
    let size = 0;
    let line = first;
    let at = lineNo;
    if (line.file !== undefined) {
      if (logsRoot === undefined) {
        throw new StreamError(
          at,
          "the log is a file but the stream names no logs directory; give --logs-dir",
        );
      }
      const path = resolve(logsRoot, line.file);
      try {
        for await (const chunk of createReadStream(path)) {
          const bytes = chunk as Buffer;
          hash.update(bytes);
          size += bytes.byteLength;
          yield bytes;
        }
      } catch (err) {
        throw new StreamError(
          at,
          `cannot read its log file ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
        );
      }
    } else {
      for (;;) {
        if (line.offset !== size) {
          throw new StreamError(
            at,
            `the log of ${line.record} goes on at offset ${line.offset}, expected ${size}`,
          );
        }
        const bytes =
          line.encoding === "base64"
            ? Buffer.from(line.data ?? "", "base64")
            : Buffer.from(line.data ?? "", "utf8");
        hash.update(bytes);
        size += bytes.byteLength;
        if (bytes.byteLength > 0) yield bytes;
        if (line.end) break;
        const following = await next();
        if (!following)
          throw new StreamError(lastLine, `the stream ends inside the log of ${first.record}`);
        at = following.lineNo;
        if (following.line.kind !== "log" || following.line.record !== first.record) {
          throw new StreamError(
            at,
            `the log of ${first.record} ends without its last line (end: true)`,
          );
        }
        line = following.line;
      }
    }
    const digest = hash.digest("hex");
    if (size !== line.size || digest !== line.sha256) {
      throw new StreamError(
        at,
        `the log of ${first.record} has ${size} bytes with sha256 ${digest}, its last line says ${String(line.size)} bytes with sha256 ${String(line.sha256)}`,
      );
    }
    counts.logs++;
    counts.logBytes += size;
    out.sha256 = digest;
  }

  /** Upload `source` as the log of `record`; a failure of the source (a bad line) is the error. */
  async function upload(
    record: string,
    source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  ): Promise<void> {
    let sourceError: unknown;
    async function* guarded() {
      try {
        let empty = true;
        for await (const bytes of source) {
          empty = false;
          yield bytes;
        }
        // The first message names the log: an empty log is one empty message.
        if (empty) yield new Uint8Array(0);
      } catch (err) {
        sourceError = err;
        throw err;
      }
    }
    try {
      await logs.uploadLog(logNameOfRecord(record), guarded(), { timeoutMs: LOG_TIMEOUT_MS });
    } catch (err) {
      throw sourceError ?? err;
    }
  }

  /** The sha256 of the log stored for `record`. */
  async function storedLog(record: string): Promise<string> {
    const hash = createHash("sha256");
    for await (const chunk of logs.getLog(
      { name: logNameOfRecord(record) },
      { timeoutMs: LOG_TIMEOUT_MS },
    )) {
      hash.update(chunk.data);
    }
    return hash.digest("hex");
  }

  async function importLog(first: LogLine, lineNo: number): Promise<void> {
    const state = states.get(first.record);
    if (state === undefined) {
      throw new StreamError(
        lineNo,
        `a log of ${first.record}, a record not before it in the stream`,
      );
    }
    const read: { sha256?: string } = {};
    const source = logBytes(first, lineNo, read);
    if (state === "skipped") {
      for await (const _ of source); // read past it, checked all the same
      return;
    }
    if (state === "created" || state === "overwritten" || !isStored(state.existing)) {
      await upload(first.record, source);
      report.created++;
      return;
    }
    // On the server with a stored log: the same bytes, or a conflict.
    const there = await storedLog(first.record).catch((err: unknown) => {
      if (isNotFound(err)) return undefined;
      throw err;
    });
    const keep = o.onConflict === "overwrite" ? ([] as Uint8Array[]) : undefined;
    for await (const bytes of source) keep?.push(bytes);
    if (there !== undefined && there === read.sha256) {
      report.existing++;
      return;
    }
    await conflict(lastLine, `the log of ${first.record} is on the server with other bytes`, () =>
      upload(first.record, keep ?? []),
    );
  }

  const head = await next();
  if (!head || head.line.kind !== "header") {
    throw new StreamError(head?.lineNo ?? 1, "the stream does not start with a header line");
  }
  const header: HeaderLine = head.line;
  const logsRoot =
    o.logsDir ?? (header.logsDir === undefined ? undefined : resolve(o.baseDir, header.logsDir));

  for (;;) {
    const item = await next();
    if (!item) {
      throw new StreamError(
        lastLine,
        "the stream ends without its end line: it is incomplete (an export interrupted? finish it with 'tkn-results export --resume --output FILE')",
      );
    }
    const { line, lineNo } = item;
    try {
      switch (line.kind) {
        case "header":
          throw new StreamError(lineNo, "a second header line");
        case "result":
          await importResult(line, lineNo);
          break;
        case "record":
          await importRecord(line, lineNo);
          break;
        case "log":
          await importLog(line, lineNo);
          break;
        case "checkpoint":
          break;
        case "end": {
          const mismatch = (["results", "records", "logs", "logBytes"] as const).filter(
            (k) => line[k] !== counts[k],
          );
          if (mismatch.length > 0) {
            throw new StreamError(
              lineNo,
              `the end line counts ${mismatch.map((k) => `${line[k]} ${k}`).join(", ")}, the stream holds ${mismatch.map((k) => `${counts[k]}`).join(", ")}`,
            );
          }
          const after = await next();
          if (after) throw new StreamError(after.lineNo, "a line after the end line");
          progress.update(counts, bytesRead);
          return report;
        }
      }
    } catch (err) {
      if (err instanceof StreamError || err instanceof CliError) throw err;
      throw new StreamError(lastLine, describeError(err, o.address));
    }
    progress.update(counts, bytesRead);
  }
}
