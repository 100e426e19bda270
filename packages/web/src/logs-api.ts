/**
 * The Logs client of the UI: `@tekton-results/client`'s over the API's transport (connect-web's
 * Connect protocol; GetLog streams over `fetch` in browsers), with the configuration's token.
 *
 * @module
 */
import { createContext, useContext, useMemo } from "react";
import { createLogsClient, type LogsClient } from "@tekton-results/client";
import { createApiTransport, useApi } from "./api.js";
import type { UiConfig } from "./config.js";

/** The Logs client of a configuration. */
export function createLogsApiClient(config: UiConfig): LogsClient {
  return createLogsClient(createApiTransport(config));
}

/** A Logs client given to the page (the component tests' fake); else one from the API's config. */
export const LogsClientContext = createContext<Pick<LogsClient, "getLog"> | undefined>(undefined);

/** The Logs client of the running app. */
export function useLogsClient(): Pick<LogsClient, "getLog"> {
  const given = useContext(LogsClientContext);
  const { config } = useApi();
  return useMemo(() => given ?? createLogsApiClient(config), [given, config]);
}
