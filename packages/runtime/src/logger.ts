/**
 * The structured logger of every Tekton Results program: pino writing JSON
 * lines, behind a four-method interface that a pino logger satisfies.
 *
 * @module
 */
import { pino, destination, type DestinationStream } from "pino";

/** The level of a log entry. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/** Every log level, most verbose first. */
export const LOG_LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error"];

/**
 * A structured logger with pino's call shape, so a pino logger is a `Logger`:
 * the fields first, then the human-readable message.
 */
export interface Logger {
  /** Detail useful when debugging. */
  debug(obj: object, msg: string): void;
  /** Normal operation. */
  info(obj: object, msg: string): void;
  /** Something unexpected that the program handled. */
  warn(obj: object, msg: string): void;
  /** A failure: an internal error, an outage. */
  error(obj: object, msg: string): void;
}

/** A logger that drops everything: the default where none is injected. */
export const noopLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** Options of {@link createJsonLogger}. */
export interface JsonLoggerOptions {
  /** Entries below this level are dropped. Default: `"info"`. */
  level?: LogLevel;
  /** Receives each line (ending in `\n`), synchronously. Default: file descriptor 2. */
  write?: (line: string) => void;
  /** The time of an entry. Default: the wall clock. For tests that pin `time`. */
  now?: () => Date;
}

/** An Error as JSON: name, message, stack, code and cause (recursively). */
function serializeError(err: Error, seen: Set<unknown>): Record<string, unknown> {
  seen.add(err);
  const out: Record<string, unknown> = { name: err.name, message: err.message };
  if (err.stack !== undefined) out["stack"] = err.stack;
  if ("code" in err && err.code !== undefined) out["code"] = err.code;
  const cause = err.cause;
  if (cause instanceof Error) {
    out["cause"] = seen.has(cause) ? "[Circular]" : serializeError(cause, seen);
  } else if (cause !== undefined) {
    out["cause"] = cause;
  }
  return out;
}

/**
 * pino's `formatters.log` hook: Error values in any top-level field become
 * plain objects (`JSON.stringify` would write `{}`); a field whose getter
 * throws is written as a marker instead of losing the entry.
 */
function errorFields(obj: Record<string, unknown>): Record<string, unknown> {
  let out: Record<string, unknown> | undefined;
  for (const key of Object.keys(obj)) {
    let value: unknown;
    try {
      value = obj[key];
    } catch {
      out ??= { ...safeCopy(obj) };
      out[key] = "[unserializable]";
      continue;
    }
    if (value instanceof Error) {
      out ??= { ...safeCopy(obj) };
      out[key] = serializeError(value, new Set());
    }
  }
  return out ?? obj;
}

/** The readable own fields of `obj` (a throwing getter's value becomes a marker). */
function safeCopy(obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(obj)) {
    try {
      out[key] = obj[key];
    } catch {
      out[key] = "[unserializable]";
    }
  }
  return out;
}

/**
 * A logger writing one JSON object per entry and line:
 * `{"level":"info","time":"<RFC 3339>",...obj,"msg":"..."}`, through pino.
 * Entries below `level` are dropped; Errors in any top-level field are written
 * with name, message, stack, code and cause; cyclic fields are written with
 * `"[Circular]"` markers (logging never throws). Writes are synchronous, so
 * nothing is lost when the process exits right after.
 */
export function createJsonLogger(options: JsonLoggerOptions = {}): Logger {
  const write = options.write;
  const stream: DestinationStream = write
    ? { write: (line: string) => void write(line) }
    : destination({ dest: 2, sync: true });
  const now = options.now;
  return pino(
    {
      level: options.level ?? "info",
      base: undefined,
      timestamp: now
        ? () => `,"time":"${now().toISOString()}"`
        : () => `,"time":"${new Date().toISOString()}"`,
      formatters: {
        level: (label) => ({ level: label }),
        log: errorFields,
      },
      // errorFields already wrote the Errors; pino's own `err` serializer
      // would turn those plain objects into `{type: "Object", ...}`.
      serializers: { err: (value: unknown) => value },
    },
    stream,
  );
}
