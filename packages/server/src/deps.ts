/**
 * The injected collaborators of the Results service: a clock, an id
 * generator and a logger, with their production defaults. Tests inject fakes
 * so that uids, timestamps and etags are deterministic.
 *
 * @module
 */
import { randomUUID } from "node:crypto";

/** The source of the current time for server-assigned timestamps. */
export interface Clock {
  /** The current time. */
  now(): Date;
}

/** The source of server-assigned uids. */
export interface IdGenerator {
  /** A new unique id (a random UUID in production). */
  uid(): string;
}

/** A structured logger: `obj` carries fields, `msg` the human text. */
export interface Logger {
  /** Detail useful when debugging. */
  debug(obj: object, msg: string): void;
  /** Normal operation. */
  info(obj: object, msg: string): void;
  /** Something unexpected that the server handled. */
  warn(obj: object, msg: string): void;
  /** A failure: an internal error, an outage. */
  error(obj: object, msg: string): void;
}

/** The level of a log entry, from the most to the least verbose. */
export type LogLevel = "debug" | "info" | "warn" | "error";

const LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error"];

/** The wall clock. */
export const systemClock: Clock = { now: () => new Date() };

/** Random UUIDs (version 4) from `crypto.randomUUID`. */
export const randomIds: IdGenerator = { uid: () => randomUUID() };

/** A logger that drops everything: the default when none is injected. */
export const noopLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** Errors do not serialize with `JSON.stringify`; spell out their fields. */
function jsonReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    const out: { [key: string]: unknown } = { name: value.name, message: value.message };
    if (value.stack !== undefined) out["stack"] = value.stack;
    if ("code" in value) out["code"] = (value as { code: unknown }).code;
    if (value.cause !== undefined) out["cause"] = value.cause;
    return out;
  }
  if (typeof value === "bigint") return value.toString();
  return value;
}

/**
 * A logger that writes one JSON object per entry and line to `write` (standard
 * error by default): `{"level":"info","time":"<RFC 3339>","msg":"...",...obj}`.
 * Entries below `level` are dropped. Error values are written with their name,
 * message, stack and cause.
 */
export function consoleJsonLogger(
  level: LogLevel = "info",
  write: (line: string) => void = (line) => {
    process.stderr.write(line);
  },
): Logger {
  const min = LEVELS.indexOf(level);
  const entry =
    (lvl: LogLevel) =>
    (obj: object, msg: string): void => {
      if (LEVELS.indexOf(lvl) < min) return;
      let line: string;
      try {
        line = JSON.stringify(
          { level: lvl, time: new Date().toISOString(), msg, ...obj },
          jsonReplacer,
        );
      } catch {
        // A cycle or a throwing getter: keep the message rather than lose the entry.
        line = JSON.stringify({
          level: lvl,
          time: new Date().toISOString(),
          msg,
          unserializable: true,
        });
      }
      write(`${line}\n`);
    };
  return { debug: entry("debug"), info: entry("info"), warn: entry("warn"), error: entry("error") };
}
