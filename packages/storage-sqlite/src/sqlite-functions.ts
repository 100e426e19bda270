/**
 * The SQL functions the SQLite store registers on every connection, which
 * compiled filters (see `compileSqliteFilter`) call. All are deterministic
 * and return NULL for a NULL or invalid argument. They throw only
 * {@link StatementTimeoutError}, when the statement calling them has run past
 * the connection's time limit (see {@link registerSqliteFunctions}).
 *
 * | function                        | result                                          |
 * |---------------------------------|-------------------------------------------------|
 * | `regexp(pattern, text)`         | 1 when `text` matches (RE2, linear time), 0 when not, NULL for a pattern RE2 refuses |
 * | `tr_timestamp_ms(text)`         | an RFC 3339 timestamp as Unix milliseconds      |
 * | `tr_duration_ms(text)`          | a duration such as `1h30m` or `2.5s` in milliseconds |
 * | `tr_format_number(number)`      | the number as JSON prints it                    |
 * | `tr_format_timestamp(ms)`       | RFC 3339 in UTC, fraction without trailing zeros |
 * | `tr_format_duration(ms)`        | seconds with an `s` suffix, e.g. `1.5s`         |
 *
 * @module
 */
import { re2Search } from "@tekton-results/storage";

/** The part of a better-sqlite3 `Database` this module needs. */
export interface SqliteFunctionHost {
  function(
    name: string,
    options: { deterministic?: boolean; varargs?: boolean; directOnly?: boolean },
    fn: (...args: never[]) => unknown,
  ): unknown;
}

type SqlValue = string | number | bigint | Buffer | null;

/**
 * Thrown by a function of this module when the statement calling it has run
 * longer than the connection's `statementTimeoutMs`. The store reports it as
 * a `deadline_exceeded` StorageError.
 */
export class StatementTimeoutError extends Error {
  override readonly name = "StatementTimeoutError";
  constructor(
    /** The limit that was exceeded, in milliseconds. */
    readonly limitMs: number,
  ) {
    super(`the statement ran longer than ${limitMs} ms`);
  }
}

/** `regexp(pattern, text)`: RE2 search semantics (unanchored), like CEL's `matches`. */
export function sqlRegexp(pattern: SqlValue, text: SqlValue): number | null {
  if (typeof pattern !== "string" || typeof text !== "string") return null;
  const found = re2Search(pattern, text);
  return found === undefined ? null : found ? 1 : 0;
}

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;

function daysInMonth(year: number, month: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month, 0);
  return date.getUTCDate();
}

/**
 * Parse a strict RFC 3339 timestamp into Unix milliseconds (fractions below a
 * millisecond are truncated); `null` when it is not one.
 */
export function parseTimestampMs(text: string): number | null {
  const m = RFC3339.exec(text);
  if (m === null) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = Number(m[6]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  let offsetMinutes = 0;
  if (m[8] !== undefined) {
    const oh = Number(m[9]);
    const om = Number(m[10]);
    if (oh > 23 || om > 59) return null;
    offsetMinutes = (m[8] === "-" ? -1 : 1) * (oh * 60 + om);
  }
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  const millis = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, "0"));
  return date.getTime() + millis - offsetMinutes * 60_000;
}

const DURATION_UNITS: Record<string, number> = {
  h: 3_600_000,
  m: 60_000,
  s: 1000,
  ms: 1,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ns: 1e-6,
};
const DURATION = /^[-+]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:h|ms|m|s|us|µs|μs|ns))+$/;
const DURATION_PART = /(\d+(?:\.\d*)?|\.\d+)(h|ms|m|s|us|µs|μs|ns)/g;

/** The largest duration CEL allows, in milliseconds (10,000 years). */
const MAX_DURATION_MS = 315_576_000_000_000;

/**
 * Parse a Go/CEL duration (`1h30m`, `-2.5s`, `0`) into milliseconds truncated
 * toward zero; `null` when invalid.
 */
export function parseDurationMs(text: string): number | null {
  if (text === "0" || text === "+0" || text === "-0") return 0;
  if (!DURATION.test(text)) return null;
  let total = 0;
  for (const part of text.matchAll(DURATION_PART)) {
    total += Number(part[1]) * (DURATION_UNITS[part[2]!] ?? Number.NaN);
  }
  if (!Number.isFinite(total) || total > MAX_DURATION_MS) return null;
  return (text.startsWith("-") ? -1 : 1) * Math.trunc(total) + 0;
}

