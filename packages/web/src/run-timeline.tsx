/**
 * A run's timeline (Gantt): each TaskRun on the span of the PipelineRun, its steps under it,
 * coloured by status; the status, reason, message, start and duration of a bar on hover and on
 * focus. Keyboard: Tab reaches the bars, the arrow keys (and Home, End) move between them,
 * Escape closes the details.
 *
 * @module
 */
import type { KeyboardEvent } from "react";
import { Link as RouterLink } from "react-router";
import { Tooltip } from "@carbon/react";
import "./run-timeline.css";
import { formatDuration } from "./format.js";
import {
  barPlacement,
  buildTimeline,
  type Timeline,
  type TimelineBar,
} from "./run-timeline-data.js";
import type { RunRow } from "./runs.js";
import { statusLabel } from "./status.js";
import { runPath } from "./url-state.js";

/** What a bar says: status, duration, reason and message. */
export function barSummary(bar: TimelineBar, now: Date): string {
  const parts = [statusLabel(bar.status)];
  if (bar.start) parts.push(formatDuration((bar.end ?? now).getTime() - bar.start.getTime()));
  if (bar.reason) parts.push(bar.reason);
  return parts.join(", ");
}

function Details({ bar, now }: { bar: TimelineBar; now: Date }) {
  return (
    <span className="tr-tl-details">
      <strong>
        {bar.level === "step" ? "Step " : "TaskRun "}
        {bar.label}: {statusLabel(bar.status)}
      </strong>
      {bar.reason ? <span>Reason: {bar.reason}</span> : null}
      {bar.message ? <span className="tr-tl-message">{bar.message}</span> : null}
      <span>
        {bar.start
          ? `Started ${bar.start.toISOString().slice(11, 19)} UTC, ${bar.end ? "took" : "running for"} ${formatDuration((bar.end ?? now).getTime() - bar.start.getTime())}`
          : "Not started"}
      </span>
    </span>
  );
}

/** Arrow keys, Home and End move the focus between the bars. */
function moveFocus(e: KeyboardEvent<HTMLElement>): void {
  const keys = ["ArrowDown", "ArrowUp", "ArrowRight", "ArrowLeft", "Home", "End"];
  if (!keys.includes(e.key)) return;
  const bars = [...e.currentTarget.querySelectorAll<HTMLElement>("[data-timeline-bar]")];
  const at = bars.indexOf(document.activeElement as HTMLElement);
  if (at < 0) return;
  const next =
    e.key === "Home"
      ? 0
      : e.key === "End"
        ? bars.length - 1
        : e.key === "ArrowDown" || e.key === "ArrowRight"
          ? Math.min(at + 1, bars.length - 1)
          : Math.max(at - 1, 0);
  e.preventDefault();
  bars[next]?.focus();
}

function Row({ bar, timeline, now }: { bar: TimelineBar; timeline: Timeline; now: Date }) {
  const { left, width } = barPlacement(bar, timeline, now);
  const row = bar.row;
  return (
    <li className={`tr-tl-row tr-tl-row--${bar.level}`} data-testid={`timeline-${bar.level}`}>
      <span className="tr-tl-label">
        {row ? (
          <RouterLink to={runPath(row.namespace, row.result, row.record)} tabIndex={-1}>
            {bar.label}
          </RouterLink>
        ) : (
          bar.label
        )}
      </span>
      <span className="tr-tl-track">
        {bar.start ? (
          <Tooltip
            className="tr-tl-anchor"
            style={{ left: `${left}%`, width: `${width}%` }}
            align={left > 60 ? "bottom-end" : "bottom-start"}
            description={<Details bar={bar} now={now} />}
            enterDelayMs={50}
          >
            <button
              type="button"
              className={`tr-tl-bar tr-tl-bar--${bar.status}`}
              data-timeline-bar=""
              data-status={bar.status}
              aria-label={`${bar.level === "step" ? "Step" : "TaskRun"} ${bar.label}: ${barSummary(bar, now)}`}
            />
          </Tooltip>
        ) : (
          <span className="tr-muted tr-tl-none">not started</span>
        )}
      </span>
    </li>
  );
}

/** The timeline of `run`'s TaskRuns (for a TaskRun: itself and its steps). */
export function RunTimeline({
  run,
  taskRuns,
  now,
}: {
  run: RunRow;
  taskRuns: readonly RunRow[];
  now: Date;
}) {
  if (taskRuns.length === 0) return null;
  const timeline = buildTimeline(run, taskRuns, now);
  const span = timeline.to.getTime() - timeline.from.getTime();
  return (
    <section className="tr-timeline" aria-labelledby="tr-timeline-title">
      <h2 className="tr-subtitle" id="tr-timeline-title">
        Timeline
      </h2>
      <div className="tr-tl-axis" aria-hidden="true">
        <span>{timeline.from.toISOString().slice(11, 19)} UTC</span>
        <span>+{formatDuration(span / 2)}</span>
        <span>+{formatDuration(span)}</span>
      </div>
      <ol
        className="tr-tl"
        aria-label="TaskRuns and their steps over time (arrow keys move between bars)"
        onKeyDown={moveFocus}
      >
        {timeline.bars.map((bar) => (
          <Row key={bar.id} bar={bar} timeline={timeline} now={now} />
        ))}
      </ol>
    </section>
  );
}
