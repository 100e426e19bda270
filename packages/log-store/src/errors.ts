/**
 * The one error type a log store throws for an expected condition.
 *
 * @module
 */

/** What went wrong, independent of where the logs are kept. */
export type LogStoreErrorCode =
  /** No log is stored under the name. */
  | "not_found"
  /** The name or prefix is malformed (bad segment, path traversal) or an option is out of range. */
  | "invalid_argument"
  /** The storage cannot be reached or written (I/O error, disk full, permissions): retryable. */
  | "unavailable";

/**
 * An expected log store failure. `message` is safe to show to API clients: it
 * never contains file system paths or driver messages (those stay in `cause`).
 */
export class LogStoreError extends Error {
  override readonly name = "LogStoreError";
  constructor(
    readonly code: LogStoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** True when `err` is a {@link LogStoreError}, optionally with the given code. */
export function isLogStoreError(err: unknown, code?: LogStoreErrorCode): err is LogStoreError {
  return err instanceof LogStoreError && (code === undefined || err.code === code);
}
