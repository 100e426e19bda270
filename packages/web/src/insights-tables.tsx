/**
 * The Insights page's tables: pipelines, namespaces, the slowest and the flakiest, one
 * component with the columns each needs. Each pipeline links to the page of its own figures.
 *
 * @module
 */
import type { ReactNode } from "react";
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
import { formatDuration, formatExact, formatRelative } from "./format.js";
import { formatRate, splitPipeline, type GroupStats } from "./insights-data.js";

/** A column of a table of groups. */
export type StatsColumn =
  | "pipeline"
  | "namespace"
  | "runs"
  | "successRate"
  | "failureRate"
  | "outcomes"
  | "p50"
  | "p95"
  | "lastRun";

const HEADERS: { readonly [C in StatsColumn]: string } = {
  pipeline: "Pipeline",
  namespace: "Namespace",
  runs: "Runs",
  successRate: "Success rate",
  failureRate: "Failure rate",
  outcomes: "Succeeded / failed",
  p50: "p50 duration",
  p95: "p95 duration",
  lastRun: "Last run",
};

const duration = (ms: number | undefined): string => (ms === undefined ? "-" : formatDuration(ms));

/** What a table needs besides its rows. */
export interface StatsTableProps {
  /** Its title, also its accessible name. */
  title: string;
  /** Its `data-testid`, and each row's (`<testid>-row`). */
  testid: string;
  rows: readonly GroupStats[];
  columns: readonly StatsColumn[];
  /** The link of a pipeline's figures (`ns/name`), or of a namespace's. */
  linkTo: (key: string) => string;
  now: Date;
  /** What to say with no row. */
  empty: ReactNode;
}

function Cell({
  column,
  s,
  linkTo,
  now,
}: { column: StatsColumn; s: GroupStats } & Pick<StatsTableProps, "linkTo" | "now">) {
  const { namespace, name } = splitPipeline(s.key);
  switch (column) {
    case "pipeline":
      return <RouterLink to={linkTo(s.key)}>{name}</RouterLink>;
    case "namespace":
      return name === s.key ? (
        <RouterLink to={linkTo(s.key)}>{s.key || "-"}</RouterLink>
      ) : (
        <>{namespace || "-"}</>
      );
    case "runs":
      return <>{s.total}</>;
    case "successRate":
      return <>{formatRate(s.successRate)}</>;
    case "failureRate":
      return <>{formatRate(s.failureRate)}</>;
    case "outcomes":
      return (
        <>
          {s.succeeded} / {s.failed}
        </>
      );
    case "p50":
      return <>{duration(s.p50Ms)}</>;
    case "p95":
      return <>{duration(s.p95Ms)}</>;
    case "lastRun":
      return s.lastRun ? (
        <time dateTime={s.lastRun.toISOString()} title={formatExact(s.lastRun)}>
          {formatRelative(s.lastRun, now)}
        </time>
      ) : (
        <>-</>
      );
  }
}

/** A table of groups (pipelines or namespaces) with the columns asked for. */
export function StatsTable({ title, testid, rows, columns, linkTo, now, empty }: StatsTableProps) {
  return (
    <section className="tr-insights-table" aria-label={title} data-testid={testid}>
      <h2 className="tr-subtitle">{title}</h2>
      {rows.length === 0 ? (
        <p className="tr-muted">{empty}</p>
      ) : (
        <TableContainer>
          <Table size="sm" aria-label={title}>
            <TableHead>
              <TableRow>
                {columns.map((c) => (
                  <TableHeader key={c}>{HEADERS[c]}</TableHeader>
                ))}
              </TableRow>
            </TableHead>
            <TableBody>
              {rows.map((s) => (
                <TableRow key={s.key} data-testid={`${testid}-row`}>
                  {columns.map((c) => (
                    <TableCell key={c} data-column={c}>
                      <Cell column={c} s={s} linkTo={linkTo} now={now} />
                    </TableCell>
                  ))}
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </TableContainer>
      )}
    </section>
  );
}
