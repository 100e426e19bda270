/**
 * Command-line flags, environment variables and the config file of the API
 * server: the configuration they make ({@link ServerConfig}) and
 * {@link parseConfig}. The flag table is in `config-flags.ts`, how values are
 * read in `config-values.ts`, the sections in `config-sections.ts`, the config
 * file in `config-file.ts`, upstream's keys in `config-upstream.ts`, `--help`
 * in `usage.ts`.
 *
 * @module
 */
import type { LogLevel, ParsedCommand } from "@tekton-results/runtime";
import type { RequestLogLevel } from "./request-log.js";
import type { TlsClientAuth, TlsMinVersion } from "./tls.js";
import { readSettings, VARIABLES, type Settings } from "./config-flags.js";
import { loadConfigFile, type ConfigFileOptions } from "./config-file.js";
import { refuseUpstreamSettings, warnIgnoredKeys } from "./config-upstream.js";
import {
  parseAuthConfig,
  parseConnections,
  parseDatabaseSettings,
  parseLogsConfig,
  parseMigrations,
  parseServing,
  parseTls,
} from "./config-sections.js";
import { ConfigError, parseBoolean, parseInteger } from "./config-values.js";
import { parseLimits, type LimitsConfig } from "./config-limits.js";

export { DEFAULT_CONFIG_FILE } from "./config-file.js";
export { ConfigError, parseDatabaseUrl } from "./config-values.js";
export {
  DEFAULT_DATABASE,
  DEFAULT_LOGS_DIR,
  DEFAULT_LOG_CHUNK_BYTES,
  DEFAULT_SHUTDOWN_DELAY_MS,
} from "./config-sections.js";
export { USAGE } from "./usage.js";
export type { LimitsConfig } from "./config-limits.js";

/** Where the data lives. */
export type DatabaseConfig =
  | { kind: "sqlite"; /** A file path, or `:memory:`. */ filename: string }
  | { kind: "postgres"; url: string };

/** How the server runs SQLite (ignored for PostgreSQL). */
export interface SqliteSettings {
  /**
   * How long one filter statement may run, in ms, before it answers
   * DeadlineExceeded (checked by the SQL functions filters call); 0: no limit.
   */
  statementTimeoutMs: number;
}

/** How the server talks to PostgreSQL (ignored for SQLite). */
export interface PostgresSettings {
  /** Most pooled connections. */
  poolMax: number;
  /** `statement_timeout` of every connection, in ms; 0 disables it. */
  statementTimeoutMs: number;
  /** The schema holding the tables. */
  schema: string;
  /** TLS mode; `undefined` leaves it to the URL (`?sslmode=`). */
  sslMode?: "disable" | "require" | "verify-ca" | "verify-full";
  /** PEM file of the CA that signs the server certificate. */
  sslCaFile?: string;
  /** Connection attempts at start-up (1 s apart) before giving up. */
  connectRetries: number;
}

