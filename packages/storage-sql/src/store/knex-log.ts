/**
 * Where the SQL stores send knex's own messages: the store's logger, as
 * warnings tagged `source: "knex"`.
 *
 * @module
 */
import type { Logger } from "@tekton-results/runtime";

/** The part of a runtime {@link Logger} the SQL stores call. */
export type SqlStoreLogger = Pick<Logger, "info" | "warn">;

/** knex's `log` option: what knex warns about, errors and deprecations go to `logger`. */
export interface KnexLogOptions {
  warn(message: string): void;
  error(message: string): void;
  deprecate(message: string): void;
  debug(message: string): void;
}

/**
 * knex's `log` option over `logger` (none: silent). Warnings for which
 * `skipWarning` is true are dropped (an adapter's own log says them better).
 */
export function knexLog(
  logger: SqlStoreLogger | undefined,
  skipWarning: (message: string) => boolean = () => false,
): KnexLogOptions {
  const warn = (message: string) => logger?.warn({ source: "knex" }, String(message));
  return {
    warn: (message) => {
      if (!skipWarning(String(message))) warn(message);
    },
    error: warn,
    deprecate: warn,
    debug: () => undefined,
  };
}
