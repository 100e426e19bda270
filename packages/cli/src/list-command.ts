/**
 * `tkn-results pipelinerun list [pipeline-name]` and `tkn-results taskrun list [task-name]`.
 *
 * @module
 */
import { Command, Option } from "commander";
import { connect } from "./connection.js";
import { CliError, describeError } from "./errors.js";
import { buildFilter, parseLabels, type RunKind } from "./filter.js";
import type { Io } from "./io.js";
import { connectionFlags, parseBool, parseInteger } from "./options.js";
import { outputOption, type Output } from "./output.js";
import { OUTPUT_FORMATS, printRuns, runOf } from "./runs.js";

interface ListFlags {
  allNamespaces?: boolean;
  label?: string;
  limit: number;
  singlePage: boolean;
  pipelinerun?: string;
  page?: string;
  output?: Output;
}

/** The examples of upstream's help (its wording for each kind), and ours for `--page` and `-o`. */
function examples(kind: RunKind): string {
  const pr = kind === "pipelinerun";
  const [Runs, of] = pr ? ["PipelineRuns", "pipeline"] : ["TaskRuns", "task"];
  const cmd = `tkn-results ${kind} list`;
  const lines: [string, string][] = [
    [`List all ${Runs} in a namespace 'foo':`, `${cmd} -n foo`],
    [`List ${Runs} with a specific label:`, `${cmd} -L app=myapp`],
    pr
      ? [`List ${Runs} with multiple label selectors:`, `${cmd} -L app=myapp,env=prod`]
      : [`List ${Runs} with multiple labels:`, `${cmd} --label app=myapp,env=prod`],
    [`List ${Runs} from all namespaces:`, `${cmd} -A`],
    [`List ${Runs} with limit of 20 per page:`, `${cmd} --limit=20`],
    [
      "Continue with the next page (its token is printed on standard error):",
      `${cmd} --limit=20 --page=<token>`,
    ],
    [`List ${Runs} for a specific ${of}:`, `${cmd} foo -n namespace`],
    [`List ${Runs} with partial ${of} name match:`, `${cmd} build -n namespace`],
    ...(pr
      ? []
      : ([
          [
            `List ${Runs} for a specific PipelineRun:`,
            `${cmd} --pipelinerun my-pipeline-run -n namespace`,
          ],
        ] as [string, string][])),
    pr
      ? [`Print the ${Runs} as YAML:`, `${cmd} -n namespace -o yaml`]
      : [`Print the names of the ${Runs}:`, `${cmd} -n namespace -o name`],
    [
      `Print the name and status of each of the ${Runs}, as kubectl's JSONPath does:`,
      `${cmd} -o jsonpath='{range .items[*]}{.metadata.name}{"\\t"}{.status.conditions[0].reason}{"\\n"}{end}'`,
    ],
  ];
  return `\nExamples:\n${lines.map(([what, line]) => `${what}\n    ${line}\n`).join("\n")}`;
}

/** The `list` subcommand of `pipelinerun` or `taskrun`. */
export function listCommand(kind: RunKind, io: Io): Command {
  const title = kind === "pipelinerun" ? "PipelineRuns" : "TaskRuns";
  const cmd = new Command("list")
    .alias("ls")
    .description(`List ${title} in a namespace`)
    .argument(`[${kind === "pipelinerun" ? "pipeline" : "task"}-name]`)
    .option("-A, --all-namespaces", `List ${title} from all namespaces`)
    .option("-L, --label <string>", "Filter by label (format: key=value[,key=value...])")
    .addOption(
      new Option(
        "--limit <int>",
        `Maximum number of ${title} to return (must be between 5 and 1000)`,
      )
        .argParser(parseInteger("limit"))
        .default(50),
    )
    .addOption(
      new Option("--single-page [bool]", "Return only a single page of results")
        .argParser(parseBool("single-page"))
        .default(true),
    )
    .option("--page <token>", "Continue from this page token (printed by a previous list)")
    .addOption(outputOption(OUTPUT_FORMATS));
  if (kind === "taskrun") {
    cmd.option(
      "--pipelinerun <string>",
      "Filter TaskRuns by PipelineRun name. Note that multiple PipelineRuns can have the same name, so this will return TaskRuns from all PipelineRuns with the matching name.",
    );
  }
  cmd.addHelpText("after", examples(kind));
  cmd.action(async (name: string | undefined, flags: ListFlags, self: Command) => {
    const conn = connectionFlags(self);
    if (flags.allNamespaces && self.getOptionValueSourceWithGlobals("namespace") === "cli") {
      throw new CliError("cannot use --all-namespaces/-A and --namespace/-n together");
    }
    if (flags.limit < 5 || flags.limit > 1000) {
      throw new CliError("limit should be between 5 and 1000");
    }
    if (flags.label !== undefined) parseLabels(flags.label);
    const filter = buildFilter({
      kind,
      label: flags.label,
      name,
      pipelineRun: flags.pipelinerun,
    });
    const { client, namespace, address, timeoutMs } = await connect(conn);
    const parent = flags.allNamespaces ? "-/results/-" : `${namespace}/results/-`;
    let pageToken = flags.page ?? "";
    for (;;) {
      const res = await client
        .listRecords({
          parent,
          filter,
          orderBy: "create_time desc",
          pageSize: flags.limit,
          pageToken,
        })
        .catch((err: unknown) => {
          throw new CliError(describeError(err, address, { timeoutMs }));
        });
      io.out(
        printRuns(res.records.map(runOf), {
          kind,
          allNamespaces: flags.allNamespaces === true,
          now: io.now(),
          colour: io.colour,
          output: flags.output,
          nextPageToken: res.nextPageToken,
        }),
      );
      if (res.nextPageToken === "") return;
      if (flags.singlePage !== false) {
        // The token is in JSON, YAML and JSONPath's data (metadata.continue); else on stderr.
        if (flags.output === undefined || flags.output.format === "name") {
          io.err(`next page: --page=${res.nextPageToken}\n`);
        }
        return;
      }
      io.out("\nPress 'n' for next page, 'q' to quit: ");
      const answer = (await io.readLine())?.trim().toLowerCase();
      if (answer === "n") {
        pageToken = res.nextPageToken;
        continue;
      }
      if (answer !== "q") io.out("Invalid input. Exiting pagination.\n");
      return;
    }
  });
  return cmd;
}
