/**
 * The `tkn-results` program: its commands, and running it with errors reported in one line.
 *
 * @module
 */
import { Command, CommanderError } from "commander";
import { completeCommand, completionCommand } from "./completion.js";
import { configCommand } from "./config-command.js";
import { closeConnections } from "./connection.js";
import { describeError, EXIT } from "./errors.js";
import { exportCommand } from "./export-command.js";
import { importCommand } from "./import-command.js";
import type { Io } from "./io.js";
import { describeCommand } from "./describe-command.js";
import { legacyCommands } from "./legacy/commands.js";
import { listCommand } from "./list-command.js";
import { logsCommand } from "./logs-command.js";
import { addConnectionFlags } from "./options.js";
import { summaryCommand } from "./summary-command.js";

const ROOT_HELP = `
The following commands are supported:
  config        Manage CLI configuration for Results:
                - set:  Configure the CLI to connect to a Tekton Results instance.
                - view: Display the current CLI configuration.
                - reset: Reset the CLI configuration to defaults.
  taskrun       Query TaskRuns stored in Tekton Results:
                - list:  List TaskRun with filtering options.
                - describe:  Show detailed information about a specific TaskRun.
                - logs: Get logs for a TaskRun.
  pipelinerun   Query PipelineRuns stored in Tekton Results:
                - list:  List PipelineRuns with filtering options.
                - describe:  Show detailed information about a specific PipelineRun.
                - logs: Get logs for a PipelineRun (its TaskRuns' logs, in order; -f follows).
  summary       Counts, durations and percentiles of PipelineRuns or TaskRuns, over all or
                grouped (--group-by pipeline|namespace|day|week|...), as a table or -o json|yaml.
  export        Export Results, Records and their logs as an NDJSON stream (--resume continues).
  import        Import such a stream into a server, keeping names and data byte for byte.

Examples:
  tkn-results config set --host=http://localhost:8080
  tkn-results pipelinerun list -n default
  tkn-results pipelinerun describe my-pipelinerun
  tkn-results pipelinerun logs my-pipelinerun -f
  tkn results taskrun list -A          (as a tkn plugin)

Deprecated (upstream's older gRPC-style commands, still working; see their --help):
  result list|describe, records list|get, logs list|get
`;

function runGroup(kind: "pipelinerun" | "taskrun", io: Io): Command {
  const group = addConnectionFlags(
    new Command(kind)
      .alias(kind === "pipelinerun" ? "pr" : "tr")
      .alias(`${kind}s`)
      .description(kind === "pipelinerun" ? "Query PipelineRuns" : "Query TaskRuns")
      .addHelpText(
        "after",
        `
Examples:
  tkn-results ${kind} list -n default
  tkn-results ${kind === "pipelinerun" ? "pr" : "tr"} ls -A --limit=20
`,
      ),
  );
  group.addCommand(listCommand(kind, io));
  group.addCommand(describeCommand(kind, io));
  group.addCommand(logsCommand(kind, io));
  return group;
}

/** The program with its commands, writing through `io`. */
export function createProgram(io: Io): Command {
  const program = new Command("tkn-results")
    .description(
      "Tekton Results CLI\n\nCommand-line interface (CLI) designed to interact with Tekton Results: configure how you reach the Tekton Results API server, and query TaskRuns and PipelineRuns and their associated data.",
    )
    .addHelpText("after", ROOT_HELP)
    .configureHelp({ showGlobalOptions: true })
    .configureOutput({
      writeOut: (s) => io.out(s),
      writeErr: (s) => io.err(s),
      outputError: (s, write) => write(s.replace(/^error: /, "Error: ")),
    })
    .exitOverride()
    .showSuggestionAfterError();
  program.addCommand(configCommand(io));
  program.addCommand(runGroup("pipelinerun", io));
  program.addCommand(runGroup("taskrun", io));
  program.addCommand(summaryCommand(io));
  program.addCommand(addConnectionFlags(exportCommand(io)));
  program.addCommand(addConnectionFlags(importCommand(io)));
  // Hidden from the command list, as cobra hides deprecated commands.
  for (const legacy of legacyCommands(io)) program.addCommand(legacy, { hidden: true });
  program.addCommand(completionCommand(io));
  program.addCommand(completeCommand(io), { hidden: true });
  for (const cmd of allCommands(program)) {
    cmd.configureOutput(program.configureOutput()).exitOverride().configureHelp({
      showGlobalOptions: true,
    });
  }
  return program;
}

function allCommands(cmd: Command): Command[] {
  return cmd.commands.flatMap((c) => [c, ...allCommands(c)]);
}

/**
 * Run the program on `argv` (without node and the script) and return its exit code: 0, or 1
 * after printing `Error: <cause>` on one line (see {@link EXIT}).
 */
export async function runCli(argv: string[], io: Io): Promise<number> {
  const program = createProgram(io);
  try {
    await program.parseAsync(argv, { from: "user" });
    return EXIT.OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander printed its message already; help and version exit 0.
      return err.exitCode === 0 ? EXIT.OK : EXIT.ERROR;
    }
    io.err(`Error: ${describeError(err)}\n`);
    return EXIT.ERROR;
  } finally {
    // A port-forward keeps the process alive: close it however the command ended.
    closeConnections();
  }
}
