/**
 * The bars of a run's timeline (Gantt): each TaskRun of a PipelineRun with its steps under it,
 * read from the TaskRuns' stored documents (`status.steps`), placed on the span of the run.
 *
 * @module
 */
import type { RunRow, RunStatus, TektonRun } from "./runs.js";

/** A step's state as Tekton stores it in a TaskRun's `status.steps`. */
interface StepState {
  name?: string;
  container?: string;
  terminated?: {
    startedAt?: string;
    finishedAt?: string;
    exitCode?: number;
    reason?: string;
    message?: string;
  };
  running?: { startedAt?: string };
  waiting?: { reason?: string; message?: string };
}

/** One bar of the timeline: a TaskRun, or a step of the TaskRun above it. */
export interface TimelineBar {
  /** Unique within the timeline. */
  id: string;
  level: "taskrun" | "step";
  /** The TaskRun's pipeline task (else its name), or the step's name. */
  label: string;
  status: RunStatus;
  reason: string | undefined;
  message: string | undefined;
  start: Date | undefined;
  /** `undefined` while it runs (drawn up to now). */
  end: Date | undefined;
  /** The TaskRun's row (its page), for a TaskRun bar. */
  row?: RunRow;
}

/** The timeline: its bars, top to bottom, and the span they are drawn on. */
export interface Timeline {
  bars: TimelineBar[];
  from: Date;
  to: Date;
}

function date(s: string | undefined): Date | undefined {
  if (!s) return undefined;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** The status of a step: exit code 0 succeeded, else failed; running; waiting is pending. */
export function stepStatus(step: StepState): RunStatus {
  if (step.terminated) {
    if (step.terminated.reason === "TaskRunCancelled") return "cancelled";
    return step.terminated.exitCode === 0 ? "succeeded" : "failed";
  }
  if (step.running) return "running";
  return "pending";
}

function steps(run: TektonRun): StepState[] {
  const s = run.status?.["steps"];
  return Array.isArray(s) ? (s as StepState[]) : [];
}

/** The bars of the steps of a TaskRun. */
function stepBars(row: RunRow): TimelineBar[] {
  return steps(row.run).map((step, i) => {
    const t = step.terminated;
    const status = stepStatus(step);
    return {
      id: `${row.recordName}#step-${i}`,
      level: "step",
      label: step.name ?? step.container ?? `step ${i + 1}`,
      status,
      reason: t?.reason ?? step.waiting?.reason ?? (status === "running" ? "Running" : undefined),
      message: t?.message ?? step.waiting?.message,
      start: date(t?.startedAt ?? step.running?.startedAt),
      end: date(t?.finishedAt),
    };
  });
}

/** The name a TaskRun bar shows: its pipeline task (as the Dashboard does), else its name. */
export function taskLabel(row: RunRow): string {
  return row.run.metadata?.labels?.["tekton.dev/pipelineTask"] ?? row.name;
}

/**
 * The timeline of a run: the TaskRuns (oldest start first, those without a start last), each
 * followed by its steps, on the span from the earliest start to the latest end (`now` for
 * what still runs, and at least the run's own span).
 */
export function buildTimeline(run: RunRow, taskRuns: readonly RunRow[], now: Date): Timeline {
  const sorted = [...taskRuns].sort(
    (a, b) => (a.startTime?.getTime() ?? Infinity) - (b.startTime?.getTime() ?? Infinity),
  );
  const bars: TimelineBar[] = [];
  for (const row of sorted) {
    bars.push({
      id: row.recordName,
      level: "taskrun",
      label: taskLabel(row),
      status: row.status,
      reason: row.reason,
      message: row.message,
      start: row.startTime,
      end: row.completionTime,
      row,
    });
    bars.push(...stepBars(row));
  }
  const starts = [run.startTime, ...bars.map((b) => b.start)].filter((d) => d !== undefined);
  const ends = [run.completionTime, ...bars.map((b) => b.end ?? (b.start ? now : undefined))];
  const times = [...starts, ...ends.filter((d) => d !== undefined)].map((d) => d.getTime());
  const from = times.length > 0 ? Math.min(...times) : now.getTime();
  const to = times.length > 0 ? Math.max(...times) : now.getTime();
  return { bars, from: new Date(from), to: new Date(Math.max(to, from + 1000)) };
}

/** Where a bar sits on the span, in percent of its width (a bar of no length still shows). */
export function barPlacement(
  bar: TimelineBar,
  t: Timeline,
  now: Date,
): { left: number; width: number } {
  if (bar.start === undefined) return { left: 0, width: 0 };
  const span = t.to.getTime() - t.from.getTime();
  const left = ((bar.start.getTime() - t.from.getTime()) / span) * 100;
  const end = (bar.end ?? now).getTime();
  const l = Math.min(Math.max(left, 0), 99.5);
  const width = ((end - bar.start.getTime()) / span) * 100;
  return { left: l, width: Math.max(Math.min(width, 100 - l), 0.5) };
}
