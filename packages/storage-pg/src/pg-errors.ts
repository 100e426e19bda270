/**
 * Translation of PostgreSQL (node-postgres) and knex errors into
 * {@link StorageError}. The translated error's message is safe for API
 * clients: it never contains SQL or driver text; the original error is kept
 * as `cause`.
 *
 * @module
 */
import { StorageError, isStorageError } from "@tekton-results/storage";

/** What the failing operation was doing, to phrase a clean message. */
export interface PgErrorContext {
  /** `result` or `record`. */
  readonly kind: "result" | "record";
  /** The full resource name, e.g. `ns/results/x` or `ns/results/x/records/y`. */
  readonly name: string;
  /** The uid being written, if any (to tell a uid clash from a name clash). */
  readonly uid?: string;
  /** The parent Result's full name, for a Record whose Result is missing. */
  readonly parentName?: string;
}

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
  if (typeof err !== "object" || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === "string" ? code : undefined;
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

/**
 * Translate an error thrown by the driver or knex while performing an
 * operation on the resource described by `context`. A {@link StorageError} is
 * returned unchanged; an error that is not an expected condition (a bug, a
 * permission problem, a missing table) is returned unchanged for the server to
 * report as internal.
 */
export function translatePgError(err: unknown, context?: PgErrorContext): unknown {
  if (isStorageError(err)) return err;
  const code = pgErrorCode(err);
  if (code === "23505") {
    if (context === undefined)
      return new StorageError("already_exists", "already exists", { cause: err });
    const uidClash =
      /uid/.test(constraintName(err)) ||
      /\(uid\)/.test(String((err as { detail?: unknown }).detail));
    const message =
      uidClash && context.uid !== undefined
        ? `a ${context.kind} with uid "${context.uid}" already exists`
        : `${context.kind} "${context.name}" already exists`;
    return new StorageError("already_exists", message, { cause: err });
  }
  if (code === "23503") {
    if (context?.kind === "record" && context.parentName !== undefined) {
      return new StorageError("not_found", `result "${context.parentName}" not found`, {
        cause: err,
      });
    }
    return new StorageError("failed_precondition", "a referenced resource does not exist", {
      cause: err,
    });
  }
  if (code === "22021" || code === "22P05") {
    // PostgreSQL text and jsonb cannot hold U+0000.
    return new StorageError(
      "invalid_argument",
      "the value contains a character the database cannot store (U+0000)",
      { cause: err },
    );
  }
  if (code === "57014") {
    return new StorageError("deadline_exceeded", "the database did not answer in time", {
      cause: err,
    });
  }
  if (isPgConnectionError(err)) {
    return new StorageError("unavailable", "the database is unavailable, try again", {
      cause: err,
    });
  }
  return err;
}
