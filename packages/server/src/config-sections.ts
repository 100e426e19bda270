/**
 * The sections of the server's configuration, each read from the flags, the
 * environment and the config file, and checked: serving limits, the database
 * settings, the Logs API (and its S3 store), authorization. Where upstream
 * Tekton Results has a key for a setting, it is read after ours
 * (`config-upstream.ts`).
 *
 * @module
 */
import { join } from "node:path";
import type { Settings } from "./config-flags.js";
import {
  ConfigError,
  parseBoolean,
  parseDatabaseUrl,
  parseInteger,
  parseLogLevel,
  parseRequestLogLevel,
  parseOrigins,
  parseSchema,
  parseSslMode,
} from "./config-values.js";
import {
  authMode,
  migrateAtStart,
  refuseUnsupportedLogType,
  upstreamDatabaseUrl,
  upstreamLogLevel,
  upstreamS3KeyPrefix,
} from "./config-upstream.js";
import type {
  AuthConfig,
  LogsConfig,
  PostgresSettings,
  S3LogsConfig,
  ServerConfig,
  SqliteSettings,
  TlsConfig,
} from "./config.js";
import { DEFAULT_MAX_LOG_BYTES } from "./log-upload.js";
import { DEFAULT_MAX_PAGE_BYTES } from "./page-budget.js";
import { DEFAULT_MAX_BODY_BYTES } from "./rest-gateway.js";
import {
  DEFAULT_MAX_CONNECTION_AGE_GRACE_MS,
  DEFAULT_MAX_CONNECTION_AGE_MS,
} from "./connection-age.js";
import {
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  DEFAULT_HTTP1_KEEP_ALIVE_TIMEOUT_MS,
  DEFAULT_IDLE_TIMEOUT_MS,
} from "./listener.js";
import { DEFAULT_REQUEST_LOG_LEVEL } from "./request-log.js";
import { DEFAULT_SHUTDOWN_DEADLINE_MS } from "./server.js";
import {
  DEFAULT_TLS_MIN_VERSION,
  TLS_CLIENT_AUTH_MODES,
  TLS_MIN_VERSIONS,
  type TlsClientAuth,
  type TlsMinVersion,
} from "./tls.js";

/** The default database: a SQLite file under the working directory. */
export const DEFAULT_DATABASE = "./data/results.db";

/** The default directory of stored logs, next to the default SQLite file. */
export const DEFAULT_LOGS_DIR = "./data/logs";

/** The default shutdown delay (`--shutdown-delay-ms`): none. */
export const DEFAULT_SHUTDOWN_DELAY_MS = 0;

/** The default size of GetLog chunks: 32 KiB. */
export const DEFAULT_LOG_CHUNK_BYTES = 32 * 1024;

const MAX_INT32 = 2 ** 31 - 1;

/** The settings of how and where the server serves. */
export type ServingSettings = Pick<
  ServerConfig,
  | "port"
  | "host"
  | "database"
  | "logLevel"
  | "requestLogLevel"
  | "maxBodyBytes"
  | "maxPageBytes"
  | "shutdownTimeoutMs"
  | "idleTimeoutMs"
  | "handshakeTimeoutMs"
  | "corsOrigins"
>;

/** An integer setting: the flag, else the variable (else upstream's), else `fallback`. */
function integer(
  s: Settings,
  flag: Parameters<Settings["pick"]>[0],
  variable: string,
  fallback: number,
  min: number,
  max: number,
  upstream?: string,
): number {
  return parseInteger(flag, s.pick(flag, variable, upstream) ?? String(fallback), min, max);
}

