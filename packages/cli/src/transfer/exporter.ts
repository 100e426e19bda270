/**
 * The export: every Record the selection lists (ListRecords ordered by `create_time asc`, page
 * by page), each after its Result, each Log record followed by its log, the Log records of the
 * selected runs after the runs, a checkpoint after each page and the counts at the end.
 *
 * Resuming (`--resume`) reads the file written so far: it keeps every complete line (a log cut
 * halfway is dropped whole), knows from them what was written, and continues from the last
 * checkpoint, skipping what the file has; so a killed export, resumed, gives the same lines an
 * uninterrupted one would have, each once.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, open, rename, rm, truncate } from "node:fs/promises";
import { dirname, join } from "node:path";
import pMap from "p-map";
import {
  formatResultName,
  isInvalidArgument,
  isNotFound,
  logNameOfRecord,
  parseRecordName,
  RECORD_TYPES,
  recordData,
  type LogsClient,
  type Record as ResultRecord,
  type Result,
  type ResultsClient,
} from "@tekton-results/client";
import { CliError } from "../errors.js";
import {
  encodeLogBytes,
  FORMAT,
  FORMAT_VERSION,
  lineText,
  parseLine,
  recordLine,
  resultLine,
  StreamError,
  type HeaderLine,
  type Line,
  type Selection,
} from "./format.js";
import { readLines } from "./lines.js";
import type { Counts, Progress } from "./progress.js";
import { recordsParent, selectionFilter } from "./selection.js";
import type { Sink } from "./sink.js";

/** The largest piece of log on one line: 1 MiB. */
export const LOG_CHUNK_BYTES = 1 << 20;
/** How long one log may take to download or upload: an hour (other calls: the connection's). */
export const LOG_TIMEOUT_MS = 3_600_000;
/** Kubernetes uids (and record names) the Log records of runs are looked up by. */
const RUN_UID = /^[A-Za-z0-9._:-]{1,253}$/;
/** How many uids one lookup of Log records names (the filter stays well under 16 KiB). */
const UIDS_PER_LOOKUP = 100;
/** GetResult calls in flight at once while a page's new Results are fetched. */
const RESULT_FETCHES = 8;

/** What the file of an interrupted export holds. */
export interface Written {
  header: HeaderLine;
  counts: Counts;
  results: Set<string>;
  records: Set<string>;
  /** The token of the last checkpoint ("" for none). */
  pageToken: string;
  /** Whether the file ends with its `end` line. */
  complete: boolean;
  /** Where the file's good part ends: what comes after is cut. */
  goodBytes: number;
  /** A Log record at the end of the good part whose log may be missing. */
  pendingLog: string | undefined;
}

/** Read the file of an interrupted export (see {@link Written}). */
export async function readWritten(path: string): Promise<Written> {
  let header: HeaderLine | undefined;
  const counts: Counts = { results: 0, records: 0, logs: 0, logBytes: 0 };
  const results = new Set<string>();
  const records = new Set<string>();
  let pageToken = "";
  let complete = false;
  let goodBytes = 0;
  let lastRecord: { name: string; isLog: boolean } | undefined;
  let openLog: { start: number; record: string } | undefined;
  for await (const line of readLines(createReadStream(path))) {
    if (!line.complete) break; // cut by the interruption
    let parsed: Line;
    try {
      parsed = parseLine(line.text, line.lineNo);
    } catch (err) {
      if (err instanceof StreamError) {
        throw new CliError(`cannot resume ${path}: line ${err.lineNo}: ${err.message}`);
      }
      throw err;
    }
    if (line.lineNo === 1) {
      if (parsed.kind !== "header")
        throw new CliError(`cannot resume ${path}: it has no header line`);
      header = parsed;
    }
    switch (parsed.kind) {
      case "result":
        results.add(parsed.name);
        counts.results++;
        break;
      case "record":
        records.add(parsed.name);
        counts.records++;
        lastRecord = { name: parsed.name, isLog: parsed.type === RECORD_TYPES.LOG };
        break;
      case "log":
        openLog ??= { start: line.start, record: parsed.record };
        if (parsed.end) {
          openLog = undefined;
          counts.logs++;
          counts.logBytes += parsed.size ?? 0;
        }
        break;
      case "checkpoint":
        pageToken = parsed.pageToken;
        break;
      case "end":
        complete = true;
        break;
    }
    if (parsed.kind !== "record") lastRecord = parsed.kind === "log" ? undefined : lastRecord;
    goodBytes = openLog ? openLog.start : line.end;
  }
  if (!header) throw new CliError(`cannot resume ${path}: it has no header line`);
  const pendingLog = openLog?.record ?? (lastRecord?.isLog ? lastRecord.name : undefined);
  return { header, counts, results, records, pageToken, complete, goodBytes, pendingLog };
}

