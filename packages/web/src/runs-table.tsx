/**
 * The table of runs: status, name (a link to the run's page), pipeline or task, namespace,
 * started (relative, the exact time as its tooltip) and duration. Keyboard: Tab reaches each
 * row's link (Enter opens the run); on a row's link, the Up and Down arrows move to the link of
 * the row above or below, Home and End to the first and last.
 *
 * @module
 */
import type { KeyboardEvent } from "react";
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

/** Move the focus between the rows' links with the arrow keys, Home and End. */
export function moveBetweenRows(e: KeyboardEvent<HTMLElement>): void {
  const target = e.target as HTMLElement;
  if (target.dataset["testid"] !== "run-name") return;
  const links = [...e.currentTarget.querySelectorAll<HTMLElement>('[data-testid="run-name"]')];
  const at = links.indexOf(target);
  const to =
    e.key === "ArrowDown"
      ? at + 1
      : e.key === "ArrowUp"
        ? at - 1
        : e.key === "Home"
          ? 0
          : e.key === "End"
            ? links.length - 1
            : -1;
  const next = links[to];
  if (to < 0 || next === undefined) return;
  e.preventDefault();
  next.focus();
}

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
        <TableBody onKeyDown={moveBetweenRows}>
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
