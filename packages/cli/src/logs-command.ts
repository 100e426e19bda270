/**
 * `tkn-results taskrun logs [name]` and `tkn-results pipelinerun logs [name]`: the stored log of a
 * run (GetLog of the run's Record name with `records` turned into `logs`, as upstream asks for
 * it). A PipelineRun's log is assembled from its TaskRuns' logs, in the order they started, each
 * line marked `[task : step]` (upstream's issue #1180). `-f/--follow` keeps printing what is new
 * until the run has finished.
 *
 * @module
 */
import { setTimeout as sleep } from "node:timers/promises";
import { Command } from "commander";
import {
  isNotFound,
  logNameOfRecord,
  orderTaskRunsForLog,
  pipelineRunTaskRuns,
  pipelineTaskOf,
  type Record as ResultRecord,
} from "@tekton-results/client";
import { connect, type Connection } from "./connection.js";
import { CliError, describeError } from "./errors.js";
import type { RunKind } from "./filter.js";
import type { Io } from "./io.js";
import { LogLines, TaskColours } from "./log-lines.js";
import { connectionFlags } from "./options.js";
import { checkNameOrUid, findRun, kindTitle } from "./run-lookup.js";
import { runOf, type Run } from "./runs.js";

/** How often `--follow` asks the server again, in milliseconds (`TKN_RESULTS_POLL_MS`). */
export const DEFAULT_POLL_MS = 1000;

/**
 * How long after a run finished `--follow` waits for its log to be stored (the watcher stores
 * a run's log when it has finished), in milliseconds.
 */
export const LOG_GRACE_MS = 30_000;

/** Exit code of a `--follow` ended by Ctrl-C (128 + SIGINT, as a shell reports it). */
export const EXIT_INTERRUPTED = 130;

/** A TaskRun (or PipelineRun) object as the logs commands read it. */
interface LoggedRun extends Run {
  metadata?: Run["metadata"] & { ownerReferences?: { uid?: string }[] };
  status?: Run["status"] & {
    childReferences?: { name?: string }[];
    steps?: { name?: string }[];
  };
}

const finished = (run: LoggedRun): boolean => Boolean(run.status?.completionTime);

/** Whether the log of a run that finished at `completionTime` may still be on its way. */
function mayStillCome(run: LoggedRun, now: number): boolean {
  const done = Date.parse(run.status?.completionTime ?? "");
  return Number.isNaN(done) || now - done < LOG_GRACE_MS;
}

/**
 * The marker for the lines of a TaskRun's log that have none: `[task : step]` with the task its
 * pipeline task (else its Task, else its name) and the step when it has only one, else `[task]`.
 */
export function fallbackPrefix(run: LoggedRun): string {
  const task = pipelineTaskOf(run);
  const steps = run.status?.steps ?? [];
  return steps.length === 1 && steps[0]?.name ? `[${task} : ${steps[0].name}]` : `[${task}]`;
}

/**
 * The TaskRuns of a PipelineRun in the order their logs are printed: by start time (not yet
 * started last), then by their place in the PipelineRun's `childReferences`, then by name.
 */
export function orderTaskRuns(pipelineRun: LoggedRun, taskRuns: LoggedRun[]): LoggedRun[] {
  return orderTaskRunsForLog(pipelineRun, taskRuns);
}

/** One log being printed: what of it was printed, and its lines. */
class PrintedLog {
  private printed = 0;
  /** Whether the server had the log at the last read. */
  stored = false;

  constructor(
    private readonly conn: Connection,
    private readonly io: Io,
    private readonly name: string,
    private readonly lines: LogLines,
  ) {}

  /** Read the log and print what was not printed yet; NotFound leaves `stored` false. */
  async read(): Promise<void> {
    const bytes = await this.conn.logs.readLog(this.name).catch((err: unknown) => {
      if (isNotFound(err)) return undefined;
      throw new CliError(`failed to get logs: ${describeError(err, this.conn.address)}`);
    });
    if (bytes === undefined) return;
    this.stored = true;
    if (bytes.byteLength > this.printed) {
      this.io.out(this.lines.push(bytes.subarray(this.printed)));
      this.printed = bytes.byteLength;
    }
  }

  /** Print the last line: the log is complete. */
  end(): void {
    this.io.out(this.lines.end());
  }
}

interface Follow {
  follow: boolean;
  pollMs: number;
}

/** Read a run's Record again (to see whether it has finished). */
async function refresh(conn: Connection, record: ResultRecord): Promise<ResultRecord> {
  return conn.client.getRecord({ name: record.name }).catch((err: unknown) => {
    throw new CliError(describeError(err, conn.address));
  });
}

/** `taskrun logs`: the TaskRun's stored log, as stored (markers coloured on a terminal). */
async function taskRunLogs(
  conn: Connection,
  io: Io,
  record: ResultRecord,
  f: Follow,
): Promise<void> {
  const log = new PrintedLog(
    conn,
    io,
    logNameOfRecord(record.name),
    new LogLines({ colours: io.colour ? new TaskColours() : undefined }),
  );
  for (let current = record; ; current = await refresh(conn, current)) {
    const run: LoggedRun = runOf(current);
    await log.read();
    if (finished(run) && (log.stored || !f.follow || !mayStillCome(run, Date.now()))) {
      if (!log.stored) {
        throw new CliError(
          `failed to get logs: no log stored for TaskRun ${run.metadata?.name ?? ""}`,
        );
      }
      log.end();
      return;
    }
    await sleep(f.pollMs);
  }
}