/** Where logs go with `--logs-type S3`. Credentials come from the environment only. */
export interface S3LogsConfig {
  /** Base URL of the service (`https://s3.us-east-1.amazonaws.com`, `http://minio:9000`). */
  endpoint: string;
  bucket: string;
  region: string;
  /** Prefix of every object key (empty, or segments each ending with `/`). */
  keyPrefix: string;
  /** `{endpoint}/{bucket}/{key}` (true) or `{bucket}.{host}/{key}` (false). */
  pathStyle: boolean;
  /** Multipart upload part size, in bytes (at least 5 MiB). */
  partSize: number;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Where and how logs are stored (the Logs API). */
export interface LogsConfig {
  /** Serve the Logs API; when false every Logs RPC answers Unimplemented. */
  enabled: boolean;
  /** The log store: files under `dir` (`File`) or S3-compatible object storage (`S3`). */
  type: "File" | "S3";
  /** The directory of the log files (type `File`). */
  dir: string;
  /** The object storage settings (type `S3`). */
  s3?: S3LogsConfig;
  /** Flush every stored log to disk before UpdateLog answers. */
  fsync: boolean;
  /** The size of GetLog chunks, in bytes. */
  chunkBytes: number;
  /** The largest log one UpdateLog stream may store, in bytes; 0: no limit. */
  maxBytes: number;
}

/** How requests are authorized. */
export type AuthConfig =
  | { /** Every request is allowed (local use). */ mode: "none" }
  | {
      /** TokenReview + SubjectAccessReview against a Kubernetes API server. */
      mode: "kubernetes";
      /** The kubeconfig file naming that cluster; default: client-node's default loading. */
      kubeconfig?: string;
      /** How long a decision is reused, in ms (0: never). */
      cacheTtlMs: number;
      /** Audiences tokens must be meant for; empty: the API server's. */
      audiences: string[];
      /** Honour `Impersonate-*` headers. */
      impersonation: boolean;
    };

/** Serving over TLS: the certificate and key files (reloaded when they change). */
export interface TlsConfig {
  /** PEM certificate (chain), e.g. `$TLS_PATH/tls.crt`. */
  certFile: string;
  /** PEM private key, e.g. `$TLS_PATH/tls.key`. */
  keyFile: string;
  /** The oldest TLS version accepted. */
  minVersion: TlsMinVersion;
  /** PEM file of the CA(s) of client certificates (mutual TLS); absent: none asked for. */
  clientCaFile?: string;
  /** With `clientCaFile`: `require` (the default) or `request` a client certificate. */
  clientAuth?: TlsClientAuth;
}

/** The configuration of a server run. */
export interface ServerConfig {
  port: number;
  /**
   * Serve `GET /metrics` on this port (plain HTTP, same host) instead of the
   * API port; absent: on the API port.
   */
  metricsPort?: number;
  /** The config file read (`--config`, or the default file when it exists). */
  configFile?: string;
  /**
   * What the start-up log warns about (absent: nothing): an upstream key
   * ignored for ours, an upstream setting without effect here, an unknown key
   * in the config file.
   */
  warnings?: readonly string[];
  host: string;
  database: DatabaseConfig;
  logLevel: LogLevel;
  /** The level of the request log (one line per RPC and REST request): off, debug or info. */
  requestLogLevel: RequestLogLevel;
  /** Largest request body (REST) and RPC message, in bytes. */
  maxBodyBytes: number;
  /** The byte budget of a list page (it stops early with a next_page_token); 0: none. */
  maxPageBytes: number;
  /** How long a graceful shutdown waits for in-flight requests, in milliseconds. */
  shutdownTimeoutMs: number;
  /** How long an HTTP/2 connection may have no open stream before it is closed, in ms; 0: never. */
  idleTimeoutMs: number;
  /** How long a new connection may take to send its first bytes before it is closed, in ms. */
  handshakeTimeoutMs: number;
  /** How long an idle HTTP/1.1 keep-alive connection stays open, in ms; 0: never closed. */
  http1KeepAliveTimeoutMs: number;
  /**
   * The maximum age of a connection (±10%), in ms, after which it is asked to
   * go (HTTP/2: GOAWAY); 0: unlimited.
   */
  maxConnectionAgeMs: number;
  /** How long an HTTP/2 connection past its age may finish its streams, in ms; 0: no limit. */
  maxConnectionAgeGraceMs: number;
  /**
   * How long the server goes on serving, not ready, after the first stop
   * signal before its graceful shutdown starts, in ms.
   */
  shutdownDelayMs: number;
  /** Origins browsers may call from (`*` for any); empty: no CORS. */
  corsOrigins: string[];
  /** Serve the web UI (`@tekton-results/web`) at `/` (`--ui`, `UI`; default true). */
  ui: boolean;
  /** Apply pending schema migrations at start-up. */
  migrate: boolean;
  /** Apply migrations, then exit without serving. */
  migrateOnly: boolean;
  postgres: PostgresSettings;
  /** How the server runs SQLite (ignored for PostgreSQL). */
  sqlite: SqliteSettings;
  logs: LogsConfig;
  auth: AuthConfig;
  /** Serve over TLS; absent: cleartext (h2c and HTTP/1.1). */
  tls?: TlsConfig;
  /** What one request may ask: filter, record and annotation sizes, streams, timeouts. */
  limits: LimitsConfig;
  /**
   * Run retention in the server on this configuration's `runAt` schedule (`--retention-config`,
   * `RETENTION_CONFIG`): a YAML file or a mounted ConfigMap directory, read again before each
   * run. Absent: no retention in the server.
   */
  retentionConfig?: string;
}

/** What the command line asks for. */
export type Command = ParsedCommand<ServerConfig>;

/** How {@link parseConfig} finds the config file; injectable for tests. */
export type ParseConfigOptions = Pick<ConfigFileOptions, "defaultFile" | "readFile">;

/** `--metrics-port` / `METRICS_PORT` / upstream's `PROMETHEUS_PORT`, not the API port. */
function parseMetricsPort(s: Settings, port: number): number | undefined {
  const value = s.pick("metrics-port", "METRICS_PORT", "PROMETHEUS_PORT");
  if (value === undefined) return undefined;
  const metricsPort = parseInteger("metrics-port", value, 0, 65535);
  if (metricsPort !== 0 && metricsPort === port) {
    throw new ConfigError(`metrics-port must differ from port (both ${port})`);
  }
  return metricsPort;
}

/**
 * Parse the command line (`argv` without the node and script paths), the
 * environment and the config file (`--config`, `RESULTS_CONFIG`, else
 * `/etc/tekton/results/config` when it exists). A flag wins over its variable
 * in the environment, which wins over the same variable in the file; our
 * variable wins over upstream's for the same setting. Throws
 * {@link ConfigError} for unknown flags, bad values and an unreadable or
 * malformed config file.
 */
export function parseConfig(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  options: ParseConfigOptions = {},
): Command {
  const commandLine = readSettings(argv, env);
  if (commandLine.isSet("help")) return { kind: "help" };
  if (commandLine.isSet("version")) return { kind: "version" };
  const file = loadConfigFile({
    ...options,
    explicit: commandLine.flag("config") ?? (env["RESULTS_CONFIG"] || undefined),
  });
  const settings = readSettings(argv, env, file.values);
  refuseUpstreamSettings(settings);
  const serving = parseServing(settings);
  const connections = parseConnections(settings);
  const metricsPort = parseMetricsPort(settings, serving.port);
  const migrations = parseMigrations(settings);
  const databases = parseDatabaseSettings(settings);
  const logs = parseLogsConfig(settings);
  const auth = parseAuthConfig(settings);
  const tls = parseTls(settings);
  const limits = parseLimits(settings);
  const retentionConfig = settings.pick("retention-config", "RETENTION_CONFIG");
  warnIgnoredKeys(settings, VARIABLES, { path: file.path, keys: Object.keys(file.values) });
  return {
    kind: "run",
    config: {
      ...serving,
      ...connections,
      ui: parseBoolean("ui", settings.pick("ui", "UI"), true),
      ...(metricsPort !== undefined ? { metricsPort } : {}),
      ...(file.path !== undefined ? { configFile: file.path } : {}),
      ...(settings.warnings.length > 0 ? { warnings: [...settings.warnings] } : {}),
      ...migrations,
      ...databases,
      logs,
      auth,
      ...(tls ? { tls } : {}),
      limits,
      ...(retentionConfig !== undefined ? { retentionConfig } : {}),
    },
  };
}