/** A number as JSON prints it (`2`, `1.5`, `1e+21`); `null` when not finite. */
export function formatNumber(value: number): string | null {
  return Number.isFinite(value) ? JSON.stringify(value) : null;
}

/** Unix milliseconds as RFC 3339 in UTC, e.g. `2024-01-02T03:04:05.5Z`. */
export function formatTimestamp(ms: number): string | null {
  const date = new Date(Math.floor(ms));
  if (Number.isNaN(date.getTime())) return null;
  const iso = date.toISOString();
  return iso.replace(/\.(\d*?)0*Z$/, (_all, digits: string) =>
    digits === "" ? "Z" : `.${digits}Z`,
  );
}

/** Milliseconds as a CEL duration string, e.g. `1.5s`, `3600s`. */
export function formatDuration(ms: number): string | null {
  if (!Number.isFinite(ms)) return null;
  const seconds = ms / 1000;
  return `${Number.isInteger(seconds) ? seconds.toFixed(0) : String(seconds)}s`;
}

function toNumber(value: SqlValue): number | null {
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return Number(value);
  return null;
}

/** Options of {@link registerSqliteFunctions}. */
export interface SqliteFunctionOptions {
  /**
   * The most time, in ms, a statement run under the returned
   * {@link StatementLimit} may spend once it calls one of these functions:
   * a call past the limit throws {@link StatementTimeoutError}. `0` or
   * absent: no limit.
   */
  statementTimeoutMs?: number;
}

/**
 * Runs `run` (one synchronous statement) under the connection's time limit.
 * Statements run outside it (writes, migrations, bulk loads) are not bounded.
 */
export type StatementLimit = <T>(run: () => T) => T;

/**
 * Register every function of this module on a better-sqlite3 connection, and
 * return the connection's {@link StatementLimit}.
 *
 * The time limit: better-sqlite3 runs a statement synchronously and has no
 * progress handler, so the functions themselves keep the clock: inside the
 * returned limit, every call checks the time since the statement began. The
 * store runs its list and summary statements (the ones a caller's filter
 * shapes) under it; a bulk transaction of many writes or a migration's
 * backfill runs outside it and is never cut off. Time SQLite spends in
 * statements that call none of these functions is not bounded.
 */
export function registerSqliteFunctions(
  db: SqliteFunctionHost,
  functionOptions: SqliteFunctionOptions = {},
): StatementLimit {
  const limitMs = functionOptions.statementTimeoutMs ?? 0;
  let deadline: number | undefined;
  const check =
    limitMs > 0
      ? () => {
          if (deadline !== undefined && performance.now() > deadline) {
            throw new StatementTimeoutError(limitMs);
          }
        }
      : () => undefined;
  const limit: StatementLimit = (run) => {
    if (limitMs <= 0 || deadline !== undefined) return run();
    deadline = performance.now() + limitMs;
    try {
      return run();
    } finally {
      deadline = undefined;
    }
  };
  const options = { deterministic: true };
  db.function("regexp", options, ((pattern: SqlValue, text: SqlValue) => {
    check();
    return sqlRegexp(pattern, text);
  }) as never);
  db.function("tr_timestamp_ms", options, ((text: SqlValue) => {
    check();
    return typeof text === "string" ? parseTimestampMs(text) : null;
  }) as never);
  db.function("tr_duration_ms", options, ((text: SqlValue) => {
    check();
    return typeof text === "string" ? parseDurationMs(text) : null;
  }) as never);
  db.function("tr_format_number", options, ((value: SqlValue) => {
    check();
    const n = toNumber(value);
    return n === null ? null : formatNumber(n);
  }) as never);
  db.function("tr_format_timestamp", options, ((value: SqlValue) => {
    check();
    const n = toNumber(value);
    return n === null ? null : formatTimestamp(n);
  }) as never);
  db.function("tr_format_duration", options, ((value: SqlValue) => {
    check();
    const n = toNumber(value);
    return n === null ? null : formatDuration(n);
  }) as never);
  return limit;
}
