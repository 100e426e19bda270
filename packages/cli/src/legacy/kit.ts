/**
 * What the older commands share: their persistent flags and deprecation lines, the group and leaf
 * commands, the list and get flags, the connection around an action, and the list action of
 * `records` and `logs`.
 *
 * @module
 */
import { Command, Option } from "commander";
import { ListRecordsResponseSchema, type ListRecordsResponse } from "@tekton-results/proto";
import { CliError } from "../errors.js";
import type { Io } from "../io.js";
import { parseBool, parseInteger } from "../options.js";
import { legacyConnect, type LegacyConnection, type LegacyFlags } from "./connection.js";
import { checkFormat, LIST_FORMATS, printMessage, recordsTable } from "./output.js";

/** Upstream's deprecation messages (cobra's `Deprecated`), by command. */
export const DEPRECATED = {
  group: "use 'pipelinerun' or 'taskrun' commands to query PipelineRuns and TaskRuns",
  list: "use 'pipelinerun list' or 'taskrun list' to list PipelineRuns and TaskRuns",
  describe:
    "use 'pipelinerun describe' or 'taskrun describe' to get detailed information about PipelineRuns and TaskRuns",
  logsGroup: "use 'pipelinerun logs' or 'taskrun logs' commands to retrieve logs",
  logs: "use 'pipelinerun logs' or 'taskrun logs' to retrieve logs",
} as const;

/** Upstream's persistent flags with their help and deprecation messages (`MarkDeprecated`). */
const PERSISTENT: [key: keyof LegacyFlags, flag: string, help: string, deprecated: string][] = [
  [
    "addr",
    "-a, --addr <string>",
    "[DEPRECATED] Result API server address. Use 'config set --host=<host>' instead",
    "use 'config set --host=<host>' to configure the API server address",
  ],
  [
    "authtoken",
    "-t, --authtoken <string>",
    "[DEPRECATED] authorization bearer token. Use 'config set --token=<token>' instead",
    "use 'config set --token=<token>' to configure authentication",
  ],
  [
    "insecure",
    "--insecure [bool]",
    "[DEPRECATED] determines whether to run insecure GRPC tls request. Use 'config set --insecure' instead",
    "use 'config set --insecure' to configure TLS settings",
  ],
  [
    "portforward",
    "--portforward [bool]",
    "[DEPRECATED] enable auto portforwarding. Use 'config set' instead (default true)",
    "use 'config set' to configure portforwarding behavior",
  ],
  [
    "sa",
    "--sa <string>",
    "[DEPRECATED] ServiceAccount for authorization. Use 'config set' instead",
    "use 'config set' for service account-based authentication",
  ],
  [
    "saNs",
    "--sa-ns <string>",
    "[DEPRECATED] ServiceAccount Namespace. Use 'config set' instead",
    "use 'config set' for service account configuration",
  ],
  [
    "v1alpha2",
    "--v1alpha2 [bool]",
    "[DEPRECATED] use v1alpha2 API. This flag is no longer needed",
    "v1alpha2 API support has been deprecated and this flag has no effect",
  ],
];

const BOOLEAN_FLAGS = new Set<keyof LegacyFlags>(["insecure", "portforward", "v1alpha2"]);

/** A group (`result`, `records`, `logs`) with upstream's persistent flags and deprecation lines. */
export function group(
  name: string,
  description: string,
  deprecated: string,
  examples: string[],
  io: Io,
): Command {
  const cmd = new Command(name)
    .description(`[DEPRECATED] ${description}`)
    .addHelpText("after", `\nDeprecation Notice: ${deprecated}.\n`)
    .addHelpText("after", `\nExamples:\n${examples.map((e) => `  ${e}\n`).join("")}`);
  for (const [key, flag, help] of PERSISTENT) {
    const option = new Option(flag, help);
    if (BOOLEAN_FLAGS.has(key)) option.argParser(parseBool(flag.replace(/^--| .*$/g, "")));
    cmd.addOption(option);
  }
  cmd.hook("preAction", (_self, leaf) => {
    const message = (leaf as Command & { deprecated?: string }).deprecated;
    if (message) io.err(`Command ${JSON.stringify(leaf.name())} is deprecated, ${message}\n`);
    for (const [key, flag, , why] of PERSISTENT) {
      if (leaf.getOptionValueSourceWithGlobals(key) === "cli") {
        io.err(
          `Flag ${flag.replace(/^-\w, /, "").replace(/ .*$/, "")} has been deprecated, ${why}\n`,
        );
      }
    }
    for (const option of leaf.options) {
      const why = (option as Option & { deprecated?: string }).deprecated;
      if (why && leaf.getOptionValueSource(option.attributeName()) === "cli") {
        io.err(`Flag ${option.long} has been deprecated, ${why}\n`);
      }
    }
  });
  return cmd;
}

