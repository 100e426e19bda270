/**
 * Where a run's log comes from, and its streaming into a {@link LogText}: a TaskRun's own log;
 * a PipelineRun's, its TaskRuns' logs one after another in the order they started, as
 * `tkn-results pipelinerun logs` assembles it (the TaskRuns of its Result labelled with its
 * name and owned by it; lines without a marker marked `[task]`), its own log when none of them
 * has one. Each log is read with GetLog and added as its chunks arrive.
 *
 * @module
 */
import {
  isNotFound,
  logNameOfRecord,
  orderTaskRunsForLog,
  pipelineRunTaskRuns,
  pipelineTaskOf,
  type LogsClient,
  type Record,
  type ResultsClient,
} from "@tekton-results/client";
import type { LogText } from "./log-text.js";
import { kindOfType, runOf } from "./runs.js";

/** One log to read: its name, and the section title of its lines without a marker. */
export interface LogPart {
  /** The GetLog name: the run's record name with `records` turned into `logs`. */
  logName: string;
  /** The run's name. */
  run: string;
  /** `[task]` for a PipelineRun's TaskRun; undefined for a log read on its own. */
  title: string | undefined;
  /** The task of `title`. */
  task: string;
}

/** The logs that make up the log of the run of `record`, in order. */
export async function logParts(
  client: Pick<ResultsClient, "listAllRecords">,
  record: Record,
  signal?: AbortSignal,
): Promise<LogPart[]> {
  const run = runOf(record);
  const own: LogPart = {
    logName: logNameOfRecord(record.name),
    run: run.metadata?.name ?? "",
    title: undefined,
    task: "",
  };
  if (kindOfType(record.data?.type) !== "pipelinerun") return [own];
  // A PipelineRun: its TaskRuns' logs (none: the PipelineRun's own, see streamRunLog).
  const children = await pipelineRunTaskRuns(client, record, { signal });
  return orderTaskRunsForLog(run, children, runOf).map((r) => {
    const tr = runOf(r);
    return {
      logName: logNameOfRecord(r.name),
      run: tr.metadata?.name ?? "",
      title: `[${pipelineTaskOf(tr)}]`,
      task: pipelineTaskOf(tr),
    };
  });
}

/** What streaming the parts found. */
export interface StreamOutcome {
  /** The parts with a log stored. */
  stored: LogPart[];
  /** The parts with none (NotFound). */
  missing: LogPart[];
}

/**
 * Stream the logs of `parts` into `text` one after another, calling `onData` after each chunk;
 * a part without a log (NotFound) is skipped and reported; other errors are thrown (what came
 * before stays in `text`).
 */
export async function streamLogs(
  logs: Pick<LogsClient, "getLog">,
  parts: readonly LogPart[],
  text: LogText,
  onData: () => void,
  signal?: AbortSignal,
): Promise<StreamOutcome> {
  const outcome: StreamOutcome = { stored: [], missing: [] };
  for (const part of parts) {
    text.beginLog(part.title, part.task);
    try {
      for await (const body of logs.getLog({ name: part.logName }, { signal })) {
        text.push(body.data);
        onData();
      }
    } catch (err) {
      if (!isNotFound(err)) throw err;
      outcome.missing.push(part);
      continue;
    } finally {
      text.flush();
    }
    outcome.stored.push(part);
    onData();
  }
  return outcome;
}

/**
 * The log of the run of `record` streamed into `text`: its parts ({@link logParts}), then, for
 * a PipelineRun none of whose TaskRuns has a log, its own log (upstream's call).
 */
export async function streamRunLog(
  client: Pick<ResultsClient, "listAllRecords">,
  logs: Pick<LogsClient, "getLog">,
  record: Record,
  text: LogText,
  onData: () => void,
  signal?: AbortSignal,
): Promise<StreamOutcome> {
  const parts = await logParts(client, record, signal);
  const outcome = await streamLogs(logs, parts, text, onData, signal);
  if (outcome.stored.length > 0 || parts.length === 1) return outcome;
  const own: LogPart = {
    logName: logNameOfRecord(record.name),
    run: runOf(record).metadata?.name ?? "",
    title: undefined,
    task: "",
  };
  const alone = await streamLogs(logs, [own], text, onData, signal);
  return { stored: alone.stored, missing: [...outcome.missing, ...alone.missing] };
}