/** Port, host, database, log level, limits and timeouts, CORS. */
export function parseServing(s: Settings): ServingSettings {
  return {
    port: integer(s, "port", "PORT", 8080, 0, 65535, "SERVER_PORT"),
    host: s.pick("host", "HOST") ?? "0.0.0.0",
    database: parseDatabaseUrl(
      s.flag("database") ?? upstreamDatabaseUrl(s) ?? s.value("DATABASE_URL") ?? DEFAULT_DATABASE,
    ),
    logLevel: parseLogLevel(upstreamLogLevel(s.pick("log-level", "LOG_LEVEL") ?? "info")),
    requestLogLevel: parseRequestLogLevel(
      s.pick("request-log-level", "REQUEST_LOG_LEVEL") ?? DEFAULT_REQUEST_LOG_LEVEL,
    ),
    maxBodyBytes: integer(
      s,
      "max-body-bytes",
      "MAX_BODY_BYTES",
      DEFAULT_MAX_BODY_BYTES,
      1,
      MAX_INT32,
    ),
    maxPageBytes: integer(
      s,
      "max-page-bytes",
      "MAX_PAGE_BYTES",
      DEFAULT_MAX_PAGE_BYTES,
      0,
      Number.MAX_SAFE_INTEGER,
    ),
    shutdownTimeoutMs: integer(
      s,
      "shutdown-timeout-ms",
      "SHUTDOWN_TIMEOUT_MS",
      DEFAULT_SHUTDOWN_DEADLINE_MS,
      0,
      3_600_000,
    ),
    idleTimeoutMs: integer(
      s,
      "idle-timeout-ms",
      "IDLE_TIMEOUT_MS",
      DEFAULT_IDLE_TIMEOUT_MS,
      0,
      MAX_INT32,
    ),
    handshakeTimeoutMs: integer(
      s,
      "handshake-timeout-ms",
      "HANDSHAKE_TIMEOUT_MS",
      DEFAULT_HANDSHAKE_TIMEOUT_MS,
      1,
      MAX_INT32,
    ),
    corsOrigins: parseOrigins(s.pick("cors-origins", "CORS_ORIGINS") ?? ""),
  };
}

/** The settings of connections behind a load balancer and of the shutdown delay. */
export type ConnectionSettings = Pick<
  ServerConfig,
  "http1KeepAliveTimeoutMs" | "maxConnectionAgeMs" | "maxConnectionAgeGraceMs" | "shutdownDelayMs"
>;

/** The HTTP/1.1 keep-alive timeout, the maximum connection age and its grace, the shutdown delay. */
export function parseConnections(s: Settings): ConnectionSettings {
  return {
    http1KeepAliveTimeoutMs: integer(
      s,
      "http1-keep-alive-timeout-ms",
      "HTTP1_KEEP_ALIVE_TIMEOUT_MS",
      DEFAULT_HTTP1_KEEP_ALIVE_TIMEOUT_MS,
      0,
      MAX_INT32,
    ),
    maxConnectionAgeMs: integer(
      s,
      "max-connection-age-ms",
      "MAX_CONNECTION_AGE_MS",
      DEFAULT_MAX_CONNECTION_AGE_MS,
      0,
      MAX_INT32,
    ),
    maxConnectionAgeGraceMs: integer(
      s,
      "max-connection-age-grace-ms",
      "MAX_CONNECTION_AGE_GRACE_MS",
      DEFAULT_MAX_CONNECTION_AGE_GRACE_MS,
      0,
      MAX_INT32,
    ),
    shutdownDelayMs: integer(
      s,
      "shutdown-delay-ms",
      "SHUTDOWN_DELAY_MS",
      DEFAULT_SHUTDOWN_DELAY_MS,
      0,
      3_600_000,
    ),
  };
}

/**
 * `--skip-migrations` (or upstream's `DB_ENABLE_AUTO_MIGRATION=false`) and
 * `--migrate-only`, which contradict each other; `--migrate-only` wins over
 * upstream's key, with a warning.
 */
