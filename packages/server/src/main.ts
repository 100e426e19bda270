/**
 * The server program: reads the configuration (flags, environment, config
 * file), opens the store, serves the API on one port (and the metrics on a
 * port of their own with `--metrics-port`), runs retention with
 * `--retention-config`, and shuts down gracefully on
 * SIGTERM or SIGINT (after `--shutdown-delay-ms` of serving while not ready). The
 * command-line skeleton (help, version, usage errors, stop signals) is
 * `@tekton-results/runtime`'s, shared with the watcher.
 *
 * @module
 */
import type { DirectoryLogStore, LogStore } from "@tekton-results/log-store";
import { createJsonLogger, onStopSignals, type Logger } from "@tekton-results/runtime";
import { startMetricsListener, type MetricsListener } from "@tekton-results/runtime";
import { EXIT_FAILURE, packageVersion, runCommandLine } from "@tekton-results/runtime";
import type { ResultsStore } from "@tekton-results/storage";
import type { Authorizer } from "./auth.js";
import { describeDatabase, describeLogStore, openAuthorizer, openLogStore } from "./backends.js";
import { parseConfig, USAGE, type ServerConfig } from "./config.js";
import { createServerMetrics, type ServerMetrics } from "./metrics.js";
import { createResultsRoutes } from "./routes.js";
import { migratedSchemaCheck, storeReadinessCheck, type MigratableStore } from "./endpoints.js";
import { createResultsServer, type ResultsServer } from "./server.js";
import { startServerRetention } from "./retention-runs.js";
import { createShutdownDelay, type ShutdownDelay } from "./shutdown-delay.js";
import { MissingAdapterError, openStore, type ImportAdapter } from "./storage-adapters.js";
import { loadCertificate, loadClientCa, TlsFileError } from "./tls.js";
import { loadUi, type UiHandler } from "./ui.js";

export { EXIT_FAILURE, EXIT_USAGE } from "@tekton-results/runtime";
export { openAuthorizer, openLogStore } from "./backends.js";
export { openStore } from "./storage-adapters.js";

/** What {@link main} talks to; injectable for tests. */
export interface MainOptions {
  /** Plain output (`--help`, `--version`). Default: standard output. */
  stdout?: (text: string) => void;
  /** Usage errors before a logger exists. Default: standard error. */
  stderr?: (text: string) => void;
  /** The log. Default: JSON lines on standard error at the configured level. */
  logger?: Logger;
  /**
   * Resolves when the server should stop. Default: the first SIGTERM or
   * SIGINT (a second one ends the shutdown delay, or, when there is none or it
   * is over, cuts in-flight requests at once).
   */
  stop?: Promise<unknown>;
  /** Called with the address once the server listens. */
  onListening?: (address: { host: string; port: number; url: string }) => void;
  /** Called with the metrics listener's address once it listens (`--metrics-port` only). */
  onMetricsListening?: (address: { port: number; url: string }) => void;
  /**
   * The config file read when neither `--config` nor `RESULTS_CONFIG` names
   * one, if it exists. Default `/etc/tekton/results/config`.
   */
  defaultConfigFile?: string;
  /** How the storage adapter of `--database` is imported. Default: `import()` of its package. */
  importAdapter?: ImportAdapter;
}

