/**
 * The sections of the server's configuration, each read from the flags and
 * the environment and checked: serving limits, the database settings, the
 * Logs API (and its S3 store), authorization.
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
import { DEFAULT_HANDSHAKE_TIMEOUT_MS, DEFAULT_IDLE_TIMEOUT_MS } from "./listener.js";
import { DEFAULT_REQUEST_LOG_LEVEL } from "./request-log.js";
import { DEFAULT_SHUTDOWN_DEADLINE_MS } from "./server.js";
import { DEFAULT_TLS_MIN_VERSION, TLS_MIN_VERSIONS, type TlsMinVersion } from "./tls.js";

/** The default database: a SQLite file under the working directory. */
export const DEFAULT_DATABASE = "./data/results.db";

/** The default directory of stored logs, next to the default SQLite file. */
export const DEFAULT_LOGS_DIR = "./data/logs";

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

/** An integer setting: the flag, else the variable, else `fallback`. */
function integer(
  s: Settings,
  flag: Parameters<Settings["pick"]>[0],
  variable: string,
  fallback: number,
  min: number,
  max: number,
): number {
  return parseInteger(flag, s.pick(flag, variable) ?? String(fallback), min, max);
}

/** Port, host, database, log level, limits and timeouts, CORS. */
export function parseServing(s: Settings): ServingSettings {
  return {
    port: integer(s, "port", "PORT", 8080, 0, 65535),
    host: s.pick("host", "HOST") ?? "0.0.0.0",
    database: parseDatabaseUrl(s.pick("database", "DATABASE_URL") ?? DEFAULT_DATABASE),
    logLevel: parseLogLevel(s.pick("log-level", "LOG_LEVEL") ?? "info"),
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

/** `--skip-migrations` and `--migrate-only`, which contradict each other. */
export function parseMigrations(s: Settings): { migrate: boolean; migrateOnly: boolean } {
  const skip =
    s.isSet("skip-migrations") || parseBoolean("SKIP_MIGRATIONS", s.env("SKIP_MIGRATIONS"));
  const migrateOnly = s.isSet("migrate-only");
  if (skip && migrateOnly) {
    throw new ConfigError("--skip-migrations and --migrate-only contradict each other");
  }
  return { migrate: !skip, migrateOnly };
}

/** The SQLite and PostgreSQL settings (each ignored by the other backend). */
export function parseDatabaseSettings(s: Settings): {
  sqlite: SqliteSettings;
  postgres: PostgresSettings;
} {
  const sslModeValue = s.pick("db-sslmode", "DB_SSLMODE");
  const sslMode = sslModeValue === undefined ? undefined : parseSslMode(sslModeValue);
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
  const sslCaFile = s.pick("db-ssl-ca-file", "DB_SSL_CA_FILE");
  const postgres: PostgresSettings = {
    poolMax: integer(s, "db-pool-max", "DB_POOL_MAX", 10, 1, 1000),
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

/** The S3 settings of `--logs-type S3`; credentials from the environment only. */
function parseS3(s: Settings): S3LogsConfig {
  const endpoint = s.pick("s3-endpoint", "S3_ENDPOINT");
  const bucket = s.pick("s3-bucket", "S3_BUCKET_NAME");
  if (endpoint === undefined || !/^https?:\/\/[^\s/]+/.test(endpoint)) {
    throw new ConfigError("--logs-type S3 needs --s3-endpoint (an http or https URL)");
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
    keyPrefix: s.pick("s3-key-prefix", "S3_KEY_PREFIX") ?? "",
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
  const dir = s.pick("logs-dir", "LOGS_DIR") ?? DEFAULT_LOGS_DIR;
  if (dir.trim() === "") throw new ConfigError("logs-dir must not be empty");
  const typeValue = (s.pick("logs-type", "LOGS_TYPE") ?? "File").trim().toLowerCase();
  if (typeValue !== "file" && typeValue !== "s3") {
    throw new ConfigError(`logs-type must be File or S3, got ${JSON.stringify(typeValue)}`);
  }
  const type = typeValue === "s3" ? "S3" : "File";
  const s3 = type === "S3" ? parseS3(s) : undefined;
  return {
    enabled: s.isSet("no-logs") ? false : parseBoolean("logs", s.pick("logs", "LOGS_API"), true),
    type,
    ...(s3 ? { s3 } : {}),
    dir,
    fsync: s.isSet("logs-fsync") || parseBoolean("LOGS_FSYNC", s.env("LOGS_FSYNC")),
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
  const mode = (s.pick("auth", "AUTH_MODE") ?? "none").trim().toLowerCase();
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

/**
 * TLS: `--tls-cert-file` and `--tls-key-file` together, else upstream's
 * `TLS_PATH` (a directory holding `tls.crt` and `tls.key`); none: cleartext.
 * The files are read and checked when the server starts.
 */
export function parseTls(s: Settings): TlsConfig | undefined {
  let certFile = s.pick("tls-cert-file", "TLS_CERT_FILE");
  let keyFile = s.pick("tls-key-file", "TLS_KEY_FILE");
  const tlsPath = s.env("TLS_PATH");
  if (certFile === undefined && keyFile === undefined && tlsPath) {
    certFile = join(tlsPath, "tls.crt");
    keyFile = join(tlsPath, "tls.key");
  }
  if (certFile === undefined && keyFile === undefined) {
    if (s.flag("tls-min-version") !== undefined) {
      throw new ConfigError("--tls-min-version needs --tls-cert-file and --tls-key-file");
    }
    return undefined;
  }
  if (certFile === undefined || keyFile === undefined) {
    throw new ConfigError(
      `--tls-cert-file and --tls-key-file go together (got only --${certFile === undefined ? "tls-key-file" : "tls-cert-file"})`,
    );
  }
  const minVersion = s.pick("tls-min-version", "TLS_MIN_VERSION");
  return {
    certFile,
    keyFile,
    minVersion: minVersion === undefined ? DEFAULT_TLS_MIN_VERSION : parseTlsMinVersion(minVersion),
  };
}
