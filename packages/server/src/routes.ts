/**
 * Mount the Results service, and the Logs services (v1alpha2 and v1alpha3),
 * on a Connect router, with every error mapped once to an API error by
 * {@link toConnectError} (and {@link toLogsConnectError} for the Logs services).
 *
 * @module
 */
import type { DescService } from "@bufbuild/protobuf";
import type { ConnectRouter, HandlerContext, ServiceImpl } from "@connectrpc/connect";
import { Logs, Results } from "@tekton-results/proto";
import { Logs as LogsV1alpha3 } from "@tekton-results/proto/v1alpha3";
import { noopLogger, type Logger } from "./deps.js";
import { toConnectError } from "./errors.js";
import {
  createDisabledLogsServices,
  createLogsService,
  createLogsV1alpha3Service,
  toLogsConnectError,
} from "./logs-service.js";
import { createResultsService, type ResultsRoutesDeps } from "./results-service.js";

export type { ResultsRoutesDeps } from "./results-service.js";

type UnaryImpl = (req: unknown, ctx: HandlerContext) => Promise<unknown>;
type StreamImpl = (req: unknown, ctx: HandlerContext) => AsyncIterable<unknown>;

/**
 * Wrap every unary method of a service implementation so that whatever it
 * throws reaches the client as {@link toConnectError} maps it. (Done per
 * method rather than with router options, which would replace the
 * interceptors the server configures for every service.)
 */
export function withErrorMapping<S extends ServiceImpl<typeof Results>>(
  impl: S,
  logger: Logger,
): S {
  return withServiceErrorMapping(Results, impl, (err) => toConnectError(err, logger));
}

/**
 * Wrap every method of an implementation of `service` (unary, client
 * streaming and server streaming) so that whatever it throws, including while
 * a response stream is produced, reaches the client as `map` translates it.
 */
export function withServiceErrorMapping<D extends DescService, S extends ServiceImpl<D>>(
  service: D,
  impl: S,
  map: (err: unknown) => Error,
): S {
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

/**
 * The Results service, and the Logs services when `deps.logs` is given, as
 * routes: `(router) => void` for any Connect adapter
 * (`connectNodeAdapter({ routes })`, `createRouterTransport(routes)`).
 * Without a log store the Logs services are still mounted and answer every
 * RPC with Unimplemented (`LOGS_DISABLED_MESSAGE`).
 */
export function createResultsRoutes(deps: ResultsRoutesDeps): (router: ConnectRouter) => void {
  const logger = deps.logger ?? noopLogger;
  const impl = withErrorMapping(createResultsService(deps), logger);
  const mapLogs = (err: unknown) => toLogsConnectError(err, logger);
  let logsV1alpha2: ServiceImpl<typeof Logs>;
  let logsV1alpha3: ServiceImpl<typeof LogsV1alpha3>;
  if (deps.logs) {
    const logsDeps = {
      store: deps.store,
      logs: deps.logs,
      logger,
      ...(deps.authorizer ? { authorizer: deps.authorizer } : {}),
      ...(deps.clock ? { clock: deps.clock } : {}),
      ...(deps.maxPageSize !== undefined ? { maxPageSize: deps.maxPageSize } : {}),
      ...(deps.maxPageBytes !== undefined ? { maxPageBytes: deps.maxPageBytes } : {}),
      ...(deps.logChunkSize !== undefined ? { logChunkSize: deps.logChunkSize } : {}),
      ...(deps.maxLogBytes !== undefined ? { maxLogBytes: deps.maxLogBytes } : {}),
    };
    logsV1alpha2 = createLogsService(logsDeps);
    logsV1alpha3 = createLogsV1alpha3Service(logsDeps);
  } else {
    ({ v1alpha2: logsV1alpha2, v1alpha3: logsV1alpha3 } = createDisabledLogsServices());
  }
  const logsImpl = withServiceErrorMapping(Logs, logsV1alpha2, mapLogs);
  const logsV1alpha3Impl = withServiceErrorMapping(LogsV1alpha3, logsV1alpha3, mapLogs);
  return (router) => {
    router.service(Results, impl);
    router.service(Logs, logsImpl);
    router.service(LogsV1alpha3, logsV1alpha3Impl);
  };
}