/** The TaskRuns of a PipelineRun: in its Result, labelled with its name, owned by it. */
async function taskRunsOf(conn: Connection, record: ResultRecord): Promise<ResultRecord[]> {
  try {
    return await pipelineRunTaskRuns(conn.client, record);
  } catch (err) {
    throw new CliError(`failed to get logs: ${describeError(err, conn.address)}`);
  }
}

/**
 * `pipelinerun logs`: the logs of its TaskRuns one after another, in order, each line marked
 * `[task : step]`; the PipelineRun's own log (upstream's call) when none of them has one.
 */
async function pipelineRunLogs(
  conn: Connection,
  io: Io,
  record: ResultRecord,
  f: Follow,
): Promise<void> {
  const colours = io.colour ? new TaskColours() : undefined;
  const logs = new Map<string, PrintedLog>();
  const done = new Set<string>();
  let anyStored = false;
  for (let current = record; ; current = await refresh(conn, current)) {
    const pr: LoggedRun = runOf(current);
    const children = await taskRunsOf(conn, current);
    const byName = new Map(children.map((r) => [runOf(r) as LoggedRun, r.name]));
    let waiting = false;
    for (const tr of orderTaskRuns(pr, [...byName.keys()])) {
      const name = byName.get(tr)!;
      if (done.has(name)) continue;
      let log = logs.get(name);
      if (!log) {
        log = new PrintedLog(
          conn,
          io,
          logNameOfRecord(name),
          new LogLines({ prefix: fallbackPrefix(tr), colours, terminate: true }),
        );
        logs.set(name, log);
      }
      await log.read();
      const now = Date.now();
      // A TaskRun left unfinished by a PipelineRun that ended long ago is not waited for.
      const complete =
        !f.follow ||
        (finished(pr) && !mayStillCome(pr, now)) ||
        (finished(tr) && (log.stored || !mayStillCome(tr, now)));
      if (!complete) {
        waiting = true;
        break;
      }
      log.end();
      done.add(name);
      anyStored ||= log.stored;
      if (!log.stored) io.err(`no log stored for TaskRun ${tr.metadata?.name ?? ""}\n`);
    }
    if (!waiting && (!f.follow || finished(pr))) break;
    await sleep(f.pollMs);
  }
  if (anyStored) return;
  const own = new PrintedLog(
    conn,
    io,
    logNameOfRecord(record.name),
    new LogLines({ colours, terminate: true }),
  );
  await own.read();
  if (!own.stored) {
    const name = runOf(record).metadata?.name ?? "";
    throw new CliError(`failed to get logs: no log stored for PipelineRun ${name} or its TaskRuns`);
  }
  own.end();
}

function examples(kind: RunKind): string {
  const Title = kindTitle(kind);
  const cmd = `tkn-results ${kind} logs`;
  return `
Examples:
Get logs for a ${Title} named 'foo' in the current namespace:
  ${cmd} foo

Get logs for a ${Title} in a specific namespace:
  ${cmd} foo -n my-namespace

Get logs for a ${Title} by UID if there are multiple ${Title}${kind === "pipelinerun" ? "s" : ""} with the same name:
  ${cmd} --uid 12345678-1234-1234-1234-1234567890ab

Follow the logs of a ${Title} still running, until it has finished:
  ${cmd} foo -f
`;
}

/** The `logs` subcommand of `pipelinerun` or `taskrun`. */
export function logsCommand(kind: RunKind, io: Io): Command {
  const Title = kindTitle(kind);
  const assembled =
    kind === "pipelinerun"
      ? `\nThe log of a PipelineRun is its TaskRuns' logs one after another, in the order they
started, each line marked [task : step].\n`
      : "";
  return new Command("logs")
    .summary(`Get logs for a ${Title}`)
    .description(
      `Get logs for a ${Title} by name or UID. If --uid is provided, the ${Title} name is optional.

If multiple ${Title}s match the given name, the logs for the most recent one are returned.
Use --uid to target a specific ${Title} when needed.
${assembled}
A ${Title} still running has no log yet: -f/--follow waits, printing each log as it is
stored, until the ${Title} has finished.`,
    )
    .argument(`[${kind}-name]`)
    .option("--uid <string>", `UID of the ${Title} to get logs for`)
    .option("-f, --follow", `Follow a running ${Title} until it has finished`)
    .addHelpText("after", examples(kind))
    .action(
      async (
        name: string | undefined,
        flags: { uid?: string; follow?: boolean },
        self: Command,
      ) => {
        checkNameOrUid(name, flags.uid);
        const conn = await connect(connectionFlags(self));
        const record = await findRun(conn, { kind, name, uid: flags.uid });
        const follow = flags.follow === true;
        if (!follow && !finished(runOf(record))) {
          io.out(
            `Logs are not available for running ${Title}s. Please wait for the ${Title} to complete before retrieving logs.\n`,
          );
          io.err(`(-f follows the ${Title} until it has finished)\n`);
          return;
        }
        const pollMs = Number(process.env["TKN_RESULTS_POLL_MS"]) || DEFAULT_POLL_MS;
        // Ctrl-C while following: stop quietly, with the shell's code for an interrupt.
        const interrupted = (): never => process.exit(EXIT_INTERRUPTED);
        if (follow) process.once("SIGINT", interrupted);
        try {
          await (kind === "taskrun" ? taskRunLogs : pipelineRunLogs)(conn, io, record, {
            follow,
            pollMs,
          });
        } finally {
          process.removeListener("SIGINT", interrupted);
        }
      },
    );
}
