/**
 * `tkn-results export [parent]`: Results, Records and their logs as an NDJSON stream (the
 * format of `transfer/format.ts`, documented in the README), to standard output or a file,
 * resumable with `--resume`.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { Command, Option } from "commander";
import { connect } from "./connection.js";
import { CliError, describeError } from "./errors.js";
import type { Io } from "./io.js";
import { connectionFlags, parseInteger } from "./options.js";
import { cutWritten, readWritten, runExport, type Written } from "./transfer/exporter.js";
import type { Selection } from "./transfer/format.js";
import { describeCounts, startProgress } from "./transfer/progress.js";
import { parseTimeFlag } from "./transfer/selection.js";
import { fileSink, stdoutSink, type Sink } from "./transfer/sink.js";

interface ExportFlags {
  allNamespaces?: boolean;
  filter?: string;
  since?: string;
  until?: string;
  output?: string;
  logsDir?: string;
  logs: boolean;
  resume?: boolean;
  pageSize: number;
  quiet?: boolean;
}

const EXAMPLES = `
Examples:
  Export every run of the namespace 'default', logs inline, to a file:
    tkn-results export default --output default.ndjson

  Export the PipelineRuns of all namespaces of the last 24 hours, logs as files:
    tkn-results export - --filter 'data_type == "tekton.dev/v1.PipelineRun"' --since 24h \\
      --output prs.ndjson --logs-dir prs-logs

  Finish an export that was interrupted (the same command with --resume):
    tkn-results export default --output default.ndjson --resume

  Copy a namespace from one server to another:
    tkn-results export default --host http://old:8080 | tkn-results import --host http://new:8080

The stream (NDJSON: a header line, then results, records and logs, an end line) is described
in the README of @tekton-results/cli, "The export format" (version 1).
`;

/** Whether the selection of a resumed file and the one asked for now differ (and how). */
function selectionMismatch(
  before: Written["header"],
  now: Selection,
  logsAsFiles: boolean,
  given: (flag: string) => boolean,
): string | undefined {
  const was = before.selection;
  if (was.parent !== now.parent) return `the parent ${JSON.stringify(was.parent)}`;
  if (given("filter") && was.filter !== now.filter) return `--filter ${JSON.stringify(was.filter)}`;
  if (was.logs !== now.logs) return was.logs ? "logs" : "--no-logs";
  if ((before.logs === "files") !== logsAsFiles) {
    return before.logs === "files" ? "--logs-dir" : "logs inline (no --logs-dir)";
  }
  // A duration is taken at the first run's start: only a time given as such must agree.
  for (const key of ["since", "until"] as const) {
    if (
      given(key) &&
      now[key] !== null &&
      /^\d{4}-/.test(String(now[key])) &&
      was[key] !== now[key]
    ) {
      return `--${key} ${String(was[key])}`;
    }
  }
  return undefined;
}

/** The `export` command. */
export function exportCommand(io: Io): Command {
  const cmd = new Command("export")
    .description("Export Results, Records and their logs as an NDJSON stream")
    .argument(
      "[parent]",
      "a namespace, or - for every namespace (default: the namespace of -n or the kubeconfig)",
    )
    .option("-A, --all-namespaces", "every namespace (the parent -)")
    .option("--filter <cel>", "a CEL filter of Records, as ListRecords takes it")
    .option(
      "--since <time>",
      "Records created at or after this time: RFC 3339, or a duration before now (24h, 90m)",
    )
    .option(
      "--until <time>",
      "Records created before this time: RFC 3339, or a duration before now",
    )
    .option("--output <file>", "write the stream to this file (default: standard output)")
    .option(
      "--logs-dir <dir>",
      "write each log to a file below this directory, referenced from the stream (default: logs inline)",
    )
    .option("--no-logs", "no logs, nor the Log records of the selected runs")
    .option(
      "--resume",
      "continue the interrupted export in --output: keep its complete lines, add the rest",
    )
    .addOption(
      new Option("--page-size <n>", "Records per ListRecords request (1 to 10000)")
        .argParser(parseInteger("page-size"))
        .default(100),
    )
    .option("-q, --quiet", "no progress on standard error")
    .addHelpText("after", EXAMPLES);
  cmd.action(async (parentArg: string | undefined, flags: ExportFlags, self: Command) => {
    const given = (key: string) => self.getOptionValueSourceWithGlobals(key) === "cli";
    if (
      flags.allNamespaces &&
      (given("namespace") || (parentArg !== undefined && parentArg !== "-"))
    ) {
      throw new CliError("cannot use --all-namespaces/-A with a namespace");
    }
    if (flags.pageSize < 1 || flags.pageSize > 10_000) {
      throw new CliError("--page-size should be between 1 and 10000");
    }
    if (flags.resume && flags.output === undefined) {
      throw new CliError("--resume needs --output FILE: the file to continue");
    }
    const now = io.now();
    const since =
      flags.since === undefined ? null : parseTimeFlag(flags.since, "--since", now).toISOString();
    const until =
      flags.until === undefined ? null : parseTimeFlag(flags.until, "--until", now).toISOString();
    const conn = await connect(connectionFlags(self));
    let selection: Selection = {
      parent: flags.allNamespaces ? "-" : (parentArg ?? conn.namespace),
      filter: flags.filter ?? "",
      since,
      until,
      logs: flags.logs,
    };
    const output = flags.output === undefined ? undefined : resolve(flags.output);
    let logsDir = flags.logsDir === undefined ? undefined : resolve(flags.logsDir);
    let resumeFrom: Written | undefined;
    if (flags.resume && output !== undefined && existsSync(output)) {
      resumeFrom = await readWritten(output);
      const mismatch = selectionMismatch(
        resumeFrom.header,
        selection,
        logsDir !== undefined,
        given,
      );
      if (mismatch !== undefined) {
        throw new CliError(
          `${flags.output} was started with ${mismatch}`,
          "resume it with the same selection, or start anew without --resume",
        );
      }
      if (resumeFrom.complete) {
        if (!flags.quiet)
          io.err(`export: ${flags.output} is complete already (it has its end line)\n`);
        return;
      }
      selection = resumeFrom.header.selection;
      if (logsDir === undefined && resumeFrom.header.logsDir !== undefined) {
        logsDir = resolve(dirname(output), resumeFrom.header.logsDir);
      }
    }
    let sink: Sink;
    if (output === undefined) {
      sink = stdoutSink();
    } else if (resumeFrom) {
      await cutWritten(output, resumeFrom);
      sink = await fileSink(output, "a");
    } else {
      sink = await fileSink(output, "w");
    }
    const started = Date.now();
    const progress = startProgress({
      verb: "export",
      quiet: flags.quiet === true,
      stream: process.stderr,
      err: (s) => io.err(s),
    });
    let counts;
    try {
      counts = await runExport({
        client: conn.client,
        logs: conn.logs,
        address: conn.address,
        selection,
        sink,
        logsDir,
        logsDirInHeader:
          logsDir !== undefined && output !== undefined
            ? relative(dirname(output), logsDir) || "."
            : logsDir,
        pageSize: flags.pageSize,
        progress,
        now,
        resumeFrom,
      });
    } catch (err) {
      if (err instanceof CliError) throw err;
      throw new CliError(describeError(err, conn.address));
    } finally {
      progress.stop();
      await sink.close();
    }
    if (!flags.quiet) {
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      io.err(
        `export: ${describeCounts(counts)} written to ${flags.output ?? "standard output"} in ${seconds}s${resumeFrom ? " (resumed)" : ""}\n`,
      );
    }
  });
  return cmd;
}
