/**
 * The table of runs: status, name (a link to the run's page), pipeline or task, namespace,
 * started (relative, the exact time as its tooltip) and duration.
 *
 * @module
 */
import { Link as RouterLink } from "react-router";
import {
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableHeader,
  TableRow,
} from "@carbon/react";
import { formatExact, formatRelative, runDuration } from "./format.js";
import type { RunRow } from "./runs.js";
import { RunStatusLabel } from "./status.js";
import { runPath } from "./url-state.js";

/** The rows of `rows`, with times relative to `now`. */
export function RunsTable({ rows, now }: { rows: readonly RunRow[]; now: Date }) {
  return (
    <TableContainer>
      <Table aria-label="Runs" size="md" useZebraStyles={false}>
        <TableHead>
          <TableRow>
            <TableHeader>Status</TableHeader>
            <TableHeader>Name</TableHeader>
            <TableHeader>Pipeline / Task</TableHeader>
            <TableHeader>Namespace</TableHeader>
            <TableHeader>Started</TableHeader>
            <TableHeader>Duration</TableHeader>
          </TableRow>
        </TableHead>
        <TableBody>
          {rows.map((row) => {
            const duration = runDuration(row.startTime, row.completionTime, now);
            return (
              <TableRow key={row.recordName} data-testid="run-row">
                <TableCell>
                  <RunStatusLabel status={row.status} reason={row.reason} />
                </TableCell>
                <TableCell>
                  <RouterLink
                    className="cds--link"
                    to={runPath(row.namespace, row.result, row.record)}
                    data-testid="run-name"
                  >
                    {row.name}
                  </RouterLink>
                  {row.kind === "taskrun" ? <span className="tr-muted"> (TaskRun)</span> : null}
                </TableCell>
                <TableCell>{row.owner ?? <span className="tr-muted">-</span>}</TableCell>
                <TableCell>{row.namespace}</TableCell>
                <TableCell>
                  {row.startTime ? (
                    <time dateTime={row.startTime.toISOString()} title={formatExact(row.startTime)}>
                      {formatRelative(row.startTime, now)}
                    </time>
                  ) : (
                    <span className="tr-muted">not started</span>
                  )}
                </TableCell>
                <TableCell title={duration.running ? "still running" : undefined}>
                  {duration.text}
                </TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
    </TableContainer>
  );
}