/** Cut the file of an interrupted export after its good part. */
export async function cutWritten(path: string, written: Written): Promise<void> {
  await truncate(path, written.goodBytes);
}

/** What an export needs. */
export interface ExportOptions {
  client: ResultsClient;
  logs: LogsClient;
  /** The server (the header's `source`). */
  address: string;
  selection: Selection;
  sink: Sink;
  /** With logs as files: the directory they go to. */
  logsDir?: string | undefined;
  /** The logs directory as the header names it (relative to the stream file's directory). */
  logsDirInHeader?: string | undefined;
  /** Records per ListRecords page. */
  pageSize: number;
  progress: Progress;
  now: Date;
  /** What an interrupted export wrote (resuming), else a new stream is started. */
  resumeFrom?: Written | undefined;
}

/** The Result name of a Record name. */
function resultOf(recordName: string): string {
  const n = parseRecordName(recordName);
  return formatResultName(n.parent, n.result);
}

/** The uids a run's Log record may name in `spec.resource.uid`: its record name, its uid. */
function runIds(record: ResultRecord): string[] {
  const ids = [parseRecordName(record.name).record];
  try {
    const uid = recordData<{ metadata?: { uid?: unknown } }>(record)?.metadata?.uid;
    if (typeof uid === "string" && !ids.includes(uid)) ids.push(uid);
  } catch {
    // data that is not JSON: the record name only
  }
  return ids.filter((id) => RUN_UID.test(id));
}

/** The first index at or before `n` where a UTF-8 character starts (n when none is near). */
function charBoundary(bytes: Buffer, n: number): number {
  let i = n;
  for (let back = 0; back < 3 && i > 0 && (bytes[i]! & 0xc0) === 0x80; back++) i--;
  return (bytes[i]! & 0xc0) === 0x80 || i === 0 ? n : i;
}

