/**
 * The one place where errors become API errors. Storage errors, filter errors
 * and name errors map to their gRPC codes with their (client-safe) messages;
 * `ConnectError`s pass through; anything else is a bug or an outage and
 * becomes `Internal` "internal error", with the cause logged and never sent.
 *
 * @module
 */
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { InvalidNameError } from "@tekton-results/proto";
import { FilterError, StorageError, type StorageErrorCode } from "@tekton-results/storage";
import type { Logger } from "./deps.js";

/** The message of every internal error sent to clients. */
export const INTERNAL_ERROR_MESSAGE = "internal error";

const STORAGE_CODES: { readonly [K in StorageErrorCode]: Code } = {
  not_found: Code.NotFound,
  already_exists: Code.AlreadyExists,
  failed_precondition: Code.FailedPrecondition,
  invalid_argument: Code.InvalidArgument,
  unavailable: Code.Unavailable,
  deadline_exceeded: Code.DeadlineExceeded,
};

/**
 * Translate any thrown value to the `ConnectError` a client receives.
 *
 * - `ConnectError`: unchanged (so mapping twice is harmless).
 * - `StorageError`: its code (`not_found` NotFound, `already_exists`
 *   AlreadyExists, `failed_precondition` FailedPrecondition,
 *   `invalid_argument` InvalidArgument, `unavailable` Unavailable,
 *   `deadline_exceeded` DeadlineExceeded) and message. `unavailable` and
 *   `deadline_exceeded` are also logged as warnings with their cause.
 * - `FilterError`, `InvalidNameError`: InvalidArgument with the message.
 * - Anything else: Internal "internal error"; the error is logged at `error`
 *   level with its stack and cause, and not sent.
 */
export function toConnectError(err: unknown, logger: Logger): ConnectError {
  if (err instanceof ConnectError) return err;
  if (err instanceof StorageError) {
    const code = STORAGE_CODES[err.code];
    if (code === undefined) {
      logger.error({ err }, "storage error with an unknown code");
      return new ConnectError(INTERNAL_ERROR_MESSAGE, Code.Internal);
    }
    if (code === Code.Unavailable || code === Code.DeadlineExceeded) {
      logger.warn({ err }, "storage unavailable");
    }
    return new ConnectError(err.message, code);
  }
  if (err instanceof FilterError || err instanceof InvalidNameError) {
    return new ConnectError(err.message, Code.InvalidArgument);
  }
  logger.error({ err }, "internal error");
  return new ConnectError(INTERNAL_ERROR_MESSAGE, Code.Internal);
}

/** A new InvalidArgument error. */
export function invalidArgument(message: string): ConnectError {
  return new ConnectError(message, Code.InvalidArgument);
}

/**
 * A Connect interceptor that applies {@link toConnectError} to everything a
 * handler throws, including errors raised while a response stream is
 * consumed. Use it for services mounted without {@link toConnectError}
 * wrapping (the Results routes already map their errors).
 */
export function createErrorInterceptor(logger: Logger): Interceptor {
  return (next) => async (req) => {
    let res;
    try {
      res = await next(req);
    } catch (err) {
      throw toConnectError(err, logger);
    }
    if (!res.stream) return res;
    const source = res.message;
    async function* mapped(): AsyncGenerator<
      typeof source extends AsyncIterable<infer T> ? T : never
    > {
      try {
        yield* source;
      } catch (err) {
        throw toConnectError(err, logger);
      }
    }
    return { ...res, message: mapped() };
  };
}