export function parseMigrations(s: Settings): { migrate: boolean; migrateOnly: boolean } {
  const migrateOnly = s.isSet("migrate-only");
  const skip =
    s.isSet("skip-migrations") || parseBoolean("SKIP_MIGRATIONS", s.value("SKIP_MIGRATIONS"));
  if (skip && migrateOnly) {
    throw new ConfigError("--skip-migrations and --migrate-only contradict each other");
  }
  if (migrateOnly) {
    if (!migrateAtStart(s)) s.warn("DB_ENABLE_AUTO_MIGRATION=false is ignored: --migrate-only");
    return { migrate: true, migrateOnly };
  }
  return { migrate: migrateAtStart(s), migrateOnly };
}

/** The SQLite and PostgreSQL settings (each ignored by the other backend). */
export function parseDatabaseSettings(s: Settings): {
  sqlite: SqliteSettings;
  postgres: PostgresSettings;
} {
  const sslCaFile = s.pick("db-ssl-ca-file", "DB_SSL_CA_FILE", "DB_SSLROOTCERT");
  const sslModeValue = s.pick("db-sslmode", "DB_SSLMODE");
  let sslMode = sslModeValue === undefined ? undefined : parseSslMode(sslModeValue);
  const caFromUpstream =
    s.flag("db-ssl-ca-file") === undefined && s.value("DB_SSL_CA_FILE") === undefined;
  if (sslMode === "require" && sslCaFile !== undefined && caFromUpstream) {
    // Upstream's driver (pgx, as libpq) verifies the chain when require has a root certificate.
    sslMode = "verify-ca";
  }
  const schema = parseSchema(s.pick("db-schema", "DB_SCHEMA") ?? "public");
  const sqlite: SqliteSettings = {
    statementTimeoutMs: integer(
      s,
      "sqlite-statement-timeout-ms",
      "SQLITE_STATEMENT_TIMEOUT_MS",
      5000,
      0,
      86_400_000,
    ),
  };
  const postgres: PostgresSettings = {
    poolMax: integer(s, "db-pool-max", "DB_POOL_MAX", 10, 1, 1000, upstreamPoolMax(s)),
    statementTimeoutMs: integer(
      s,
      "db-statement-timeout-ms",
      "DB_STATEMENT_TIMEOUT_MS",
      30000,
      0,
      86_400_000,
    ),
    schema,
    connectRetries: integer(s, "db-connect-retries", "DB_CONNECT_RETRIES", 30, 0, 10_000),
    ...(sslMode !== undefined ? { sslMode } : {}),
    ...(sslCaFile !== undefined ? { sslCaFile } : {}),
  };
  return { sqlite, postgres };
}

/**
 * `DB_MAX_OPEN_CONNECTIONS` as the pool size unless it is upstream's 0
 * (unlimited, which a pool here cannot be: the default then, with a warning).
 */
function upstreamPoolMax(s: Settings): string | undefined {
  const value = s.value("DB_MAX_OPEN_CONNECTIONS");
  if (value === undefined || value.trim() !== "0") return "DB_MAX_OPEN_CONNECTIONS";
  s.warn("DB_MAX_OPEN_CONNECTIONS=0 (unlimited) is ignored: the pool keeps its default size");
  return undefined;
}