/** A subcommand, marked deprecated with upstream's message (printed by its group's hook). */
export function leaf(name: string, short: string, deprecated: string): Command {
  const cmd = new Command(name).description(`[DEPRECATED] ${short}`);
  (cmd as Command & { deprecated?: string }).deprecated = deprecated;
  return cmd;
}

export interface ListFlags {
  filter: string;
  limit: number;
  page: string;
  output: string;
}

export function addListFlags(cmd: Command): Command {
  return cmd
    .option("-f, --filter <string>", "[DEPRECATED] CEL Filter", "")
    .addOption(
      new Option(
        "-l, --limit <int32>",
        "[DEPRECATED] number of items to return. Response may be truncated due to server limits.",
      )
        .argParser(parseInteger("limit"))
        .default(0),
    )
    .option("-p, --page <string>", "[DEPRECATED] pagination token to use for next page", "")
    .addOption(
      new Option(
        "-o, --output <string>",
        "[DEPRECATED] output format. Valid values: tab|textproto|json",
      ).default("tab"),
    );
}

export function addGetFlags(cmd: Command): Command {
  return cmd.addOption(
    new Option(
      "-o, --output <string>",
      "[DEPRECATED] output format. Valid values: textproto|json",
    ).default("json"),
  );
}

/** Connect with the flags of `cmd` and its group, run `body`, close; errors in one line. */
export async function withConnection(
  cmd: Command,
  body: (conn: LegacyConnection) => Promise<void>,
): Promise<void> {
  const conn = await legacyConnect(cmd.optsWithGlobals<LegacyFlags>());
  try {
    await body(conn);
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(conn.explain(err));
  } finally {
    conn.close();
  }
}

/** A call, its failure prefixed as upstream prefixes it (`ListRecords: ...`). */
export async function call<T>(conn: LegacyConnection, what: string, p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (err) {
    throw new CliError(`${what}: ${conn.explain(err)}`);
  }
}

/** What a subcommand of `records` or `logs` is, as upstream declares it. */
export interface Spec {
  name: "list" | "get";
  short: string;
  long: string;
  deprecated: string;
  argument: string;
  examples: string;
}

/** A `list` or `get` subcommand with its help, argument and flags. */
export function subcommand(s: Spec): Command {
  const cmd = leaf(s.name, s.short, s.deprecated)
    .summary(`[DEPRECATED] ${s.short}`)
    .description(s.long)
    .argument(s.argument)
    .addHelpText("after", `\nExamples:\n${s.examples}\n`);
  return s.name === "list" ? addListFlags(cmd) : addGetFlags(cmd);
}

/**
 * The action of `records list` and `logs list`: ListRecords of the argument with the filter
 * `filterOf` makes of `-f`, the records passed through `rename`, printed in `-o`'s format.
 */
export function listRecordsAction(
  io: Io,
  what: string,
  filterOf: (user: string) => string,
  rename: (res: ListRecordsResponse) => void = () => undefined,
) {
  return async (parent: string, flags: ListFlags, self: Command): Promise<void> => {
    const format = checkFormat(flags.output, LIST_FORMATS);
    await withConnection(self, async (conn) => {
      const res = await call(
        conn,
        what,
        conn.results.listRecords({
          parent,
          filter: filterOf(flags.filter),
          pageSize: flags.limit,
          pageToken: flags.page,
        }),
      );
      rename(res);
      if (format === "tab") {
        io.out(recordsTable(res));
        if (res.nextPageToken) io.err(`next page: --page=${res.nextPageToken}\n`);
      } else {
        io.out(printMessage(ListRecordsResponseSchema, res, format));
      }
    });
  };
}
