/**
 * The one place where errors become API errors. Storage errors, log-store
 * errors, filter errors and name errors map to their gRPC codes with their
 * (client-safe) messages; `ConnectError`s pass through; anything else is a
 * bug or an outage and becomes `Internal` "internal error", with the cause
 * logged and never sent.
 *
 * The one mechanism that applies it is {@link withErrorMapping}: the routes
 * wrap every method of every service they mount (unary and streaming) with
 * it. A wrapper rather than a Connect interceptor, because the mapping then
 * holds wherever the routes are mounted (`connectNodeAdapter`,
 * `createRouterTransport`, the REST gateway's in-process transport) without
 * each of them having to install an interceptor, and per-service router
 * options would replace the interceptors (metrics) the server configures
 * for every service.
 *
 * @module
 */
import type { DescService } from "@bufbuild/protobuf";
import { Code, ConnectError, type HandlerContext, type ServiceImpl } from "@connectrpc/connect";
import { LogStoreError } from "@tekton-results/log-store";
import { InvalidNameError } from "@tekton-results/proto";
import { FilterError, StorageError, type StorageErrorCode } from "@tekton-results/storage";
import type { Logger } from "@tekton-results/runtime";
import { isClientDecodingError } from "./protocol-errors.js";

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

function storageError(err: StorageError, logger: Logger): ConnectError {
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

function logStoreError(err: LogStoreError, logger: Logger): ConnectError {
  switch (err.code) {
    case "not_found":
      return new ConnectError("log not found", Code.NotFound);
    case "invalid_argument":
      return new ConnectError(err.message, Code.InvalidArgument);
    case "unavailable":
      logger.warn({ err }, "log storage unavailable");
      return new ConnectError("log storage unavailable", Code.Unavailable);
  }
  logger.error({ err }, "log store error with an unknown code");
  return new ConnectError(INTERNAL_ERROR_MESSAGE, Code.Internal);
}

/**
 * Translate any thrown value to the `ConnectError` a client receives.
 *
 * - `ConnectError`: unchanged (so mapping twice is harmless), but for a
 *   request stream message that does not decode (the framework's `Internal`
 *   "parse binary: ..."), which is InvalidArgument.
 * - `StorageError`: its code (`not_found` NotFound, `already_exists`
 *   AlreadyExists, `failed_precondition` FailedPrecondition,
 *   `invalid_argument` InvalidArgument, `unavailable` Unavailable,
 *   `deadline_exceeded` DeadlineExceeded) and message. `unavailable` and
 *   `deadline_exceeded` are also logged as warnings with their cause.
 * - `LogStoreError` (`@tekton-results/log-store`): `not_found` NotFound "log
 *   not found", `invalid_argument` InvalidArgument with its message,
 *   `unavailable` Unavailable "log storage unavailable" (logged as a warning
 *   with its cause).
 * - `FilterError`, `InvalidNameError`: InvalidArgument with the message.
 * - Anything else: Internal "internal error"; the error is logged at `error`
 *   level with its stack and cause, and not sent.
 *
 * Lone surrogates in the message (quoted input) become U+FFFD.
 */
export function toConnectError(err: unknown, logger: Logger): ConnectError {
  return wellFormed(mapError(err, logger));
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * The error with lone surrogates in its message (a caller's input quoted
 * back) replaced by U+FFFD: gRPC percent-encodes the message into a trailer,
 * and a lone surrogate made that throw, so the call ended without a status.
 */
function wellFormed(err: ConnectError): ConnectError {
  if (!LONE_SURROGATE.test(err.rawMessage)) return err;
  const fixed = new ConnectError(
    err.rawMessage.replace(new RegExp(LONE_SURROGATE.source, "g"), "\uFFFD"),
    err.code,
    err.metadata,
    undefined,
    err.cause,
  );
  fixed.details.push(...err.details);
  return fixed;
}

function mapError(err: unknown, logger: Logger): ConnectError {
  if (err instanceof ConnectError) {
    // A request stream message that does not decode: the client's mistake.
    return isClientDecodingError(err.code, err.rawMessage)
      ? new ConnectError(err.rawMessage, Code.InvalidArgument, err.metadata)
      : err;
  }
  if (err instanceof StorageError) return storageError(err, logger);
  if (err instanceof LogStoreError) return logStoreError(err, logger);
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

type UnaryImpl = (req: unknown, ctx: HandlerContext) => Promise<unknown>;
type StreamImpl = (req: unknown, ctx: HandlerContext) => AsyncIterable<unknown>;

/**
 * Wrap every method of an implementation of `service` (unary, client
 * streaming and server streaming) so that whatever it throws, including while
 * a response stream is produced, reaches the client as {@link toConnectError}
 * maps it. The routes apply it to every service they mount.
 */
export function withErrorMapping<D extends DescService, S extends ServiceImpl<D>>(
  service: D,
  impl: S,
  logger: Logger,
): S {
  const map = (err: unknown) => toConnectError(err, logger);
  const wrapped: { [key: string]: UnaryImpl | StreamImpl } = {};
  const methods = impl as unknown as { [key: string]: UnaryImpl | StreamImpl };
  for (const method of service.methods) {
    const fn = methods[method.localName];
    if (fn === undefined) continue;
    if (method.methodKind === "server_streaming" || method.methodKind === "bidi_streaming") {
      const stream = fn as StreamImpl;
      wrapped[method.localName] = async function* (req, ctx) {
        try {
          yield* stream(req, ctx);
        } catch (err) {
          throw map(err);
        }
      };
    } else {
      const unary = fn as UnaryImpl;
      wrapped[method.localName] = async (req, ctx) => {
        try {
          return await unary(req, ctx);
        } catch (err) {
          throw map(err);
        }
      };
    }
  }
  return wrapped as unknown as S;
}
