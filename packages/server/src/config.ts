/**
 * Command-line flags and environment variables of the API server.
 *
 * @module
 */
import { parseArgs } from "node:util";
import type { LogLevel } from "./deps.js";
import { DEFAULT_MAX_PAGE_BYTES } from "./page-budget.js";
import { DEFAULT_MAX_BODY_BYTES } from "./rest-gateway.js";
import { DEFAULT_MAX_LOG_BYTES } from "./logs-service.js";
import {
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_SHUTDOWN_DEADLINE_MS,
} from "./server.js";

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

/** The configuration of a server run. */
export interface ServerConfig {
  port: number;
  host: string;
  database: DatabaseConfig;
  logLevel: LogLevel;
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
  /** Origins browsers may call from (`*` for any); empty: no CORS. */
  corsOrigins: string[];
  /** Apply pending schema migrations at start-up. */
  migrate: boolean;
  /** Apply migrations, then exit without serving. */
  migrateOnly: boolean;
  postgres: PostgresSettings;
  /** How the server runs SQLite (ignored for PostgreSQL). */
  sqlite: SqliteSettings;
  logs: LogsConfig;
  auth: AuthConfig;
}

/** What the command line asks for. */
export type Command =
  { kind: "run"; config: ServerConfig } | { kind: "help" } | { kind: "version" };

/** A flag or variable that cannot be used; the message is meant for the user. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

/** The default database: a SQLite file under the working directory. */
export const DEFAULT_DATABASE = "./data/results.db";

/** The default directory of stored logs, next to the default SQLite file. */
export const DEFAULT_LOGS_DIR = "./data/logs";

/** The default size of GetLog chunks: 32 KiB. */
export const DEFAULT_LOG_CHUNK_BYTES = 32 * 1024;

