/**
 * How runs are shown: ages, durations and statuses as upstream's `tkn-results` (and `tkn`) show
 * them, and borderless aligned tables.
 *
 * @module
 */
import { styleText } from "node:util";

/**
 * Whether to colour what goes to `stream`: only on a terminal, never with `NO_COLOR` set (to
 * anything but the empty string) or `TERM=dumb`.
 */
export function colourEnabled(stream: { isTTY?: boolean }, env = process.env): boolean {
  return stream.isTTY === true && !env["NO_COLOR"] && env["TERM"] !== "dumb";
}

/**
 * "12s ago", "5m ago", "3h ago", "2d ago": upstream's `FormatAge` (whole units, rounded down);
 * the empty string without a start time.
 */
export function formatAge(time: Date | undefined, now: Date): string {
  if (time === undefined) return "";
  const seconds = Math.floor((now.getTime() - time.getTime()) / 1000);
  if (seconds < 60) return `${seconds}s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h ago`;
  return `${Math.floor(seconds / 86_400)}d ago`;
}

/**
 * The time from `start` to `end` as Go prints a duration ("45s", "1m30s", "2h0m5s"; "500ms" below
 * a second), `---` when either is missing: `tkn`'s `formatted.Duration`.
 */
export function formatDuration(start: Date | undefined, end: Date | undefined): string {
  if (start === undefined || end === undefined) return "---";
  const ms = end.getTime() - start.getTime();
  const sign = ms < 0 ? "-" : "";
  const abs = Math.abs(ms);
  if (abs === 0) return "0s";
  if (abs < 1000) return `${sign}${abs}ms`;
  const h = Math.floor(abs / 3_600_000);
  const m = Math.floor((abs % 3_600_000) / 60_000);
  const s = (abs % 60_000) / 1000;
  const sec = `${Number.isInteger(s) ? s : s.toFixed(3).replace(/0+$/, "")}s`;
  if (h > 0) return `${sign}${h}h${m}m${sec}`;
  if (m > 0) return `${sign}${m}m${sec}`;
  return `${sign}${sec}`;
}

/** A Kubernetes condition as runs carry it. */
export interface Condition {
  type?: string;
  status?: string;
  reason?: string;
}

const STATUS_STYLE: Record<string, Parameters<typeof styleText>[0]> = {
  Failed: "redBright",
  Succeeded: "greenBright",
  Running: "blueBright",
  Cancelled: "yellowBright",
  Completed: "magentaBright",
  Pending: "yellowBright",
  Started: "cyanBright",
};

/**
 * The STATUS column: `tkn`'s `formatted.Condition` (Succeeded, Failed(reason), Running,
 * Cancelled(reason), Pending...), `---` without conditions; the status word coloured when `colour`.
 */
export function formatCondition(conditions: Condition[] | undefined, colour: boolean): string {
  const paint = (status: string): string => {
    const style = STATUS_STYLE[status];
    // colourEnabled decided already: styleText is not to check the stream again.
    return colour && style ? styleText(style, status, { validateStream: false }) : status;
  };
  const c = conditions?.[0];
  if (!c) return "---";
  const status =
    c.status === "False"
      ? "Failed"
      : c.status === "True"
        ? "Succeeded"
        : c.status === "Unknown"
          ? "Running"
          : "";
  const reason = c.reason ?? "";
  if (reason === "Completed" && status === "Succeeded") return paint(status);
  if (reason === "" || reason === status) return paint(status);
  switch (reason) {
    case "PipelineRunCancelled":
    case "TaskRunCancelled":
      return `${paint("Cancelled")}(${reason})`;
    case "Cancelled":
      return paint("Cancelled");
    case "PipelineRunStopping":
    case "TaskRunStopping":
      return `${paint("Failed")}(${reason})`;
    case "CreateContainerConfigError":
    case "ExceededNodeResources":
    case "ExceededResourceQuota":
      return `${paint("Pending")}(${reason})`;
    case "PipelineRunPending":
      return paint("Pending");
    default:
      return `${paint(status)}(${reason})`;
  }
}

export { renderTable } from "@tekton-results/runtime/table";
