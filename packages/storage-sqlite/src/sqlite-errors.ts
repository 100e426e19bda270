/**
 * Translation of SQLite (better-sqlite3) and knex errors into
 * {@link StorageError}. The translated error's message is safe for API
 * clients: it never contains SQL or driver text; the original error is kept
 * as `cause`.
 *
 * @module
 */
import { StorageError, isStorageError } from "@tekton-results/storage";

/** What the failing operation was doing, to phrase a clean message. */
export interface SqliteErrorContext {
  /** `result` or `record`. */
  readonly kind: "result" | "record";
  /** The full resource name, e.g. `ns/results/x` or `ns/results/x/records/y`. */
  readonly name: string;
  /** The uid being written, if any (to tell a uid clash from a name clash). */
  readonly uid?: string;
  /** The parent Result's full name, for a Record whose Result is missing. */
  readonly parentName?: string;
}

/** The SQLite extended result code of a driver error, e.g. `SQLITE_CONSTRAINT_UNIQUE`. */
export function sqliteErrorCode(err: unknown): string | undefined {
  if (typeof err !== "object" || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === "string" && code.startsWith("SQLITE_") ? code : undefined;
}

function driverMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Translate an error thrown by the driver or knex while performing an
 * operation on the resource described by `context`. A {@link StorageError} is
 * returned unchanged; an error that is not an expected condition (a bug, a
 * corrupt file, a full disk) is returned unchanged for the server to report
 * as internal.
 */
export function translateSqliteError(err: unknown, context?: SqliteErrorContext): unknown {
  if (isStorageError(err)) return err;
  const code = sqliteErrorCode(err);
  if (code !== undefined) {
    if (code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY") {
      if (context === undefined)
        return new StorageError("already_exists", "already exists", { cause: err });
      const uidClash = /\.uid\b/.test(driverMessage(err));
      const message =
        uidClash && context.uid !== undefined
          ? `a ${context.kind} with uid "${context.uid}" already exists`
          : `${context.kind} "${context.name}" already exists`;
      return new StorageError("already_exists", message, { cause: err });
    }
    if (code === "SQLITE_CONSTRAINT_FOREIGNKEY") {
      if (context?.kind === "record" && context.parentName !== undefined) {
        return new StorageError("not_found", `result "${context.parentName}" not found`, {
          cause: err,
        });
      }
      return new StorageError("failed_precondition", "a referenced resource does not exist", {
        cause: err,
      });
    }
    if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) {
      return new StorageError("unavailable", "the database is busy, try again", { cause: err });
    }
    return err;
  }
  if (err instanceof Error && err.name === "KnexTimeoutError") {
    return new StorageError("unavailable", "the database is busy, try again", { cause: err });
  }
  return err;
}
