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
import { type Command, Option } from "commander";
import {
  formatLogName,
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
import {
  call,
  DEPRECATED,
  group,
  leaf,
  listRecordsAction,
  subcommand,
  withConnection,
  addListFlags,
  type ListFlags,
} from "./kit.js";
import {
  checkFormat,
  describeResult,
  GET_FORMATS,
  LIST_FORMATS,
  printMessage,
  resultsTable,
} from "./output.js";

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

export { DEPRECATED } from "./kit.js";