/** The S3 settings of `--logs-type S3`; credentials from the environment only. */
function parseS3(s: Settings): S3LogsConfig {
  const endpoint = s.pick("s3-endpoint", "S3_ENDPOINT");
  const bucket = s.pick("s3-bucket", "S3_BUCKET_NAME");
  if (endpoint === undefined || !/^https?:\/\/[^\s/]+/.test(endpoint)) {
    throw new ConfigError(
      "--logs-type S3 needs --s3-endpoint (an http or https URL; AWS: https://s3.<region>.amazonaws.com)",
    );
  }
  if (bucket === undefined) throw new ConfigError("--logs-type S3 needs --s3-bucket");
  const accessKeyId = s.env("S3_ACCESS_KEY_ID") || s.env("AWS_ACCESS_KEY_ID");
  const secretAccessKey = s.env("S3_SECRET_ACCESS_KEY") || s.env("AWS_SECRET_ACCESS_KEY");
  if (!accessKeyId || !secretAccessKey) {
    throw new ConfigError(
      "--logs-type S3 needs S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY in the environment",
    );
  }
  const sessionToken = s.env("S3_SESSION_TOKEN") || s.env("AWS_SESSION_TOKEN");
  return {
    endpoint,
    bucket,
    region: s.pick("s3-region", "S3_REGION") ?? "us-east-1",
    keyPrefix:
      s.pick("s3-key-prefix", "S3_KEY_PREFIX") ?? upstreamS3KeyPrefix(s.value("LOGS_PATH")) ?? "",
    pathStyle: !(
      s.isSet("s3-virtual-hosted") || parseBoolean("S3_VIRTUAL_HOSTED", s.env("S3_VIRTUAL_HOSTED"))
    ),
    partSize: integer(
      s,
      "s3-part-size",
      "S3_MULTI_PART_SIZE",
      8 * 1024 * 1024,
      5 * 1024 * 1024,
      MAX_INT32,
    ),
    accessKeyId,
    secretAccessKey,
    ...(sessionToken ? { sessionToken } : {}),
  };
}

/** The Logs API: on or off, the log store (a directory or S3), chunk and size limits. */
export function parseLogsConfig(s: Settings): LogsConfig {
  if (s.isSet("no-logs") && s.flag("logs") !== undefined) {
    throw new ConfigError("--logs and --no-logs contradict each other");
  }
  const dir = s.pick("logs-dir", "LOGS_DIR", "LOGS_PATH") ?? DEFAULT_LOGS_DIR;
  if (dir.trim() === "") throw new ConfigError("logs-dir must not be empty");
  const typeSetting = s.pick("logs-type", "LOGS_TYPE") ?? "File";
  const typeValue = typeSetting.trim().toLowerCase();
  if (typeValue !== "file" && typeValue !== "s3") refuseUnsupportedLogType(typeSetting);
  const type = typeValue === "s3" ? "S3" : "File";
  const s3 = type === "S3" ? parseS3(s) : undefined;
  return {
    enabled: s.isSet("no-logs") ? false : parseBoolean("logs", s.pick("logs", "LOGS_API"), true),
    type,
    ...(s3 ? { s3 } : {}),
    dir,
    fsync: s.isSet("logs-fsync") || parseBoolean("LOGS_FSYNC", s.value("LOGS_FSYNC")),
    chunkBytes: integer(
      s,
      "logs-chunk-bytes",
      "LOGS_BUFFER_SIZE",
      DEFAULT_LOG_CHUNK_BYTES,
      1,
      4 * 1024 * 1024,
    ),
    maxBytes: integer(
      s,
      "max-log-bytes",
      "MAX_LOG_BYTES",
      DEFAULT_MAX_LOG_BYTES,
      0,
      Number.MAX_SAFE_INTEGER,
    ),
  };
}

/** The flags that only `--auth kubernetes` takes. */
const KUBERNETES_AUTH_FLAGS = [
  "kubeconfig",
  "auth-cache-ttl-ms",
  "auth-audiences",
  "auth-impersonation",
] as const;

/** `--auth none` (the default) or `--auth kubernetes` with its settings. */
export function parseAuthConfig(s: Settings): AuthConfig {
  const mode = authMode(s).trim().toLowerCase();
  if (mode === "none") {
    for (const flag of KUBERNETES_AUTH_FLAGS) {
      if (s.flag(flag) !== undefined) throw new ConfigError(`--${flag} needs --auth kubernetes`);
    }
    return { mode: "none" };
  }
  if (mode !== "kubernetes") {
    throw new ConfigError(`auth must be none or kubernetes, got ${JSON.stringify(mode)}`);
  }
  const kubeconfig = s.flag("kubeconfig");
  if (kubeconfig !== undefined && kubeconfig.trim() === "")
    throw new ConfigError("kubeconfig must not be empty");
  return {
    mode: "kubernetes",
    ...(kubeconfig !== undefined ? { kubeconfig } : {}),
    cacheTtlMs: integer(s, "auth-cache-ttl-ms", "AUTH_CACHE_TTL_MS", 10000, 0, 3_600_000),
    audiences: (s.pick("auth-audiences", "AUTH_AUDIENCES") ?? "")
      .split(",")
      .map((a) => a.trim())
      .filter((a) => a !== ""),
    impersonation: parseBoolean(
      "auth-impersonation",
      s.pick("auth-impersonation", "AUTH_IMPERSONATE"),
      true,
    ),
  };
}