/** The version of this package. */
export function serverVersion(): string {
  return packageVersion(new URL("../package.json", import.meta.url));
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/** What the program serves from. */
interface Backends {
  store: ResultsStore & MigratableStore & { migrate(): Promise<void> };
  authorizer: Authorizer | undefined;
  logs: LogStore | DirectoryLogStore | undefined;
}

/**
 * Open the store, the authorizer and the log store, logging what fails: the
 * exit code instead when one cannot be opened, or when `--migrate-only` is
 * done.
 */
async function openBackends(
  config: ServerConfig,
  logger: Logger,
  importAdapter: ImportAdapter | undefined,
): Promise<Backends | number> {
  let store: Backends["store"];
  try {
    store = await openStore(config.database, logger, {
      migrate: config.migrate,
      postgres: config.postgres,
      sqlite: config.sqlite,
      ...(importAdapter ? { importAdapter } : {}),
    });
  } catch (err) {
    if (err instanceof MissingAdapterError) {
      logger.error({ database: err.kind, package: err.pkg }, err.message);
    } else {
      logger.error({ err: describe(err), database: config.database.kind }, "cannot open the store");
    }
    return EXIT_FAILURE;
  }
  if (config.migrateOnly) {
    // openStore applied the migrations (migrate is on unless --skip-migrations).
    await store.close();
    logger.info({ database: config.database.kind }, "migrations applied");
    return 0;
  }
  let authorizer: Authorizer | undefined;
  try {
    authorizer = await openAuthorizer(config.auth, logger);
  } catch (err) {
    logger.error({ err: describe(err) }, "cannot set up Kubernetes authorization");
    await store.close().catch(() => undefined);
    return EXIT_FAILURE;
  }
  try {
    return { store, authorizer, logs: openLogStore(config.logs) };
  } catch (err) {
    logger.error({ err: describe(err), logs: config.logs.type }, "cannot open the log store");
    await store.close().catch(() => undefined);
    return EXIT_FAILURE;
  }
}

/** The API server over the opened backends, with the configured limits. */
function assembleServer(
  config: ServerConfig,
  logger: Logger,
  backends: Backends,
  metrics: ServerMetrics,
  ui: UiHandler | undefined,
): ResultsServer {
  const { store, authorizer, logs } = backends;
  return createResultsServer({
    routes: createResultsRoutes({
      store,
      logger,
      maxPageBytes: config.maxPageBytes,
      maxRecordBytes: config.limits.maxRecordBytes,
      maxAnnotationsBytes: config.limits.maxAnnotationsBytes,
      filterLimits: {
        maxLength: config.limits.maxFilterLength,
        maxDepth: config.limits.maxFilterDepth,
      },
      ...(authorizer ? { authorizer } : {}),
      ...(logs
        ? { logs, logChunkSize: config.logs.chunkBytes, maxLogBytes: config.logs.maxBytes }
        : {}),
    }),
    store,
    // A server that does not migrate waits, unready, for the migration Job.
    ...(config.migrate
      ? {}
      : { readiness: migratedSchemaCheck(store, storeReadinessCheck(store)) }),
    logger,
    metrics,
    metricsEndpoint: config.metricsPort === undefined,
    requestLogLevel: config.requestLogLevel,
    maxBodyBytes: config.maxBodyBytes,
    corsOrigins: config.corsOrigins,
    idleTimeoutMs: config.idleTimeoutMs,
    handshakeTimeoutMs: config.handshakeTimeoutMs,
    http1KeepAliveTimeoutMs: config.http1KeepAliveTimeoutMs,
    maxConnectionAgeMs: config.maxConnectionAgeMs,
    maxConnectionAgeGraceMs: config.maxConnectionAgeGraceMs,
    maxConcurrentStreams: config.limits.maxConcurrentStreams,
    headersTimeoutMs: config.limits.headersTimeoutMs,
    requestTimeoutMs: config.limits.requestTimeoutMs,
    ...(config.tls ? { tls: config.tls } : {}),
    ui,
  });
}

/**
 * Check the TLS certificate and key before anything opens: a missing or
 * unreadable file, or a key that is not the certificate's, is logged as such
 * and the exit code returned. An expired certificate is only a warning.
 */
function checkTlsFiles(config: ServerConfig, logger: Logger): number | undefined {
  if (!config.tls) return undefined;
  const { certFile, keyFile } = config.tls;
  try {
    const loaded = loadCertificate(certFile, keyFile);
    if (config.tls.clientCaFile) loadClientCa(config.tls.clientCaFile);
    if (loaded.notAfter.getTime() < Date.now()) {
      logger.warn(
        { certFile, notAfter: loaded.notAfter.toISOString() },
        "the TLS certificate has expired",
      );
    }
    return undefined;
  } catch (err) {
    if (!(err instanceof TlsFileError)) throw err;
    logger.error({ certFile, keyFile }, `cannot serve TLS: ${err.message}`);
    return EXIT_FAILURE;
  }
}

/**
 * Remove the temporary files of uploads cut off by a crash (never those of
 * uploads in progress: only files untouched for a day), in the background:
 * a large log tree must not delay serving.
 */
function sweepAbandonedUploads(logs: Backends["logs"], logger: Logger): void {
  if (!logs || !("removeStaleTemporaryFiles" in logs)) return;
  void logs.removeStaleTemporaryFiles().then(
    (removed) => {
      if (removed > 0) logger.info({ removed }, "removed abandoned temporary log files");
    },
    (err: unknown) => {
      logger.warn({ err: describe(err) }, "could not sweep abandoned temporary log files");
    },
  );
}

/**
 * With `--metrics-port`: the metrics listener, on the API's host; `undefined`
 * without, or (logged) when it cannot listen.
 */
async function listenForMetrics(
  config: ServerConfig,
  logger: Logger,
  metrics: ServerMetrics,
  options: MainOptions,
): Promise<MetricsListener | "failed" | undefined> {
  if (config.metricsPort === undefined) return undefined;
  try {
    const listener = await startMetricsListener({
      port: config.metricsPort,
      host: config.host,
      source: metrics.registry,
    });
    logger.info({ address: `${listener.url}/metrics`, port: listener.port }, "serving metrics");
    options.onMetricsListening?.({ port: listener.port, url: listener.url });
    return listener;
  } catch (err) {
    logger.error(
      { err: describe(err), host: config.host, port: config.metricsPort },
      "cannot listen for metrics",
    );
    return "failed";
  }
}

/**
 * With `--shutdown-delay-ms`: report not ready and go on serving for that
 * long (or until a second signal), so that the Service's endpoints drop the
 * pod before its port closes.
 */
async function drainBeforeShutdown(
  config: ServerConfig,
  logger: Logger,
  server: ResultsServer,
  delay: ShutdownDelay,
  signal: string | undefined,
): Promise<void> {
  if (config.shutdownDelayMs <= 0) return;
  server.reportNotReady();
  logger.info({ signal, delayMs: config.shutdownDelayMs }, "draining");
  await delay.wait(config.shutdownDelayMs);
}

/** Listen, serve until `stop` resolves, then shut down within the configured deadline. */
async function serveUntilStopped(
  config: ServerConfig,
  logger: Logger,
  backends: Backends,
  server: ResultsServer,
  metrics: ServerMetrics,
  options: MainOptions,
  stop: Promise<unknown>,
  delay: ShutdownDelay,
): Promise<number> {
  const { store, logs } = backends;
  const certificate = server.certificate();
  let address;
  try {
    address = await server.listen(config.port, config.host);
  } catch (err) {
    logger.error({ err: describe(err), host: config.host, port: config.port }, "cannot listen");
    await server.close({ deadlineMs: 0 });
    await store.close().catch(() => undefined);
    return EXIT_FAILURE;
  }
  logger.info(
    {
      address: address.url,
      host: address.host,
      port: address.port,
      database: describeDatabase(config.database),
      logs: logs ? describeLogStore(config.logs) : "disabled",
      ...(config.tls && certificate
        ? {
            tls: {
              certFile: config.tls.certFile,
              keyFile: config.tls.keyFile,
              minVersion: config.tls.minVersion,
              ...(config.tls.clientCaFile
                ? { clientCaFile: config.tls.clientCaFile, clientAuth: config.tls.clientAuth }
                : {}),
              serial: certificate.serial,
              notAfter: certificate.notAfter.toISOString(),
            },
          }
        : {}),
      version: serverVersion(),
    },
    "listening",
  );
  options.onListening?.(address);
  const metricsListener = await listenForMetrics(config, logger, metrics, options);
  if (metricsListener === "failed") {
    await server.close({ deadlineMs: 0 });
    await store.close().catch(() => undefined);
    return EXIT_FAILURE;
  }
  sweepAbandonedUploads(logs, logger);
  // --retention-config: retention on its schedule, its metrics with the server's.
  const registry = metrics.registry;
  const retention = startServerRetention(config.retentionConfig, { store, logs, logger, registry });

  const reason = await stop;
  const signal = typeof reason === "string" ? reason : undefined;
  await drainBeforeShutdown(config, logger, server, delay, signal);
  logger.info({ signal, deadlineMs: config.shutdownTimeoutMs }, "shutting down");
  // A retention run stops between two batches, while the requests in flight finish.
  const retentionStopped = retention?.stop();
  await server.close({ deadlineMs: config.shutdownTimeoutMs });
  await retentionStopped;
  await metricsListener?.close();
  try {
    await store.close();
  } catch (err) {
    logger.error({ err: describe(err) }, "closing the store failed");
    return EXIT_FAILURE;
  }
  return 0;
}

/** Run the server with a parsed configuration; resolves with the exit code. */
async function runServer(config: ServerConfig, options: MainOptions): Promise<number> {
  const logger = options.logger ?? createJsonLogger({ level: config.logLevel });
  if (config.configFile !== undefined) {
    logger.info({ file: config.configFile }, "read the config file");
  }
  for (const warning of config.warnings ?? []) logger.warn({}, warning);
  const tlsProblem = checkTlsFiles(config, logger);
  if (tlsProblem !== undefined) return tlsProblem;
  const backends = await openBackends(config, logger, options.importAdapter);
  if (typeof backends === "number") return backends;
  let server: ResultsServer;
  const metrics = createServerMetrics();
  const ui = config.ui ? await loadUi(logger) : undefined;
  try {
    server = assembleServer(config, logger, backends, metrics, ui);
  } catch (err) {
    // The TLS files changed for the worse since they were checked.
    logger.error({ err: describe(err) }, "cannot start the server");
    await backends.store.close().catch(() => undefined);
    return EXIT_FAILURE;
  }
  let forced = false;
  const delay = createShutdownDelay();
  // A second signal ends the shutdown delay, or cuts the connections still open.
  const signals = options.stop
    ? undefined
    : onStopSignals(() => {
        if (delay.skip()) {
          logger.warn({}, "second signal: shutting down now");
          return;
        }
        forced = true;
        logger.warn({}, "second signal: closing connections now");
        void server.close({ deadlineMs: 0 });
      });
  try {
    const code = await serveUntilStopped(
      config,
      logger,
      backends,
      server,
      metrics,
      options,
      options.stop ?? signals!.stop,
      delay,
    );
    if (code === 0) logger.info({ forced }, "stopped");
    return code;
  } finally {
    signals?.dispose();
  }
}

/**
 * Run the server program with the command line `argv` (without the node and
 * script paths) and the environment `env`. Resolves with the exit code:
 * 0 after `--help`, `--version` or a graceful shutdown, 2 for a bad command
 * line, 1 when the server cannot start (a missing storage adapter included).
 */
export function main(
  argv: readonly string[] = process.argv.slice(2),
  env: Readonly<Record<string, string | undefined>> = process.env,
  options: MainOptions = {},
): Promise<number> {
  const { stdout, stderr } = options;
  return runCommandLine({
    name: "tekton-results-server",
    usage: USAGE,
    version: serverVersion(),
    stdout,
    stderr,
    parse: () =>
      parseConfig(argv, env, {
        ...(options.defaultConfigFile !== undefined
          ? { defaultFile: options.defaultConfigFile }
          : {}),
      }),
    run: (config) => runServer(config, options),
  });
}
