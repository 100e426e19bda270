/**
 * A {@link Logger} that keeps what it is given, for the tests of the server
 * program (`main`).
 *
 * @module
 */
import type { Logger } from "@tekton-results/runtime";

/** One logged entry. */
export interface CapturedLine {
  level: "debug" | "info" | "warn" | "error";
  msg: string;
  obj: object;
}

/** A logger and the entries it was given, in order. */
export function capture(): { lines: CapturedLine[]; logger: Logger } {
  const lines: CapturedLine[] = [];
  const logger: Logger = {
    debug: (obj, msg) => lines.push({ level: "debug", msg, obj }),
    info: (obj, msg) => lines.push({ level: "info", msg, obj }),
    warn: (obj, msg) => lines.push({ level: "warn", msg, obj }),
    error: (obj, msg) => lines.push({ level: "error", msg, obj }),
  };
  return { lines, logger };
}
