/**
 * The names a CEL filter can use, per target (see the API contract, "Filters
 * (CEL)"): variables, qualified fields, `RecordSummary.Status` constants and
 * the kinds of records.
 *
 * @module
 */
import type {
  ColumnExpr,
  ColumnName,
  FilterExpr,
  FilterTarget,
  JsonColumn,
  JsonExpr,
} from "./ast.js";
import { constant } from "./cel-context.js";

/** The names a target declares: variables, qualified fields and constants. */
export type Declarations = ReadonlyMap<string, FilterExpr>;

/** The enum names of `RecordSummary.Status`, by value. */
const STATUS_NAMES = ["UNKNOWN", "SUCCESS", "FAILURE", "TIMEOUT", "CANCELLED"] as const;

/** A column of the filter AST. */
export function column(name: ColumnName, type: ColumnExpr["type"]): ColumnExpr {
  return { kind: "column", type, column: name };
}

/** A JSON column of the filter AST, walked from its root. */
function json(name: JsonColumn): JsonExpr {
  return { kind: "json", type: "dyn", root: { column: name }, path: [] };
}

/** The declarations of one target. */
export function declarations(target: FilterTarget): Declarations {
  const names = new Map<string, FilterExpr>([
    ["PIPELINE_RUN", constant("string", "tekton.dev/v1.PipelineRun")],
    ["TASK_RUN", constant("string", "tekton.dev/v1.TaskRun")],
    ["parent", column("parent", "string")],
    ["uid", column("uid", "string")],
    ["create_time", column("create_time", "timestamp")],
    ["update_time", column("update_time", "timestamp")],
  ]);
  if (target === "results") {
    names.set("annotations", json("annotations"));
    names.set("summary.record", column("summary.record", "string"));
    names.set("summary.type", column("summary.type", "string"));
    names.set("summary.status", column("summary.status", "int"));
    names.set("summary.start_time", column("summary.start_time", "timestamp"));
    names.set("summary.end_time", column("summary.end_time", "timestamp"));
    names.set("summary.annotations", json("summary.annotations"));
    STATUS_NAMES.forEach((name, value) => {
      for (const prefix of [
        "",
        "RecordSummary.",
        "RecordSummary.Status.",
        "tekton.results.v1alpha2.RecordSummary.Status.",
      ]) {
        names.set(prefix + name, constant("int", value));
      }
    });
  } else {
    names.set("result_name", column("result_name", "string"));
    names.set("name", column("name", "string"));
    names.set("data_type", column("data_type", "string"));
    names.set("data", json("data"));
  }
  return names;
}

/** Message-typed variables: they only exist as the prefix of a field. */
export const MESSAGES: Record<FilterTarget, ReadonlySet<string>> = {
  results: new Set(["summary"]),
  records: new Set(),
};
