/**
 * Log names and prefixes as a log store sees them, validated so that they map
 * safely to storage paths: every segment matches `[a-z0-9_-]{1,63}` (no dots,
 * no slashes, no upper case), so `..`, absolute paths and encoded separators
 * can never reach the file system or an object key.
 *
 * @module
 */
import { LogStoreError } from "./errors.js";

/** The characters and length every segment of a log name must have. */
export const LOG_NAME_SEGMENT = /^[a-z0-9_-]{1,63}$/;

/** The parts of a log name `{parent}/results/{result}/logs/{record}`. */
export interface LogKey {
  parent: string;
  result: string;
  record: string;
}

/**
 * Where a prefix delete applies: every log of a parent (`{parent}`), or every
 * log of one Result (`{parent}/results/{result}`).
 */
export type LogPrefix = { parent: string; result?: string };

function shorten(value: string): string {
  return value.length > 200 ? `${value.slice(0, 200)}…` : value;
}

function checkSegment(kind: string, value: string, label: string, segment: string): void {
  if (!LOG_NAME_SEGMENT.test(segment)) {
    throw new LogStoreError(
      "invalid_argument",
      `invalid ${kind} ${JSON.stringify(shorten(value))}: ${label} must be 1-63 characters of a-z, 0-9, '-' and '_'`,
    );
  }
}

/**
 * Parse a log name `{parent}/results/{result}/logs/{record}`. Throws a
 * {@link LogStoreError} `invalid_argument` for anything else.
 */
export function parseLogKey(name: string): LogKey {
  const parts = name.split("/");
  if (parts.length !== 5 || parts[1] !== "results" || parts[3] !== "logs") {
    throw new LogStoreError(
      "invalid_argument",
      `invalid log name ${JSON.stringify(shorten(name))}: expected {parent}/results/{result}/logs/{record}`,
    );
  }
  const [parent = "", , result = "", , record = ""] = parts;
  checkSegment("log name", name, "parent", parent);
  checkSegment("log name", name, "result", result);
  checkSegment("log name", name, "record", record);
  return { parent, result, record };
}

/**
 * Parse a prefix of log names: `{parent}` or `{parent}/results/{result}`
 * (a trailing `/` or `/logs` / `/logs/` is accepted and ignored). Throws a
 * {@link LogStoreError} `invalid_argument` for anything else.
 */
export function parseLogPrefix(prefix: string): LogPrefix {
  const trimmed = prefix.replace(/\/logs\/?$/, "").replace(/\/$/, "");
  const parts = trimmed.split("/");
  if (parts.length === 1) {
    checkSegment("log prefix", prefix, "parent", parts[0]!);
    return { parent: parts[0]! };
  }
  if (parts.length !== 3 || parts[1] !== "results") {
    throw new LogStoreError(
      "invalid_argument",
      `invalid log prefix ${JSON.stringify(shorten(prefix))}: expected {parent} or {parent}/results/{result}`,
    );
  }
  checkSegment("log prefix", prefix, "parent", parts[0]!);
  checkSegment("log prefix", prefix, "result", parts[2]!);
  return { parent: parts[0]!, result: parts[2]! };
}

/** `{parent}/results/{result}/logs/{record}` */
export function formatLogKey(key: LogKey): string {
  return `${key.parent}/results/${key.result}/logs/${key.record}`;
}

/** True when the log `key` falls under `prefix`. */
export function logKeyHasPrefix(key: LogKey, prefix: LogPrefix): boolean {
  return (
    key.parent === prefix.parent && (prefix.result === undefined || key.result === prefix.result)
  );
}
