/**
 * The select list of a record summary over the typed record columns the SQL
 * adapters store (see `filter/typed-fields.ts`), shared by their summaries.
 *
 * @module
 */
import type { RecordTimeField } from "@tekton-results/storage";
import type { SummaryGroupBy, SummaryTimeField } from "@tekton-results/storage";

/** The typed time column holding each summary time field. */
export const SUMMARY_TIME_COLUMNS: Readonly<Record<SummaryTimeField, RecordTimeField>> = {
  creationTimestamp: "creation_ms",
  startTime: "start_ms",
  completionTime: "completion_ms",
};

/**
 * The columns a summary reads from the records table `table`: `reason`,
 * `start_ms`, `completion_ms`, and for `groupBy` the grouping inputs `t` (the
 * grouping time), `ns` (the namespace) and `label` (pipeline or repository).
 * Table and column names only (no values), ready to follow `SELECT`.
 */
export function typedSummaryColumns(groupBy: SummaryGroupBy | undefined, table: string): string {
  const columns = [
    `${table}.status_reason AS reason`,
    `${table}.start_ms AS start_ms`,
    `${table}.completion_ms AS completion_ms`,
  ];
  if (groupBy?.kind === "time")
    columns.push(`${table}.${SUMMARY_TIME_COLUMNS[groupBy.timeField]} AS t`);
  if (groupBy !== undefined && groupBy.kind !== "time")
    columns.push(`${table}.run_namespace AS ns`);
  if (groupBy?.kind === "pipeline") columns.push(`${table}.pipeline_name AS label`);
  if (groupBy?.kind === "repository") columns.push(`${table}.repository AS label`);
  return columns.join(", ");
}