/** The usage text of `--help`. */
export const USAGE = `Usage: tekton-results-server [flags]

Serves the Tekton Results API (gRPC, gRPC-Web, Connect and REST) on one port.

Flags (each has an environment variable; a flag wins over its variable):
  --port <n>               PORT              TCP port (default 8080)
  --host <addr>            HOST              address to bind (default 0.0.0.0)
  --database <url|path>    DATABASE_URL      SQLite file path, "sqlite:<path>",
                                             "sqlite::memory:", or postgres://user:pw@host/db
                                             (default ${DEFAULT_DATABASE})
  --log-level <level>      LOG_LEVEL         debug, info, warn or error (default info)
  --max-body-bytes <n>     MAX_BODY_BYTES    largest request body and RPC message
                                             (default ${DEFAULT_MAX_BODY_BYTES}, 16 MiB)
  --max-page-bytes <n>     MAX_PAGE_BYTES    a list page stops early (with a next_page_token)
                                             once its items pass this size; 0 = no budget
                                             (default ${DEFAULT_MAX_PAGE_BYTES}, 32 MiB)
  --shutdown-timeout-ms <n> SHUTDOWN_TIMEOUT_MS  grace period for in-flight requests
                                             on SIGTERM/SIGINT (default ${DEFAULT_SHUTDOWN_DEADLINE_MS})
  --idle-timeout-ms <n>    IDLE_TIMEOUT_MS   close an HTTP/2 connection (GOAWAY) after this long
                                             without an open stream; 0 = never
                                             (default ${DEFAULT_IDLE_TIMEOUT_MS})
  --handshake-timeout-ms <n> HANDSHAKE_TIMEOUT_MS  close a new connection that sends no
                                             request or HTTP/2 preface in this time
                                             (default ${DEFAULT_HANDSHAKE_TIMEOUT_MS})
  --skip-migrations        SKIP_MIGRATIONS   do not apply schema migrations at start-up
  --migrate-only                             apply schema migrations, then exit
SQLite only:
  --sqlite-statement-timeout-ms <n> SQLITE_STATEMENT_TIMEOUT_MS  stop a filter's statement
                                             after this long (DeadlineExceeded); 0 = none
                                             (default 5000)
PostgreSQL only:
  --db-pool-max <n>        DB_POOL_MAX       pooled connections (default 10)
  --db-statement-timeout-ms <n> DB_STATEMENT_TIMEOUT_MS  per statement; 0 = none (default 30000)
  --db-schema <name>       DB_SCHEMA         schema of the tables (default public)
  --db-sslmode <mode>      DB_SSLMODE        disable, require, verify-ca or verify-full
                                             (default: what the URL says)
  --db-ssl-ca-file <path>  DB_SSL_CA_FILE    PEM CA bundle for verify-ca/verify-full
  --db-connect-retries <n> DB_CONNECT_RETRIES  start-up attempts, 1 s apart (default 30)
  --cors-origins <list>    CORS_ORIGINS      comma-separated origins browsers may call
                                             from, or * (default: none)
Authorization:
  --auth <none|kubernetes> AUTH_MODE         none: allow every request (default);
                                             kubernetes: bearer tokens checked with a
                                             TokenReview, permissions (results.tekton.dev
                                             results/records/logs) with SubjectAccessReviews
  --kubeconfig <path>      KUBECONFIG        the cluster to ask (default: ~/.kube/config,
                                             or the pod's service account in a cluster)
  --auth-cache-ttl-ms <n>  AUTH_CACHE_TTL_MS how long a decision is reused (default 10000; 0 = never)
  --auth-audiences <list>  AUTH_AUDIENCES    comma-separated token audiences (default: the
                                             API server's)
  --auth-impersonation <true|false> AUTH_IMPERSONATE  honour Impersonate-* headers,
                                             each use reviewed (default true)
Logs API:
  --logs <true|false>      LOGS_API          serve the Logs API (default true);
                                             --no-logs is --logs false
  --logs-dir <path>        LOGS_DIR          directory of the stored logs
                                             (default ${DEFAULT_LOGS_DIR})
  --logs-fsync             LOGS_FSYNC        flush each log to disk before UpdateLog answers
  --logs-chunk-bytes <n>   LOGS_BUFFER_SIZE  size of GetLog chunks (default ${DEFAULT_LOG_CHUNK_BYTES})
  --max-log-bytes <n>      MAX_LOG_BYTES     largest log one UpdateLog may store; larger is
                                             ResourceExhausted; 0 = no limit
                                             (default ${DEFAULT_MAX_LOG_BYTES}, 256 MiB)
  --logs-type <File|S3>    LOGS_TYPE         log store: files under --logs-dir, or S3 (default File)
  --s3-endpoint <url>      S3_ENDPOINT       S3-compatible service URL (required with S3)
  --s3-bucket <name>       S3_BUCKET_NAME    bucket of the logs (required with S3)
  --s3-region <name>       S3_REGION         signing region (default us-east-1)
  --s3-key-prefix <p/>     S3_KEY_PREFIX     prefix of the object keys (default none)
  --s3-virtual-hosted      S3_VIRTUAL_HOSTED bucket in the host name instead of the path
  --s3-part-size <n>       S3_MULTI_PART_SIZE  multipart part size (default 8388608, min 5 MiB)
                           S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY, S3_SESSION_TOKEN: credentials
                           (environment only; AWS_ACCESS_KEY_ID... are used when unset)
  --help                                     print this text and exit
  --version                                  print the version and exit

Endpoints: gRPC/Connect services, REST under /apis/results.tekton.dev/,
GET /healthz (alive), GET /readyz (store reachable), GET /metrics.
`;

const LOG_LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error"];

