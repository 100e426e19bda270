/**
 * Upstream's older gRPC-style commands, deprecated as upstream deprecates them and working all
 * the same: `result list|describe`, `records list|get`, `logs list|get`, with their persistent
 * flags (`-a/--addr`, `-t/--authtoken`, `--insecure`, `--portforward`, `--sa`, `--sa-ns`,
 * `--v1alpha2`). Each prints cobra's deprecation line on standard error
 * (`Command "list" is deprecated, use ...`), and one line per deprecated flag given
 * (`Flag --addr has been deprecated, use ...`).
 *
 * @module
 */
import { createClient } from "@connectrpc/connect";
import { Command, Option } from "commander";
import {
  formatLogName,
  ListRecordsResponseSchema,
  ListResultsResponseSchema,
  parseRecordName,
  RecordSchema,
  type ListRecordsResponse,
} from "@tekton-results/proto";
import { HttpBodySchema, type HttpBody } from "@tekton-results/proto/google-api";
import { Logs as LogsV1alpha3 } from "@tekton-results/proto/v1alpha3";
import { create } from "@bufbuild/protobuf";
import { CliError } from "../errors.js";
import type { Io } from "../io.js";
import { parseBool, parseInteger } from "../options.js";
import { legacyConnect, type LegacyConnection, type LegacyFlags } from "./connection.js";
import {
  checkFormat,
  describeResult,
  GET_FORMATS,
  LIST_FORMATS,
  printMessage,
  recordsTable,
  resultsTable,
} from "./output.js";

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
function group(
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
function leaf(name: string, short: string, deprecated: string): Command {
  const cmd = new Command(name).description(`[DEPRECATED] ${short}`);
  (cmd as Command & { deprecated?: string }).deprecated = deprecated;
  return cmd;
}

interface ListFlags {
  filter: string;
  limit: number;
  page: string;
  output: string;
}

function addListFlags(cmd: Command): Command {
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

function addGetFlags(cmd: Command): Command {
  return cmd.addOption(
    new Option(
      "-o, --output <string>",
      "[DEPRECATED] output format. Valid values: textproto|json",
    ).default("json"),
  );
}

/** Connect with the flags of `cmd` and its group, run `body`, close; errors in one line. */
async function withConnection(
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
async function call<T>(conn: LegacyConnection, what: string, p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (err) {
    throw new CliError(`${what}: ${conn.explain(err)}`);
  }
}

const RECORD_EXAMPLE_UUIDS = `  Lets assume, there is a PipelineRun in 'default' namespace (parent) with:
  PipelineRun UUID: 0dfc883d-722a-4489-9ab8-3cccc74ca4f6 (parent)
  TaskRun 1 UUID: db6a5d59-2170-3367-9eb5-83f3d264ec62 (child 1)
  TaskRun 2 UUID: 9514f318-9329-485b-871c-77a4a6904891 (child 2)
`;

/** `result list <parent>` and `result describe [name]` (aliases `r`, `results`; `desc`). */
export function resultCommand(io: Io): Command {
  const cmd = group(
    "result",
    "Query Results",
    DEPRECATED.group,
    [
      "tkn-results result list default",
      "tkn-results result describe default/results/e6b4b2e3-d876-4bbe-a927-95c691b6fdc7",
    ],
    io,
  )
    .alias("r")
    .alias("results");
  const list = addListFlags(
    leaf("list", "List Results", DEPRECATED.list)
      .argument(
        "<parent>",
        `Parent name to query. This is typically corresponds to a namespace, but may vary depending on the API Server. "-" may be used to query all parents. This will list results for namespaces the token has access to`,
      )
      .alias("ls")
      .addHelpText(
        "after",
        `
Examples:
List the Results of the namespace 'default':
  tkn-results result list default

List the Results of every namespace the token may read:
  tkn-results result list -

List 20, then the next 20 (the page token is printed on standard error):
  tkn-results result list default --limit=20
  tkn-results result list default --limit=20 --page=<token>

Print them as JSON:
  tkn-results result list default -o json
`,
      ),
  ).action(async (parent: string, flags: ListFlags, self: Command) => {
    const format = checkFormat(flags.output, LIST_FORMATS);
    await withConnection(self, async (conn) => {
      const res = await call(
        conn,
        "ListResults",
        conn.results.listResults({
          parent,
          filter: flags.filter,
          pageSize: flags.limit,
          pageToken: flags.page,
        }),
      );
      if (format === "tab") {
        io.out(resultsTable(res));
        if (res.nextPageToken) io.err(`next page: --page=${res.nextPageToken}\n`);
      } else {
        io.out(printMessage(ListResultsResponseSchema, res, format));
      }
    });
  });
  const describe = leaf("describe", "Describes a Result", DEPRECATED.describe)
    .alias("desc")
    .argument("[name]", "the Result's name, <parent>/results/<result>")
    .addOption(new Option("-p, --parent <string>", "[DEPRECATED] parent of the result"))
    .addOption(new Option("-u, --uid <string>", "[DEPRECATED] uid of the result"))
    .addHelpText(
      "after",
      `
Examples:
Query by name:
tkn-results result describe default/results/e6b4b2e3-d876-4bbe-a927-95c691b6fdc7

Query by parent and uid:
tkn-results result desc --parent default --uid 949eebd9-1cf7-478f-a547-9ee313035f10
`,
    )
    .action(
      async (name: string | undefined, flags: { parent?: string; uid?: string }, self: Command) => {
        if (!name && !(flags.parent && flags.uid)) {
          throw new CliError("give the Result's name, or --parent and --uid");
        }
        await withConnection(self, async (conn) => {
          if (name) {
            const result = await conn.results.getResult({ name }).catch((err: unknown) => {
              throw new CliError(`failed to get result of name ${name}: ${conn.explain(err)}`);
            });
            io.out(describeResult(result, io.now()));
            return;
          }
          const what = `parent ${flags.parent} and uid ${flags.uid}`;
          const res = await conn.results
            .listResults({ parent: flags.parent!, filter: `uid=="${flags.uid}"` })
            .catch((err: unknown) => {
              throw new CliError(`failed to get result of ${what}: ${conn.explain(err)}`);
            });
          const result = res.results[0];
          if (!result) throw new CliError(`no result found with ${what}`);
          io.out(describeResult(result, io.now()));
        });
      },
    );
  for (const option of describe.options) {
    (option as Option & { deprecated?: string }).deprecated =
      "use 'pipelinerun describe' or 'taskrun describe' instead";
  }
  return cmd.addCommand(list).addCommand(describe);
}

/** What a subcommand of `records` or `logs` is, as upstream declares it. */
interface Spec {
  name: "list" | "get";
  short: string;
  long: string;
  deprecated: string;
  argument: string;
  examples: string;
}

/** A `list` or `get` subcommand with its help, argument and flags. */
function subcommand(s: Spec): Command {
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
function listRecordsAction(
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

/** `records list <result-name>` and `records get <record-name>`. */
export function recordsCommand(io: Io): Command {
  const cmd = group(
    "records",
    "Command sub-group for querying Records",
    DEPRECATED.group,
    [
      "tkn-results records list default/results/-",
      "tkn-results records get default/results/0dfc883d-722a-4489-9ab8-3cccc74ca4f6/records/db6a5d59-2170-3367-9eb5-83f3d264ec62",
    ],
    io,
  );
  const list = subcommand({
    name: "list",
    short: "List Records for a given Result",
    long: "List Records for a given Result. <result-name> is typically of format <namespace>/results/<parent-run-uuid>. '-' may be used in place of  <parent-run-uuid> to query all Records for a given parent.",
    deprecated: DEPRECATED.list,
    argument: "<result-name>",
    examples: `  - List all Records for PipelineRun with UUID 0dfc883d-722a-4489-9ab8-3cccc74ca4f6 in 'default' namespace:
    tkn-results records list default/results/0dfc883d-722a-4489-9ab8-3cccc74ca4f6

  - List all Records for all Runs in 'default' namespace:
    tkn-results records list default/results/-

  - List only TaskRuns Records in 'default' namespace:
    tkn-results records list default/results/- --filter="data_type=='tekton.dev/v1beta1.TaskRun'"`,
  }).action(listRecordsAction(io, "ListRecords", (user) => user));
  const get = subcommand({
    name: "get",
    short: "Get Record by <record-name>",
    long: "Get Record by <record-name>. <record-name> is typically of format <namespace>/results/<parent-run-uuid>/records/<child-run-uuid>",
    deprecated: DEPRECATED.describe,
    argument: "<record-name>",
    examples: `${RECORD_EXAMPLE_UUIDS}
  - Get the record for TaskRun 1:
    tkn-results records get default/results/0dfc883d-722a-4489-9ab8-3cccc74ca4f6/records/db6a5d59-2170-3367-9eb5-83f3d264ec62

  - Get the record for TaskRun 2:
    tkn-results records get default/results/0dfc883d-722a-4489-9ab8-3cccc74ca4f6/records/9514f318-9329-485b-871c-77a4a6904891

  - Get the record for PipelineRun:
    tkn-results records get default/results/0dfc883d-722a-4489-9ab8-3cccc74ca4f6/records/0dfc883d-722a-4489-9ab8-3cccc74ca4f6`,
  }).action(async (name: string, flags: { output: string }, self: Command) => {
    const format = checkFormat(flags.output, GET_FORMATS) as "json" | "textproto";
    await withConnection(self, async (conn) => {
      const record = await call(conn, "GetRecord", conn.results.getRecord({ name }));
      io.out(printMessage(RecordSchema, record, format));
    });
  });
  return cmd.addCommand(list).addCommand(get);
}

/** The log types `logs list` keeps (upstream's `buildLogListFilter`). */
const LOG_TYPES = `(data_type == "results.tekton.dev/v1alpha3.Log" || data_type == "results.tekton.dev/v1alpha2.Log")`;

/** Upstream's `buildLogListFilter`: the user's filter, and the log types. */
export function logListFilter(user: string): string {
  return user === "" ? LOG_TYPES : `(${user}) && ${LOG_TYPES}`;
}

/** Upstream's `rewriteLogRecordNames`: `.../records/x` named `.../logs/x`, warnings on stderr. */
function logNames(io: Io): (res: ListRecordsResponse) => void {
  return (res) => {
    let skipped = 0;
    for (const record of res.records) {
      try {
        const { parent, result, record: id } = parseRecordName(record.name);
        record.name = formatLogName(parent, result, id);
      } catch (err) {
        io.err(
          `Warning: skipping record with invalid name ${JSON.stringify(record.name)}: ${(err as Error).message}\n`,
        );
        skipped++;
      }
    }
    if (skipped > 0) io.err(`Warning: skipped ${skipped} record(s) due to parse errors\n`);
  };
}

/** The log named by `logs get`'s argument, as upstream's v1alpha3 path reads it. */
function logName(io: Io, arg: string): string {
  try {
    const { parent, result, record } = parseRecordName(arg);
    return formatLogName(parent, result, record);
  } catch (err) {
    if (!arg.includes("logs")) throw new CliError((err as Error).message);
    io.err(
      "GetLog you can also pass in the format <namespace>/results/<parent-run-uuid>/records/<child-run-uuid>\n",
    );
    return arg;
  }
}

/** `logs list <result-name>` and `logs get <log-name>`. */
export function logsCommand(io: Io): Command {
  const cmd = group(
    "logs",
    "Commands for finding and retrieving logs",
    DEPRECATED.logsGroup,
    [
      "tkn-results logs list default/results/-",
      "tkn-results logs get default/results/0dfc883d-722a-4489-9ab8-3cccc74ca4f6/logs/db6a5d59-2170-3367-9eb5-83f3d264ec62",
    ],
    io,
  );
  // As upstream: Results.ListRecords of the log records (not Logs.ListLogs), named as logs.
  const list = subcommand({
    name: "list",
    short: "List Logs for a given Result",
    long: "List Logs for a given Result. <result-name> is typically of format <namespace>/results/<parent-run-uuid>. '-' may be used in place of <parent-run-uuid> to query all Logs for a given parent.",
    deprecated: DEPRECATED.logs,
    argument: "<result-name>",
    examples: `  - List all Logs for PipelineRun with UUID 0dfc883d-722a-4489-9ab8-3cccc74ca4f6 in 'default' namespace:
    tkn-results logs list default/results/0dfc883d-722a-4489-9ab8-3cccc74ca4f6
  - List all logs for all Runs in 'default' namespace:
    tkn-results logs list default/results/-
  - List only TaskRuns logs in 'default' namespace:
    tkn-results logs list default/results/- --filter="data.spec.resource.kind=TaskRun"`,
  }).action(listRecordsAction(io, "List Logs", logListFilter, logNames(io)));
  const get = subcommand({
    name: "get",
    short: "Get Log by <log-name>",
    long: "Get Log by <log-name>. <log-name> is typically of format <namespace>/results/<parent-run-uuid>/logs/<child-run-uuid>",
    deprecated: DEPRECATED.logs,
    argument: "<log-name>",
    examples: `${RECORD_EXAMPLE_UUIDS}
  - Get the log for TaskRun 1:
    tkn-results logs get default/results/0dfc883d-722a-4489-9ab8-3cccc74ca4f6/logs/db6a5d59-2170-3367-9eb5-83f3d264ec62

  - Get log for TaskRun 2:
    tkn-results logs get default/results/0dfc883d-722a-4489-9ab8-3cccc74ca4f6/logs/9514f318-9329-485b-871c-77a4a6904891

  - Get log for the PipelineRun:
    tkn-results logs get default/results/0dfc883d-722a-4489-9ab8-3cccc74ca4f6/logs/0dfc883d-722a-4489-9ab8-3cccc74ca4f6`,
  }).action(async (arg: string, flags: { output: string }, self: Command) => {
    const format = checkFormat(flags.output, GET_FORMATS) as "json" | "textproto";
    await withConnection(self, async (conn) => {
      const stream: AsyncIterable<HttpBody> = conn.settings.v1alpha2
        ? conn.logs.getLog({ name: arg })
        : createClient(LogsV1alpha3, conn.transport).getLog({ name: logName(io, arg) });
      // The whole log as one HttpBody (upstream prints the first chunk only).
      const body = create(HttpBodySchema);
      const chunks: Uint8Array[] = [];
      await call(
        conn,
        "GetLog",
        (async () => {
          for await (const chunk of stream) {
            if (chunks.length === 0) body.contentType = chunk.contentType;
            chunks.push(chunk.data);
          }
        })(),
      );
      body.data = Buffer.concat(chunks);
      io.out(printMessage(HttpBodySchema, body, format));
    });
  });
  return cmd.addCommand(list).addCommand(get);
}

/** The three deprecated groups, for the program to add. */
export function legacyCommands(io: Io): Command[] {
  return [resultCommand(io), recordsCommand(io), logsCommand(io)];
}
