/**
 * The injected collaborators of the Results service: a clock, an id
 * generator and a logger, with their production defaults. Tests inject fakes
 * so that uids, timestamps and etags are deterministic.
 *
 * The logger and the clock are `@tekton-results/runtime`'s (the watcher's
 * too), re-exported here; only the id generator is the server's own.
 *
 * @module
 */
import { randomUUID } from "node:crypto";
import { createJsonLogger, type Logger, type LogLevel } from "@tekton-results/runtime";

export {
  createJsonLogger,
  noopLogger,
  systemClock,
  LOG_LEVELS,
  type Clock,
  type TimerHandle,
  type Logger,
  type LogLevel,
} from "@tekton-results/runtime";

/** The source of server-assigned uids. */
export interface IdGenerator {
  /** A new unique id (a random UUID in production). */
  uid(): string;
}

/** Random UUIDs (version 4) from `crypto.randomUUID`. */
export const randomIds: IdGenerator = { uid: () => randomUUID() };

/**
 * A logger writing one JSON object per entry and line to `write` (standard
 * error by default): `createJsonLogger` of `@tekton-results/runtime` with
 * this package's earlier signature.
 *
 * @deprecated Use `createJsonLogger({ level, write })`.
 */
export function consoleJsonLogger(
  level: LogLevel = "info",
  write?: (line: string) => void,
): Logger {
  return createJsonLogger({ level, ...(write ? { write } : {}) });
}
