/**
 * Mount the Results service on a Connect router, with every error mapped once
 * to an API error by {@link toConnectError}.
 *
 * @module
 */
import type { ConnectRouter, HandlerContext, ServiceImpl } from "@connectrpc/connect";
import { Results } from "@tekton-results/proto";
import { noopLogger, type Logger } from "./deps.js";
import { toConnectError } from "./errors.js";
import { createResultsService, type ResultsRoutesDeps } from "./results-service.js";

export type { ResultsRoutesDeps } from "./results-service.js";

type UnaryImpl = (req: unknown, ctx: HandlerContext) => Promise<unknown>;

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
  const wrapped: { [key: string]: UnaryImpl } = {};
  for (const [key, method] of Object.entries(impl) as [string, UnaryImpl][]) {
    wrapped[key] = async (req, ctx) => {
      try {
        return await method(req, ctx);
      } catch (err) {
        throw toConnectError(err, logger);
      }
    };
  }
  return wrapped as unknown as S;
}

/**
 * The Results service as routes: `(router) => void` for any Connect adapter
 * (`connectNodeAdapter({ routes })`, `createRouterTransport(routes)`).
 */
export function createResultsRoutes(deps: ResultsRoutesDeps): (router: ConnectRouter) => void {
  const impl = withErrorMapping(createResultsService(deps), deps.logger ?? noopLogger);
  return (router) => {
    router.service(Results, impl);
  };
}
