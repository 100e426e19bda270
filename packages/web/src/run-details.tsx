/**
 * The parts of the Run page: a table of names and values (params, results, labels,
 * annotations), the run's TaskRuns, and the command that shows the run with `tkn-results`.
 *
 * @module
 */
import { Link as RouterLink } from "react-router";
import { CodeSnippet } from "@carbon/react";
import { formatExact, formatRelative, runDuration } from "./format.js";
import type { RunRow, TektonRun } from "./runs.js";
import { RunStatusLabel } from "./status.js";
import { runPath } from "./url-state.js";

/** A value as text: strings as they are, anything else as JSON. */
export function valueText(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** A titled table of names and values; "None" when empty. */
export function KeyValues({
  title,
  entries,
}: {
  title: string;
  entries: readonly (readonly [string, unknown])[];
}) {
  return (
    <section aria-label={title}>
      <h2 className="tr-subtitle">{title}</h2>
      {entries.length === 0 ? (
        <p className="tr-muted">None</p>
      ) : (
        <table className="tr-kv">
          <tbody>
            {entries.map(([key, value]) => (
              <tr key={key}>
                <th scope="row">{key}</th>
                <td>{valueText(value)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** The params of a run's spec. */
export function paramsOf(run: TektonRun): [string, unknown][] {
  return (run.spec?.params ?? []).map((p) => [p.name, p.value]);
}

/** The results of a run (v1 `results`, v1beta1 `pipelineResults` / `taskResults`). */
export function resultsOf(run: TektonRun): [string, unknown][] {
  const s = run.status ?? {};
  return [...(s.results ?? []), ...(s.pipelineResults ?? []), ...(s.taskResults ?? [])].map((r) => [
    r.name,
    r.value,
  ]);
}

/** The `tkn-results` command that describes a run. */
export function tknCommand(row: Pick<RunRow, "kind" | "name" | "namespace">): string {
  const kind = row.kind ?? "pipelinerun";
  const name = /^[A-Za-z0-9._-]+$/.test(row.name) ? row.name : JSON.stringify(row.name);
  return `tkn-results ${kind} describe ${name} -n ${row.namespace}`;
}

/** The copyable `tkn-results` command of a run. */
export function TknCommand({ row }: { row: RunRow }) {
  return (
    <CodeSnippet type="single" feedback="Copied" aria-label="tkn-results command">
      {tknCommand(row)}
    </CodeSnippet>
  );
}

/** The TaskRuns (or other records) of the run's Result, oldest first as they ran. */
export function ChildRuns({ rows, now }: { rows: readonly RunRow[]; now: Date }) {
  if (rows.length === 0) return <p className="tr-muted">No other records in this Result.</p>;
  return (
    <table className="tr-kv" aria-label="TaskRuns">
      <thead>
        <tr>
          <th>Status</th>
          <th>Name</th>
          <th>Task</th>
          <th>Started</th>
          <th>Duration</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.recordName} data-testid="child-run">
            <td>
              <RunStatusLabel status={row.status} reason={row.reason} />
            </td>
            <td>
              <RouterLink className="cds--link" to={runPath(row.namespace, row.result, row.record)}>
                {row.name}
              </RouterLink>
            </td>
            <td>{row.owner ?? "-"}</td>
            <td>
              {row.startTime ? (
                <time dateTime={row.startTime.toISOString()} title={formatExact(row.startTime)}>
                  {formatRelative(row.startTime, now)}
                </time>
              ) : (
                "-"
              )}
            </td>
            <td>{runDuration(row.startTime, row.completionTime, now).text}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
