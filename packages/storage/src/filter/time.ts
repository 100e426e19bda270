/**
 * The timestamp, duration and time-zone literal syntaxes CEL filters accept,
 * parsed to the filter AST's millisecond numbers.
 *
 * @module
 */

/** The RFC 3339 timestamp syntax filters accept (see {@link parseTimestamp}). */
const TIMESTAMP_RE =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** Days in each month of a non-leap year. */
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Whether `year` is a Gregorian leap year. */
function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/**
 * Parse an RFC 3339 timestamp (`2026-01-05T10:00:00Z`,
 * `2026-01-05T10:00:00.123456+05:30`) to Unix milliseconds, or `undefined` when
 * the text is not one. Years 0001-9999; `T` and `Z` in either case; fractional
 * seconds of any length are truncated to milliseconds; no leap second.
 */
export function parseTimestamp(text: string): number | undefined {
  const m = TIMESTAMP_RE.exec(text);
  if (m === null) return undefined;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(
    Number,
  ) as [number, number, number, number, number, number];
  if (year < 1 || month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59)
    return undefined;
  const monthDays = month === 2 && isLeapYear(year) ? 29 : (MONTH_DAYS[month - 1] ?? 0);
  if (day < 1 || day > monthDays) return undefined;
  const fraction = m[7] === undefined ? 0 : Number(m[7].slice(1, 4).padEnd(3, "0"));
  const zone = m[8] ?? "Z";
  let offsetMinutes = 0;
  if (zone !== "Z" && zone !== "z") {
    const offset = parseOffset(zone);
    if (offset === undefined) return undefined;
    offsetMinutes = offset;
  }
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, fraction);
  return date.getTime() - offsetMinutes * 60_000;
}

/** Parse a `±HH:MM` offset to minutes east of UTC (hours 0-23, minutes 0-59). */
function parseOffset(text: string): number | undefined {
  const m = /^([+-])(\d{2}):(\d{2})$/.exec(text);
  if (m === null) return undefined;
  const hours = Number(m[2]);
  const minutes = Number(m[3]);
  if (hours > 23 || minutes > 59) return undefined;
  return (m[1] === "-" ? -1 : 1) * (hours * 60 + minutes);
}

/**
 * Normalize a time-zone argument of the `get*` timestamp functions to the
 * canonical `±HH:MM` form, or `undefined` when it is not a fixed offset.
 * Accepts exactly `UTC`, `Z` and `±HH:MM`.
 */
export function normalizeTimeZone(text: string): string | undefined {
  if (text === "UTC" || text === "Z" || text === "z") return "+00:00";
  return parseOffset(text) === undefined ? undefined : text;
}

/** Milliseconds per unit of the CEL duration syntax. */
const DURATION_UNITS: Record<string, number> = {
  h: 3_600_000,
  m: 60_000,
  s: 1_000,
  ms: 1,
  us: 0.001,
  µs: 0.001,
  ns: 0.000_001,
};

/** The largest duration CEL allows, in milliseconds (10,000 years). */
const MAX_DURATION_MS = 315_576_000_000_000;

/**
 * Parse a CEL (Go) duration string (`"1h30m"`, `"-1.5s"`, `"250ms"`, `"0"`)
 * to milliseconds, truncated toward zero, or `undefined` when it is not one.
 */
export function parseDuration(text: string): number | undefined {
  let rest = text;
  let sign = 1;
  if (rest.startsWith("-") || rest.startsWith("+")) {
    sign = rest.startsWith("-") ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === "0") return 0;
  if (rest === "") return undefined;
  const part = /^(\d+(?:\.\d*)?|\.\d+)(h|ms|m|s|us|µs|ns)/;
  let total = 0;
  while (rest !== "") {
    const m = part.exec(rest);
    if (m === null) return undefined;
    total += Number(m[1]) * (DURATION_UNITS[m[2] ?? ""] ?? Number.NaN);
    rest = rest.slice(m[0].length);
  }
  if (!Number.isFinite(total) || total > MAX_DURATION_MS) return undefined;
  return sign * Math.trunc(total) + 0;
}
