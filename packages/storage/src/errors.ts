/**
 * The one error type a store throws for an expected condition. Anything else a
 * store throws is a bug or an outage the server reports as `Internal`.
 *
 * @module
 */

/** What went wrong, independent of the backend. */
export type StorageErrorCode =
  | "not_found"
  | "already_exists"
  | "failed_precondition"
  | "invalid_argument"
  | "unavailable"
  | "deadline_exceeded";

/**
 * An expected storage failure. `message` is safe to show to API clients: it
 * never contains SQL, driver messages or stack traces (keep those in `cause`).
 */
export class StorageError extends Error {
  override readonly name = "StorageError";
  constructor(
    readonly code: StorageErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** True when `err` is a {@link StorageError}, optionally with the given code. */
export function isStorageError(err: unknown, code?: StorageErrorCode): err is StorageError {
  return err instanceof StorageError && (code === undefined || err.code === code);
}