function parseInteger(name: string, value: string, min: number, max: number): number {
  if (!/^\d+$/.test(value.trim()))
    throw new ConfigError(`${name} must be an integer, got ${JSON.stringify(value)}`);
  const n = Number(value.trim());
  if (n < min || n > max)
    throw new ConfigError(`${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

const SSL_MODES = ["disable", "require", "verify-ca", "verify-full"] as const;

function parseBoolean(name: string, value: string | undefined, fallback = false): boolean {
  if (value === undefined || value === "") return fallback;
  const v = value.trim().toLowerCase();
  if (["1", "true", "yes"].includes(v)) return true;
  if (["0", "false", "no"].includes(v)) return false;
  throw new ConfigError(`${name} must be true or false, got ${JSON.stringify(value)}`);
}

/** Read a comma-separated list of origins: `*` or `scheme://host[:port]` each. */
function parseOrigins(value: string): string[] {
  const origins = value
    .split(",")
    .map((o) => o.trim().replace(/\/+$/, ""))
    .filter((o) => o !== "");
  for (const o of origins) {
    if (o !== "*" && !/^https?:\/\/[^/\s?#]+$/.test(o)) {
      throw new ConfigError(
        `cors-origins: ${JSON.stringify(o)} is not an origin like https://console.example.com or *`,
      );
    }
  }
  return origins;
}

/**
 * Read a `--database` value: a path or `sqlite:` URL (`sqlite:./x.db`,
 * `sqlite:///abs/x.db`, `sqlite::memory:`), or a `postgres://` URL.
 */
export function parseDatabaseUrl(value: string): DatabaseConfig {
  const v = value.trim();
  if (v === "") throw new ConfigError("database must not be empty");
  if (/^postgres(ql)?:\/\//i.test(v)) return { kind: "postgres", url: v };
  const sqlite = /^(sqlite3?|file):(.*)$/i.exec(v);
  if (sqlite) {
    let path = sqlite[2]!;
    if (path.startsWith("//")) path = path.slice(2);
    if (path === "") throw new ConfigError(`database URL ${JSON.stringify(v)} has no path`);
    return { kind: "sqlite", filename: path };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(v);
  if (scheme) throw new ConfigError(`unsupported database URL scheme "${scheme[1]}:"`);
  return { kind: "sqlite", filename: v };
}

/**
 * Parse the command line (`argv` without the node and script paths) and the
 * environment. Throws {@link ConfigError} for unknown flags and bad values.
 */
export function parseConfig(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): Command {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: "string", short: "p" },
        host: { type: "string" },
        database: { type: "string" },
        "log-level": { type: "string" },
        "max-body-bytes": { type: "string" },
        "max-page-bytes": { type: "string" },
        "shutdown-timeout-ms": { type: "string" },
        "idle-timeout-ms": { type: "string" },
        "handshake-timeout-ms": { type: "string" },
        "cors-origins": { type: "string" },
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
        help: { type: "boolean", short: "h" },
        version: { type: "boolean" },
      },
    }));
  } catch (err) {
    throw new ConfigError(err instanceof Error ? err.message : String(err));
  }
  if (values["help"]) return { kind: "help" };
  if (values["version"]) return { kind: "version" };
  const pick = (flag: string, variable: string): string | undefined => {
    const v = values[flag];
    if (typeof v === "string") return v;
    const e = env[variable];
    return e === undefined || e === "" ? undefined : e;
  };
  const port = parseInteger("port", pick("port", "PORT") ?? "8080", 0, 65535);
  const host = pick("host", "HOST") ?? "0.0.0.0";
  const database = parseDatabaseUrl(pick("database", "DATABASE_URL") ?? DEFAULT_DATABASE);
  const logLevel = (pick("log-level", "LOG_LEVEL") ?? "info").toLowerCase();
  if (!LOG_LEVELS.includes(logLevel as LogLevel)) {
    throw new ConfigError(
      `log level must be one of ${LOG_LEVELS.join(", ")}, got ${JSON.stringify(logLevel)}`,
    );
  }
  const maxBodyBytes = parseInteger(
    "max-body-bytes",
    pick("max-body-bytes", "MAX_BODY_BYTES") ?? String(DEFAULT_MAX_BODY_BYTES),
    1,
    2 ** 31 - 1,
  );
  const maxPageBytes = parseInteger(
    "max-page-bytes",
    pick("max-page-bytes", "MAX_PAGE_BYTES") ?? String(DEFAULT_MAX_PAGE_BYTES),
    0,
    Number.MAX_SAFE_INTEGER,
  );
  const shutdownTimeoutMs = parseInteger(
    "shutdown-timeout-ms",
    pick("shutdown-timeout-ms", "SHUTDOWN_TIMEOUT_MS") ?? String(DEFAULT_SHUTDOWN_DEADLINE_MS),
    0,
    3_600_000,
  );
  const idleTimeoutMs = parseInteger(
    "idle-timeout-ms",
    pick("idle-timeout-ms", "IDLE_TIMEOUT_MS") ?? String(DEFAULT_IDLE_TIMEOUT_MS),
    0,
    2 ** 31 - 1,
  );
  const handshakeTimeoutMs = parseInteger(
    "handshake-timeout-ms",
    pick("handshake-timeout-ms", "HANDSHAKE_TIMEOUT_MS") ?? String(DEFAULT_HANDSHAKE_TIMEOUT_MS),
    1,
    2 ** 31 - 1,
  );
  const corsOrigins = parseOrigins(pick("cors-origins", "CORS_ORIGINS") ?? "");
  const skipMigrations =
    values["skip-migrations"] === true || parseBoolean("SKIP_MIGRATIONS", env["SKIP_MIGRATIONS"]);
  const migrateOnly = values["migrate-only"] === true;
  if (skipMigrations && migrateOnly) {
    throw new ConfigError("--skip-migrations and --migrate-only contradict each other");
  }
  const sslMode = pick("db-sslmode", "DB_SSLMODE");
  if (sslMode !== undefined && !SSL_MODES.includes(sslMode as (typeof SSL_MODES)[number])) {
    throw new ConfigError(
      `db-sslmode must be one of ${SSL_MODES.join(", ")}, got ${JSON.stringify(sslMode)}`,
    );
  }
  const schema = pick("db-schema", "DB_SCHEMA") ?? "public";
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) {
    throw new ConfigError(
      `db-schema must be a plain SQL identifier, got ${JSON.stringify(schema)}`,
    );
  }
  const sqlite: SqliteSettings = {
    statementTimeoutMs: parseInteger(
      "sqlite-statement-timeout-ms",
      pick("sqlite-statement-timeout-ms", "SQLITE_STATEMENT_TIMEOUT_MS") ?? "5000",
      0,
      86_400_000,
    ),
  };
  const sslCaFile = pick("db-ssl-ca-file", "DB_SSL_CA_FILE");
  const postgres: PostgresSettings = {
    poolMax: parseInteger("db-pool-max", pick("db-pool-max", "DB_POOL_MAX") ?? "10", 1, 1000),
    statementTimeoutMs: parseInteger(
      "db-statement-timeout-ms",
      pick("db-statement-timeout-ms", "DB_STATEMENT_TIMEOUT_MS") ?? "30000",
      0,
      86_400_000,
    ),
    schema,
    connectRetries: parseInteger(
      "db-connect-retries",
      pick("db-connect-retries", "DB_CONNECT_RETRIES") ?? "30",
      0,
      10_000,
    ),
    ...(sslMode !== undefined ? { sslMode: sslMode as PostgresSettings["sslMode"] } : {}),
    ...(sslCaFile !== undefined ? { sslCaFile } : {}),
  };
  if (values["no-logs"] === true && typeof values["logs"] === "string") {
    throw new ConfigError("--logs and --no-logs contradict each other");
  }
  const logsDir = pick("logs-dir", "LOGS_DIR") ?? DEFAULT_LOGS_DIR;
  if (logsDir.trim() === "") throw new ConfigError("logs-dir must not be empty");
  const logsTypeRaw = (pick("logs-type", "LOGS_TYPE") ?? "File").trim().toLowerCase();
  if (logsTypeRaw !== "file" && logsTypeRaw !== "s3") {
    throw new ConfigError(`logs-type must be File or S3, got ${JSON.stringify(logsTypeRaw)}`);
  }
  const logsType = logsTypeRaw === "s3" ? "S3" : "File";
  let s3: S3LogsConfig | undefined;
  if (logsType === "S3") {
    const endpoint = pick("s3-endpoint", "S3_ENDPOINT");
    const bucket = pick("s3-bucket", "S3_BUCKET_NAME");
    if (endpoint === undefined || !/^https?:\/\/[^\s/]+/.test(endpoint)) {
      throw new ConfigError("--logs-type S3 needs --s3-endpoint (an http or https URL)");
    }
    if (bucket === undefined) throw new ConfigError("--logs-type S3 needs --s3-bucket");
    const accessKeyId = env["S3_ACCESS_KEY_ID"] || env["AWS_ACCESS_KEY_ID"];
    const secretAccessKey = env["S3_SECRET_ACCESS_KEY"] || env["AWS_SECRET_ACCESS_KEY"];
    if (!accessKeyId || !secretAccessKey) {
      throw new ConfigError(
        "--logs-type S3 needs S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY in the environment",
      );
    }
    const sessionToken = env["S3_SESSION_TOKEN"] || env["AWS_SESSION_TOKEN"];
    s3 = {
      endpoint,
      bucket,
      region: pick("s3-region", "S3_REGION") ?? "us-east-1",
      keyPrefix: pick("s3-key-prefix", "S3_KEY_PREFIX") ?? "",
      pathStyle: !(
        values["s3-virtual-hosted"] === true ||
        parseBoolean("S3_VIRTUAL_HOSTED", env["S3_VIRTUAL_HOSTED"])
      ),
      partSize: parseInteger(
        "s3-part-size",
        pick("s3-part-size", "S3_MULTI_PART_SIZE") ?? String(8 * 1024 * 1024),
        5 * 1024 * 1024,
        2 ** 31 - 1,
      ),
      accessKeyId,
      secretAccessKey,
      ...(sessionToken ? { sessionToken } : {}),
    };
  }
  const logs: LogsConfig = {
    enabled:
      values["no-logs"] === true ? false : parseBoolean("logs", pick("logs", "LOGS_API"), true),
    type: logsType,
    ...(s3 ? { s3 } : {}),
    dir: logsDir,
    fsync: values["logs-fsync"] === true || parseBoolean("LOGS_FSYNC", env["LOGS_FSYNC"]),
    chunkBytes: parseInteger(
      "logs-chunk-bytes",
      pick("logs-chunk-bytes", "LOGS_BUFFER_SIZE") ?? String(DEFAULT_LOG_CHUNK_BYTES),
      1,
      4 * 1024 * 1024,
    ),
    maxBytes: parseInteger(
      "max-log-bytes",
      pick("max-log-bytes", "MAX_LOG_BYTES") ?? String(DEFAULT_MAX_LOG_BYTES),
      0,
      Number.MAX_SAFE_INTEGER,
    ),
  };
  const authMode = (pick("auth", "AUTH_MODE") ?? "none").trim().toLowerCase();
  let auth: AuthConfig;
  if (authMode === "none") {
    for (const flag of [
      "kubeconfig",
      "auth-cache-ttl-ms",
      "auth-audiences",
      "auth-impersonation",
    ]) {
      if (typeof values[flag] === "string")
        throw new ConfigError(`--${flag} needs --auth kubernetes`);
    }
    auth = { mode: "none" };
  } else if (authMode === "kubernetes") {
    const kubeconfig = typeof values["kubeconfig"] === "string" ? values["kubeconfig"] : undefined;
    if (kubeconfig !== undefined && kubeconfig.trim() === "")
      throw new ConfigError("kubeconfig must not be empty");
    auth = {
      mode: "kubernetes",
      ...(kubeconfig !== undefined ? { kubeconfig } : {}),
      cacheTtlMs: parseInteger(
        "auth-cache-ttl-ms",
        pick("auth-cache-ttl-ms", "AUTH_CACHE_TTL_MS") ?? "10000",
        0,
        3_600_000,
      ),
      audiences: (pick("auth-audiences", "AUTH_AUDIENCES") ?? "")
        .split(",")
        .map((a) => a.trim())
        .filter((a) => a !== ""),
      impersonation: parseBoolean(
        "auth-impersonation",
        pick("auth-impersonation", "AUTH_IMPERSONATE"),
        true,
      ),
    };
  } else {
    throw new ConfigError(`auth must be none or kubernetes, got ${JSON.stringify(authMode)}`);
  }
  return {
    kind: "run",
    config: {
      port,
      host,
      database,
      logLevel: logLevel as LogLevel,
      maxBodyBytes,
      maxPageBytes,
      shutdownTimeoutMs,
      idleTimeoutMs,
      handshakeTimeoutMs,
      corsOrigins,
      migrate: !skipMigrations,
      migrateOnly,
      postgres,
      sqlite,
      logs,
      auth,
    },
  };
}
