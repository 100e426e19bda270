/**
 * `tkn-results pipelinerun describe [name]` and `tkn-results taskrun describe [name]`: one run,
 * found by name (the most recent of that name) or `--uid`, printed with upstream's template or as
 * JSON, YAML or its name.
 *
 * @module
 */
import { Command } from "commander";
import { connect } from "./connection.js";
import {
  describePipelineRun,
  describeTaskRun,
  type DescribedRun,
  type DescribeOptions,
} from "./describe-template.js";
import type { RunKind } from "./filter.js";
import type { Io } from "./io.js";
import { connectionFlags } from "./options.js";
import { checkNameOrUid, findRun, kindTitle } from "./run-lookup.js";
import { outputOption, printOutput, type Output } from "./output.js";
import { OUTPUT_FORMATS, runOf, type Run } from "./runs.js";

/**
 * The text `describe` prints for `run`: upstream's template (`output` unset), the object as JSON
 * (kubectl's printer: four-space indent), YAML (keys sorted, as kubectl prints them), through a
 * JSONPath template, or `pipelinerun.tekton.dev/<name>`.
 */
export function printDescribe(
  kind: RunKind,
  run: Run,
  output: Output | undefined,
  o: DescribeOptions,
): string {
  if (output) {
    return printOutput(output, run, {
      name: () => `${kind}.tekton.dev/${run.metadata?.name ?? ""}\n`,
      jsonIndent: 4,
      sortYamlKeys: true,
    });
  }
  return kind === "pipelinerun"
    ? describePipelineRun(run as DescribedRun, o)
    : describeTaskRun(run as DescribedRun, o);
}

/** Upstream's examples, and one of ours for `--uid`. */
function examples(kind: RunKind): string {
  const Title = kindTitle(kind);
  const cmd = `tkn-results ${kind} describe`;
  const my = kind === "pipelinerun" ? "my-pipelinerun" : "my-taskrun";
  // Upstream's TaskRun examples have no colon after three of their titles; kept as they are.
  const colon = kind === "pipelinerun" ? ":" : "";
  return `
Examples:
Describe a ${Title} in namespace 'foo':
    ${cmd} ${my} -n foo

Describe a ${Title} in the current namespace${colon}
    ${cmd} ${my}

Describe a ${Title} as yaml${colon}
    ${cmd} ${my} -o yaml

Describe a ${Title} as json${colon}
    ${cmd} ${my} -o json

Describe the ${Title} of a UID (when several have the same name):
    ${cmd} --uid 12345678-1234-1234-1234-1234567890ab
`;
}

/** The `describe` subcommand of `pipelinerun` or `taskrun`. */
export function describeCommand(kind: RunKind, io: Io): Command {
  const Title = kindTitle(kind);
  return new Command("describe")
    .alias("desc")
    .summary(`Describe a ${Title}`)
    .description(
      `Describe a ${Title} by name or UID. If --uid is provided, then ${Title} name is optional.

If multiple ${Title}s match the given name, the most recent one is returned.
Use --uid to target a specific ${Title} when needed.`,
    )
    .argument(`[${kind}-name]`)
    .option("--uid <string>", `UID of the ${Title} to describe`)
    .addOption(outputOption(OUTPUT_FORMATS))
    .addHelpText("after", examples(kind))
    .action(
      async (name: string | undefined, flags: { uid?: string; output?: Output }, self: Command) => {
        checkNameOrUid(name, flags.uid);
        const conn = await connect(connectionFlags(self));
        const record = await findRun(conn, { kind, name, uid: flags.uid });
        io.out(
          printDescribe(kind, runOf(record), flags.output, { now: io.now(), colour: io.colour }),
        );
      },
    );
}
