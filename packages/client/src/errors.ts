/**
 * Recognise the API's errors by their Connect code: `isNotFound(err)` and
 * friends, instead of comparing `ConnectError.code` by hand. Every helper
 * accepts `unknown` (what a `catch` clause gives) and is false for anything
 * that is not a `ConnectError`.
 *
 * @module
 */
import { Code, ConnectError } from "@connectrpc/connect";

/** The Connect code of `err`, or `undefined` when it is not a `ConnectError`. */
export function errorCode(err: unknown): Code | undefined {
  return err instanceof ConnectError ? err.code : undefined;
}

/** True when `err` is a `ConnectError` with code `code`. */
export function hasCode(err: unknown, code: Code): err is ConnectError {
  return err instanceof ConnectError && err.code === code;
}

/** The resource (or, for CreateRecord, its Result) does not exist. */
export function isNotFound(err: unknown): err is ConnectError {
  return hasCode(err, Code.NotFound);
}

/** A resource with that name exists already (Create). */
export function isAlreadyExists(err: unknown): err is ConnectError {
  return hasCode(err, Code.AlreadyExists);
}

/** The etag sent with an update no longer matches: re-read and retry. */
export function isFailedPrecondition(err: unknown): err is ConnectError {
  return hasCode(err, Code.FailedPrecondition);
}

/** The request is malformed: a bad name, filter, order, page size or page token. */
export function isInvalidArgument(err: unknown): err is ConnectError {
  return hasCode(err, Code.InvalidArgument);
}

/** Credentials are missing or invalid. */
export function isUnauthenticated(err: unknown): err is ConnectError {
  return hasCode(err, Code.Unauthenticated);
}

/** Valid credentials without the permission for this namespace and verb. */
export function isPermissionDenied(err: unknown): err is ConnectError {
  return hasCode(err, Code.PermissionDenied);
}

/** The server or its storage is unavailable for now: retrying later may succeed. */
export function isUnavailable(err: unknown): err is ConnectError {
  return hasCode(err, Code.Unavailable);
}

/** The call was cancelled, e.g. through its `AbortSignal`. */
export function isCanceled(err: unknown): err is ConnectError {
  return hasCode(err, Code.Canceled);
}
