/**
 * The server's flag table and how a setting is looked up: the flag when
 * given, else its environment variable, else the same variable in the config
 * file (unset and empty are the same); where upstream Tekton Results names the
 * setting with a variable of its own, ours first, then upstream's.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { ConfigError } from "./config-values.js";

/** Every flag of the server, as `node:util` `parseArgs` reads them. */
const FLAGS = {
  port: { type: "string", short: "p" },
  host: { type: "string" },
  database: { type: "string" },
  "log-level": { type: "string" },
  "request-log-level": { type: "string" },
  "max-body-bytes": { type: "string" },
  "max-page-bytes": { type: "string" },
  "max-filter-length": { type: "string" },
  "max-filter-depth": { type: "string" },
  "max-record-bytes": { type: "string" },
  "max-annotations-bytes": { type: "string" },
  "max-concurrent-streams": { type: "string" },
  "headers-timeout-ms": { type: "string" },
  "request-timeout-ms": { type: "string" },
  "shutdown-timeout-ms": { type: "string" },
  "idle-timeout-ms": { type: "string" },
  "handshake-timeout-ms": { type: "string" },
  "http1-keep-alive-timeout-ms": { type: "string" },
  "max-connection-age-ms": { type: "string" },
  "max-connection-age-grace-ms": { type: "string" },
  "shutdown-delay-ms": { type: "string" },
  "cors-origins": { type: "string" },
  ui: { type: "string" },
  "tls-cert-file": { type: "string" },
  "tls-key-file": { type: "string" },
  "tls-min-version": { type: "string" },
  "tls-client-ca": { type: "string" },
  "tls-client-auth": { type: "string" },
  "db-pool-max": { type: "string" },
  "db-statement-timeout-ms": { type: "string" },
  "sqlite-statement-timeout-ms": { type: "string" },
  "db-schema": { type: "string" },
  "db-sslmode": { type: "string" },
  "db-ssl-ca-file": { type: "string" },
  "db-connect-retries": { type: "string" },
  "skip-migrations": { type: "boolean" },
  "migrate-only": { type: "boolean" },
  logs: { type: "string" },
  "no-logs": { type: "boolean" },
  "logs-dir": { type: "string" },
  "logs-fsync": { type: "boolean" },
  "logs-chunk-bytes": { type: "string" },
  "max-log-bytes": { type: "string" },
  "logs-type": { type: "string" },
  "s3-endpoint": { type: "string" },
  "s3-bucket": { type: "string" },
  "s3-region": { type: "string" },
  "s3-key-prefix": { type: "string" },
  "s3-virtual-hosted": { type: "boolean" },
  "s3-part-size": { type: "string" },
  auth: { type: "string" },
  kubeconfig: { type: "string" },
  "auth-cache-ttl-ms": { type: "string" },
  "auth-audiences": { type: "string" },
  "auth-impersonation": { type: "string" },
  "metrics-port": { type: "string" },
  "retention-config": { type: "string" },
  config: { type: "string" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean" },
} as const;

/**
 * Every variable of the server (each flag's, and those without a flag), as
 * the config file may hold them too. `KUBECONFIG` is not among them: the
 * Kubernetes client reads it from the environment only.
 */
export const VARIABLES: ReadonlySet<string> = new Set([
  "PORT",
  "HOST",
  "DATABASE_URL",
  "LOG_LEVEL",
  "REQUEST_LOG_LEVEL",
  "MAX_BODY_BYTES",
  "MAX_PAGE_BYTES",
  "MAX_FILTER_LENGTH",
  "MAX_FILTER_DEPTH",
  "MAX_RECORD_BYTES",
  "MAX_ANNOTATIONS_BYTES",
  "MAX_CONCURRENT_STREAMS",
  "HEADERS_TIMEOUT_MS",
  "REQUEST_TIMEOUT_MS",
  "SHUTDOWN_TIMEOUT_MS",
  "IDLE_TIMEOUT_MS",
  "HANDSHAKE_TIMEOUT_MS",
  "HTTP1_KEEP_ALIVE_TIMEOUT_MS",
  "MAX_CONNECTION_AGE_MS",
  "MAX_CONNECTION_AGE_GRACE_MS",
  "SHUTDOWN_DELAY_MS",
  "CORS_ORIGINS",
  "UI",
  "METRICS_PORT",
  "RETENTION_CONFIG",
  "TLS_CERT_FILE",
  "TLS_KEY_FILE",
  "TLS_PATH",
  "TLS_MIN_VERSION",
  "TLS_CLIENT_CA",
  "TLS_CLIENT_AUTH",
  "SKIP_MIGRATIONS",
  "SQLITE_STATEMENT_TIMEOUT_MS",
  "DB_POOL_MAX",
  "DB_STATEMENT_TIMEOUT_MS",
  "DB_SCHEMA",
  "DB_SSLMODE",
  "DB_SSL_CA_FILE",
  "DB_CONNECT_RETRIES",
  "AUTH_MODE",
  "AUTH_CACHE_TTL_MS",
  "AUTH_AUDIENCES",
  "AUTH_IMPERSONATE",
  "LOGS_API",
  "LOGS_DIR",
  "LOGS_FSYNC",
  "LOGS_BUFFER_SIZE",
  "MAX_LOG_BYTES",
  "LOGS_TYPE",
  "S3_ENDPOINT",
  "S3_BUCKET_NAME",
  "S3_REGION",
  "S3_KEY_PREFIX",
  "S3_VIRTUAL_HOSTED",
  "S3_MULTI_PART_SIZE",
  "S3_ACCESS_KEY_ID",
  "S3_SECRET_ACCESS_KEY",
  "S3_SESSION_TOKEN",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
]);

/** A flag of the server. */
export type Flag = keyof typeof FLAGS;

/** The parsed command line, the environment and the config file, read setting by setting. */
export interface Settings {
  /**
   * The flag's string value, else the variable's, else upstream's variable's
   * (`upstream`); `undefined` when none is set (or empty). When both variables
   * are set, ours wins and a warning names upstream's as ignored.
   */
  pick(flag: Flag, variable: string, upstream?: string): string | undefined;
  /** The flag's string value only. */
  flag(flag: Flag): string | undefined;
  /** Whether a boolean flag was given. */
  isSet(flag: Flag): boolean;
  /**
   * A variable: the environment's when set and not empty, else the config
   * file's (`undefined` when neither has it).
   */
  env(variable: string): string | undefined;
  /** `env`, with `undefined` for an empty value too. */
  value(variable: string): string | undefined;
  /** Note a warning for the start-up log. */
  warn(message: string): void;
  /** The warnings noted so far. */
  readonly warnings: readonly string[];
}

/**
 * Parse `argv` against the flag table. Throws {@link ConfigError} for an
 * unknown flag, a missing value or a positional argument. `file` holds the
 * variables of the config file, below the environment.
 */
export function readSettings(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  file: Readonly<Record<string, string>> = {},
): Settings {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: FLAGS,
    }));
  } catch (err) {
    throw new ConfigError(err instanceof Error ? err.message : String(err));
  }
  const flag = (name: Flag): string | undefined => {
    const v = values[name];
    return typeof v === "string" ? v : undefined;
  };
  const lookup = (variable: string): string | undefined => {
    const e = env[variable];
    return e === undefined || e === "" ? file[variable] : e;
  };
  const value = (variable: string): string | undefined => {
    const v = lookup(variable);
    return v === "" ? undefined : v;
  };
  const warnings: string[] = [];
  const warn = (message: string): void => {
    if (!warnings.includes(message)) warnings.push(message);
  };
  return {
    flag,
    pick(name, variable, upstream) {
      const v = flag(name);
      if (v !== undefined) return v;
      const ours = value(variable);
      const theirs = upstream === undefined ? undefined : value(upstream);
      if (ours !== undefined && theirs !== undefined && ours !== theirs) {
        warn(`${upstream} is ignored: ${variable} is set`);
      }
      return ours ?? theirs;
    },
    isSet: (name) => values[name] === true,
    env: lookup,
    value,
    warn,
    warnings,
  };
}
