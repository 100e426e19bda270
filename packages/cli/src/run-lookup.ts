/**
 * Finding the one run a `describe` or `logs` command is about, as upstream finds it: by name (the
 * most recent of the runs of that name in the namespace) or by `--uid` (the Record
 * `<ns>/results/<uid>/records/<uid>`, else the run of that uid in any Result of the namespace).
 *
 * @module
 */
import { isInvalidArgument, isNotFound, type Record as ResultRecord } from "@tekton-results/client";
import type { Connection } from "./connection.js";
import { CliError, describeError } from "./errors.js";
import { DATA_TYPES, type RunKind } from "./filter.js";

/** Which run: a name, a uid, or both (the uid decides, as upstream). */
export interface RunQuery {
  kind: RunKind;
  /** The run's name (`metadata.name`). */
  name?: string | undefined;
  /** The run's uid (`--uid`). */
  uid?: string | undefined;
}

/** "PipelineRun" or "TaskRun". */
export function kindTitle(kind: RunKind): string {
  return kind === "pipelinerun" ? "PipelineRun" : "TaskRun";
}

const q = (s: string): string => JSON.stringify(s);

/** The CEL filter of the runs of `kind` whose `data.metadata.<field>` is `value`. */
export function exactRunFilter(kind: RunKind, field: "name" | "uid", value: string): string {
  const types = DATA_TYPES[kind].map((t) => `data_type==${q(t)}`).join(" || ");
  return `(${types}) && data.metadata.${field}==${q(value)}`;
}

/**
 * The Record of the run `query` names in `conn.namespace`. Throws a {@link CliError} with
 * upstream's messages: `no PipelineRun found with name X` (`... with UID U`, `... with name X
 * and UID U`), `failed to find PipelineRun: <cause>` when the server fails.
 */
export async function findRun(conn: Connection, query: RunQuery): Promise<ResultRecord> {
  const title = kindTitle(query.kind);
  const failed = (err: unknown): never => {
    throw new CliError(`failed to find ${title}: ${describeError(err, conn.address)}`);
  };
  const list = async (filter: string): Promise<ResultRecord | undefined> => {
    const res = await conn.client
      .listRecords({
        parent: `${conn.namespace}/results/-`,
        filter,
        orderBy: "create_time desc",
        pageSize: 5,
      })
      .catch(failed);
    return res.records[0];
  };
  if (query.uid) {
    // Upstream's direct lookup: a standalone run's Record is <ns>/results/<uid>/records/<uid>.
    const direct = await conn.client
      .getRecord({ name: `${conn.namespace}/results/${query.uid}/records/${query.uid}` })
      .catch((err: unknown) => {
        if (isNotFound(err) || isInvalidArgument(err)) return undefined;
        return failed(err);
      });
    if (direct && DATA_TYPES[query.kind].includes(direct.data?.type ?? "")) return direct;
    // A child run lives in its parent's Result: look for its uid in every Result.
    const found = await list(exactRunFilter(query.kind, "uid", query.uid));
    if (found) return found;
    throw new CliError(
      query.name
        ? `no ${title} found with name ${query.name} and UID ${query.uid}`
        : `no ${title} found with UID ${query.uid}`,
    );
  }
  const found = await list(exactRunFilter(query.kind, "name", query.name ?? ""));
  if (found) return found;
  throw new CliError(`no ${title} found with name ${query.name ?? ""}`);
}

/** Upstream's check of the arguments: a name, unless `--uid` is given. */
export function checkNameOrUid(name: string | undefined, uid: string | undefined): void {
  if (!uid && !name) {
    throw new CliError("requires exactly one argument when --uid is not provided");
  }
}
