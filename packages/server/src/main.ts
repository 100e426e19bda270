/**
 * The server program: reads the configuration, opens the store, serves the
 * API on one port and shuts down gracefully on SIGTERM or SIGINT.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import {
  createDirectoryLogStore,
  createS3LogStore,
  type DirectoryLogStore,
  type LogStore,
} from "@tekton-results/log-store";
import type { ResultsStore } from "@tekton-results/storage";
import {
  ConfigError,
  parseConfig,
  USAGE,
  type AuthConfig,
  type DatabaseConfig,
  type LogsConfig,
  type PostgresSettings,
  type SqliteSettings,
} from "./config.js";
import type { Authorizer } from "./auth.js";
import { consoleJsonLogger, type Logger } from "./deps.js";
import { createServerMetrics } from "./metrics.js";
import { createResultsRoutes } from "./routes.js";
import { createResultsServer } from "./server.js";

/** Exit code of a bad command line. */
export const EXIT_USAGE = 2;
/** Exit code of a failure to start (store, port). */
export const EXIT_FAILURE = 1;

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
   * SIGINT (a second one cuts in-flight requests at once).
   */
  stop?: Promise<void>;
  /** Called with the address once the server listens. */
  onListening?: (address: { host: string; port: number; url: string }) => void;
}

/** The version of this package. */
export function serverVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
      version?: string;
    };
    return pkg.version ?? "unknown";
  } catch {
    return "unknown";
  }
}

/**
 * Open the store the configuration names. The adapter is imported lazily, so
 * only the chosen backend is loaded.
 */
export async function openStore(
  database: DatabaseConfig,
  logger: Logger,
  settings: { migrate?: boolean; postgres?: PostgresSettings; sqlite?: SqliteSettings } = {},
): Promise<ResultsStore & { migrate(): Promise<void> }> {
  const migrate = settings.migrate ?? true;
  switch (database.kind) {
    case "sqlite": {
      const { createSqliteStore } = await import("@tekton-results/storage-sqlite");
      return createSqliteStore({
        filename: database.filename,
        logger,
        migrate,
        ...(settings.sqlite ? { statementTimeoutMs: settings.sqlite.statementTimeoutMs } : {}),
      });
    }
    case "postgres": {
      const { createPgStore } = await import("@tekton-results/storage-pg");
      const pg = settings.postgres;
      return createPgStore({
        connectionString: database.url,
        migrate,
        logger,
        ...(pg
          ? {
              poolMax: pg.poolMax,
              statementTimeoutMs: pg.statementTimeoutMs,
              schema: pg.schema,
              startupRetries: { attempts: pg.connectRetries, delayMs: 1000 },
              ...(pg.sslMode
                ? { ssl: { mode: pg.sslMode, ...(pg.sslCaFile ? { caFile: pg.sslCaFile } : {}) } }
                : {}),
            }
          : {}),
      });
    }
  }
}

/**
 * Open the log store the configuration names: `undefined` when the Logs API
 * is disabled, else a directory store or an S3-compatible one. Throws a
 * `LogStoreError` for unusable settings (nothing is contacted yet).
 */
export function openLogStore(logs: LogsConfig): LogStore | DirectoryLogStore | undefined {
  if (!logs.enabled) return undefined;
  if (logs.type === "S3" && logs.s3) {
    const s3 = logs.s3;
    return createS3LogStore({
      endpoint: s3.endpoint,
      bucket: s3.bucket,
      region: s3.region,
      keyPrefix: s3.keyPrefix,
      pathStyle: s3.pathStyle,
      partSize: s3.partSize,
      credentials: {
        accessKeyId: s3.accessKeyId,
        secretAccessKey: s3.secretAccessKey,
        ...(s3.sessionToken ? { sessionToken: s3.sessionToken } : {}),
      },
    });
  }
  return createDirectoryLogStore({ dir: logs.dir, fsync: logs.fsync });
}

/**
 * The authorizer the configuration names: `undefined` (allow all) for
 * `none`; for `kubernetes`, one over the cluster of `--kubeconfig` (or
 * client-node's default loading: `KUBECONFIG`, `~/.kube/config`, the pod's
 * service account), loaded lazily so that a server without it never loads
 * `@kubernetes/client-node`. Throws when the kubeconfig cannot be read.
 */
export async function openAuthorizer(
  auth: AuthConfig,
  logger: Logger,
): Promise<Authorizer | undefined> {
  if (auth.mode === "none") return undefined;
  const [{ KubeConfig }, { createKubernetesAuthorizer }] = await Promise.all([
    import("@kubernetes/client-node"),
    import("./kubernetes-authorizer.js"),
  ]);
  const kubeConfig = new KubeConfig();
  if (auth.kubeconfig !== undefined) kubeConfig.loadFromFile(auth.kubeconfig);
  else kubeConfig.loadFromDefault();
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error("the kubeconfig names no current cluster");
  logger.info(
    { cluster: cluster.server, cacheTtlMs: auth.cacheTtlMs, impersonation: auth.impersonation },
    "authorizing requests with Kubernetes TokenReview and SubjectAccessReview",
  );
  return createKubernetesAuthorizer({
    kubeConfig,
    cacheTtlMs: auth.cacheTtlMs,
    audiences: auth.audiences,
    impersonation: auth.impersonation,
    logger,
  });
}

