/**
 * The skeleton of the SQL adapters' error translation: a dialect classifies
 * a driver error (a unique or foreign key violation, or a {@link StorageError}
 * code with a clean message); this module phrases the {@link StorageError}.
 * The translated error's message is safe for API clients: it never contains
 * SQL or driver text; the original error is kept as `cause`.
 *
 * @module
 */
import { StorageError, isStorageError, type StorageErrorCode } from "@tekton-results/storage";

/** What the failing operation was doing, to phrase a clean message. */
export interface SqlErrorContext {
  /** `result` or `record`. */
  readonly kind: "result" | "record";
  /** The full resource name, e.g. `ns/results/x` or `ns/results/x/records/y`. */
  readonly name: string;
  /** The uid being written, if any (to tell a uid clash from a name clash). */
  readonly uid?: string;
  /** The parent Result's full name, for a Record whose Result is missing. */
  readonly parentName?: string;
}

/** What a driver error means, as a dialect's classifier reads it. */
export type SqlErrorClass =
  /** A unique constraint failed; `uid` when it was the uid's. */
  | { readonly kind: "unique"; readonly uid: boolean }
  /** A foreign key failed (a Record whose Result is missing). */
  | { readonly kind: "foreign_key" }
  /** Another expected condition: the code and the clean message to report it with. */
  | { readonly kind: "storage"; readonly code: StorageErrorCode; readonly message: string };

/**
 * A dialect's reading of a driver error; `undefined` for an error that is not
 * an expected condition (a bug, a permission problem, a missing table).
 */
export type SqlErrorClassifier = (err: unknown) => SqlErrorClass | undefined;

/**
 * A statement past a limit of the database's parser or planner (SQLite's
 * expression depth of 1,000, PostgreSQL's stack depth): only a caller's filter
 * shapes a statement that much, so it is the caller's to simplify.
 */
export const STATEMENT_TOO_COMPLEX: SqlErrorClass = {
  kind: "storage",
  code: "invalid_argument",
  message: "the filter is too complex for the database: use fewer terms or less nesting",
};

/** Translates a driver error of an operation described by `context` (see {@link translateSqlError}). */
export type SqlErrorTranslator = (err: unknown, context?: SqlErrorContext) => unknown;

/** The error's `code` property when it is a string (a SQLSTATE, a SQLite code or a Node errno). */
export function driverErrorCode(err: unknown): string | undefined {
  if (typeof err !== "object" || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === "string" ? code : undefined;
}

/**
 * Translate an error thrown by the driver or knex while performing an
 * operation on the resource described by `context`, as `classify` reads it. A
 * {@link StorageError} is returned unchanged, and so is an error `classify`
 * does not know, for the server to report as internal.
 */
export function translateSqlError(
  err: unknown,
  context: SqlErrorContext | undefined,
  classify: SqlErrorClassifier,
): unknown {
  if (isStorageError(err)) return err;
  const found = classify(err);
  if (found === undefined) return err;
  switch (found.kind) {
    case "unique": {
      if (context === undefined)
        return new StorageError("already_exists", "already exists", { cause: err });
      const message =
        found.uid && context.uid !== undefined
          ? `a ${context.kind} with uid "${context.uid}" already exists`
          : `${context.kind} "${context.name}" already exists`;
      return new StorageError("already_exists", message, { cause: err });
    }
    case "foreign_key":
      if (context?.kind === "record" && context.parentName !== undefined) {
        return new StorageError("not_found", `result "${context.parentName}" not found`, {
          cause: err,
        });
      }
      return new StorageError("failed_precondition", "a referenced resource does not exist", {
        cause: err,
      });
    case "storage":
      return new StorageError(found.code, found.message, { cause: err });
  }
}

/** The translator of a dialect's classifier. */
export function createSqlErrorTranslator(classify: SqlErrorClassifier): SqlErrorTranslator {
  return (err, context) => translateSqlError(err, context, classify);
}
