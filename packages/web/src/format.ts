/**
 * Times and durations as the Runs and Run pages show them: relative ("3 minutes ago") with the
 * exact time for a tooltip, and short durations ("1m 5s").
 *
 * @module
 */

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 24 * 3600],
  ["month", 30 * 24 * 3600],
  ["week", 7 * 24 * 3600],
  ["day", 24 * 3600],
  ["hour", 3600],
  ["minute", 60],
  ["second", 1],
];

const relative = new Intl.RelativeTimeFormat("en", { numeric: "auto" });

/** `date` relative to `now`: "3 minutes ago", "yesterday"; "now" within a few seconds. */
export function formatRelative(date: Date, now: Date): string {
  const seconds = Math.round((date.getTime() - now.getTime()) / 1000);
  if (Math.abs(seconds) < 5) return "just now";
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return relative.format(Math.trunc(seconds / size), unit);
  }
  return relative.format(seconds, "second");
}

/** The exact time of a tooltip: ISO 8601 in UTC and the local time. */
export function formatExact(date: Date): string {
  return `${date.toLocaleString()} (${date.toISOString()})`;
}

/** A duration in ms as "1h 2m", "3m 4s", "5s", "120ms". */
export function formatDuration(ms: number): string {
  if (ms < 0) return "-";
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return m > 0 ? `${h}h ${m}m` : `${h}h`;
  if (m > 0) return s > 0 ? `${m}m ${s}s` : `${m}m`;
  return `${s}s`;
}

/** The duration of a run: start to completion, or to `now` while it runs; "-" without a start. */
export function runDuration(
  start: Date | undefined,
  end: Date | undefined,
  now: Date,
): { text: string; running: boolean } {
  if (start === undefined) return { text: "-", running: false };
  const running = end === undefined;
  return { text: formatDuration((end ?? now).getTime() - start.getTime()), running };
}
