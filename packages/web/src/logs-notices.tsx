/**
 * What the Logs page says when there is no log to show, and what to do about it: the run is
 * not stored (deleted by retention, or a wrong link), no log is stored (still running, the
 * watcher not storing logs, or the log deleted), and smaller notes.
 *
 * @module
 */
import { Link as RouterLink } from "react-router";
import { Button, InlineNotification } from "@carbon/react";
import type { RunRow } from "./runs.js";

/** A notice with a title and what to do. */
export function LogNotice({
  title,
  detail,
  kind = "info",
}: {
  title: string;
  detail: string;
  kind?: "info" | "warning" | "error";
}) {
  return (
    <div data-testid="log-notice">
      <InlineNotification kind={kind} lowContrast hideCloseButton title={title} subtitle={detail} />
    </div>
  );
}

/** The run's record is not stored. */
export function RunNotFound({ name, namespace }: { name: string; namespace: string }) {
  return (
    <div data-testid="log-notice">
      <InlineNotification
        kind="error"
        lowContrast
        hideCloseButton
        title="Run not found"
        subtitle={`No record ${name} is stored. A retention policy (tekton-results-retention) deletes old runs with their logs; or the link is wrong.`}
      />
      <RouterLink to={`/?ns=${encodeURIComponent(namespace)}`}>
        See the runs stored in {namespace}
      </RouterLink>
    </div>
  );
}

/** Why a run has no log, by its state. */
export function noLogReason(row: RunRow): { title: string; detail: string } {
  const kind = row.kind === "pipelinerun" ? "PipelineRun" : "TaskRun";
  if (row.completionTime === undefined) {
    return {
      title: "No log yet",
      detail: `This ${kind} has not finished: the watcher stores a run's log once it has finished. This page reads it again every few seconds until then.`,
    };
  }
  return {
    title: "No log stored",
    detail: `No log is stored for this ${kind}${row.kind === "pipelinerun" ? " or its TaskRuns" : ""}. The watcher stores logs only when started with --logs (tekton-results-watcher --logs); a stored log may also have been deleted (DeleteLog, or a retention policy).`,
  };
}

/** The run has no log stored, with a reload button. */
export function NoLogNotice({ row, onReload }: { row: RunRow; onReload(): void }) {
  const { title, detail } = noLogReason(row);
  return (
    <div className="tr-error">
      <LogNotice kind="warning" title={title} detail={detail} />
      <Button kind="tertiary" size="sm" onClick={onReload}>
        Reload
      </Button>
    </div>
  );
}