/** Run an export to its end line. Returns the counts of the whole stream. */
export async function runExport(o: ExportOptions): Promise<Counts> {
  const { client, logs, selection, sink, progress } = o;
  const resumed = o.resumeFrom;
  const counts: Counts = resumed
    ? { ...resumed.counts }
    : { results: 0, records: 0, logs: 0, logBytes: 0 };
  const results = resumed?.results ?? new Set<string>();
  const records = resumed?.records ?? new Set<string>();
  const write = (line: Line) => sink.write(lineText(line));

  if (!resumed) {
    await write({
      kind: "header",
      format: FORMAT,
      version: FORMAT_VERSION,
      exportedAt: o.now.toISOString(),
      source: o.address,
      selection,
      logs: o.logsDir === undefined ? "inline" : "files",
      ...(o.logsDir === undefined ? {} : { logsDir: o.logsDirInHeader ?? o.logsDir }),
    });
  }

  async function exportLog(recordName: string): Promise<void> {
    const name = logNameOfRecord(recordName);
    const hash = createHash("sha256");
    let size = 0;
    let started = false;
    const n = parseRecordName(recordName);
    const file = `${n.parent}/${n.result}/${n.record}.log`;
    const target = o.logsDir === undefined ? undefined : join(o.logsDir, file);
    const temp = target && `${target}.partial`;
    if (target) await mkdir(dirname(target), { recursive: true });
    const handle = temp ? await open(temp, "w") : undefined;
    let parts: Buffer[] = [];
    let pending = 0;
    /** Write the pending bytes' first `bytes` (all of them when `end`). */
    const flushInline = (bytes: Buffer, end: boolean) =>
      write({
        kind: "log",
        record: recordName,
        offset: size - pending,
        ...encodeLogBytes(bytes),
        end,
        ...(end ? { size, sha256: hash.digest("hex") } : {}),
      });
    try {
      for await (const chunk of logs.getLog({ name }, { timeoutMs: LOG_TIMEOUT_MS })) {
        started = true;
        const bytes = Buffer.from(chunk.data);
        hash.update(bytes);
        size += bytes.byteLength;
        if (handle) {
          await handle.write(bytes);
          continue;
        }
        parts.push(bytes);
        pending += bytes.byteLength;
        // Only with a byte past the cut known, so the cut never depends on how chunks arrived.
        while (pending > LOG_CHUNK_BYTES) {
          const all = Buffer.concat(parts, pending);
          const cut = charBoundary(all, LOG_CHUNK_BYTES);
          await flushInline(all.subarray(0, cut), false);
          parts = [all.subarray(cut)];
          pending -= cut;
        }
      }
    } catch (err) {
      await handle?.close();
      if (temp) await rm(temp, { force: true });
      // A Log record whose log was never stored: the record alone.
      if (isNotFound(err) && !started) return;
      throw err;
    }
    if (handle && target && temp) {
      await handle.close();
      await rename(temp, target);
      await write({
        kind: "log",
        record: recordName,
        file,
        end: true,
        size,
        sha256: hash.digest("hex"),
      });
    } else {
      await flushInline(Buffer.concat(parts, pending), true);
    }
    counts.logs++;
    counts.logBytes += size;
    progress.update(counts);
  }

  /** The Results of `page` not yet written, fetched side by side (one GetResult each). */
  async function resultsOf(page: ResultRecord[]): Promise<Map<string, Result>> {
    const names = [...new Set(page.map((r) => resultOf(r.name)))].filter((n) => !results.has(n));
    const fetched = await pMap(names, (name) => client.getResult({ name }), {
      concurrency: RESULT_FETCHES,
    });
    return new Map(fetched.map((result) => [result.name, result]));
  }

  async function emit(record: ResultRecord, fetched: Map<string, Result>): Promise<void> {
    if (records.has(record.name)) return;
    const resultName = resultOf(record.name);
    if (!results.has(resultName)) {
      await write(
        resultLine(fetched.get(resultName) ?? (await client.getResult({ name: resultName }))),
      );
      results.add(resultName);
      counts.results++;
    }
    await write(recordLine(record));
    records.add(record.name);
    counts.records++;
    progress.update(counts);
    if (selection.logs && record.data?.type === RECORD_TYPES.LOG) await exportLog(record.name);
  }

  /** The Log records of the runs among `page` not yet written, by run record name. */
  async function logRecordsOf(page: ResultRecord[]): Promise<Map<string, ResultRecord[]>> {
    const byId = new Map<string, string>(); // `${result}\0${uid}` -> run record name
    for (const record of page) {
      if (record.data?.type === RECORD_TYPES.LOG) continue;
      for (const id of runIds(record)) byId.set(`${resultOf(record.name)}\0${id}`, record.name);
    }
    const ids = [...new Set([...byId.keys()].map((k) => k.split("\0")[1]!))];
    const found = new Map<string, ResultRecord[]>();
    for (let i = 0; i < ids.length; i += UIDS_PER_LOOKUP) {
      const group = ids.slice(i, i + UIDS_PER_LOOKUP);
      const filter = `data_type == "${RECORD_TYPES.LOG}" && data.spec.resource.uid in [${group.map((id) => JSON.stringify(id)).join(", ")}]`;
      for await (const log of client.listAllRecords(
        { parent: recordsParent(selection), filter, orderBy: "create_time asc" },
        { pageSize: 1000 },
      )) {
        let uid: unknown;
        try {
          uid = recordData<{ spec?: { resource?: { uid?: unknown } } }>(log)?.spec?.resource?.uid;
        } catch {
          continue;
        }
        const run = byId.get(`${resultOf(log.name)}\0${String(uid)}`);
        if (run !== undefined) found.set(run, [...(found.get(run) ?? []), log]);
      }
    }
    return found;
  }

  if (resumed?.pendingLog !== undefined && selection.logs) await exportLog(resumed.pendingLog);
  const parent = recordsParent(selection);
  const filter = selectionFilter(selection);
  // The filter alone first, so that the position of an error is in the filter as given.
  if (selection.filter.trim() !== "") {
    await client
      .listRecords({ parent, filter: selection.filter, pageSize: 1 })
      .catch((err: unknown) => {
        if (!isInvalidArgument(err)) throw err;
        const message = (err as { rawMessage?: string }).rawMessage ?? String(err);
        throw new CliError(`invalid --filter ${JSON.stringify(selection.filter)}: ${message}`);
      });
  }
  let pageToken = resumed?.pageToken ?? "";
  for (;;) {
    let page;
    try {
      page = await client.listRecords({
        parent,
        filter,
        orderBy: "create_time asc",
        pageSize: o.pageSize,
        pageToken,
      });
    } catch (err) {
      // A checkpoint another server does not take: from the start, skipping what is written.
      if (pageToken !== "" && resumed && isInvalidArgument(err)) {
        pageToken = "";
        continue;
      }
      throw err;
    }
    const [related, fetched] = await Promise.all([
      selection.logs ? logRecordsOf(page.records) : new Map<string, ResultRecord[]>(),
      resultsOf(page.records),
    ]);
    for (const record of page.records) {
      await emit(record, fetched);
      for (const log of related.get(record.name) ?? []) await emit(log, fetched);
    }
    if (page.nextPageToken === "") break;
    await write({ kind: "checkpoint", pageToken: page.nextPageToken });
    pageToken = page.nextPageToken;
  }
  await write({ kind: "end", ...counts });
  return counts;
}
