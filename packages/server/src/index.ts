/**
 * The Tekton Results API server.
 *
 * - {@link createResultsRoutes} implements the `Results` service, and the
 *   `Logs` services (v1alpha2 and v1alpha3) when given a log store, on any
 *   Connect router: mount it with `connectNodeAdapter`, Fastify, Express...
 * - {@link createResultsServer} serves routes, health, reflection, REST and
 *   metrics on one port (h2c and HTTP/1.1, or HTTP/2 and HTTP/1.1 over TLS).
 * - {@link main} is the `tekton-results-server` command.
 *
 * @module
 */
export { createResultsRoutes, type ResultsRoutesDeps } from "./routes.js";
export {
  allowAll,
  type Authorizer,
  type AuthRequest,
  type AuthResource,
  type AuthVerb,
} from "./auth.js";
// The logger and the clock are @tekton-results/runtime's (the watcher's too), re-exported.
export {
  createJsonLogger,
  noopLogger,
  systemClock,
  type Clock,
  type TimerHandle,
  type Logger,
  type LogLevel,
} from "@tekton-results/runtime";
export { consoleJsonLogger, randomIds, type IdGenerator } from "./deps.js";
export {
  createResultsServer,
  storeReadinessCheck,
  migratedSchemaCheck,
  type MigratableStore,
  DEFAULT_SHUTDOWN_DEADLINE_MS,
  DEFAULT_HTTP2_STREAM_WINDOW_BYTES,
  DEFAULT_HTTP2_CONNECTION_WINDOW_BYTES,
  type ResultsServer,
  type ResultsServerOptions,
  type ListeningAddress,
  type CloseOptions,
} from "./server.js";
export {
  loadCertificate,
  loadClientCa,
  TlsFileError,
  TLS_MIN_VERSIONS,
  TLS_CLIENT_AUTH_MODES,
  type TlsClientAuth,
  DEFAULT_TLS_MIN_VERSION,
  DEFAULT_TLS_RELOAD_CHECK_MS,
  type TlsOptions,
  type TlsMinVersion,
  type LoadedCertificate,
} from "./tls.js";
export { createServerMetrics, type ServerMetrics, type ServerMetricsOptions } from "./metrics.js";
export {
  createRequestLog,
  noteRequestCaller,
  requestLogContextValues,
  requestPeer,
  DEFAULT_REQUEST_LOG_LEVEL,
  REQUEST_LOG_LEVELS,
  type RequestLog,
  type RequestLogLevel,
  type RequestLogOptions,
  type RequestPeer,
} from "./request-log.js";
export { createCorsHandler, type CorsHandler } from "./cors.js";
export {
  loadUi,
  createUiHandler,
  createUnbuiltUiHandler,
  ASSET_CACHE_CONTROL,
  PAGE_CACHE_CONTROL,
  type UiHandler,
  type WebPackage,
} from "./ui.js";
export {
  main,
  openStore,
  openLogStore,
  serverVersion,
  EXIT_USAGE,
  EXIT_FAILURE,
  type MainOptions,
} from "./main.js";
export {
  ADAPTER_PACKAGES,
  MissingAdapterError,
  type AdapterPackage,
  type ImportAdapter,
  type OpenStoreSettings,
} from "./storage-adapters.js";
export {
  parseConfig,
  parseDatabaseUrl,
  ConfigError,
  USAGE,
  DEFAULT_DATABASE,
  DEFAULT_LOGS_DIR,
  DEFAULT_LOG_CHUNK_BYTES,
  type ServerConfig,
  type LogsConfig,
  type S3LogsConfig,
  type DatabaseConfig,
  type PostgresSettings,
  type SqliteSettings,
  type TlsConfig,
  type Command,
} from "./config.js";

// ---- For library authors ----
export { toConnectError, withErrorMapping, INTERNAL_ERROR_MESSAGE } from "./errors.js";
export { createResultsService } from "./results-service.js";
export {
  createLogsService,
  createLogsV1alpha3Service,
  createDisabledLogsServices,
  parseLogNameField,
  LOG_RECORD_TYPE,
  LOG_CONTENT_TYPE,
  LOGS_DISABLED_MESSAGE,
  LOG_STATUS_RETRIES,
  type LogsServiceDeps,
} from "./logs-service.js";
export { computeEtag, resultToApi, recordToApi } from "./convert.js";
export { encodePageToken, decodePageToken, type PageTokenScope } from "./page-token.js";
export {
  createRestGateway,
  buildRestRoutes,
  parsePathTemplate,
  matchPathTemplate,
  httpStatusFromCode,
  errorBody,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_REST_SERVICES,
  type RestGateway,
  type RestGatewayOptions,
  type RestRoute,
  type PathTemplate,
  type NodeHandlerFn,
  type NodeServerRequest,
  type NodeServerResponse,
} from "./rest-gateway.js";
export {
  createHealthStatus,
  createHealthRoutes,
  createReadinessProbe,
  NotReadyError,
  ServingStatus,
  type HealthStatus,
  type ReadinessResult,
} from "./health.js";
export {
  createReflectionRoutes,
  createReflectionIndex,
  REFLECTION_SERVICE_NAMES,
  type ReflectionIndex,
  type ReflectionOptions,
  type ReflectionAnswer,
  type ReflectionQuery,
} from "./reflection.js";
export { createFilterCache, DEFAULT_FILTER_CACHE_SIZE, type FilterCache } from "./filter-cache.js";
