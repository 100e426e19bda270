/**
 * `tkn-results import [file]`: load a stream of `tkn-results export` into a server, keeping
 * names, types and data byte for byte; a rerun skips what is there already.
 *
 * @module
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { Command, Option } from "commander";
import { connect } from "./connection.js";
import { CliError, describeError } from "./errors.js";
import type { Io } from "./io.js";
import { connectionFlags } from "./options.js";
import { StreamError } from "./transfer/format.js";
import { ON_CONFLICT, runImport, type OnConflict } from "./transfer/importer.js";
import { readLines } from "./transfer/lines.js";
import { describeCounts, startProgress } from "./transfer/progress.js";

interface ImportFlags {
  onConflict: OnConflict;
  logsDir?: string;
  quiet?: boolean;
}

const HELP = `
Names, record types and data are kept byte for byte. What the server sets itself cannot be
kept: the destination gives every Result and Record its own uid, create_time, update_time and
etag (the stream's "server" fields are for the reader only), and a Log record's status.path,
status.size and status.isStored are what the destination stored.

A rerun after an interruption skips what is already there and identical (a Result with the
same annotations and summary, a Record with the same type and data bytes, a log with the same
bytes). Anything already there with other content is a conflict: --on-conflict=fail (default)
stops with an error naming it, skip leaves the server's, overwrite replaces it.

A line that cannot be read stops the import with an error naming the line; what came before it
stays imported, and a rerun of the fixed stream goes on where it stopped.

Examples:
  Import a file:
    tkn-results import default.ndjson --host http://new:8080

  Import from standard input, leaving records that differ as they are:
    tkn-results export default | tkn-results import --on-conflict=skip --host http://new:8080

  Logs exported as files, the directory moved:
    tkn-results import prs.ndjson --logs-dir /mnt/prs-logs
`;

/** The `import` command. */
export function importCommand(io: Io): Command {
  const cmd = new Command("import")
    .description("Import a stream of 'tkn-results export' into a server")
    .argument("[file]", "the stream (default, or -: standard input)")
    .addOption(
      new Option(
        "--on-conflict <what>",
        "what to do with something the server has with other content",
      )
        .choices(ON_CONFLICT)
        .default("fail"),
    )
    .option(
      "--logs-dir <dir>",
      "where the log files of the stream are (default: the stream's logsDir, next to the file)",
    )
    .option("-q, --quiet", "no progress on standard error")
    .addHelpText("after", HELP);
  cmd.action(async (file: string | undefined, flags: ImportFlags, self: Command) => {
    const fromStdin = file === undefined || file === "-";
    const path = fromStdin ? undefined : resolve(file);
    let totalBytes: number | undefined;
    if (path !== undefined) {
      try {
        totalBytes = (await stat(path)).size;
      } catch (err) {
        throw new CliError(
          `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
        );
      }
    }
    const source = fromStdin ? "standard input" : file;
    const conn = await connect(connectionFlags(self));
    const started = Date.now();
    const progress = startProgress({
      verb: "import",
      quiet: flags.quiet === true,
      stream: process.stderr,
      err: (s) => io.err(s),
      totalBytes,
    });
    let report;
    try {
      report = await runImport({
        client: conn.client,
        logs: conn.logs,
        address: conn.address,
        lines: readLines(path === undefined ? process.stdin : createReadStream(path)),
        source,
        baseDir: path === undefined ? process.cwd() : dirname(path),
        logsDir: flags.logsDir === undefined ? undefined : resolve(flags.logsDir),
        onConflict: flags.onConflict,
        progress,
      });
    } catch (err) {
      if (err instanceof StreamError) {
        throw new CliError(
          `line ${err.lineNo} of ${source}: ${err.message}`,
          err.lineNo > 1 ? "what came before it is imported; a rerun skips it" : undefined,
        );
      }
      if (err instanceof CliError) throw err;
      throw new CliError(describeError(err, conn.address));
    } finally {
      progress.stop();
    }
    if (!flags.quiet) {
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      io.err(
        `import: ${describeCounts(report.counts)} from ${source}: ${report.created} created, ${report.existing} already there, ${report.conflicts} conflicts skipped, ${report.overwritten} overwritten, in ${seconds}s\n`,
      );
    }
  });
  return cmd;
}