/** A `--tls-min-version` value: `TLSv1.2` or `TLSv1.3` (any case; `1.2` and `1.3` too). */
function parseTlsMinVersion(value: string): TlsMinVersion {
  const v = value
    .trim()
    .toLowerCase()
    .replace(/^tlsv?/, "");
  const found = TLS_MIN_VERSIONS.find((t) => t.toLowerCase() === `tlsv${v}`);
  if (!found) {
    throw new ConfigError(
      `tls-min-version must be ${TLS_MIN_VERSIONS.join(" or ")}, got ${JSON.stringify(value)}`,
    );
  }
  return found;
}

/** A `--tls-client-auth` value: `request` or `require` (any case). */
function parseTlsClientAuth(value: string): TlsClientAuth {
  const found = TLS_CLIENT_AUTH_MODES.find((m) => m === value.trim().toLowerCase());
  if (!found) {
    throw new ConfigError(
      `tls-client-auth must be ${TLS_CLIENT_AUTH_MODES.join(" or ")}, got ${JSON.stringify(value)}`,
    );
  }
  return found;
}

/**
 * TLS: `--tls-cert-file` and `--tls-key-file` together, else upstream's
 * `TLS_PATH` (a directory holding `tls.crt` and `tls.key`); none: cleartext.
 * `--tls-client-ca` asks clients for a certificate that CA signed (mutual
 * TLS), `--tls-client-auth` says whether one is required (the default) or
 * only requested. The files are read and checked when the server starts.
 */
export function parseTls(s: Settings): TlsConfig | undefined {
  const clientCaFile = s.pick("tls-client-ca", "TLS_CLIENT_CA");
  const clientAuth = s.pick("tls-client-auth", "TLS_CLIENT_AUTH");
  let certFile = s.pick("tls-cert-file", "TLS_CERT_FILE");
  let keyFile = s.pick("tls-key-file", "TLS_KEY_FILE");
  const tlsPath = s.env("TLS_PATH");
  if (certFile === undefined && keyFile === undefined && tlsPath) {
    certFile = join(tlsPath, "tls.crt");
    keyFile = join(tlsPath, "tls.key");
  }
  if (certFile === undefined && keyFile === undefined) {
    for (const flag of ["tls-min-version", "tls-client-ca", "tls-client-auth"] as const) {
      if (s.flag(flag) !== undefined) {
        throw new ConfigError(`--${flag} needs --tls-cert-file and --tls-key-file`);
      }
    }
    return undefined;
  }
  if (certFile === undefined || keyFile === undefined) {
    throw new ConfigError(
      `--tls-cert-file and --tls-key-file go together (got only --${certFile === undefined ? "tls-key-file" : "tls-cert-file"})`,
    );
  }
  const minVersion = s.pick("tls-min-version", "TLS_MIN_VERSION");
  if (clientAuth !== undefined && clientCaFile === undefined) {
    throw new ConfigError("--tls-client-auth needs --tls-client-ca");
  }
  return {
    certFile,
    keyFile,
    minVersion: minVersion === undefined ? DEFAULT_TLS_MIN_VERSION : parseTlsMinVersion(minVersion),
    ...(clientCaFile !== undefined
      ? { clientCaFile, clientAuth: parseTlsClientAuth(clientAuth ?? "require") }
      : {}),
  };
}
