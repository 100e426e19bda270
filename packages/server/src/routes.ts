/**
 * Mount the Results service, and the Logs services (v1alpha2 and v1alpha3),
 * on a Connect router, with every error mapped once to an API error by
 * {@link withErrorMapping} (see `errors.ts`), and request messages that do not
 * decode answered InvalidArgument (see `protocol-errors.ts`).
 *
 * @module
 */
import type { ConnectRouter, ServiceImpl } from "@connectrpc/connect";
import { Logs, Results } from "@tekton-results/proto";
import { Logs as LogsV1alpha3 } from "@tekton-results/proto/v1alpha3";
import { noopLogger } from "@tekton-results/runtime";
import { withErrorMapping } from "./errors.js";
import { withClientErrorCodes } from "./protocol-errors.js";
import {
  createDisabledLogsServices,
  createLogsService,
  createLogsV1alpha3Service,
} from "./logs-service.js";
import { createResultsService, type ResultsRoutesDeps } from "./results-service.js";

export type { ResultsRoutesDeps } from "./results-service.js";

/**
 * The Results service, and the Logs services when `deps.logs` is given, as
 * routes: `(router) => void` for any Connect adapter
 * (`connectNodeAdapter({ routes })`, `createRouterTransport(routes)`).
 * Without a log store the Logs services are still mounted and answer every
 * RPC with Unimplemented (`LOGS_DISABLED_MESSAGE`).
 */
export function createResultsRoutes(deps: ResultsRoutesDeps): (router: ConnectRouter) => void {
  const logger = deps.logger ?? noopLogger;
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
      ...(deps.filterLimits !== undefined ? { filterLimits: deps.filterLimits } : {}),
    };
    logsV1alpha2 = createLogsService(logsDeps);
    logsV1alpha3 = createLogsV1alpha3Service(logsDeps);
  } else {
    ({ v1alpha2: logsV1alpha2, v1alpha3: logsV1alpha3 } = createDisabledLogsServices());
  }
  const results = withErrorMapping(Results, createResultsService(deps), logger);
  const logsImpl = withErrorMapping(Logs, logsV1alpha2, logger);
  const logsV1alpha3Impl = withErrorMapping(LogsV1alpha3, logsV1alpha3, logger);
  return withClientErrorCodes((router) => {
    router.service(Results, results);
    router.service(Logs, logsImpl);
    router.service(LogsV1alpha3, logsV1alpha3Impl);
  });
}