/** Where logs go, for the start-up log line (no credentials). */
function describeLogStore(logs: LogsConfig): string {
  return logs.type === "S3" && logs.s3
    ? `s3:${logs.s3.bucket}/${logs.s3.keyPrefix}`
    : `dir:${logs.dir}`;
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/** Resolves on the first SIGTERM/SIGINT; `onSecond` runs on a later one. */
function signalStop(onSecond: () => void): { stop: Promise<string>; dispose: () => void } {
  let first = true;
  let resolve!: (signal: string) => void;
  const stop = new Promise<string>((r) => (resolve = r));
  const handler = (signal: NodeJS.Signals): void => {
    if (first) {
      first = false;
      resolve(signal);
    } else {
      onSecond();
    }
  };
  process.on("SIGTERM", handler);
  process.on("SIGINT", handler);
  return {
    stop,
    dispose: () => {
      process.off("SIGTERM", handler);
      process.off("SIGINT", handler);
    },
  };
}

/**
 * Run the server program with the command line `argv` (without the node and
 * script paths) and the environment `env`. Resolves with the exit code:
 * 0 after `--help`, `--version` or a graceful shutdown, 2 for a bad command
 * line, 1 when the server cannot start.
 */
export async function main(
  argv: readonly string[] = process.argv.slice(2),
  env: Readonly<Record<string, string | undefined>> = process.env,
  options: MainOptions = {},
): Promise<number> {
  const stdout = options.stdout ?? ((t: string) => void process.stdout.write(t));
  const stderr = options.stderr ?? ((t: string) => void process.stderr.write(t));

  let command;
  try {
    command = parseConfig(argv, env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    stderr(`tekton-results-server: ${err.message}\nRun with --help for usage.\n`);
    return EXIT_USAGE;
  }
  if (command.kind === "help") {
    stdout(USAGE);
    return 0;
  }
  if (command.kind === "version") {
    stdout(`${serverVersion()}\n`);
    return 0;
  }
  const config = command.config;
  const logger = options.logger ?? consoleJsonLogger(config.logLevel);

  let store: ResultsStore & { migrate(): Promise<void> };
  try {
    store = await openStore(config.database, logger, {
      migrate: config.migrate,
      postgres: config.postgres,
      sqlite: config.sqlite,
    });
  } catch (err) {
    logger.error({ err: describe(err), database: config.database.kind }, "cannot open the store");
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

  let logs: LogStore | DirectoryLogStore | undefined;
  try {
    logs = openLogStore(config.logs);
  } catch (err) {
    logger.error({ err: describe(err), logs: config.logs.type }, "cannot open the log store");
    await store.close().catch(() => undefined);
    return EXIT_FAILURE;
  }
  const metrics = createServerMetrics();
  const server = createResultsServer({
    routes: createResultsRoutes({
      store,
      logger,
      maxPageBytes: config.maxPageBytes,
      ...(authorizer ? { authorizer } : {}),
      ...(logs
        ? { logs, logChunkSize: config.logs.chunkBytes, maxLogBytes: config.logs.maxBytes }
        : {}),
    }),
    store,
    logger,
    metrics,
    maxBodyBytes: config.maxBodyBytes,
    corsOrigins: config.corsOrigins,
    idleTimeoutMs: config.idleTimeoutMs,
    handshakeTimeoutMs: config.handshakeTimeoutMs,
  });

  let signals: ReturnType<typeof signalStop> | undefined;
  let forced = false;
  const stop: Promise<unknown> =
    options.stop ??
    (signals = signalStop(() => {
      forced = true;
      logger.warn({}, "second signal: closing connections now");
      void server.close({ deadlineMs: 0 });
    })).stop;

  try {
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
        database: config.database.kind,
        logs: logs ? describeLogStore(config.logs) : "disabled",
        version: serverVersion(),
      },
      "listening",
    );
    options.onListening?.(address);
    if (logs && "removeStaleTemporaryFiles" in logs) {
      // The temporary files of uploads cut off by a crash (never those of
      // uploads in progress: only files untouched for a day). In the
      // background: a large log tree must not delay serving.
      const directory = logs;
      void directory.removeStaleTemporaryFiles().then(
        (removed) => {
          if (removed > 0) logger.info({ removed }, "removed abandoned temporary log files");
        },
        (err: unknown) => {
          logger.warn({ err: describe(err) }, "could not sweep abandoned temporary log files");
        },
      );
    }

    const reason = await stop;
    logger.info(
      {
        signal: typeof reason === "string" ? reason : undefined,
        deadlineMs: config.shutdownTimeoutMs,
      },
      "shutting down",
    );
    await server.close({ deadlineMs: config.shutdownTimeoutMs });
    try {
      await store.close();
    } catch (err) {
      logger.error({ err: describe(err) }, "closing the store failed");
      return EXIT_FAILURE;
    }
    logger.info({ forced }, "stopped");
    return 0;
  } finally {
    signals?.dispose();
  }
}
