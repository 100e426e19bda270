/**
 * Translation of SQLite (better-sqlite3) and knex errors into
 * `StorageError`. The translated error's message is safe for API
 * clients: it never contains SQL or driver text; the original error is kept
 * as `cause`.
 *
 * @module
 */
import {
  STATEMENT_TOO_COMPLEX,
  createSqlErrorTranslator,
  type SqlErrorClass,
  type SqlErrorContext,
} from "@tekton-results/storage-sql";

/** What the failing operation was doing, to phrase a clean message. */
export type SqliteErrorContext = SqlErrorContext;

/** The SQLite extended result code of a driver error, e.g. `SQLITE_CONSTRAINT_UNIQUE`. */
export function sqliteErrorCode(err: unknown): string | undefined {
  if (typeof err !== "object" || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === "string" && code.startsWith("SQLITE_") ? code : undefined;
}

/** SQLite's messages for a statement past its parser's limits (SQLITE_ERROR). */
const TOO_COMPLEX =
  /Expression tree is too large|too many SQL variables|parser stack overflow|too many terms in compound SELECT|too many arguments on function/;

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

const BUSY = {
  kind: "storage",
  code: "unavailable",
  message: "the database is busy, try again",
} as const;

/** What a better-sqlite3 or knex error means (see `translateSqlError`). */
export function classifySqliteError(err: unknown): SqlErrorClass | undefined {
  const code = sqliteErrorCode(err);
  if (code === undefined)
    return err instanceof Error && err.name === "KnexTimeoutError" ? BUSY : undefined;
  if (code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY") {
    const message = err instanceof Error ? err.message : String(err);
    return { kind: "unique", uid: /\.uid\b/.test(message) };
  }
  if (code === "SQLITE_CONSTRAINT_FOREIGNKEY") return { kind: "foreign_key" };
  if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) return BUSY;
  if (code === "SQLITE_TOOBIG" || (code === "SQLITE_ERROR" && TOO_COMPLEX.test(messageOf(err)))) {
    return STATEMENT_TOO_COMPLEX;
  }
  return undefined;
}

/**
 * Translate an error thrown by the driver or knex while performing an
 * operation on the resource described by `context`. A `StorageError` is
 * returned unchanged; an error that is not an expected condition (a bug, a
 * corrupt file, a full disk) is returned unchanged for the server to report
 * as internal.
 */
export const translateSqliteError: (err: unknown, context?: SqliteErrorContext) => unknown =
  createSqlErrorTranslator(classifySqliteError);
