/**
 * Time in the reference filter evaluator, written independently of the
 * compiler's: RFC 3339 timestamps and Go/CEL durations parsed to
 * milliseconds, and the `get*` functions of timestamps (in a fixed-offset
 * zone) and durations.
 *
 * @module
 */
import type { Value } from "./memory-filter-values.js";

/** The `±HH:MM` offset in minutes (`+00:00` when absent). */
function offsetMinutes(zone: Value): number | undefined {
  if (zone === undefined) return 0;
  if (typeof zone !== "string") return undefined;
  const m = /^([+-])(\d{2}):(\d{2})$/.exec(zone);
  if (m === null) return undefined;
  return (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}

/** A day in milliseconds. */
const DAY_MS = 86_400_000;

/** A `get*` function of a timestamp, in the given zone (`±HH:MM`, UTC when absent). */
export function timePart(fn: string, ms: number, zone: Value): number | undefined {
  const offset = offsetMinutes(zone);
  if (offset === undefined) return undefined;
  const d = new Date(ms + offset * 60_000);
  if (Number.isNaN(d.getTime())) return undefined;
  switch (fn) {
    case "getFullYear":
      return d.getUTCFullYear();
    case "getMonth":
      return d.getUTCMonth();
    case "getDate":
      return d.getUTCDate();
    case "getDayOfMonth":
      return d.getUTCDate() - 1;
    case "getDayOfWeek":
      return d.getUTCDay();
    case "getDayOfYear": {
      const start = new Date(0);
      start.setUTCFullYear(d.getUTCFullYear(), 0, 1);
      const day = new Date(0);
      day.setUTCFullYear(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
      return Math.round((day.getTime() - start.getTime()) / DAY_MS);
    }
    case "getHours":
      return d.getUTCHours();
    case "getMinutes":
      return d.getUTCMinutes();
    case "getSeconds":
      return d.getUTCSeconds();
    case "getMilliseconds":
      return d.getUTCMilliseconds();
    default:
      return undefined;
  }
}

/** A `get*` function of a duration: the whole duration in that unit. */
export function durationPart(fn: string, ms: number): number | undefined {
  const unit = { getHours: 3_600_000, getMinutes: 60_000, getSeconds: 1_000, getMilliseconds: 1 }[
    fn
  ];
  return unit === undefined ? undefined : Math.trunc(ms / unit) + 0;
}

/** RFC 3339 to Unix milliseconds (years 1-9999, fraction truncated to ms), else absent. */
export function parseRfc3339(text: string): number | undefined {
  const m =
    /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/.exec(
      text,
    );
  if (m === null) return undefined;
  const [y, mo, d, h, mi, s] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i]));
  if (
    y === undefined ||
    mo === undefined ||
    d === undefined ||
    h === undefined ||
    mi === undefined ||
    s === undefined
  ) {
    return undefined;
  }
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  // A day that rolled over into the next month did not exist.
  if (
    y < 1 ||
    date.getUTCMonth() !== mo - 1 ||
    date.getUTCDate() !== d ||
    h > 23 ||
    mi > 59 ||
    s > 59
  )
    return undefined;
  const zoneH = Number(m[10] ?? 0);
  const zoneM = Number(m[11] ?? 0);
  if (zoneH > 23 || zoneM > 59) return undefined;
  const ms = Number((m[7] ?? "").slice(0, 3).padEnd(3, "0"));
  date.setUTCHours(h, mi, s, ms);
  const offset = (m[9] === "-" ? -1 : 1) * (zoneH * 60 + zoneM);
  return date.getTime() - offset * 60_000;
}

/** A Go/CEL duration (`1h30m`, `-1.5s`, `0`) to milliseconds truncated toward zero, else absent. */
export function parseGoDuration(text: string): number | undefined {
  const m = /^([+-]?)((?:(?:\d+(?:\.\d*)?|\.\d+)(?:h|ms|m|s|us|µs|ns))+|0)$/.exec(text);
  if (m === null || m[2] === undefined) return undefined;
  const units: Record<string, number> = {
    h: 3_600_000,
    m: 60_000,
    s: 1_000,
    ms: 1,
    us: 1e-3,
    µs: 1e-3,
    ns: 1e-6,
  };
  let total = 0;
  for (const part of m[2].matchAll(/(\d+(?:\.\d*)?|\.\d+)(h|ms|m|s|us|µs|ns)/g)) {
    total += Number(part[1]) * (units[part[2] ?? ""] ?? Number.NaN);
  }
  if (!Number.isFinite(total) || total > 315_576_000_000_000) return undefined;
  return (m[1] === "-" ? -1 : 1) * Math.trunc(total) + 0;
}
