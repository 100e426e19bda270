/**
 * Translation of PostgreSQL (node-postgres) and knex errors into
 * `StorageError`. The translated error's message is safe for API
 * clients: it never contains SQL or driver text; the original error is kept
 * as `cause`.
 *
 * @module
 */
import {
  STATEMENT_TOO_COMPLEX,
  createSqlErrorTranslator,
  driverErrorCode,
  type SqlErrorClass,
  type SqlErrorContext,
} from "@tekton-results/storage-sql";

/** What the failing operation was doing, to phrase a clean message. */
export type PgErrorContext = SqlErrorContext;

/** Node.js socket error codes that mean the server cannot be reached. */
const CONNECTION_ERRNOS = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EPIPE",
]);

/** SQLSTATEs (besides class 08) that mean the server is going away or overloaded. */
const UNAVAILABLE_SQLSTATES = new Set([
  "57P01", // admin_shutdown
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now
  "53300", // too_many_connections
  "40001", // serialization_failure
  "40P01", // deadlock_detected
]);

/** The error's `code` property when it is a string (a SQLSTATE or a Node errno). */
export function pgErrorCode(err: unknown): string | undefined {
  return driverErrorCode(err);
}

function constraintName(err: unknown): string {
  const constraint = (err as { constraint?: unknown }).constraint;
  return typeof constraint === "string" ? constraint : "";
}

/** Whether `err` says the database could not be reached or dropped the connection. */
export function isPgConnectionError(err: unknown): boolean {
  const code = pgErrorCode(err);
  if (code !== undefined) {
    if (CONNECTION_ERRNOS.has(code) || UNAVAILABLE_SQLSTATES.has(code)) return true;
    if (/^08[0-9A-Z]{3}$/.test(code)) return true;
  }
  if (err instanceof Error) {
    if (err.name === "KnexTimeoutError") return true;
    if (
      /Connection terminated|connection timeout|Client has encountered a connection error/i.test(
        err.message,
      )
    ) {
      return true;
    }
  }
  return false;
}

/** What a node-postgres or knex error means (see `translateSqlError`). */
export function classifyPgError(err: unknown): SqlErrorClass | undefined {
  const code = pgErrorCode(err);
  if (code === "23505") {
    const uid =
      /uid/.test(constraintName(err)) ||
      /\(uid\)/.test(String((err as { detail?: unknown }).detail));
    return { kind: "unique", uid };
  }
  if (code === "23503") return { kind: "foreign_key" };
  if (code === "22021" || code === "22P05") {
    // PostgreSQL text and jsonb cannot hold U+0000.
    const message = "the value contains a character the database cannot store (U+0000)";
    return { kind: "storage", code: "invalid_argument", message };
  }
  // statement_too_complex (stack depth limit exceeded), program_limit_exceeded, too_many_arguments
  if (code === "54001" || code === "54000" || code === "54023") return STATEMENT_TOO_COMPLEX;
  if (code === "57014") {
    const message = "the database did not answer in time";
    return { kind: "storage", code: "deadline_exceeded", message };
  }
  if (isPgConnectionError(err)) {
    const message = "the database is unavailable, try again";
    return { kind: "storage", code: "unavailable", message };
  }
  return undefined;
}

/**
 * Translate an error thrown by the driver or knex while performing an
 * operation on the resource described by `context`. A `StorageError` is
 * returned unchanged; an error that is not an expected condition (a bug, a
 * permission problem, a missing table) is returned unchanged for the server to
 * report as internal.
 */
export const translatePgError: (err: unknown, context?: PgErrorContext) => unknown =
  createSqlErrorTranslator(classifyPgError);
